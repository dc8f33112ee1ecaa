#![doc = include_str!("../README.md")]

pub mod config;
pub mod rules;
/// The account status table (the `account-status` crate, shared with
/// pre-token-generation).
pub use account_status as status;

use std::time::{Instant, SystemTime};

use cognito_admin::{GroupError, GroupMembership};
use lambda_runtime::LambdaEvent;
use serde_json::Value;
use tokio::time::{timeout_at, Instant as Deadline};
use trigger_core::events::CognitoEventUserPoolsPreAuthentication;
use trigger_core::TriggerError;

pub use config::{Config, OnLookupFailure};
use rules::{decide, Facts, Lookup, LookupFailure, Refusal};
use status::StatusDirectory;

/// The event this trigger takes and returns.
pub type Event = CognitoEventUserPoolsPreAuthentication;

/// What one sign-in attempt came to, for the log, the metrics and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub user_pool_id: String,
    pub user_not_found: bool,
    pub facts: Option<Facts>,
    pub refusal: Option<Refusal>,
}

impl Report {
    pub fn lookup_failures(&self) -> usize {
        self.facts.as_ref().map_or(0, |f| {
            usize::from(f.status.failed()) + usize::from(f.groups.failed())
        })
    }
}

/// The Lambda handler: the event back to let the sign-in go on, or the refusal.
pub async fn handler<S: StatusDirectory, G: GroupMembership>(
    config: &Config,
    statuses: Option<&S>,
    groups: Option<&G>,
    event: LambdaEvent<Event>,
) -> Result<Event, TriggerError> {
    let report = sign_in_checks(config, statuses, groups, &event.payload, SystemTime::now()).await;
    emit_metrics(&report);
    match &report.refusal {
        Some(refusal) => Err(TriggerError::user(refusal.sentence(config))),
        None => Ok(event.payload),
    }
}

/// Cognito's flag for a sign-in attempt with no account behind it.
pub fn user_not_found(event: &Event) -> bool {
    event.request.other.get("userNotFound") == Some(&Value::Bool(true))
}

/// The pause, then the lookups (in parallel, within the budget), then the rules.
pub async fn sign_in_checks<S: StatusDirectory, G: GroupMembership>(
    config: &Config,
    statuses: Option<&S>,
    groups: Option<&G>,
    event: &Event,
    now: SystemTime,
) -> Report {
    let started = Instant::now();
    let header = &event.cognito_event_user_pools_header;
    let pool = header.user_pool_id.as_deref().unwrap_or("");
    let unknown = user_not_found(event);
    let mut report = Report {
        user_pool_id: if pool.is_empty() { "unknown" } else { pool }.to_owned(),
        user_not_found: unknown,
        facts: None,
        refusal: None,
    };
    if config.paused.is_some() {
        report.refusal = Some(Refusal::Paused);
        tracing::info!(reason = "Paused", "sign-in refused");
        return report;
    }
    let attributes = &event.request.user_attributes;
    let username = header.user_name.as_deref().unwrap_or("");
    // Rows are keyed by sub; an unknown user has none, so their name is looked up
    // instead: the same call, which finds nothing.
    let key = attributes.get("sub").map_or(username, String::as_str);
    let allowed_groups = header
        .caller_context
        .client_id
        .as_ref()
        .and_then(|client| config.client_groups.get(client))
        .cloned();
    let deadline = Deadline::from_std(started + config.budget);
    // The status only where the account checks run here (ACCOUNT_CHECKS_AT).
    let statuses = statuses.filter(|_| config.checks_at.at_pre_authentication());
    let (status, member_of) = tokio::join!(
        status_of(statuses, key, deadline),
        groups_of(groups, allowed_groups.is_some(), pool, username, deadline),
    );
    let facts = Facts {
        email_verified: unknown
            || attributes
                .get("email_verified")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        status,
        groups: member_of,
        allowed_groups,
    };
    report.refusal = decide(config, &facts, now);
    let elapsed_ms = started.elapsed().as_millis() as u64;
    if let Lookup::Failed(e) = &facts.status {
        tracing::error!(error = %e, on_failure = ?config.on_lookup_failure, elapsed_ms, "account status lookup failed");
    }
    if let Lookup::Failed(e) = &facts.groups {
        tracing::error!(error = %e, on_failure = ?config.on_lookup_failure, elapsed_ms, "group lookup failed");
    }
    match &report.refusal {
        Some(refusal) => tracing::info!(
            reason = refusal.reason(),
            user_not_found = unknown,
            elapsed_ms,
            "sign-in refused"
        ),
        None => tracing::info!(user_not_found = unknown, elapsed_ms, "sign-in may go on"),
    }
    report.facts = Some(facts);
    report
}

async fn status_of<S: StatusDirectory>(
    statuses: Option<&S>,
    key: &str,
    deadline: Deadline,
) -> Lookup<Option<status::AccountStatus>> {
    let Some(statuses) = statuses else {
        return Lookup::NotNeeded;
    };
    match timeout_at(deadline, statuses.status_of(key)).await {
        Ok(Ok(status)) => Lookup::Found(status),
        Ok(Err(e)) => Lookup::Failed(e.into()),
        Err(_) => Lookup::Failed(LookupFailure::OutOfTime),
    }
}

async fn groups_of<G: GroupMembership>(
    groups: Option<&G>,
    needed: bool,
    pool: &str,
    username: &str,
    deadline: Deadline,
) -> Lookup<Vec<String>> {
    if !needed {
        return Lookup::NotNeeded;
    }
    let Some(groups) = groups else {
        // main builds the client whenever CLIENT_GROUPS is set; a handler called
        // without one cannot check the rule.
        return Lookup::Failed(LookupFailure::Groups(GroupError::Unavailable(
            "no cognito-idp client".into(),
        )));
    };
    match timeout_at(deadline, groups.groups_of(pool, username)).await {
        Ok(Ok(names)) => Lookup::Found(names),
        // The unknown user's answer: a member of no group, like any such user.
        Ok(Err(GroupError::UserNotFound)) => Lookup::Found(Vec::new()),
        Ok(Err(e)) => Lookup::Failed(e.into()),
        Err(_) => Lookup::Failed(LookupFailure::OutOfTime),
    }
}

/// Counts refusals by reason and failed lookups, by user pool, through the `metrics`
/// facade (EMF in Lambda, flushed by `main` after each invocation).
pub fn emit_metrics(report: &Report) {
    let pool = ("UserPoolId", report.user_pool_id.clone());
    if let Some(refusal) = &report.refusal {
        metrics::counter!(
            "SignInsRefused",
            &[pool.clone(), ("Reason", refusal.reason().to_owned())]
        )
        .increment(1);
    }
    let failures = report.lookup_failures() as u64;
    if failures > 0 {
        metrics::counter!("PreAuthLookupFailures", &[pool]).increment(failures);
    }
}
