//! The settings of create-auth-challenge. A bad value stops the function at start,
//! naming the variable: a sign-in method half set up must not run.

use std::time::Duration;

use message_templates::{looks_like_sender, Branding};
use passwordless::ports::Limits;
use passwordless::remote::ChallengeSettings;
use passwordless::Method;
use trigger_core::{ConfigError, Vars};

#[derive(Debug, Clone)]
pub struct Config {
    /// What verify reads too: the flow, the table, the link settings and key, the
    /// budget, the metrics namespace.
    pub shared: ChallengeSettings,
    /// `SEND_COOLDOWN_SECONDS` (default 60) and `SEND_MAX_PER_HOUR` (default 5).
    pub limits: Limits,
    /// `OTP_DIGITS` (default 6, 4 to 10).
    pub otp_digits: u8,
    /// `OTP_TTL_SECONDS` (default 180, 30 to 900).
    pub otp_ttl: u64,
    /// `PASSWORDLESS_FROM_ADDRESS`: who codes and links by email come from.
    pub from: Option<String>,
    /// `SMS_SENDER_ID`, for `sms-code` where the country shows one.
    pub sms_sender_id: Option<String>,
    pub branding: Branding,
    /// `SEND_ANSWER_FLOOR_MS` (default 400, 0 to 3000): an answer that sends, or
    /// would send, a code or link takes at least this long, whether it sent or not.
    pub floor: Duration,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let shared = ChallengeSettings::from_vars(vars)?;
        let limits = Limits {
            cooldown: vars.number("SEND_COOLDOWN_SECONDS", 60, 10..=3600)?,
            per_hour: vars.number("SEND_MAX_PER_HOUR", 5, 1..=50)?,
        };
        let from = match shared.flow.method {
            Method::SmsCode => None,
            _ => {
                let from = vars.required("PASSWORDLESS_FROM_ADDRESS")?;
                if !looks_like_sender(&from) {
                    return Err(ConfigError::new(
                        "PASSWORDLESS_FROM_ADDRESS",
                        "must be an email address (or Name <address>)",
                    ));
                }
                Some(from)
            }
        };
        Ok(Self {
            shared,
            limits,
            otp_digits: vars.number("OTP_DIGITS", 6, 4..=10)?,
            otp_ttl: vars.number("OTP_TTL_SECONDS", 180, 30..=900)?,
            from,
            sms_sender_id: vars.get("SMS_SENDER_ID").map(str::to_owned),
            branding: Branding::from_vars(vars)?,
            floor: vars.millis("SEND_ANSWER_FLOOR_MS", Duration::from_millis(400), 0..=3000)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut all = vec![
            ("CHALLENGE_TABLE_NAME", "challenges"),
            ("APP_NAME", "Acme Notes"),
            (
                "PASSWORDLESS_FROM_ADDRESS",
                "Acme Notes <sign-in@acme.example>",
            ),
        ];
        all.extend_from_slice(pairs);
        Config::from_vars(&Vars::from_pairs(all))
    }

    #[test]
    fn defaults_and_what_each_method_requires() {
        let c = read(&[]).unwrap();
        assert_eq!((c.otp_digits, c.otp_ttl), (6, 180));
        assert_eq!(
            c.limits,
            Limits {
                cooldown: 60,
                per_hour: 5
            }
        );
        assert_eq!(c.shared.budget, Duration::from_millis(2000));
        let no_key = read(&[
            ("SIGN_IN_METHOD", "magic-link"),
            ("MAGIC_LINK_ALLOWED_ORIGINS", "https://app.example.com"),
        ])
        .unwrap_err();
        assert!(no_key.to_string().contains("MAGIC_LINK_KEY_ID"), "{no_key}");
        let no_origin =
            read(&[("SIGN_IN_METHOD", "magic-link"), ("MAGIC_LINK_KEY_ID", "k")]).unwrap_err();
        assert!(no_origin.to_string().contains("MAGIC_LINK_ALLOWED_ORIGINS"));
        for (var, value) in [
            ("OTP_DIGITS", "3"),
            ("OTP_TTL_SECONDS", "5"),
            ("SEND_COOLDOWN_SECONDS", "0"),
            ("SEND_MAX_PER_HOUR", "500"),
            ("CUSTOM_AUTH_BUDGET_MS", "60000"),
            ("PASSWORDLESS_FROM_ADDRESS", "not an address"),
        ] {
            let err = read(&[(var, value)]).unwrap_err();
            assert!(err.to_string().contains(var), "{err}");
        }
    }
}
