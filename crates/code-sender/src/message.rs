//! The message format of the AWS Encryption SDK, read and opened with AWS-LC (the
//! crypto library rustls already links into every trigger that calls AWS).
//!
//! It reads what the SDK writes under each of its eleven AES-GCM algorithm suites:
//! message format 1 (no key commitment; HKDF-SHA256, HKDF-SHA384 or the data key as
//! is; ECDSA with P-256 or P-384, or no signature) and format 2 (HKDF-SHA512 with key
//! commitment; ECDSA with P-384 or none), framed or in one block. That is what the
//! SDK's own decryption accepts under the commitment policy
//! `RequireEncryptAllowDecrypt`, which Cognito's codes need.
//!
//! [`Message::parse`] checks the whole layout (header, every frame, the footer, nothing
//! after it) before any key is asked for. [`Message::open`] takes the data key a
//! keyring unwrapped, derives the message key, checks the key commitment, the
//! header's tag, every frame's tag and the signature, and only then hands the
//! plaintext out. Every refusal says what was wrong with the message, never a byte of
//! a key or of the plaintext.

use aws_lc_rs::{aead, constant_time, hkdf, signature};
use base64::Engine;
use zeroize::Zeroizing;

/// Where the SDK keeps the verification key of a signed message.
pub const PUBLIC_KEY_FIELD: &str = "aws-crypto-public-key";

const TAG_LEN: usize = 16;
const IV_LEN: usize = 12;
const FINAL_FRAME: u32 = 0xFFFF_FFFF;
const REGULAR_FRAME_AAD: &[u8] = b"AWSKMSEncryptionClient Frame";
const FINAL_FRAME_AAD: &[u8] = b"AWSKMSEncryptionClient Final Frame";
const SINGLE_BLOCK_AAD: &[u8] = b"AWSKMSEncryptionClient Single Block";

/// How a suite turns the data key into the key that opens the message.
#[derive(Debug, Clone, Copy)]
enum Derivation {
    /// The data key is the key (the three legacy `NO_KDF` suites).
    Identity,
    /// Format 1: HKDF with no salt, the suite ID and the message ID as info.
    Hkdf(hkdf::Algorithm),
    /// Format 2: HKDF-SHA512 salted with the message ID, and a commitment key the
    /// header carries.
    Committing,
}

#[derive(Debug)]
struct Suite {
    id: u16,
    key_len: usize,
    derivation: Derivation,
    signature: Option<&'static signature::EcdsaVerificationAlgorithm>,
}

impl Suite {
    fn format(&self) -> u8 {
        match self.derivation {
            Derivation::Committing => 2,
            _ => 1,
        }
    }

    fn cipher(&self) -> &'static aead::Algorithm {
        match self.key_len {
            16 => &aead::AES_128_GCM,
            24 => &aead::AES_192_GCM,
            _ => &aead::AES_256_GCM,
        }
    }
}

const fn suite(
    id: u16,
    key_len: usize,
    derivation: Derivation,
    signature: Option<&'static signature::EcdsaVerificationAlgorithm>,
) -> Suite {
    Suite {
        id,
        key_len,
        derivation,
        signature,
    }
}

static SUITES: [Suite; 11] = [
    suite(0x0014, 16, Derivation::Identity, None),
    suite(0x0046, 24, Derivation::Identity, None),
    suite(0x0078, 32, Derivation::Identity, None),
    suite(0x0114, 16, Derivation::Hkdf(hkdf::HKDF_SHA256), None),
    suite(0x0146, 24, Derivation::Hkdf(hkdf::HKDF_SHA256), None),
    suite(0x0178, 32, Derivation::Hkdf(hkdf::HKDF_SHA256), None),
    suite(
        0x0214,
        16,
        Derivation::Hkdf(hkdf::HKDF_SHA256),
        Some(&signature::ECDSA_P256_SHA256_ASN1),
    ),
    suite(
        0x0346,
        24,
        Derivation::Hkdf(hkdf::HKDF_SHA384),
        Some(&signature::ECDSA_P384_SHA384_ASN1),
    ),
    suite(
        0x0378,
        32,
        Derivation::Hkdf(hkdf::HKDF_SHA384),
        Some(&signature::ECDSA_P384_SHA384_ASN1),
    ),
    suite(0x0478, 32, Derivation::Committing, None),
    suite(
        0x0578,
        32,
        Derivation::Committing,
        Some(&signature::ECDSA_P384_SHA384_ASN1),
    ),
];

/// An encrypted data key of the header: which keyring can unwrap it (`provider`:
/// `aws-kms` for KMS, whose `info` is the key's ARN) and the wrapped key.
#[derive(Debug, Clone, Copy)]
pub struct DataKey<'a> {
    pub provider: &'a [u8],
    pub info: &'a [u8],
    pub ciphertext: &'a [u8],
}

/// One piece of encrypted content: a frame, or the single block of an unframed
/// message. `sealed` is the content followed by its tag, as in the message.
#[derive(Debug)]
struct Sealed<'a> {
    aad_label: &'static [u8],
    sequence: u32,
    iv: &'a [u8],
    sealed: &'a [u8],
}

/// A message whose layout has been checked, not yet opened.
#[derive(Debug)]
pub struct Message<'a> {
    suite: &'static Suite,
    message_id: &'a [u8],
    context: Vec<(&'a str, &'a str)>,
    /// The encryption context's verification key (base64), for a signed suite.
    public_key: Option<&'a str>,
    data_keys: Vec<DataKey<'a>>,
    header: &'a [u8],
    header_iv: [u8; IV_LEN],
    header_tag: &'a [u8],
    commitment: Option<&'a [u8]>,
    content: Vec<Sealed<'a>>,
    signed: &'a [u8],
    signature: Option<&'a [u8]>,
}

/// Why a message was refused.
pub type Refusal = String;

impl<'a> Message<'a> {
    /// Reads the layout of `bytes`: a refusal names the part that is wrong.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Refusal> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.u8("version")?;
        let (suite, message_id) = match version {
            1 => {
                if r.u8("type")? != 0x80 {
                    return Err("the message type is not customer authenticated data".into());
                }
                let suite = find_suite(r.u16("algorithm suite")?, 1)?;
                (suite, r.take(16, "message ID")?)
            }
            2 => {
                let suite = find_suite(r.u16("algorithm suite")?, 2)?;
                (suite, r.take(32, "message ID")?)
            }
            other => {
                return Err(format!(
                    "not a message of the AWS Encryption SDK (format version {other})"
                ))
            }
        };
        let context = read_context(&mut r)?;
        let public_key = context
            .iter()
            .find(|(k, _)| *k == PUBLIC_KEY_FIELD)
            .map(|(_, v)| *v);
        match (suite.signature.is_some(), public_key.is_some()) {
            (true, false) => return Err("a signed message without its verification key".into()),
            (false, true) => {
                return Err("an unsigned message carrying a verification key".into());
            }
            _ => {}
        }
        let data_keys = read_data_keys(&mut r)?;
        let framed = match r.u8("content type")? {
            1 => false,
            2 => true,
            other => return Err(format!("unknown content type {other}")),
        };
        if version == 1 {
            if r.take(4, "reserved field")? != [0; 4] {
                return Err("the reserved field is not zero".into());
            }
            if usize::from(r.u8("IV length")?) != IV_LEN {
                return Err("the IV length is not 12".into());
            }
        }
        let frame_length = r.u32("frame length")?;
        if framed == (frame_length == 0) {
            return Err(format!(
                "frame length {frame_length} for {} content",
                if framed { "framed" } else { "unframed" }
            ));
        }
        let commitment = match suite.derivation {
            Derivation::Committing => Some(r.take(32, "key commitment")?),
            _ => None,
        };
        let header = &bytes[..r.at];
        let mut header_iv = [0; IV_LEN];
        if version == 1 {
            header_iv.copy_from_slice(r.take(IV_LEN, "header IV")?);
        }
        let header_tag = r.take(TAG_LEN, "header tag")?;
        let content = if framed {
            read_frames(&mut r, frame_length)?
        } else {
            let iv = r.take(IV_LEN, "content IV")?;
            let length = usize::try_from(r.u64("content length")?)
                .map_err(|_| "the content length is out of range".to_owned())?;
            vec![Sealed {
                aad_label: SINGLE_BLOCK_AAD,
                sequence: 1,
                iv,
                sealed: r.sealed(length, "content")?,
            }]
        };
        let signed = &bytes[..r.at];
        let signature = match suite.signature {
            Some(_) => {
                let length = usize::from(r.u16("signature length")?);
                Some(r.take(length, "signature")?)
            }
            None => None,
        };
        if r.at != bytes.len() {
            return Err(format!(
                "{} bytes after the end of the message",
                bytes.len() - r.at
            ));
        }
        Ok(Self {
            suite,
            message_id,
            context,
            public_key,
            data_keys,
            header,
            header_iv,
            header_tag,
            commitment,
            content,
            signed,
            signature,
        })
    }

    /// The encrypted data keys, in the order of the header.
    pub fn data_keys(&self) -> &[DataKey<'a>] {
        &self.data_keys
    }

    /// The encryption context (KMS must be given it to unwrap a data key).
    pub fn context(&self) -> &[(&'a str, &'a str)] {
        &self.context
    }

    /// How long a data key of this message's suite is.
    pub fn data_key_len(&self) -> usize {
        self.suite.key_len
    }

    /// The plaintext, once everything that authenticates it has been checked.
    pub fn open(&self, data_key: &[u8]) -> Result<Zeroizing<Vec<u8>>, Refusal> {
        if data_key.len() != self.suite.key_len {
            return Err(format!(
                "the data key is {} bytes, the algorithm suite takes {}",
                data_key.len(),
                self.suite.key_len
            ));
        }
        let key = self.message_key(data_key)?;
        let key = aead::LessSafeKey::new(
            aead::UnboundKey::new(self.suite.cipher(), &key)
                .map_err(|_| "the message key was refused".to_owned())?,
        );
        let mut tag = self.header_tag.to_vec();
        key.open_in_place(
            aead::Nonce::assume_unique_for_key(self.header_iv),
            aead::Aad::from(self.header),
            &mut tag,
        )
        .map_err(|_| "the header does not authenticate under this key".to_owned())?;
        if let (Some(algorithm), Some(signature)) = (self.suite.signature, self.signature) {
            self.verify(algorithm, signature)?;
        }
        let total = self.content.iter().map(|c| c.sealed.len() - TAG_LEN).sum();
        let mut plaintext = Zeroizing::new(Vec::with_capacity(total));
        for piece in &self.content {
            let mut buffer = Zeroizing::new(piece.sealed.to_vec());
            let length = (piece.sealed.len() - TAG_LEN) as u64;
            let mut aad = Vec::with_capacity(self.message_id.len() + piece.aad_label.len() + 12);
            aad.extend_from_slice(self.message_id);
            aad.extend_from_slice(piece.aad_label);
            aad.extend_from_slice(&piece.sequence.to_be_bytes());
            aad.extend_from_slice(&length.to_be_bytes());
            let nonce = aead::Nonce::try_assume_unique_for_key(piece.iv)
                .map_err(|_| "a frame IV is not 12 bytes".to_owned())?;
            let opened = key
                .open_in_place(nonce, aead::Aad::from(aad), &mut buffer)
                .map_err(|_| format!("frame {} does not authenticate", piece.sequence))?;
            plaintext.extend_from_slice(opened);
        }
        Ok(plaintext)
    }

    fn message_key(&self, data_key: &[u8]) -> Result<Zeroizing<Vec<u8>>, Refusal> {
        let suite = self.suite;
        let id = suite.id.to_be_bytes();
        let mut key = Zeroizing::new(vec![0; suite.key_len]);
        match suite.derivation {
            Derivation::Identity => key.copy_from_slice(data_key),
            Derivation::Hkdf(algorithm) => {
                hkdf::Salt::new(algorithm, &[])
                    .extract(data_key)
                    .expand(&[&id, self.message_id], Len(suite.key_len))
                    .and_then(|okm| okm.fill(&mut key))
                    .map_err(|_| "key derivation failed".to_owned())?;
            }
            Derivation::Committing => {
                let prk = hkdf::Salt::new(hkdf::HKDF_SHA512, self.message_id).extract(data_key);
                prk.expand(&[&id, b"DERIVEKEY"], Len(suite.key_len))
                    .and_then(|okm| okm.fill(&mut key))
                    .map_err(|_| "key derivation failed".to_owned())?;
                let mut commitment = Zeroizing::new([0; 32]);
                prk.expand(&[b"COMMITKEY"], Len(32))
                    .and_then(|okm| okm.fill(&mut commitment[..]))
                    .map_err(|_| "key derivation failed".to_owned())?;
                constant_time::verify_slices_are_equal(
                    &commitment[..],
                    self.commitment.unwrap_or_default(),
                )
                .map_err(|_| "the key commitment does not match the data key".to_owned())?;
            }
        }
        Ok(key)
    }

    fn verify(
        &self,
        algorithm: &'static signature::EcdsaVerificationAlgorithm,
        signature: &[u8],
    ) -> Result<(), Refusal> {
        let public_key = base64::engine::general_purpose::STANDARD
            .decode(self.public_key.unwrap_or_default())
            .map_err(|_| "the verification key is not base64".to_owned())?;
        signature::UnparsedPublicKey::new(algorithm, public_key)
            .verify(self.signed, signature)
            .map_err(|_| "the signature does not verify".to_owned())
    }
}

fn find_suite(id: u16, format: u8) -> Result<&'static Suite, Refusal> {
    let suite = SUITES
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| format!("unknown algorithm suite {id:#06x}"))?;
    if suite.format() != format {
        return Err(format!(
            "algorithm suite {id:#06x} in a message of format {format}"
        ));
    }
    Ok(suite)
}

fn read_context<'a>(r: &mut Reader<'a>) -> Result<Vec<(&'a str, &'a str)>, Refusal> {
    let length = usize::from(r.u16("encryption context length")?);
    if length == 0 {
        return Ok(Vec::new());
    }
    let mut pairs = Reader {
        bytes: r.take(length, "encryption context")?,
        at: 0,
    };
    let count = pairs.u16("encryption context count")?;
    if count == 0 {
        return Err("an encryption context of no pairs".into());
    }
    let mut context: Vec<(&str, &str)> = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let key = pairs.text("encryption context key")?;
        let value = pairs.text("encryption context value")?;
        if context.iter().any(|(k, _)| *k == key) {
            return Err(format!("encryption context key {key:?} twice"));
        }
        context.push((key, value));
    }
    if pairs.at != pairs.bytes.len() {
        return Err("the encryption context is longer than its pairs".into());
    }
    Ok(context)
}

fn read_data_keys<'a>(r: &mut Reader<'a>) -> Result<Vec<DataKey<'a>>, Refusal> {
    let count = r.u16("data key count")?;
    if count == 0 {
        return Err("a message with no data key".into());
    }
    (0..count)
        .map(|_| {
            Ok(DataKey {
                provider: r.short("key provider")?,
                info: r.short("key provider information")?,
                ciphertext: r.short("encrypted data key")?,
            })
        })
        .collect()
}

fn read_frames<'a>(r: &mut Reader<'a>, frame_length: u32) -> Result<Vec<Sealed<'a>>, Refusal> {
    let mut frames = Vec::new();
    let mut expected: u32 = 1;
    loop {
        let first = r.u32("frame sequence number")?;
        let last = first == FINAL_FRAME;
        let sequence = if last {
            r.u32("final frame sequence number")?
        } else {
            first
        };
        if sequence != expected {
            return Err(format!("frame {sequence} where frame {expected} belongs"));
        }
        let iv = r.take(IV_LEN, "frame IV")?;
        let length = if last {
            let length = r.u32("final frame length")?;
            if length > frame_length {
                return Err(format!(
                    "a final frame of {length} bytes in frames of {frame_length}"
                ));
            }
            length
        } else {
            frame_length
        };
        let sealed = r.sealed(length as usize, "frame")?;
        frames.push(Sealed {
            aad_label: if last {
                FINAL_FRAME_AAD
            } else {
                REGULAR_FRAME_AAD
            },
            sequence,
            iv,
            sealed,
        });
        if last {
            return Ok(frames);
        }
        expected = expected
            .checked_add(1)
            .filter(|n| *n != FINAL_FRAME)
            .ok_or_else(|| "more frames than a message may hold".to_owned())?;
    }
}

/// HKDF output of a given length.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], Refusal> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| format!("the message ends inside its {what}"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], Refusal> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N, what)?);
        Ok(array)
    }

    fn u8(&mut self, what: &str) -> Result<u8, Refusal> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16, Refusal> {
        self.array(what).map(u16::from_be_bytes)
    }

    fn u32(&mut self, what: &str) -> Result<u32, Refusal> {
        self.array(what).map(u32::from_be_bytes)
    }

    fn u64(&mut self, what: &str) -> Result<u64, Refusal> {
        self.array(what).map(u64::from_be_bytes)
    }

    /// A field preceded by its two-byte length.
    fn short(&mut self, what: &str) -> Result<&'a [u8], Refusal> {
        let length = usize::from(self.u16(what)?);
        self.take(length, what)
    }

    fn text(&mut self, what: &str) -> Result<&'a str, Refusal> {
        std::str::from_utf8(self.short(what)?).map_err(|_| format!("the {what} is not UTF-8"))
    }

    /// `length` bytes of content and the tag after them.
    fn sealed(&mut self, length: usize, what: &str) -> Result<&'a [u8], Refusal> {
        let total = length
            .checked_add(TAG_LEN)
            .ok_or_else(|| format!("the {what} length is out of range"))?;
        self.take(total, what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A format-2 header up to the header tag, with `frames` after it.
    fn committing_message(frames: &[u8]) -> Vec<u8> {
        let mut m = vec![2, 0x04, 0x78];
        m.extend_from_slice(&[7; 32]); // message ID
        m.extend_from_slice(&[0, 0]); // no encryption context
        m.extend_from_slice(&[0, 1, 0, 7]);
        m.extend_from_slice(b"aws-kms");
        m.extend_from_slice(&[0, 3]);
        m.extend_from_slice(b"arn");
        m.extend_from_slice(&[0, 2, 9, 9]);
        m.push(2); // framed
        m.extend_from_slice(&4u32.to_be_bytes());
        m.extend_from_slice(&[1; 32]); // commitment
        m.extend_from_slice(&[5; TAG_LEN]); // header tag
        m.extend_from_slice(frames);
        m
    }

    fn frame(sequence: u32, content: &[u8], last: bool) -> Vec<u8> {
        let mut f = Vec::new();
        if last {
            f.extend_from_slice(&FINAL_FRAME.to_be_bytes());
        }
        f.extend_from_slice(&sequence.to_be_bytes());
        f.extend_from_slice(&[3; IV_LEN]);
        if last {
            f.extend_from_slice(&(content.len() as u32).to_be_bytes());
        }
        f.extend_from_slice(content);
        f.extend_from_slice(&[4; TAG_LEN]);
        f
    }

    #[test]
    fn the_layout_of_a_framed_message_is_read() {
        let frames = [frame(1, b"abcd", false), frame(2, b"ef", true)].concat();
        let bytes = committing_message(&frames);
        let message = Message::parse(&bytes).expect("a well-formed message");
        assert_eq!(message.data_keys().len(), 1);
        assert_eq!(message.data_keys()[0].provider, b"aws-kms");
        assert_eq!(message.data_keys()[0].info, b"arn");
        assert_eq!(message.content.len(), 2);
        assert_eq!(message.data_key_len(), 32);
        // A wrong key is refused at the commitment, before any tag is tried.
        assert_eq!(
            message.open(&[0; 32]).unwrap_err(),
            "the key commitment does not match the data key"
        );
        assert!(message.open(&[0; 16]).unwrap_err().contains("16 bytes"));
    }

    #[test]
    fn frames_out_of_order_oversized_or_trailing_bytes_are_refused() {
        let cases = [
            (
                [frame(2, b"abcd", false), frame(3, b"", true)].concat(),
                "frame 2 where frame 1 belongs",
            ),
            (
                frame(1, b"abcde", true),
                "a final frame of 5 bytes in frames of 4",
            ),
            (
                [frame(1, b"", true), vec![0]].concat(),
                "1 bytes after the end of the message",
            ),
            (
                frame(1, b"abcd", false),
                "the message ends inside its frame sequence number",
            ),
        ];
        for (frames, reason) in cases {
            assert_eq!(
                Message::parse(&committing_message(&frames)).unwrap_err(),
                reason
            );
        }
    }

    #[test]
    fn every_truncation_of_a_message_is_refused() {
        let bytes = committing_message(&[frame(1, b"abcd", false), frame(2, b"", true)].concat());
        for end in 0..bytes.len() {
            let reason = Message::parse(&bytes[..end]).unwrap_err();
            assert!(
                reason.starts_with("the message ends inside"),
                "{end}: {reason}"
            );
        }
    }

    #[test]
    fn unknown_suites_versions_and_mismatched_formats_are_refused() {
        let mut bytes = committing_message(&frame(1, b"", true));
        bytes[2] = 0x79;
        assert_eq!(
            Message::parse(&bytes).unwrap_err(),
            "unknown algorithm suite 0x0479"
        );
        bytes[1..3].copy_from_slice(&[0x03, 0x78]);
        assert_eq!(
            Message::parse(&bytes).unwrap_err(),
            "algorithm suite 0x0378 in a message of format 2"
        );
        assert_eq!(
            Message::parse(b"{\"code\":1}").unwrap_err(),
            "not a message of the AWS Encryption SDK (format version 123)"
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(message) = Message::parse(&bytes) {
                let _ = message.open(&vec![0; message.data_key_len()]);
            }
        }

        #[test]
        fn a_message_with_any_byte_changed_never_panics(
            at in 0usize..200,
            value in any::<u8>(),
        ) {
            let mut bytes =
                committing_message(&[frame(1, b"abcd", false), frame(2, b"xy", true)].concat());
            let at = at % bytes.len();
            bytes[at] = value;
            if let Ok(message) = Message::parse(&bytes) {
                prop_assert!(message.open(&vec![0; message.data_key_len()]).is_err());
            }
        }
    }
}
