//! The bot-check provider's secret, read once at start from `CAPTCHA_SECRET_ARN`:
//! a Secrets Manager secret (its `SecretString`) or an SSM parameter (a
//! `SecureString`, decrypted).

use aws_sdk_secretsmanager::error::DisplayErrorContext as SmError;
use aws_sdk_ssm::error::DisplayErrorContext as SsmError;
use zeroize::Zeroizing;

/// The secret's text. The error names the ARN's service and why, never the value.
pub async fn read_secret(
    sdk: &aws_config::SdkConfig,
    arn: &str,
) -> Result<Zeroizing<String>, String> {
    let service = arn.split(':').nth(2).unwrap_or_default();
    let text =
        match service {
            "secretsmanager" => {
                aws_sdk_secretsmanager::Client::new(sdk)
                    .get_secret_value()
                    .secret_id(arn)
                    .send()
                    .await
                    .map_err(|e| format!("Secrets Manager: {}", SmError(&e)))?
                    .secret_string
            }
            "ssm" => aws_sdk_ssm::Client::new(sdk)
                .get_parameter()
                .name(arn)
                .with_decryption(true)
                .send()
                .await
                .map_err(|e| format!("SSM: {}", SsmError(&e)))?
                .parameter
                .and_then(|p| p.value),
            _ => return Err(
                "CAPTCHA_SECRET_ARN names neither a Secrets Manager secret nor an SSM parameter"
                    .into(),
            ),
        };
    text.map(Zeroizing::new)
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| format!("the {service} value is empty"))
}
