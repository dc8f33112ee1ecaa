#![doc = include_str!("../README.md")]

pub mod adapters;
pub mod answer;
pub mod claims;
pub mod config;
pub mod ports;
pub mod role;

use std::collections::HashMap;
use std::time::SystemTime;

use account_status::{suspension, AccountRefusal, AccountStatus, StatusDirectory};
use lambda_runtime::LambdaEvent;
use trigger_core::events::token::CognitoEventUserPoolsPreTokenGenClientCredentials;
use trigger_core::events::{GroupConfiguration, PreTokenGenerationEvent};
use trigger_core::{ErrorKind, TriggerError};

use answer::UserToken;
pub use config::{AccountChecks, Config, OnLookupFailure};
use ports::{lookup_within, DirectoryEntry, LookupKey, RoleDirectory};
use role::{resolve_role, RoleDecision};

/// The event this trigger takes and returns (V1, V2/V3 or client credentials).
pub type Event = PreTokenGenerationEvent;

/// The tables the trigger reads, each `None` when the configuration reads none.
#[derive(Debug)]
pub struct Ports<'a, D, S> {
    /// The role table.
    pub roles: Option<&'a D>,
    /// The account status table.
    pub statuses: Option<&'a S>,
}

impl<D, S> Clone for Ports<'_, D, S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<D, S> Copy for Ports<'_, D, S> {}

/// The Lambda handler: the whole event back, with the token changes in `response`,
/// or the refusal of a suspended or unverified account.
pub async fn handler<D: RoleDirectory, S: StatusDirectory>(
    config: &Config,
    ports: Ports<'_, D, S>,
    event: LambdaEvent<Event>,
) -> Result<Event, TriggerError> {
    let directory = ports.roles;
    Ok(match event.payload {
        Event::V1(e) => Event::V1(user_token(config, ports, e).await?),
        Event::V2(e) => Event::V2(user_token(config, ports, e).await?),
        Event::ClientCredentials(e) => {
            Event::ClientCredentials(client_token(config, directory, e).await?)
        }
    })
}

/// A user's token, V1 or V2/V3: the account checked and the role decided, then the
/// answer written in the shape of the event's version.
async fn user_token<E: UserToken, D: RoleDirectory, S: StatusDirectory>(
    config: &Config,
    ports: Ports<'_, D, S>,
    mut event: E,
) -> Result<E, TriggerError> {
    let (attributes, groups) = event.user();
    let (decision, row) = decide(config, ports, attributes, groups).await?;
    event.answer(config, &decision, row.as_ref());
    Ok(event)
}

/// A user's token: the account's status and the role row, looked up side by side
/// within the budget; a refusal of the account, then the role from the rules.
async fn decide<D: RoleDirectory, S: StatusDirectory>(
    config: &Config,
    ports: Ports<'_, D, S>,
    attributes: &HashMap<String, String>,
    groups: &GroupConfiguration,
) -> Result<(RoleDecision, Option<DirectoryEntry>), TriggerError> {
    let sub = attributes
        .get("sub")
        .map(String::as_str)
        .unwrap_or_default();
    let (row, status) = tokio::join!(
        table_row(config, ports.roles, LookupKey::User(sub)),
        account_status(config, ports.statuses, sub),
    );
    if let Some(checks) = &config.account {
        if let Some(refusal) = account_refusal(checks, status?, attributes, SystemTime::now()) {
            tracing::info!(sub, reason = ?refusal, "token refused");
            return Err(TriggerError::user(
                refusal.sentence(checks.support_email.as_deref()),
            ));
        }
    }
    let row = row?;
    let decision = resolve_role(
        config,
        &groups.groups_to_override,
        row.as_ref().and_then(|r| r.role.as_deref()),
        attributes.get(&config.role_attribute).map(String::as_str),
    );
    tracing::info!(
        sub,
        role = %decision.role,
        role_source = decision.source.as_str(),
        row = row.is_some(),
        "user token"
    );
    Ok((decision, row))
}

/// The account status of `sub`, when the checks made here read the table, applying
/// `ON_LOOKUP_FAILURE` to a failure (`default-role`: carry on as if no row).
async fn account_status<S: StatusDirectory>(
    config: &Config,
    statuses: Option<&S>,
    sub: &str,
) -> Result<Option<AccountStatus>, TriggerError> {
    let (Some(statuses), Some(_)) = (statuses, config.status_table()) else {
        return Ok(None);
    };
    if sub.is_empty() {
        tracing::warn!("the event names no sub; no account status to look up");
        return Ok(None);
    }
    let failed = |why: String| match config.on_lookup_failure {
        OnLookupFailure::Deny => Err(TriggerError::internal(
            ErrorKind::LookupFailed,
            format!("account status of {sub}: {why}"),
        )),
        OnLookupFailure::DefaultRole => {
            tracing::warn!(sub, error = %why, "account status lookup failed; continuing without it");
            Ok(None)
        }
    };
    match tokio::time::timeout(config.lookup_budget, statuses.status_of(sub)).await {
        Ok(Ok(status)) => Ok(status),
        Ok(Err(e)) => failed(e.to_string()),
        Err(_) => failed(format!(
            "no answer within the {} ms budget",
            config.lookup_budget.as_millis()
        )),
    }
}

/// Why the account may not have a token now, if it may not.
fn account_refusal(
    checks: &AccountChecks,
    status: Option<AccountStatus>,
    attributes: &HashMap<String, String>,
    now: SystemTime,
) -> Option<AccountRefusal> {
    if let Some(suspended) = suspension(status.as_ref(), now) {
        return Some(suspended);
    }
    let verified = attributes
        .get("email_verified")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    (checks.require_verified_email && !verified).then_some(AccountRefusal::EmailNotVerified)
}

/// A machine-to-machine token: the app client's row, or the token unchanged.
async fn client_token<D: RoleDirectory>(
    config: &Config,
    directory: Option<&D>,
    mut event: CognitoEventUserPoolsPreTokenGenClientCredentials,
) -> Result<CognitoEventUserPoolsPreTokenGenClientCredentials, TriggerError> {
    let client_id = event
        .cognito_event_user_pools_header
        .caller_context
        .client_id
        .clone()
        .unwrap_or_default();
    let row = table_row(config, directory, LookupKey::Client(&client_id)).await?;
    tracing::info!(client_id = %client_id, row = row.is_some(), "client token");
    event.response.claims_and_scope_override_details =
        row.map(|r| answer::client_details(config, &r));
    Ok(event)
}

/// The table row for `key`, when a table is configured, applying
/// `ON_LOOKUP_FAILURE` to any failure.
async fn table_row<D: RoleDirectory>(
    config: &Config,
    directory: Option<&D>,
    key: LookupKey<'_>,
) -> Result<Option<DirectoryEntry>, TriggerError> {
    let Some(directory) = directory else {
        return Ok(None);
    };
    if key.id().is_empty() {
        // Rows are keyed by sub (or client id): without one there is no row to find.
        // (Cognito always sends a sub; the local emulator's migrated users have none.)
        tracing::warn!(
            key = key.kind(),
            "the event names no key to look up; continuing without the table"
        );
        return Ok(None);
    }
    match (
        lookup_within(directory, key, config.lookup_budget).await,
        config.on_lookup_failure,
    ) {
        (Ok(row), _) => Ok(row.map(|row| screen_row(config, key, row))),
        (Err(e), OnLookupFailure::Deny) => Err(TriggerError::internal(
            ErrorKind::LookupFailed,
            format!("{} {}: {e}", key.kind(), key.id()),
        )),
        (Err(e), OnLookupFailure::DefaultRole) => {
            tracing::warn!(key = key.id(), error = %e, "role lookup failed; continuing without the table");
            Ok(None)
        }
    }
}

/// The row without the extra claims it may not set (`claims::is_reserved_for_rows`:
/// `cognito:*`, the role claim, `scope`, `client_id`, `username`, `sub`, `iss`, `aud`,
/// `token_use` and the other claims Cognito or a reader gives a meaning): each refused
/// claim is logged by name (never its value) and counted (`RoleTableClaimsRefused`);
/// the rest of the row stands.
pub fn screen_row(config: &Config, key: LookupKey<'_>, mut row: DirectoryEntry) -> DirectoryEntry {
    row.claims.retain(|name, _| {
        let refused = claims::is_reserved_for_rows(name, &config.role_claim);
        if refused {
            tracing::warn!(
                key = key.id(),
                kind = key.kind(),
                claim = %name,
                "role table row names a claim it may not set; refused"
            );
            metrics::counter!("RoleTableClaimsRefused", "kind" => key.kind()).increment(1);
        }
        !refused
    });
    row
}
