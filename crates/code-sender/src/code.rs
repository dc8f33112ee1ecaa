//! Cognito's codes: ciphertext of the AWS Encryption SDK, decrypted under the pool's
//! KMS key into a [`Code`] that never prints.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;

use base64::Engine;

use crate::message::Message;
use zeroize::Zeroizing;

/// A code (or a temporary password) in clear. Wiped from memory when dropped; its
/// `Debug` shows `Code(..)`; it has no `Display` and no `Serialize`, so it cannot end
/// up in a log line, an error or an answer by accident.
pub struct Code(Zeroizing<String>);

impl Code {
    pub fn new(text: String) -> Self {
        Self(Zeroizing::new(text))
    }

    /// The code itself, for the one place that needs it: the message.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Code(..)")
    }
}

/// Why a code could not be read. None of them carries the code, the ciphertext or
/// key material: only what was wrong with the message, or what KMS said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    #[error("the code is not base64")]
    NotBase64,
    /// The message was refused (another key, a truncated or altered message, an
    /// unknown algorithm suite) or KMS refused, failed or did not answer.
    #[error("the code was not decrypted: {0}")]
    Refused(String),
    #[error("the decrypted code is not text")]
    NotText,
}

/// Turns `request.code` into the code.
pub trait CodeReader {
    fn read(&self, ciphertext: &str) -> impl Future<Output = Result<Code, DecryptError>>;
}

/// How much of a refusal is kept: KMS errors can be long.
const REASON_CHARS: usize = 300;

/// The KMS key provider's name in a message's encrypted data keys.
const KMS_PROVIDER: &[u8] = b"aws-kms";

/// Codes under one KMS key, read as the Encryption SDK's KMS keyring and default
/// materials manager would, without linking the SDK (see [`crate::message`]):
///
/// - Strict: only a data key wrapped under the configured key is sent to KMS (by its
///   ARN, with the message's encryption context), never a discovery of whatever key
///   the message names, so a message under any other key is refused without a call.
/// - Every algorithm suite is read, with or without key commitment (the SDK's policy
///   `RequireEncryptAllowDecrypt`): Cognito's ciphertext may use one without.
/// - The KMS call is an async call of the SDK client, bounded by its timeouts.
pub struct KmsCodes {
    kms: aws_sdk_kms::Client,
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
    /// (whose timeouts bound each decryption).
    pub fn new(kms: aws_sdk_kms::Client, key_arn: &str) -> Result<Self, String> {
        if !crate::settings::is_kms_key_arn(key_arn) {
            return Err(format!("{key_arn:?} is not a KMS key ARN"));
        }
        Ok(Self {
            kms,
            key_arn: key_arn.to_owned(),
        })
    }

    /// The data key of `message`: the first of its data keys under the configured
    /// key that KMS unwraps.
    async fn data_key(&self, message: &Message<'_>) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        let context: HashMap<String, String> = message
            .context()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut refusal = None;
        for key in message
            .data_keys()
            .iter()
            .filter(|k| k.provider == KMS_PROVIDER && k.info == self.key_arn.as_bytes())
        {
            let answer = self
                .kms
                .decrypt()
                .key_id(&self.key_arn)
                .ciphertext_blob(aws_sdk_kms::primitives::Blob::new(key.ciphertext))
                .set_encryption_context(Some(context.clone()))
                .send()
                .await;
            match answer {
                Ok(out) => {
                    let plaintext =
                        Zeroizing::new(out.plaintext.map(|b| b.into_inner()).unwrap_or_default());
                    if out.key_id.as_deref() != Some(self.key_arn.as_str()) {
                        refusal = Some("KMS unwrapped the data key under another key".to_owned());
                    } else if plaintext.len() != message.data_key_len() {
                        refusal = Some(format!(
                            "KMS answered a data key of {} bytes, the algorithm suite takes {}",
                            plaintext.len(),
                            message.data_key_len()
                        ));
                    } else {
                        return Ok(plaintext);
                    }
                }
                Err(e) => {
                    refusal = Some(format!(
                        "KMS did not unwrap the data key: {}",
                        aws_sdk_kms::error::DisplayErrorContext(&e)
                    ));
                }
            }
        }
        Err(DecryptError::Refused(shorten(refusal.unwrap_or_else(
            || format!("the message has no data key under {}", self.key_arn),
        ))))
    }
}

/// What both senders build at start, after their settings: the metrics recorder, the
/// AWS settings with every call bounded by half the budget (one half for KMS, one for
/// the send), and the reader of codes under the configured key. An error refuses the
/// start (it is logged).
pub async fn start(settings: &crate::SenderSettings) -> Result<Started, lambda_runtime::Error> {
    let metrics = trigger_core::emf::collector(&settings.metrics_namespace)?;
    let sdk = trigger_core::aws::sdk_config(settings.per_call()).await;
    let codes = KmsCodes::new(aws_sdk_kms::Client::new(&sdk), &settings.key_arn)
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
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(ciphertext.trim())
            .map_err(|_| DecryptError::NotBase64)?;
        let message = Message::parse(&bytes).map_err(DecryptError::Refused)?;
        let data_key = self.data_key(&message).await?;
        let plaintext = message.open(&data_key).map_err(DecryptError::Refused)?;
        let text = std::str::from_utf8(&plaintext).map_err(|_| DecryptError::NotText)?;
        Ok(Code::new(text.to_owned()))
    }
}

fn shorten(reason: String) -> String {
    match reason.char_indices().nth(REASON_CHARS) {
        Some((cut, _)) => format!("{}...", &reason[..cut]),
        None => reason,
    }
}

/// Codes kept in memory (ciphertext -> code), for tests of what happens around the
/// decryption; the decryption itself is tested with [`KmsCodes`] against KMS.
#[derive(Debug, Default)]
pub struct InMemoryCodes {
    codes: HashMap<String, String>,
}

impl InMemoryCodes {
    pub fn with<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            codes: pairs
                .into_iter()
                .map(|(c, p)| (c.to_owned(), p.to_owned()))
                .collect(),
        }
    }
}

impl CodeReader for InMemoryCodes {
    async fn read(&self, ciphertext: &str) -> Result<Code, DecryptError> {
        self.codes
            .get(ciphertext)
            .map(|code| Code::new(code.clone()))
            .ok_or_else(|| DecryptError::Refused("not a code this store holds".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_never_prints() {
        let code = Code::new("482913".into());
        assert_eq!(format!("{code:?}"), "Code(..)");
        assert_eq!(code.expose(), "482913");
    }

    #[test]
    fn long_refusals_are_cut() {
        let long = "x".repeat(1000);
        assert_eq!(shorten(long).chars().count(), REASON_CHARS + 3);
        assert_eq!(shorten("short".into()), "short");
    }
}
