//! Cognito pre token generation trigger.
//!
//! Puts the user's role (and extra claims and scopes) into their tokens, from a source
//! the user cannot write: Cognito groups, or a table only the back office writes.
//! One binary serves V1 (ID token), V2 (ID and access token, scopes) and V3 (also
//! client-credentials tokens); the version is read from each event.

pub mod config;
pub mod directory;
pub mod rules;

use lambda_runtime::LambdaEvent;
use serde_json::Value;
use trigger_core::{CognitoEvent, TriggerError};

pub use config::{Config, OnLookupFailure};
use directory::{lookup_within, DirectoryEntry, RoleDirectory};
use rules::{client_response, resolve_role, user_response, GroupConfiguration, TokenVersion};

const USER_SOURCES: &[&str] = &[
    "TokenGeneration_HostedAuth",
    "TokenGeneration_Authentication",
    "TokenGeneration_NewPasswordChallenge",
    "TokenGeneration_AuthenticateDevice",
    "TokenGeneration_RefreshTokens",
];
const CLIENT_CREDENTIALS: &str = "TokenGeneration_ClientCredentials";

/// The Lambda entry point: the whole event back, with `response` filled in.
pub async fn handler<D: RoleDirectory>(
    config: &Config,
    directory: &D,
    event: LambdaEvent<Value>,
) -> Result<Value, TriggerError> {
    handle(config, directory, event.payload).await
}

/// Translates between the event and the rules.
pub async fn handle<D: RoleDirectory>(
    config: &Config,
    directory: &D,
    payload: Value,
) -> Result<Value, TriggerError> {
    let mut event = CognitoEvent::from_value(payload)?;
    let source = event.trigger_source()?.to_owned();
    if source == CLIENT_CREDENTIALS {
        let client_id = event.client_id().unwrap_or_default().to_owned();
        let entry = table_entry(config, directory, &client_id, "client").await?;
        // No row: nothing to add, but the response is always an object.
        event.set_response(client_response(config, entry.as_ref()).unwrap_or_default());
        tracing::info!(trigger_source = %source, client_id = %client_id, row = entry.is_some(), "client token");
        return Ok(event.into_value());
    }
    if !USER_SOURCES.contains(&source.as_str()) {
        return Err(TriggerError::unsupported_source(&source));
    }
    let version = TokenVersion::from_event(event.version().as_deref());
    let attributes = event.request_map("userAttributes")?;
    let groups = GroupConfiguration::from_event(event.request_field("groupConfiguration"))
        .map_err(TriggerError::malformed)?;
    let sub = attributes.get("sub").cloned().unwrap_or_default();
    let entry = table_entry(config, directory, &sub, "user").await?;
    let decision = resolve_role(
        config,
        &groups.groups,
        entry.as_ref().and_then(|e| e.role.as_deref()),
        attributes.get(&config.role_attribute).map(String::as_str),
    );
    tracing::info!(
        trigger_source = %source,
        version = ?version,
        sub = %sub,
        role = %decision.role,
        role_source = decision.source,
        "user token"
    );
    event.set_response(user_response(
        config,
        version,
        &decision,
        entry.as_ref(),
        &groups,
    ));
    Ok(event.into_value())
}

/// The table row for `key`, when the table is a configured source, applying
/// `ON_LOOKUP_FAILURE` to any failure.
async fn table_entry<D: RoleDirectory>(
    config: &Config,
    directory: &D,
    key: &str,
    what: &'static str,
) -> Result<Option<DirectoryEntry>, TriggerError> {
    if !config.uses_table() {
        return Ok(None);
    }
    if key.is_empty() {
        // Rows are keyed by sub (or client id): without one there is no row to find.
        // (Cognito always sends a sub; the local emulator's migrated users have none.)
        tracing::warn!(
            what,
            "the event names no key to look up; continuing without the table"
        );
        return Ok(None);
    }
    let result = lookup_within(directory, key, config.lookup_budget).await;
    match (result, config.on_lookup_failure) {
        (Ok(entry), _) => Ok(entry),
        (Err(e), OnLookupFailure::Deny) => Err(TriggerError::internal(
            "RoleLookupFailed",
            format!("{what} {key}: {e}"),
        )),
        (Err(e), OnLookupFailure::DefaultRole) => {
            tracing::warn!(key = %key, error = %e, "role lookup failed; continuing without the table");
            Ok(None)
        }
    }
}
