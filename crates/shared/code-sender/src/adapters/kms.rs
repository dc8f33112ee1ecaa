//! Cognito's codes decrypted by the AWS Encryption SDK under the pool's KMS key, and
//! what both senders build at start.

use std::fmt;

use aws_esdk::material_providers::client as mpl;
use aws_esdk::material_providers::types::keyring::KeyringRef;
use aws_esdk::material_providers::types::material_providers_config::MaterialProvidersConfig;
use aws_esdk::material_providers::types::{EsdkAlgorithmSuiteId, EsdkCommitmentPolicy};
use aws_esdk::types::aws_encryption_sdk_config::AwsEncryptionSdkConfig;
use base64::Engine;
use zeroize::Zeroizing;

use crate::{Code, CodeReader, DecryptError};

/// How much of a refusal is kept: the SDK's messages are long debug dumps.
const REASON_CHARS: usize = 300;

/// The most data keys a message may carry: one per key Cognito encrypts under (one
/// in a pool; cognito-local's messages carry two, its key's alias and its id). Each
/// one under our key may cost a KMS call, so a message with more is refused before
/// any (the Encryption SDK's own limit, `max_encrypted_data_keys`).
pub const MAX_DATA_KEYS: i64 = 2;

/// The longest `request.code` read, in base64 characters: a code's message is under
/// 1 KB with two data keys; anything much longer is refused before it is decoded.
pub const MAX_CIPHERTEXT_CHARS: usize = 16 * 1024;

/// Codes under one KMS key, read by the AWS Encryption SDK with a KMS keyring on
/// that key alone:
///
/// - Strict: only a data key wrapped under the configured key is given to KMS, never
///   a discovery of whatever key the message names, so a message under any other key
///   is refused without a call.
/// - Commitment policy `RequireEncryptAllowDecrypt`: Cognito's ciphertext may use an
///   algorithm suite without key commitment, which the SDK's default policy refuses.
/// - At most [`MAX_DATA_KEYS`] data keys; the three deprecated suites without key
///   derivation (`*_NO_KDF`) are refused.
/// - The SDK's KMS calls block the thread they run on: each decryption runs on a
///   blocking thread, and the caller gives it up at its deadline.
pub struct KmsCodes {
    client: aws_esdk::client::Client,
    keyring: KeyringRef,
    key_arn: String,
}

impl fmt::Debug for KmsCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsCodes")
            .field("key_arn", &self.key_arn)
            .finish_non_exhaustive()
    }
}

impl KmsCodes {
    /// A reader for codes under `key_arn` (a KMS key ARN), calling KMS through `kms`
    /// (whose timeouts bound each of the SDK's calls).
    pub async fn new(kms: aws_sdk_kms::Client, key_arn: &str) -> Result<Self, String> {
        if !crate::settings::is_kms_key_arn(key_arn) {
            return Err(format!("{key_arn:?} is not a KMS key ARN"));
        }
        let providers = mpl::Client::from_conf(
            MaterialProvidersConfig::builder()
                .build()
                .map_err(|e| shorten(e.to_string()))?,
        )
        .map_err(|e| shorten(e.to_string()))?;
        let keyring = providers
            .create_aws_kms_keyring()
            .kms_key_id(key_arn)
            .kms_client(kms)
            .send()
            .await
            .map_err(|e| shorten(e.to_string()))?;
        let config = AwsEncryptionSdkConfig::builder()
            .commitment_policy(EsdkCommitmentPolicy::RequireEncryptAllowDecrypt)
            .max_encrypted_data_keys(MAX_DATA_KEYS)
            .build()
            .map_err(|e| shorten(e.to_string()))?;
        let client =
            aws_esdk::client::Client::from_conf(config).map_err(|e| shorten(e.to_string()))?;
        Ok(Self {
            client,
            keyring,
            key_arn: key_arn.to_owned(),
        })
    }
}

/// The deprecated suites that use the data key itself, without key derivation.
fn without_key_derivation(suite: &EsdkAlgorithmSuiteId) -> bool {
    matches!(
        suite,
        EsdkAlgorithmSuiteId::AlgAes128GcmIv12Tag16NoKdf
            | EsdkAlgorithmSuiteId::AlgAes192GcmIv12Tag16NoKdf
            | EsdkAlgorithmSuiteId::AlgAes256GcmIv12Tag16NoKdf
    )
}

/// What both senders build at start, after their settings: the metrics recorder, the
/// AWS settings with every call bounded by half the budget (one half for KMS, one for
/// the send), and the reader of codes under the configured key. An error refuses the
/// start (it is logged).
pub async fn start(settings: &crate::SenderSettings) -> Result<Started, lambda_runtime::Error> {
    let metrics = trigger_core::emf::collector(&settings.metrics_namespace)?;
    let sdk = trigger_core::aws::sdk_config(settings.per_call()).await;
    let codes = KmsCodes::new(aws_sdk_kms::Client::new(&sdk), &settings.key_arn)
        .await
        .map_err(|e| format!("KMS_KEY_ARN: {e}"))
        .inspect_err(|e| tracing::error!(error = %e, "refusing to start"))?;
    Ok(Started {
        metrics,
        sdk,
        codes,
    })
}

/// See [`start`].
pub struct Started {
    pub metrics: &'static metrics_cloudwatch_embedded::Collector,
    pub sdk: aws_config::SdkConfig,
    pub codes: KmsCodes,
}

impl fmt::Debug for Started {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Started")
            .field("codes", &self.codes)
            .finish_non_exhaustive()
    }
}

impl CodeReader for KmsCodes {
    async fn read(&self, ciphertext: &str) -> Result<Code, DecryptError> {
        if ciphertext.len() > MAX_CIPHERTEXT_CHARS {
            return Err(DecryptError::Refused(format!(
                "the code is longer than {MAX_CIPHERTEXT_CHARS} characters"
            )));
        }
        let message = base64::engine::general_purpose::STANDARD
            .decode(ciphertext.trim())
            .map_err(|_| DecryptError::NotBase64)?;
        let decrypt = self
            .client
            .decrypt()
            .ciphertext(message)
            .keyring(self.keyring.clone());
        // The SDK blocks the thread it runs on while KMS answers: not the runtime's.
        let runtime = tokio::runtime::Handle::current();
        let output = tokio::task::spawn_blocking(move || {
            runtime
                .block_on(decrypt.send())
                .map_err(|e| shorten(e.to_string()))
        })
        .await
        .map_err(|_| DecryptError::Refused("the decryption stopped".into()))?
        .map_err(DecryptError::Refused)?;
        if let Some(suite) = output
            .algorithm_suite_id
            .as_ref()
            .filter(|s| without_key_derivation(s))
        {
            return Err(DecryptError::Refused(format!(
                "{suite:?} is a deprecated suite without key derivation"
            )));
        }
        let plaintext = output
            .plaintext
            .ok_or_else(|| DecryptError::Refused("no plaintext in the answer".into()))?;
        let bytes = Zeroizing::new(plaintext.into_inner());
        let text = std::str::from_utf8(&bytes).map_err(|_| DecryptError::NotText)?;
        Ok(Code::new(text.to_owned()))
    }
}

fn shorten(reason: String) -> String {
    match reason.char_indices().nth(REASON_CHARS) {
        Some((cut, _)) => format!("{}...", &reason[..cut]),
        None => reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_refusals_are_cut() {
        let long = "x".repeat(1000);
        assert_eq!(shorten(long).chars().count(), REASON_CHARS + 3);
        assert_eq!(shorten("short".into()), "short");
    }
}
