//! The settings of verify-auth-challenge. A bad value stops the function at start.

use passwordless::remote::ChallengeSettings;
use trigger_core::{ConfigError, Vars};

#[derive(Debug, Clone)]
pub struct Config {
    /// What create reads too: the flow, the table, the link settings and key, the
    /// budget, the metrics namespace.
    pub shared: ChallengeSettings,
    /// `CAPTCHA_SECRET_ARN`, with a bot check.
    pub captcha_secret_arn: Option<String>,
    /// `CAPTCHA_VERIFY_URL`, else the provider's own siteverify address.
    pub captcha_verify_url: Option<String>,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let shared = ChallengeSettings::from_vars(vars)?;
        let captcha = shared.flow.captcha;
        let captcha_verify_url = match captcha {
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
            shared,
            captcha_secret_arn: captcha
                .map(|_| vars.required("CAPTCHA_SECRET_ARN"))
                .transpose()?,
            captcha_verify_url,
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
