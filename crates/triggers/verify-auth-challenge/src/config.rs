//! The settings of verify-auth-challenge. A bad value stops the function at start.

use std::time::Duration;

use passwordless::budget::{BUDGET_RANGE_MS, DEFAULT_BUDGET};
use passwordless::link::LinkSettings;
use passwordless::{Flow, Method};
use trigger_core::{ConfigError, Vars};

#[derive(Debug, Clone)]
pub struct Config {
    pub flow: Flow,
    /// `CHALLENGE_TABLE_NAME`: where a link is marked used.
    pub table: String,
    /// The allowed origins, for `magic-link`.
    pub link: Option<LinkSettings>,
    /// `MAGIC_LINK_KEY_ID`: the key whose public half checks links.
    pub key_id: Option<String>,
    /// `CAPTCHA_SECRET_ARN`, with a bot check.
    pub captcha_secret_arn: Option<String>,
    /// `CAPTCHA_VERIFY_URL`, else the provider's own siteverify address.
    pub captcha_verify_url: Option<String>,
    /// `CUSTOM_AUTH_BUDGET_MS` (default 2000).
    pub budget: Duration,
    pub metrics_namespace: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let flow = Flow::from_vars(vars)?;
        let is_link = flow.method == Method::MagicLink;
        let captcha_verify_url = match flow.captcha {
            None => None,
            Some(provider) => {
                let url = vars.string_or("CAPTCHA_VERIFY_URL", provider.verify_url());
                let loopback =
                    url.starts_with("http://127.0.0.1:") || url.starts_with("http://localhost:");
                if !url.starts_with("https://") && !loopback {
                    return Err(ConfigError::new(
                        "CAPTCHA_VERIFY_URL",
                        "must be https (http only on 127.0.0.1 or localhost, for tests)",
                    ));
                }
                Some(url)
            }
        };
        Ok(Self {
            flow,
            table: vars.required("CHALLENGE_TABLE_NAME")?,
            link: is_link.then(|| LinkSettings::from_vars(vars)).transpose()?,
            key_id: is_link
                .then(|| vars.required("MAGIC_LINK_KEY_ID"))
                .transpose()?,
            captcha_secret_arn: flow
                .captcha
                .map(|_| vars.required("CAPTCHA_SECRET_ARN"))
                .transpose()?,
            captcha_verify_url,
            budget: vars.millis("CUSTOM_AUTH_BUDGET_MS", DEFAULT_BUDGET, BUDGET_RANGE_MS)?,
            metrics_namespace: vars.string_or("METRICS_NAMESPACE", "CognitoTriggers"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bot_check_needs_its_secret_and_a_safe_address() {
        let read = |pairs: &[(&str, &str)]| {
            let mut all = vec![("CHALLENGE_TABLE_NAME", "challenges")];
            all.extend_from_slice(pairs);
            Config::from_vars(&Vars::from_pairs(all))
        };
        assert!(read(&[]).is_ok());
        let err = read(&[("CAPTCHA_PROVIDER", "turnstile")]).unwrap_err();
        assert!(err.to_string().contains("CAPTCHA_SECRET_ARN"), "{err}");
        let c = read(&[
            ("CAPTCHA_PROVIDER", "hcaptcha"),
            ("CAPTCHA_SECRET_ARN", "arn:aws:ssm:eu-west-1:1:parameter/x"),
        ])
        .unwrap();
        assert_eq!(
            c.captcha_verify_url.as_deref(),
            Some("https://api.hcaptcha.com/siteverify")
        );
        let err = read(&[
            ("CAPTCHA_PROVIDER", "hcaptcha"),
            ("CAPTCHA_SECRET_ARN", "arn:aws:ssm:eu-west-1:1:parameter/x"),
            ("CAPTCHA_VERIFY_URL", "http://captcha.example.net/"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("CAPTCHA_VERIFY_URL"), "{err}");
    }
}
