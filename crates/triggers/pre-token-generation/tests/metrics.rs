#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A role-table row that names a claim it may not set is counted, by row kind. (One
//! test: the recorder is process-wide.)

use pre_token_generation::ports::{DirectoryEntry, LookupKey};
use pre_token_generation::{screen_row, Config};
use serde_json::{Map, Value};
use trigger_core::Vars;

#[test]
fn refused_row_claims_are_counted() {
    let collector = test_support::emf::collector("AcmeNotes/Tokens");
    let config = Config::from_vars(&Vars::from_pairs([("ROLE_CLAIM", "custom:role")])).unwrap();
    let claims: Map<String, Value> = ["cognito:roles", "scope", "custom:role", "tenant_id"]
        .into_iter()
        .map(|name| (name.to_owned(), Value::from("x")))
        .collect();
    let row = DirectoryEntry {
        role: Some("editor".into()),
        claims,
        scopes: vec![],
    };
    let kept = screen_row(&config, LookupKey::User("sub-1"), row);
    assert_eq!(kept.claims.keys().collect::<Vec<_>>(), ["tenant_id"]);
    assert_eq!(kept.role.as_deref(), Some("editor"));
    let docs = test_support::emf::documents(collector);
    let refused = docs
        .iter()
        .find(|d| d.get("RoleTableClaimsRefused").is_some())
        .expect("a refusal document");
    assert_eq!(refused["RoleTableClaimsRefused"], 3);
    assert_eq!(refused["kind"], "user");
}
