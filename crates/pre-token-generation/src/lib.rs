//! Cognito pre token generation trigger.
//!
//! Puts the user's role (and extra claims and scopes) into their tokens, from a source
//! the user cannot write: Cognito groups, or a table only the back office writes.
//! One binary serves V1 (ID token), V2 (ID and access token, scopes) and V3 (also
//! client-credentials tokens); the version is read from each event.

pub mod answer;
pub mod claims;
pub mod config;
pub mod directory;
pub mod dynamodb;
pub mod role;

use std::collections::HashMap;

use lambda_runtime::LambdaEvent;
use trigger_core::events::token::CognitoEventUserPoolsPreTokenGenClientCredentials;
use trigger_core::events::{GroupConfiguration, PreTokenGenerationEvent};
use trigger_core::{ErrorKind, TriggerError};

pub use config::{Config, OnLookupFailure};
use directory::{lookup_within, DirectoryEntry, LookupKey, RoleDirectory};
use role::{resolve_role, RoleDecision};

/// The event this trigger takes and returns (V1, V2/V3 or client credentials).
pub type Event = PreTokenGenerationEvent;

/// The Lambda handler: the whole event back, with the token changes in `response`.
/// `directory` is the role table, `None` when no table is configured.
pub async fn handler<D: RoleDirectory>(
    config: &Config,
    directory: Option<&D>,
    event: LambdaEvent<Event>,
) -> Result<Event, TriggerError> {
    Ok(match event.payload {
        Event::V1(mut e) => {
            let r = &e.request;
            let details = user_answer(
                config,
                directory,
                &r.user_attributes,
                &r.group_configuration,
                answer::v1_details,
            )
            .await?;
            e.response.claims_override_details = Some(details);
            Event::V1(e)
        }
        Event::V2(mut e) => {
            let r = &e.request;
            let details = user_answer(
                config,
                directory,
                &r.user_attributes,
                &r.group_configuration,
                answer::v2_details,
            )
            .await?;
            e.response.claims_and_scope_override_details = Some(details);
            Event::V2(e)
        }
        Event::ClientCredentials(e) => {
            Event::ClientCredentials(client_token(config, directory, e).await?)
        }
    })
}

/// The answer to a user's token: the role decided, then `build` writes it in the
/// shape of the event's version.
async fn user_answer<D: RoleDirectory, T>(
    config: &Config,
    directory: Option<&D>,
    attributes: &HashMap<String, String>,
    groups: &GroupConfiguration,
    build: fn(&Config, &RoleDecision, Option<&DirectoryEntry>, &GroupConfiguration) -> T,
) -> Result<T, TriggerError> {
    let (decision, row) = decide(config, directory, attributes, groups).await?;
    Ok(build(config, &decision, row.as_ref(), groups))
}

/// A user's role: the table row (when the table is a source), then the rules.
async fn decide<D: RoleDirectory>(
    config: &Config,
    directory: Option<&D>,
    attributes: &HashMap<String, String>,
    groups: &GroupConfiguration,
) -> Result<(RoleDecision, Option<DirectoryEntry>), TriggerError> {
    let sub = attributes
        .get("sub")
        .map(String::as_str)
        .unwrap_or_default();
    let row = table_row(config, directory, LookupKey::User(sub)).await?;
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
        (Ok(row), _) => Ok(row),
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
