//! Configuration of the pre authentication trigger. Unlike the post-* triggers, it
//! refuses to start on a bad setting: a rule that silently switched itself off would
//! let in the sign-ins it was set up to stop.

use std::collections::BTreeMap;
use std::time::Duration;

use account_status::ChecksAt;
use trigger_core::{ConfigError, Vars};

/// What a failed or late lookup does (`ON_LOOKUP_FAILURE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnLookupFailure {
    /// Refuse the sign-in (the default: a rule that cannot be checked is not passed).
    Deny,
    /// Let the sign-in go on as if the rule that needed the lookup had passed.
    Allow,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `SIGN_IN_PAUSED=true`: every sign-in is refused with this sentence
    /// (`SIGN_IN_PAUSED_MESSAGE`).
    pub paused: Option<String>,
    /// Where the account checks run (`ACCOUNT_CHECKS_AT`); the two below are read
    /// here only when it includes pre-authentication.
    pub checks_at: ChecksAt,
    /// The back office's account status table (`ACCOUNT_STATUS_TABLE_NAME`), keyed by `sub`.
    pub status_table: Option<String>,
    /// `REQUIRE_VERIFIED_EMAIL=true`.
    pub require_verified_email: bool,
    /// App client id → the groups whose members may sign in to it (`CLIENT_GROUPS`).
    pub client_groups: BTreeMap<String, Vec<String>>,
    /// Shown in refusals the user should take up with support (`SUPPORT_EMAIL`).
    pub support_email: Option<String>,
    /// Time for all lookups of one sign-in together (`PRE_AUTH_BUDGET_MS`).
    pub budget: Duration,
    pub on_lookup_failure: OnLookupFailure,
    pub metrics_namespace: String,
}

pub const DEFAULT_PAUSED_MESSAGE: &str =
    "Sign-in is paused for maintenance. Please try again in a few minutes";

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let paused = match vars.flag("SIGN_IN_PAUSED", false)? {
            false => None,
            true => Some(sentence(
                vars.get("SIGN_IN_PAUSED_MESSAGE")
                    .unwrap_or(DEFAULT_PAUSED_MESSAGE),
                "SIGN_IN_PAUSED_MESSAGE",
            )?),
        };
        let support_email = vars.address("SUPPORT_EMAIL")?;
        let checks_at = ChecksAt::from_vars(vars)?;
        let here = checks_at.at_pre_authentication();
        let require_verified_email = vars.flag("REQUIRE_VERIFIED_EMAIL", false)?;
        Ok(Self {
            paused,
            checks_at,
            status_table: vars
                .get("ACCOUNT_STATUS_TABLE_NAME")
                .filter(|_| here)
                .map(str::to_owned),
            require_verified_email: require_verified_email && here,
            client_groups: client_groups(vars)?,
            support_email,
            budget: vars.millis("PRE_AUTH_BUDGET_MS", Duration::from_millis(1000), 50..=4000)?,
            on_lookup_failure: vars.choice(
                "ON_LOOKUP_FAILURE",
                OnLookupFailure::Deny,
                &[
                    ("deny", OnLookupFailure::Deny),
                    ("allow", OnLookupFailure::Allow),
                ],
            )?,
            metrics_namespace: vars.string_or("METRICS_NAMESPACE", "CognitoTriggers"),
        })
    }

    /// Whether any rule needs the groups API.
    pub fn reads_groups(&self) -> bool {
        !self.client_groups.is_empty()
    }
}

/// A sentence Cognito shows: one line, at most 500 characters, no final period
/// (Cognito adds one).
fn sentence(text: &str, var: &str) -> Result<String, ConfigError> {
    let text = text.trim().trim_end_matches('.').trim_end();
    if text.is_empty() || text.chars().count() > 500 || text.contains(char::is_control) {
        return Err(ConfigError::new(
            var,
            "must be one line of 1 to 500 characters",
        ));
    }
    Ok(text.to_owned())
}

/// `<client id>=admins|staff;<client id>=...`
fn client_groups(vars: &Vars) -> Result<BTreeMap<String, Vec<String>>, ConfigError> {
    let mut map = BTreeMap::new();
    let Some(raw) = vars.get("CLIENT_GROUPS") else {
        return Ok(map);
    };
    let bad = |why: &str| {
        ConfigError::new(
            "CLIENT_GROUPS",
            format!("{why}; expected <client id>=group|group;<client id>=group"),
        )
    };
    for entry in raw.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let (client, groups) = entry
            .split_once('=')
            .ok_or_else(|| bad("an entry has no '='"))?;
        let client = client.trim();
        if client.is_empty() || !client.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad(&format!("{client:?} is not an app client id")));
        }
        let groups: Vec<String> = groups
            .split('|')
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect();
        if groups.is_empty() {
            return Err(bad(&format!("client {client} names no group")));
        }
        if map.insert(client.to_owned(), groups).is_some() {
            return Err(bad(&format!("client {client} is listed twice")));
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(&Vars::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn defaults_refuse_nothing() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.paused, None);
        assert!(
            !c.require_verified_email && c.client_groups.is_empty() && c.status_table.is_none()
        );
        assert_eq!(c.on_lookup_failure, OnLookupFailure::Deny);
        assert_eq!(c.budget, Duration::from_millis(1000));
    }

    #[test]
    fn every_setting_is_read() {
        let c = parse(&[
            ("SIGN_IN_PAUSED", "true"),
            ("SIGN_IN_PAUSED_MESSAGE", "Back at 10:00 UTC."),
            ("ACCOUNT_CHECKS_AT", "both"),
            ("ACCOUNT_STATUS_TABLE_NAME", "accounts"),
            ("REQUIRE_VERIFIED_EMAIL", "true"),
            (
                "CLIENT_GROUPS",
                "4n7mc0rcbsjvh1ou3e5q8nt2lf=admins|staff; 7bq3k0pq1c2v=ops",
            ),
            ("PRE_AUTH_BUDGET_MS", "400"),
            ("ON_LOOKUP_FAILURE", "allow"),
        ])
        .unwrap();
        assert_eq!(c.paused.as_deref(), Some("Back at 10:00 UTC"));
        assert_eq!(
            c.client_groups["4n7mc0rcbsjvh1ou3e5q8nt2lf"],
            vec!["admins", "staff"]
        );
        assert_eq!(c.client_groups["7bq3k0pq1c2v"], vec!["ops"]);
        assert!(c.require_verified_email && c.reads_groups());
        assert_eq!(c.status_table.as_deref(), Some("accounts"));
        assert_eq!(c.on_lookup_failure, OnLookupFailure::Allow);
        assert_eq!(c.budget, Duration::from_millis(400));
        assert_eq!(
            parse(&[("SIGN_IN_PAUSED", "true")])
                .unwrap()
                .paused
                .as_deref(),
            Some(DEFAULT_PAUSED_MESSAGE)
        );
    }

    #[test]
    fn a_bad_setting_refuses_to_start_and_names_itself() {
        for (var, value) in [
            ("SIGN_IN_PAUSED", "maybe"),
            ("REQUIRE_VERIFIED_EMAIL", "1x"),
            ("CLIENT_GROUPS", "web"),
            ("CLIENT_GROUPS", "web="),
            ("CLIENT_GROUPS", "we b=admins"),
            ("CLIENT_GROUPS", "web=a;web=b"),
            ("PRE_AUTH_BUDGET_MS", "10"),
            ("ON_LOOKUP_FAILURE", "default-role"),
            ("SUPPORT_EMAIL", "support"),
            ("ACCOUNT_CHECKS_AT", "login"),
        ] {
            let err = parse(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var, "{var}={value}");
        }
        let err = parse(&[
            ("SIGN_IN_PAUSED", "true"),
            ("SIGN_IN_PAUSED_MESSAGE", "a\nb"),
        ])
        .unwrap_err();
        assert_eq!(err.var, "SIGN_IN_PAUSED_MESSAGE");
    }
}
