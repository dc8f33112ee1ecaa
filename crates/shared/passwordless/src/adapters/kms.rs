//! The magic-link key in KMS: an asymmetric `SIGN_VERIFY` key of spec
//! `ECC_NIST_P256`. Create signs with it (`kms:Sign`); verify reads its public half
//! once, when it starts (`kms:GetPublicKey`), and checks signatures itself.

use aws_sdk_kms::error::DisplayErrorContext;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};

use crate::ports::{SignError, Signer};
use crate::token::PublicKey;

#[derive(Debug, Clone)]
pub struct KmsSigner {
    client: aws_sdk_kms::Client,
    key_id: String,
}

impl KmsSigner {
    pub fn new(client: aws_sdk_kms::Client, key_id: impl Into<String>) -> Self {
        Self {
            client,
            key_id: key_id.into(),
        }
    }
}

impl Signer for KmsSigner {
    async fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let out = self
            .client
            .sign()
            .key_id(&self.key_id)
            .message(Blob::new(message))
            .message_type(MessageType::Raw)
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await
            .map_err(|e| SignError(DisplayErrorContext(&e).to_string()))?;
        out.signature
            .map(Blob::into_inner)
            .ok_or_else(|| SignError("KMS answered without a signature".into()))
    }
}

/// The key's public half, parsed.
pub async fn public_key(client: &aws_sdk_kms::Client, key_id: &str) -> Result<PublicKey, String> {
    let out = client
        .get_public_key()
        .key_id(key_id)
        .send()
        .await
        .map_err(|e| DisplayErrorContext(&e).to_string())?;
    let der = out.public_key.ok_or("KMS answered without a public key")?;
    PublicKey::from_der(der.as_ref())
}
