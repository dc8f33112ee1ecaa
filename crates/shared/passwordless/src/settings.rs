//! The settings all three triggers read, so that they agree on the sign-in's steps.

use trigger_core::{ConfigError, Vars};

/// How the user proves they own the account (`SIGN_IN_METHOD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A one-time code by email (`email-code`, the default).
    EmailCode,
    /// A one-time code by text message to the verified phone number (`sms-code`).
    SmsCode,
    /// A signed link by email (`magic-link`).
    MagicLink,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Self::EmailCode => "email-code",
            Self::SmsCode => "sms-code",
            Self::MagicLink => "magic-link",
        }
    }

    pub fn is_code(self) -> bool {
        self != Self::MagicLink
    }
}

/// The bot-check provider (`CAPTCHA_PROVIDER`), whose token answers the first
/// challenge before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Captcha {
    Turnstile,
    HCaptcha,
    ReCaptcha,
}

impl Captcha {
    pub fn name(self) -> &'static str {
        match self {
            Self::Turnstile => "turnstile",
            Self::HCaptcha => "hcaptcha",
            Self::ReCaptcha => "recaptcha",
        }
    }

    /// The provider's documented siteverify endpoint.
    pub fn verify_url(self) -> &'static str {
        match self {
            Self::Turnstile => "https://challenges.cloudflare.com/turnstile/v0/siteverify",
            Self::HCaptcha => "https://api.hcaptcha.com/siteverify",
            Self::ReCaptcha => "https://www.google.com/recaptcha/api/siteverify",
        }
    }
}

/// The sign-in's shape: the method, the bot check, and how many wrong answers end it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    pub method: Method,
    pub captcha: Option<Captcha>,
    /// `OTP_MAX_ATTEMPTS` (default 3, 1 to 6): wrong answers after which the
    /// sign-in fails. Cognito takes at most 8 answers per session; the first may
    /// be the start step.
    pub max_attempts: u8,
}

/// The answer to the start step that asks for nothing to be sent: the app already
/// holds a link (opened on another device) and answers the next step with it.
pub const HAVE_LINK: &str = "have-link";
/// The answer to the start step that asks for the code or link to be sent, when no
/// bot check is configured (with one, the answer is the provider's token).
pub const SEND: &str = "send";

impl Flow {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let method = vars.choice(
            "SIGN_IN_METHOD",
            Method::EmailCode,
            &[
                ("email-code", Method::EmailCode),
                ("sms-code", Method::SmsCode),
                ("magic-link", Method::MagicLink),
            ],
        )?;
        let captcha = vars.choice(
            "CAPTCHA_PROVIDER",
            None,
            &[
                ("none", None),
                ("turnstile", Some(Captcha::Turnstile)),
                ("hcaptcha", Some(Captcha::HCaptcha)),
                ("recaptcha", Some(Captcha::ReCaptcha)),
            ],
        )?;
        let max_attempts = vars.number("OTP_MAX_ATTEMPTS", 3, 1..=6)?;
        Ok(Self {
            method,
            captcha,
            max_attempts,
        })
    }

    /// Whether the sign-in starts with a step that sends nothing: for the bot
    /// check, and for a link (the app says there whether to send one or whether it
    /// already holds one, and where the link should lead).
    pub fn has_start(&self) -> bool {
        self.captcha.is_some() || self.method == Method::MagicLink
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_refusals() {
        let flow = Flow::from_vars(&Vars::default()).unwrap();
        assert_eq!(flow.method, Method::EmailCode);
        assert_eq!(flow.captcha, None);
        assert_eq!(flow.max_attempts, 3);
        assert!(!flow.has_start());
        let vars = Vars::from_pairs([
            ("SIGN_IN_METHOD", "magic-link"),
            ("CAPTCHA_PROVIDER", "Turnstile"),
        ]);
        let flow = Flow::from_vars(&vars).unwrap();
        assert_eq!(flow.captcha, Some(Captcha::Turnstile));
        assert!(flow.has_start());
        for (var, value) in [
            ("SIGN_IN_METHOD", "carrier-pigeon"),
            ("CAPTCHA_PROVIDER", "friendly-cc"),
            ("OTP_MAX_ATTEMPTS", "9"),
            ("OTP_MAX_ATTEMPTS", "0"),
        ] {
            let err = Flow::from_vars(&Vars::from_pairs([(var, value)])).unwrap_err();
            assert!(err.to_string().contains(var), "{err}");
        }
    }
}
