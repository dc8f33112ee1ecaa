//! The settings both senders read. A sender that cannot decrypt or cannot send
//! delivers nothing at all, so a bad setting refuses the start (the error names the
//! variable) instead of failing every message later.

use std::time::Duration;

use trigger_core::{ConfigError, Vars};

/// `KMS_KEY_ARN`, `SENDER_BUDGET_MS` and `METRICS_NAMESPACE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderSettings {
    /// The key Cognito encrypts codes under (the pool's `KMSKeyID`): the only key the
    /// keyring decrypts with.
    pub key_arn: String,
    /// The whole invocation: half for the decryption (KMS), half for the send.
    pub budget: Duration,
    pub metrics_namespace: String,
}

pub const DEFAULT_BUDGET: Duration = Duration::from_millis(5000);

impl SenderSettings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let key_arn = vars.required("KMS_KEY_ARN")?;
        if !is_kms_key_arn(&key_arn) {
            return Err(ConfigError::new(
                "KMS_KEY_ARN",
                "must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>), as in the pool's KMSKeyID",
            ));
        }
        Ok(Self {
            key_arn,
            budget: vars.millis("SENDER_BUDGET_MS", DEFAULT_BUDGET, 200..=20_000)?,
            metrics_namespace: vars.string_or("METRICS_NAMESPACE", "CognitoTriggers"),
        })
    }

    /// The budget of each of the two AWS calls (the decryption's KMS call, the send).
    pub fn per_call(&self) -> Duration {
        self.budget / 2
    }
}

/// `arn:<partition>:kms:<region>:<account>:key/<id>`: a key, not an alias (Cognito's
/// `KMSKeyID` takes a key ARN, and the strict keyring decrypts with exactly this key).
pub fn is_kms_key_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "kms", region, account, resource] => {
            !partition.is_empty()
                && !region.is_empty()
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && resource.strip_prefix("key/").is_some_and(|id| {
                    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:kms:eu-west-1:123456789012:key/1f2e3d4c-5b6a-4789-8abc-0123456789ab";

    #[test]
    fn a_key_arn_and_a_budget_are_read() {
        let s = SenderSettings::from_vars(&Vars::from_pairs([
            ("KMS_KEY_ARN", ARN),
            ("SENDER_BUDGET_MS", "3000"),
        ]))
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(s.key_arn, ARN);
        assert_eq!(s.per_call(), Duration::from_millis(1500));
    }

    #[test]
    fn a_missing_or_wrong_key_refuses_the_start_naming_the_variable() {
        for vars in [
            vec![],
            vec![("KMS_KEY_ARN", "alias/cognito-codes")],
            vec![(
                "KMS_KEY_ARN",
                "arn:aws:kms:eu-west-1:123456789012:alias/cognito",
            )],
            vec![("KMS_KEY_ARN", "arn:aws:s3:::bucket")],
            vec![("KMS_KEY_ARN", ARN), ("SENDER_BUDGET_MS", "50")],
        ] {
            let err = SenderSettings::from_vars(&Vars::from_pairs(vars.clone()))
                .err()
                .unwrap_or_else(|| unreachable!("{vars:?} was accepted"));
            let var = if vars.len() == 2 {
                "SENDER_BUDGET_MS"
            } else {
                "KMS_KEY_ARN"
            };
            assert!(err.to_string().contains(var), "{err}");
        }
    }
}
