//! Magic-link tokens: `v1.<payload>.<signature>`, the payload (user, pool, origin,
//! expiry, nonce) as URL-safe base64 JSON, the signature ECDSA P-256 with SHA-256
//! over `v1.<payload>`, made by the KMS key (`SIGN_VERIFY`, `ECC_NIST_P256`) and
//! checked with its public half (`GetPublicKey`, fetched once when verify starts).
//!
//! A token is a bearer credential for one sign-in: it never reaches a log; only the
//! SHA-256 of its nonce is kept (in the challenge table), and a token is accepted
//! once, by a conditional write that removes that digest.

use aws_lc_rs::signature::{ParsedPublicKey, ECDSA_P256_SHA256_ASN1};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The longest answer read as a token: a real one is under 400 characters.
pub const MAX_TOKEN_LEN: usize = 2048;
const VERSION: &str = "v1";

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The user name Cognito gave create (`userName`).
    #[serde(rename = "u")]
    pub user: String,
    /// The user pool.
    #[serde(rename = "p")]
    pub pool: String,
    /// The origin of the page the link leads to.
    #[serde(rename = "o")]
    pub origin: String,
    /// Expiry, seconds since the epoch.
    #[serde(rename = "e")]
    pub expires: u64,
    /// 16 random bytes, URL-safe base64.
    #[serde(rename = "n")]
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

/// The part of a token that is signed.
pub fn signed_part(claims: &Claims) -> Result<String, serde_json::Error> {
    Ok(format!(
        "{VERSION}.{}",
        B64.encode(serde_json::to_vec(claims)?)
    ))
}

/// The whole token, from the signed part and the signature (DER).
pub fn assemble(signed_part: &str, signature: &[u8]) -> String {
    format!("{signed_part}.{}", B64.encode(signature))
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

/// The key that checks signatures: the KMS key's public half, as `GetPublicKey`
/// gives it (DER SubjectPublicKeyInfo), parsed once.
#[derive(Debug)]
pub struct PublicKey {
    key: ParsedPublicKey,
}

impl PublicKey {
    /// Fails unless `der` is a P-256 public key.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        ParsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, der)
            .map(|key| Self { key })
            .map_err(|e| format!("not an ECC_NIST_P256 public key: {e}"))
    }

    /// The claims of a token whose signature this key made. The signature is
    /// checked before anything in the payload is read.
    pub fn open(&self, token: &str) -> Result<Claims, Refusal> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(Refusal::Malformed);
        }
        let (signed, signature) = token.rsplit_once('.').ok_or(Refusal::Malformed)?;
        let (version, payload) = signed.split_once('.').ok_or(Refusal::Malformed)?;
        if version != VERSION {
            return Err(Refusal::Malformed);
        }
        let signature = B64.decode(signature).map_err(|_| Refusal::Malformed)?;
        self.key
            .verify_sig(signed.as_bytes(), &signature)
            .map_err(|_| Refusal::BadSignature)?;
        let payload = B64.decode(payload).map_err(|_| Refusal::Malformed)?;
        serde_json::from_slice(&payload).map_err(|_| Refusal::Malformed)
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

    /// A local P-256 key standing in for the KMS key.
    pub(crate) fn key_pair() -> EcdsaKeyPair {
        EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap()
    }

    pub(crate) fn public_of(pair: &EcdsaKeyPair) -> PublicKey {
        let der = pair.public_key().as_der().unwrap();
        PublicKey::from_der(der.as_ref()).unwrap()
    }

    pub(crate) fn token_for(pair: &EcdsaKeyPair, claims: &Claims) -> String {
        let signed = signed_part(claims).unwrap();
        let sig = pair.sign(&SystemRandom::new(), signed.as_bytes()).unwrap();
        assemble(&signed, sig.as_ref())
    }

    fn claims() -> Claims {
        Claims {
            user: "rosa".into(),
            pool: "eu-west-1_Abc".into(),
            origin: "https://app.example.com".into(),
            expires: 2_000,
            nonce: "bm9uY2U".into(),
        }
    }

    #[test]
    fn a_signed_token_opens_and_a_changed_byte_does_not() {
        let pair = key_pair();
        let key = public_of(&pair);
        let token = token_for(&pair, &claims());
        assert_eq!(key.open(&token).unwrap(), claims());
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
    fn user_pool_origin_and_expiry_are_checked() {
        let c = claims();
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
    fn only_p256_keys_are_taken() {
        assert!(PublicKey::from_der(&[1, 2, 3]).is_err());
    }
}
