#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic; every failure is a `TriggerError`.

use account_status::{AccountStatus, InMemoryStatuses};
use pre_token_generation::ports::{DirectoryEntry, InMemoryDirectory};
use pre_token_generation::{handler, Config, Ports};
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic};
use trigger_core::events::token::TokenVersion;
use trigger_core::Vars;

fn run(event: Value) -> Result<Value, trigger_core::TriggerError> {
    let config = Config::from_vars(&Vars::from_pairs([
        ("ROLE_SOURCES", "groups,table"),
        ("ROLE_TABLE_NAME", "roles"),
        ("GROUP_ROLES", "admins=admin,editors=editor"),
        ("ROLE_SCOPES", "admin=notes/admin;user=notes/read"),
        ("ON_LOOKUP_FAILURE", "default-role"),
        ("ACCOUNT_STATUS_TABLE_NAME", "status"),
    ]))
    .unwrap();
    let dir = InMemoryDirectory::default().with(
        "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1",
        DirectoryEntry::default(),
    );
    let statuses = InMemoryStatuses::default().with(
        "c4d8e2f6-1a3b-4c5d-9e7f-2a4b6c8d0e1f",
        AccountStatus::Suspended { until: None },
    );
    let ports = Ports {
        roles: Some(&dir),
        statuses: Some(&statuses),
    };
    block_on(test_support::answer(|e| handler(&config, ports, e), event))
}

#[test]
fn no_event_makes_the_handler_panic() {
    check_no_panic("pre-token-generation", 384, run, |_, answer| {
        let Ok(out) = answer else { return Ok(()) };
        // Every answer to a user's token carries the role claim in the shape its
        // version wants, and keeps the user's groups (even when there are none).
        let response = &out["response"];
        let machine = out["triggerSource"] == "TokenGeneration_ClientCredentials";
        let v1 = TokenVersion::from_event(out["version"].as_str()) == TokenVersion::V1;
        let id_claims = if machine {
            return Ok(());
        } else if v1 {
            &response["claimsOverrideDetails"]["claimsToAddOrOverride"]
        } else {
            &response["claimsAndScopeOverrideDetails"]["idTokenGeneration"]["claimsToAddOrOverride"]
        };
        prop_assert!(
            id_claims["custom:role"].is_string(),
            "no role claim in {}",
            response
        );
        let groups = if v1 {
            &response["claimsOverrideDetails"]["groupOverrideDetails"]["groupsToOverride"]
        } else {
            &response["claimsAndScopeOverrideDetails"]["groupOverrideDetails"]["groupsToOverride"]
        };
        prop_assert!(groups.is_array(), "groups dropped in {}", response);
        Ok(())
    });
}
