//! Configuration of the post confirmation trigger.
//!
//! The user is already confirmed when this trigger runs, and a Lambda that fails at
//! start would show every new user an error. So reading the settings never fails: a
//! bad setting switches its feature off (or falls back to the default, for the
//! budget) and is kept in `problems`, which `main` logs and counts at start.

use std::time::Duration;

use email_domains::{DomainList, EmailAddress};
use message_templates::{Branding, Sender};
use trigger_core::{ConfigError, Problems, Vars};

/// How a confirmed user's verified address was verified, recorded in the profile
/// row (`email_verified_by`) for linking, which trusts a code only.
pub use email_domains::proof::VerifiedBy;

/// The addresses pre-signup marks verified without a code, read from pre-signup's
/// own settings (the template gives both functions the same values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoVerified {
    /// `AUTO_CONFIRM_VERIFIES_EMAIL` is off (the default): none.
    Nothing,
    /// Those at these domains (`AUTO_CONFIRM_EMAIL_DOMAINS`).
    AtDomains(DomainList),
    /// The settings could not be read.
    Unknown,
}

impl AutoVerified {
    fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let unreadable = |e: ConfigError| {
            e.switching_off("verified addresses are recorded as verified the unknown way")
        };
        if !vars
            .flag("AUTO_CONFIRM_VERIFIES_EMAIL", false)
            .map_err(unreadable)?
        {
            return Ok(Self::Nothing);
        }
        let domains = DomainList::from_entries(
            "AUTO_CONFIRM_EMAIL_DOMAINS",
            &vars.list("AUTO_CONFIRM_EMAIL_DOMAINS"),
        )
        .map_err(unreadable)?;
        Ok(Self::AtDomains(domains))
    }

    /// How `email`, verified when the user was confirmed, was verified. An address
    /// that does not parse cannot have matched pre-signup's domains.
    pub fn verified_by(&self, email: &str) -> VerifiedBy {
        match self {
            Self::Nothing => VerifiedBy::Code,
            Self::Unknown => VerifiedBy::Unknown,
            Self::AtDomains(domains) => match EmailAddress::parse(email.trim()) {
                Some(address) if domains.matches(&address.domain) => VerifiedBy::PreSignUp,
                _ => VerifiedBy::Code,
            },
        }
    }
}

/// The emails of this trigger, on when `WELCOME_FROM_ADDRESS` is set.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// The sender of the welcome and the password-changed notice.
    pub from: String,
    pub branding: Branding,
    /// Also email the user when a forgotten password was reset
    /// (`PASSWORD_CHANGED_NOTICE`).
    pub password_notice: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The group every new user joins (`DEFAULT_GROUP`).
    pub default_group: Option<String>,
    /// The profile table (`PROFILE_TABLE_NAME`), keyed by `sub`; it also records which
    /// emails were sent, so a retried invocation does not send them again.
    pub profile_table: Option<String>,
    pub mail: Option<MailConfig>,
    /// Which verified addresses were not proven with a code (pre-signup's settings).
    pub auto_verified: AutoVerified,
    pub metrics_namespace: String,
    /// The whole invocation's time budget (`POST_CONFIRMATION_BUDGET_MS`).
    pub budget: Duration,
    /// What was wrong with the settings (each one switched something off).
    pub problems: Problems,
}

pub const DEFAULT_BUDGET: Duration = Duration::from_millis(1000);

impl Config {
    pub fn from_env() -> Self {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Self {
        let mut problems = Problems::default();
        let budget = problems
            .keep(vars.millis("POST_CONFIRMATION_BUDGET_MS", DEFAULT_BUDGET, 50..=4000))
            .unwrap_or(DEFAULT_BUDGET);
        let default_group = problems.keep(default_group(vars)).flatten();
        let profile_table = vars.get("PROFILE_TABLE_NAME").map(str::to_owned);
        let mail = problems.keep(mail(vars, profile_table.is_some())).flatten();
        let auto_verified = problems
            .keep(AutoVerified::from_vars(vars))
            .unwrap_or(AutoVerified::Unknown);
        Self {
            default_group,
            profile_table,
            mail,
            auto_verified,
            metrics_namespace: vars.string_or("METRICS_NAMESPACE", "CognitoTriggers"),
            budget,
            problems,
        }
    }

    /// Whether any step calls AWS (else `main` builds no SDK client).
    pub fn calls_aws(&self) -> bool {
        self.default_group.is_some() || self.profile_table.is_some()
    }
}

/// A Cognito group name: 1 to 128 characters, no white space or control characters.
fn default_group(vars: &Vars) -> Result<Option<String>, ConfigError> {
    let Some(group) = vars.get("DEFAULT_GROUP") else {
        return Ok(None);
    };
    if group.chars().count() > 128 || group.contains(|c: char| c.is_whitespace() || c.is_control())
    {
        return Err(ConfigError::new(
            "DEFAULT_GROUP",
            "must be a group name (at most 128 characters, no spaces); new users join no group",
        ));
    }
    Ok(Some(group.to_owned()))
}

fn mail(vars: &Vars, has_profile_table: bool) -> Result<Option<MailConfig>, ConfigError> {
    let password_notice = vars
        .flag("PASSWORD_CHANGED_NOTICE", false)
        .map_err(|e| e.switching_off("the password-changed notice is off"))?;
    let Some(sender) = Sender::from_vars(vars, "WELCOME_FROM_ADDRESS", "no email is sent")? else {
        if password_notice {
            return Err(ConfigError::new(
                "PASSWORD_CHANGED_NOTICE",
                "needs WELCOME_FROM_ADDRESS (its sender); the notice is off",
            ));
        }
        return Ok(None);
    };
    if !has_profile_table {
        return Err(ConfigError::new(
            "WELCOME_FROM_ADDRESS",
            "needs PROFILE_TABLE_NAME, where a sent email is recorded so a retried \
             invocation does not send it twice; no email is sent",
        ));
    }
    Ok(Some(MailConfig {
        from: sender.from,
        branding: sender.branding,
        password_notice,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Config {
        Config::from_vars(&Vars::from_pairs(pairs.iter().copied()))
    }

    const FULL: [(&str, &str); 5] = [
        ("DEFAULT_GROUP", "readers"),
        ("PROFILE_TABLE_NAME", "profiles"),
        ("WELCOME_FROM_ADDRESS", "Acme Notes <hello@acme.example>"),
        ("APP_NAME", "Acme Notes"),
        ("PASSWORD_CHANGED_NOTICE", "true"),
    ];

    #[test]
    fn everything_is_off_by_default_and_on_when_set() {
        let c = parse(&[]);
        assert!(c.default_group.is_none() && c.profile_table.is_none() && c.mail.is_none());
        assert!(!c.calls_aws());
        assert_eq!(c.budget, DEFAULT_BUDGET);
        assert!(c.problems.0.is_empty());
        let c = parse(&FULL);
        assert_eq!(c.default_group.as_deref(), Some("readers"));
        let mail = c.mail.unwrap();
        assert_eq!(mail.from, "Acme Notes <hello@acme.example>");
        assert!(mail.password_notice);
        assert!(c.problems.0.is_empty(), "{:?}", c.problems);
    }

    #[test]
    fn a_bad_setting_switches_its_feature_off_and_names_itself() {
        for (var, value, off) in [
            ("DEFAULT_GROUP", "two words", "group"),
            ("WELCOME_FROM_ADDRESS", "hello", "mail"),
            ("PASSWORD_CHANGED_NOTICE", "yes please", "mail"),
            ("APP_NAME", "", "mail"),
            ("POST_CONFIRMATION_BUDGET_MS", "9000", "budget"),
        ] {
            let mut pairs: Vec<(&str, &str)> =
                FULL.iter().copied().filter(|(k, _)| *k != var).collect();
            if !value.is_empty() {
                pairs.push((var, value));
            }
            let c = parse(&pairs);
            assert_eq!(c.problems.0.len(), 1, "{var}={value}: {:?}", c.problems);
            assert_eq!(c.problems.0[0].var, var, "{var}={value}");
            match off {
                "group" => assert!(c.default_group.is_none() && c.mail.is_some()),
                "mail" => assert!(c.mail.is_none() && c.default_group.is_some()),
                _ => assert_eq!(c.budget, DEFAULT_BUDGET),
            }
        }
    }

    #[test]
    fn addresses_pre_signup_verified_without_a_code_are_told_apart() {
        let c = parse(&[("AUTO_CONFIRM_EMAIL_DOMAINS", "corp.example.com")]);
        assert_eq!(
            c.auto_verified,
            AutoVerified::Nothing,
            "auto-confirming alone verifies nothing"
        );
        assert_eq!(
            c.auto_verified.verified_by("ceo@corp.example.com"),
            VerifiedBy::Code
        );
        let c = parse(&[
            ("AUTO_CONFIRM_EMAIL_DOMAINS", "corp.example.com"),
            ("AUTO_CONFIRM_VERIFIES_EMAIL", "true"),
        ]);
        // Matched as pre-signup matches: any spelling, any subdomain.
        for unproven in ["ceo@corp.example.com", "CEO@EU.Corp.Example.COM."] {
            assert_eq!(
                c.auto_verified.verified_by(unproven),
                VerifiedBy::PreSignUp,
                "{unproven}"
            );
        }
        for proven in [
            "maria@example.com",
            "x@corp.example.com.evil",
            "not an address",
        ] {
            assert_eq!(
                c.auto_verified.verified_by(proven),
                VerifiedBy::Code,
                "{proven}"
            );
        }
        // Unreadable settings: nothing recorded counts as a code.
        for bad in [
            [
                ("AUTO_CONFIRM_VERIFIES_EMAIL", "perhaps"),
                ("AUTO_CONFIRM_EMAIL_DOMAINS", "corp.example.com"),
            ],
            [
                ("AUTO_CONFIRM_VERIFIES_EMAIL", "true"),
                ("AUTO_CONFIRM_EMAIL_DOMAINS", "not a domain"),
            ],
        ] {
            let c = parse(&bad);
            assert_eq!(
                c.auto_verified.verified_by("maria@example.com"),
                VerifiedBy::Unknown
            );
            assert_eq!(c.problems.0.len(), 1, "{:?}", c.problems);
        }
    }

    #[test]
    fn emails_need_the_table_that_remembers_them() {
        let c = parse(&[
            ("WELCOME_FROM_ADDRESS", "hello@acme.example"),
            ("APP_NAME", "Acme"),
        ]);
        assert!(c.mail.is_none());
        assert!(c.problems.0[0].reason.contains("PROFILE_TABLE_NAME"));
        let c = parse(&[
            ("PASSWORD_CHANGED_NOTICE", "true"),
            ("PROFILE_TABLE_NAME", "p"),
        ]);
        assert!(c.mail.is_none());
        assert_eq!(c.problems.0[0].var, "PASSWORD_CHANGED_NOTICE");
    }
}
