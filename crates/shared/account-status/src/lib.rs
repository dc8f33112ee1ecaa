//! The back office's account status table, keyed by the user's `sub`, and the
//! account checks both guarding triggers make: pre-authentication (before the
//! password is checked) and pre-token-generation (on every token, refreshes
//! included), as `ACCOUNT_CHECKS_AT` says.
//!
//! | attribute | meaning |
//! |---|---|
//! | `sub` (key) | the user |
//! | `status` | `active` or `suspended` (any case); no row is `active` |
//! | `until` | optional: when a suspension ends (RFC 3339, e.g. `2026-12-01T08:00:00Z`, or a date) |
//!
//! Behind the `StatusDirectory` port (`ports.rs`, with an in-memory fake behind the
//! `fakes` feature), read from DynamoDB (`GetItem`, `adapters/`).

pub mod adapters;
pub mod ports;

use std::time::SystemTime;

pub use adapters::DynamoStatuses;
#[cfg(any(test, feature = "fakes"))]
pub use ports::InMemoryStatuses;
pub use ports::{StatusDirectory, StatusError};
use trigger_core::time::{human_time, parse_rfc3339};
use trigger_core::{ConfigError, Vars};

/// Where the account checks (a suspension, `REQUIRE_VERIFIED_EMAIL`) run
/// (`ACCOUNT_CHECKS_AT`).
///
/// pre-authentication runs before the password is checked: a refusal there tells
/// whoever typed a user name that the account exists (and that it is suspended or
/// unverified), and Cognito does not call it when a refresh token is used, so a
/// suspension there does not stop a signed-in user's refreshes. Pre token
/// generation runs after the password and on every refresh: a suspension holds there,
/// and only someone who knows the password learns of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksAt {
    /// `pre-authentication`: as before this setting existed; refresh tokens keep
    /// working for a suspended user until they expire or are revoked.
    PreAuthentication,
    /// `token` (the default): at token generation only.
    Token,
    /// `both`: refused early (telling strangers) and on refresh.
    Both,
}

impl ChecksAt {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        vars.choice(
            "ACCOUNT_CHECKS_AT",
            Self::Token,
            &[
                ("pre-authentication", Self::PreAuthentication),
                ("token", Self::Token),
                ("both", Self::Both),
            ],
        )
    }

    pub fn at_pre_authentication(self) -> bool {
        matches!(self, Self::PreAuthentication | Self::Both)
    }

    pub fn at_token(self) -> bool {
        matches!(self, Self::Token | Self::Both)
    }
}

/// Why an account check refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRefusal {
    /// Until `until` (for good when `None`).
    Suspended {
        until: Option<SystemTime>,
    },
    EmailNotVerified,
}

impl AccountRefusal {
    /// What the user reads (Cognito adds the final period), naming `support` when set.
    pub fn sentence(&self, support: Option<&str>) -> String {
        let text = match self {
            Self::Suspended { until: Some(until) } => {
                format!("Your account is suspended until {}", human_time(*until))
            }
            Self::Suspended { until: None } => "Your account is suspended".to_owned(),
            Self::EmailNotVerified => "Please verify your email address first, with the link \
                or code we sent to it, then sign in again"
                .to_owned(),
        };
        with_help(text, support)
    }
}

/// `text`, then where to write for help when there is somewhere.
pub fn with_help(text: String, support: Option<&str>) -> String {
    match support {
        Some(support) => format!("{text}. For help, write to {support}"),
        None => text,
    }
}

/// The suspension `status` stands for at `now`, if any.
pub fn suspension(status: Option<&AccountStatus>, now: SystemTime) -> Option<AccountRefusal> {
    match status {
        Some(AccountStatus::Suspended { until }) if status.is_some_and(|s| s.suspended_at(now)) => {
            Some(AccountRefusal::Suspended { until: *until })
        }
        _ => None,
    }
}

/// What the back office says about one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    /// Refused until `until` (for good when `None`).
    Suspended {
        until: Option<SystemTime>,
    },
}

impl AccountStatus {
    /// Whether the account is suspended at `now`.
    pub fn suspended_at(&self, now: SystemTime) -> bool {
        match self {
            Self::Active => false,
            Self::Suspended { until } => until.is_none_or(|until| now < until),
        }
    }
}

/// Reads a row's `status` and `until` texts.
pub fn status_from(
    status: Option<&str>,
    until: Option<&str>,
) -> Result<AccountStatus, StatusError> {
    let status = status.map(str::trim).unwrap_or("active");
    if status.eq_ignore_ascii_case("active") {
        return Ok(AccountStatus::Active);
    }
    if !status.eq_ignore_ascii_case("suspended") {
        return Err(StatusError::Unusable(format!(
            "status {status:?} is neither active nor suspended"
        )));
    }
    let until = match until.map(str::trim).filter(|u| !u.is_empty()) {
        None => None,
        Some(text) => Some(parse_rfc3339(text).ok_or_else(|| {
            StatusError::Unusable(format!("until {text:?} is not an RFC 3339 time"))
        })?),
    };
    Ok(AccountStatus::Suspended { until })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn rows_read_as_the_back_office_means_them() {
        assert_eq!(status_from(None, None), Ok(AccountStatus::Active));
        assert_eq!(
            status_from(Some(" Active "), Some("whenever")),
            Ok(AccountStatus::Active)
        );
        assert_eq!(
            status_from(Some("SUSPENDED"), None),
            Ok(AccountStatus::Suspended { until: None })
        );
        assert_eq!(
            status_from(Some("suspended"), Some("")),
            Ok(AccountStatus::Suspended { until: None })
        );
        let dec_first = UNIX_EPOCH + Duration::from_secs(1_796_083_200);
        assert_eq!(
            status_from(Some("suspended"), Some("2026-12-01T00:00:00Z")),
            Ok(AccountStatus::Suspended {
                until: Some(dec_first)
            })
        );
        assert!(matches!(
            status_from(Some("banned"), None),
            Err(StatusError::Unusable(_))
        ));
        assert!(matches!(
            status_from(Some("suspended"), Some("next week")),
            Err(StatusError::Unusable(_))
        ));
    }

    #[test]
    fn checks_run_at_token_time_unless_told_otherwise() {
        let at = |v: &str| ChecksAt::from_vars(&Vars::from_pairs([("ACCOUNT_CHECKS_AT", v)]));
        let default = ChecksAt::from_vars(&Vars::default()).unwrap();
        assert_eq!(default, ChecksAt::Token);
        assert!(default.at_token() && !default.at_pre_authentication());
        let both = at("both").unwrap();
        assert!(both.at_token() && both.at_pre_authentication());
        let early = at("Pre-Authentication").unwrap();
        assert!(!early.at_token() && early.at_pre_authentication());
        assert_eq!(at("sometimes").unwrap_err().var, "ACCOUNT_CHECKS_AT");
    }

    #[test]
    fn the_sentences_name_the_end_and_support() {
        let until = UNIX_EPOCH + Duration::from_secs(1_796_112_000);
        assert_eq!(
            AccountRefusal::Suspended { until: Some(until) }.sentence(Some("help@acme.example")),
            "Your account is suspended until 2026-12-01 08:00 UTC. For help, write to help@acme.example"
        );
        assert_eq!(
            AccountRefusal::Suspended { until: None }.sentence(None),
            "Your account is suspended"
        );
        let now = until - Duration::from_secs(1);
        let suspended = AccountStatus::Suspended { until: Some(until) };
        assert!(suspension(Some(&suspended), now).is_some());
        assert!(
            suspension(Some(&suspended), until).is_none(),
            "over at its until"
        );
        assert!(suspension(Some(&AccountStatus::Active), now).is_none());
        assert!(suspension(None, now).is_none());
    }

    #[test]
    fn a_suspension_ends_at_its_until() {
        let until = UNIX_EPOCH + Duration::from_secs(1_000);
        let s = AccountStatus::Suspended { until: Some(until) };
        assert!(s.suspended_at(until - Duration::from_secs(1)));
        assert!(!s.suspended_at(until));
        assert!(AccountStatus::Suspended { until: None }.suspended_at(until));
        assert!(!AccountStatus::Active.suspended_at(until));
    }
}
