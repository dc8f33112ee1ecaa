//! The pure decision: what the lookups found, and whether that refuses the sign-in.

use std::time::SystemTime;

use account_status::{suspension, with_help, AccountRefusal};

use crate::config::{Config, OnLookupFailure};
use crate::status::{AccountStatus, StatusError};
use cognito_admin::GroupError;

/// What one lookup came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<T> {
    /// No rule needs it for this sign-in.
    NotNeeded,
    Found(T),
    Failed(LookupFailure),
}

/// Why a lookup gave nothing to decide on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupFailure {
    #[error(transparent)]
    Status(#[from] StatusError),
    #[error(transparent)]
    Groups(#[from] GroupError),
    #[error("no answer within PRE_AUTH_BUDGET_MS")]
    OutOfTime,
}

impl<T> Lookup<T> {
    pub fn failed(&self) -> bool {
        matches!(self, Self::Failed(_))
    }
}

/// What is known about the person signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// `email_verified` is `true`. An unknown user (`userNotFound`) counts as verified,
    /// so that they are answered as a verified user with no row and no groups.
    pub email_verified: bool,
    pub status: Lookup<Option<AccountStatus>>,
    pub groups: Lookup<Vec<String>>,
    /// The groups that may sign in to this app client, when it is restricted.
    pub allowed_groups: Option<Vec<String>>,
}

/// Why a sign-in is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Paused,
    Suspended {
        until: Option<SystemTime>,
    },
    /// A lookup failed and `ON_LOOKUP_FAILURE=deny`.
    Unavailable,
    EmailNotVerified,
    NotForThisApp,
}

impl Refusal {
    /// The metric dimension.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Paused => "Paused",
            Self::Suspended { .. } => "Suspended",
            Self::Unavailable => "LookupFailed",
            Self::EmailNotVerified => "EmailNotVerified",
            Self::NotForThisApp => "NotForThisApp",
        }
    }

    /// What the user reads (Cognito puts it after "PreAuthentication failed with
    /// error " and adds the final period).
    pub fn sentence(&self, config: &Config) -> String {
        let support = config.support_email.as_deref();
        match self {
            Self::Paused => config.paused.clone().unwrap_or_default(),
            Self::Suspended { until } => {
                AccountRefusal::Suspended { until: *until }.sentence(support)
            }
            Self::Unavailable => {
                "Sign-in is unavailable right now. Please try again in a moment".into()
            }
            Self::EmailNotVerified => AccountRefusal::EmailNotVerified.sentence(support),
            Self::NotForThisApp => with_help(
                "Your account does not have access to this app".into(),
                support,
            ),
        }
    }
}

/// The rules in order: a suspension read from the table; a lookup that failed (with
/// `ON_LOOKUP_FAILURE=deny`); an unverified email; an app client the user's groups do
/// not open. (A pause is decided before any lookup.)
pub fn decide(config: &Config, facts: &Facts, now: SystemTime) -> Option<Refusal> {
    if let Lookup::Found(status) = &facts.status {
        if let Some(AccountRefusal::Suspended { until }) = suspension(status.as_ref(), now) {
            return Some(Refusal::Suspended { until });
        }
    }
    if (facts.status.failed() || facts.groups.failed())
        && config.on_lookup_failure == OnLookupFailure::Deny
    {
        return Some(Refusal::Unavailable);
    }
    if config.require_verified_email && !facts.email_verified {
        return Some(Refusal::EmailNotVerified);
    }
    if let (Some(allowed), Lookup::Found(groups)) = (&facts.allowed_groups, &facts.groups) {
        if !groups.iter().any(|g| allowed.contains(g)) {
            return Some(Refusal::NotForThisApp);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};
    use trigger_core::Vars;

    /// `pairs`, with the account checks run here (`ACCOUNT_CHECKS_AT=both`).
    fn config(pairs: &[(&str, &str)]) -> Config {
        let all = [("ACCOUNT_CHECKS_AT", "both")]
            .into_iter()
            .chain(pairs.iter().copied());
        Config::from_vars(&Vars::from_pairs(all)).unwrap()
    }

    fn facts() -> Facts {
        Facts {
            email_verified: true,
            status: Lookup::Found(None),
            groups: Lookup::NotNeeded,
            allowed_groups: None,
        }
    }

    const NOW: Duration = Duration::from_secs(1_795_338_904);

    fn now() -> SystemTime {
        UNIX_EPOCH + NOW
    }

    #[test]
    fn nothing_refuses_an_ordinary_sign_in() {
        assert_eq!(
            decide(
                &config(&[("REQUIRE_VERIFIED_EMAIL", "true")]),
                &facts(),
                now()
            ),
            None
        );
    }

    #[test]
    fn a_suspension_refuses_until_it_ends() {
        let c = config(&[("SUPPORT_EMAIL", "support@acme.example")]);
        let until = now() + Duration::from_secs(3600);
        let mut f = facts();
        f.status = Lookup::Found(Some(AccountStatus::Suspended { until: Some(until) }));
        let refusal = decide(&c, &f, now()).unwrap();
        assert_eq!(
            refusal.sentence(&c),
            "Your account is suspended until 2026-11-22 10:15 UTC. For help, write to support@acme.example"
        );
        assert_eq!(decide(&c, &f, until), None, "over at its until");
        f.status = Lookup::Found(Some(AccountStatus::Suspended { until: None }));
        assert_eq!(decide(&c, &f, until).unwrap().reason(), "Suspended");
        f.status = Lookup::Found(Some(AccountStatus::Active));
        assert_eq!(decide(&c, &f, now()), None);
    }

    #[test]
    fn a_failed_lookup_follows_on_lookup_failure() {
        let mut f = facts();
        f.status = Lookup::Failed(LookupFailure::OutOfTime);
        let deny = config(&[]);
        assert_eq!(decide(&deny, &f, now()), Some(Refusal::Unavailable));
        let allow = config(&[("ON_LOOKUP_FAILURE", "allow")]);
        assert_eq!(decide(&allow, &f, now()), None);
        // Allowing skips only the rule whose lookup failed.
        let strict = config(&[
            ("ON_LOOKUP_FAILURE", "allow"),
            ("REQUIRE_VERIFIED_EMAIL", "true"),
        ]);
        f.email_verified = false;
        assert_eq!(decide(&strict, &f, now()), Some(Refusal::EmailNotVerified));
        let mut g = facts();
        g.allowed_groups = Some(vec!["staff".into()]);
        g.groups = Lookup::Failed(LookupFailure::Groups(GroupError::Unavailable(
            "refused".into(),
        )));
        assert_eq!(decide(&deny, &g, now()), Some(Refusal::Unavailable));
        assert_eq!(decide(&allow, &g, now()), None);
    }

    #[test]
    fn an_unverified_email_is_refused_only_when_required() {
        let mut f = facts();
        f.email_verified = false;
        assert_eq!(decide(&config(&[]), &f, now()), None);
        let c = config(&[("REQUIRE_VERIFIED_EMAIL", "true")]);
        let refusal = decide(&c, &f, now()).unwrap();
        assert!(refusal
            .sentence(&c)
            .starts_with("Please verify your email address"));
        assert!(!refusal.sentence(&c).ends_with('.'));
    }

    #[test]
    fn a_restricted_client_lets_in_its_groups_only() {
        let c = config(&[]);
        let mut f = facts();
        f.allowed_groups = Some(vec!["admins".into(), "staff".into()]);
        f.groups = Lookup::Found(vec!["readers".into(), "staff".into()]);
        assert_eq!(decide(&c, &f, now()), None);
        f.groups = Lookup::Found(vec!["readers".into()]);
        assert_eq!(decide(&c, &f, now()), Some(Refusal::NotForThisApp));
        f.groups = Lookup::Found(vec![]);
        assert_eq!(
            decide(&c, &f, now()).unwrap().sentence(&c),
            "Your account does not have access to this app"
        );
    }

    #[test]
    fn the_pause_message_is_the_configured_one() {
        let c = config(&[
            ("SIGN_IN_PAUSED", "true"),
            ("SIGN_IN_PAUSED_MESSAGE", "Back at 10:00 UTC."),
        ]);
        assert_eq!(Refusal::Paused.sentence(&c), "Back at 10:00 UTC");
    }
}
