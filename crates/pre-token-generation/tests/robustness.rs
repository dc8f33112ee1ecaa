#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic; every failure is a `TriggerError`.

use pre_token_generation::directory::{DirectoryEntry, InMemoryDirectory};
use pre_token_generation::{handle, Config};
use proptest::prelude::*;
use serde_json::Value;
use trigger_core::testing::{arb_json, block_on, mutated_sample};
use trigger_core::Vars;

fn run(event: Value) -> Result<Value, trigger_core::TriggerError> {
    let config = Config::from_vars(&Vars::from_pairs([
        ("ROLE_SOURCES", "groups,table"),
        ("ROLE_TABLE_NAME", "roles"),
        ("GROUP_ROLES", "admins=admin,editors=editor"),
        ("ROLE_SCOPES", "admin=notes/admin;user=notes/read"),
        ("ON_LOOKUP_FAILURE", "default-role"),
    ]))
    .unwrap();
    let dir = InMemoryDirectory::default().with(
        "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1",
        DirectoryEntry::default(),
    );
    block_on(handle(&config, &dir, event))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        let _ = run(value);
    }

    #[test]
    fn mutated_sample_events_never_panic(
        pick in any::<prop::sample::Index>(),
        node in any::<prop::sample::Index>(),
        replacement in prop::option::of(arb_json()),
    ) {
        if let Ok(out) = run(mutated_sample("pre-token-generation", pick, node, replacement)) {
            prop_assert!(out["response"].is_object() || out["response"].is_null());
        }
    }
}
