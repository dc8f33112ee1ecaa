//! Magic-link tokens: JWTs (RFC 7519) signed ES256 (ECDSA P-256 with SHA-256) by the
//! KMS key (`SIGN_VERIFY`, `ECC_NIST_P256`), with the user (`sub`), the pool, the
//! origin of the landing page, the expiry (`exp`) and a nonce (`jti`).
//!
//! A token is checked by the `jsonwebtoken` crate on aws-lc-rs (the algorithm pinned
//! to ES256, the signature before any claim is read, `exp` with no leeway) against
//! the key's public half, which verify fetches once when it starts (`GetPublicKey`).
//! Create signs the JWS signing input with KMS, which answers a DER signature; JWS
//! carries the fixed-size `R || S` form, converted by the `ecdsa` crate.
//!
//! A token is a bearer credential for one sign-in: it never reaches a log; only the
//! SHA-256 of its nonce is kept (in the challenge table), and a token is accepted
//! once, by a conditional write that removes that digest.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The longest answer read as a token: a real one is under 500 characters.
pub const MAX_TOKEN_LEN: usize = 2048;

/// The JOSE header of every token: ES256, nothing else.
const HEADER: &str = r#"{"alg":"ES256","typ":"JWT"}"#;

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user name Cognito gave create (`userName`).
    #[serde(rename = "sub")]
    pub user: String,
    /// The user pool.
    pub pool: String,
    /// The origin of the page the link leads to.
    pub origin: String,
    /// Expiry, seconds since the epoch.
    #[serde(rename = "exp")]
    pub expires: u64,
    /// 16 random bytes, URL-safe base64.
    #[serde(rename = "jti")]
    pub nonce: String,
}

impl Claims {
    /// What the table keeps of the nonce.
    pub fn nonce_digest(&self) -> String {
        nonce_digest(&self.nonce)
    }
}

/// SHA-256 of a nonce, URL-safe base64.
pub fn nonce_digest(nonce: &str) -> String {
    B64.encode(Sha256::digest(nonce.as_bytes()))
}

/// The JWS signing input: the encoded header and claims (RFC 7515, compact form).
pub fn signed_part(claims: &Claims) -> Result<String, serde_json::Error> {
    Ok(format!(
        "{}.{}",
        B64.encode(HEADER),
        B64.encode(serde_json::to_vec(claims)?)
    ))
}

/// The whole token, from the signing input and KMS's DER signature.
pub fn assemble(signed_part: &str, der_signature: &[u8]) -> Result<String, String> {
    let signature = ecdsa::Signature::<p256::NistP256>::from_der(der_signature)
        .map_err(|_| "the key's signature is not a DER ECDSA P-256 signature".to_owned())?;
    Ok(format!(
        "{signed_part}.{}",
        B64.encode(signature.to_bytes())
    ))
}

/// Why a token was not accepted. Never says more than this to anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("not a token")]
    Malformed,
    #[error("the signature does not match")]
    BadSignature,
    #[error("issued for another user or pool")]
    OtherUser,
    #[error("to an origin no longer allowed")]
    ForeignOrigin,
    #[error("expired")]
    Expired,
}

/// The key that checks signatures: the KMS key's public half.
pub struct PublicKey {
    key: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PublicKey(ES256)")
    }
}

impl PublicKey {
    /// The key as `GetPublicKey` gives it (DER SubjectPublicKeyInfo); fails unless
    /// it is a P-256 public key.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        use aws_lc_rs::signature::{ParsedPublicKey, ECDSA_P256_SHA256_FIXED};
        ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, der)
            .map_err(|e| format!("not an ECC_NIST_P256 public key: {e}"))?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.leeway = 0;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Ok(Self {
            key: DecodingKey::from_ec_der(der),
            validation,
        })
    }

    /// The claims of a token this key signed, not expired. The signature is
    /// checked before any claim is read.
    pub fn open(&self, token: &str) -> Result<Claims, Refusal> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(Refusal::Malformed);
        }
        jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => Refusal::BadSignature,
                ErrorKind::ExpiredSignature => Refusal::Expired,
                _ => Refusal::Malformed,
            })
    }
}

/// The checks after the signature: the user and pool of this sign-in, an origin
/// still allowed, not expired.
pub fn check(
    claims: &Claims,
    pool: &str,
    user: &str,
    origin_allowed: impl Fn(&str) -> bool,
    now: u64,
) -> Result<(), Refusal> {
    if claims.user != user || claims.pool != pool {
        return Err(Refusal::OtherUser);
    }
    if !origin_allowed(&claims.origin) {
        return Err(Refusal::ForeignOrigin);
    }
    if now >= claims.expires {
        return Err(Refusal::Expired);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};

    /// A local P-256 key standing in for the KMS key (DER signatures, like KMS).
    fn key_pair() -> EcdsaKeyPair {
        EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap()
    }

    fn public_of(pair: &EcdsaKeyPair) -> PublicKey {
        let der = pair.public_key().as_der().unwrap();
        PublicKey::from_der(der.as_ref()).unwrap()
    }

    fn token_for(pair: &EcdsaKeyPair, claims: &Claims) -> String {
        let signed = signed_part(claims).unwrap();
        let sig = pair.sign(&SystemRandom::new(), signed.as_bytes()).unwrap();
        assemble(&signed, sig.as_ref()).unwrap()
    }

    fn claims(expires: u64) -> Claims {
        Claims {
            user: "rosa".into(),
            pool: "eu-west-1_Abc".into(),
            origin: "https://app.example.com".into(),
            expires,
            nonce: "bm9uY2U".into(),
        }
    }

    fn later() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 600
    }

    #[test]
    fn a_signed_token_opens_and_a_changed_byte_does_not() {
        let pair = key_pair();
        let key = public_of(&pair);
        let token = token_for(&pair, &claims(later()));
        assert_eq!(key.open(&token).unwrap(), claims(later()));
        for i in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(bytes).unwrap();
            if changed != token {
                assert!(key.open(&changed).is_err(), "byte {i} changed and accepted");
            }
        }
        let other = public_of(&key_pair());
        assert_eq!(other.open(&token), Err(Refusal::BadSignature));
        assert_eq!(
            key.open(&"x".repeat(MAX_TOKEN_LEN + 1)),
            Err(Refusal::Malformed)
        );
        assert_eq!(key.open("v1.only"), Err(Refusal::Malformed));
    }

    #[test]
    fn expired_unsigned_and_other_algorithms_are_refused() {
        let pair = key_pair();
        let key = public_of(&pair);
        assert_eq!(
            key.open(&token_for(&pair, &claims(1_000))),
            Err(Refusal::Expired)
        );
        // "alg": "none", and an HMAC header over the same claims: refused.
        let body = B64.encode(serde_json::to_vec(&claims(later())).unwrap());
        for header in [r#"{"alg":"none"}"#, r#"{"alg":"HS256","typ":"JWT"}"#] {
            let forged = format!("{}.{body}.", B64.encode(header));
            assert!(key.open(&forged).is_err(), "{header}");
        }
    }

    #[test]
    fn user_pool_origin_and_expiry_are_checked() {
        let c = claims(2_000);
        let allowed = |o: &str| o == "https://app.example.com";
        assert_eq!(check(&c, "eu-west-1_Abc", "rosa", allowed, 1_999), Ok(()));
        assert_eq!(
            check(&c, "eu-west-1_Abc", "rosa", allowed, 2_000),
            Err(Refusal::Expired)
        );
        assert_eq!(
            check(&c, "eu-west-1_Abc", "olivia", allowed, 1),
            Err(Refusal::OtherUser)
        );
        assert_eq!(
            check(&c, "eu-west-1_Other", "rosa", allowed, 1),
            Err(Refusal::OtherUser)
        );
        assert_eq!(
            check(&c, "eu-west-1_Abc", "rosa", |_| false, 1),
            Err(Refusal::ForeignOrigin)
        );
    }

    #[test]
    fn only_p256_keys_and_der_signatures_are_taken() {
        assert!(PublicKey::from_der(&[1, 2, 3]).is_err());
        assert!(assemble("a.b", &[0x30, 0x01]).is_err());
    }
}
