#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The DynamoDB role directory against a real server speaking the DynamoDB protocol
//! (moto, started by `make test`), and against a refused and a hanging endpoint.

mod common;
use common::handle;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use pre_token_generation::adapters::dynamodb::{item_for, DynamoDirectory, KEY_ATTRIBUTE};
use pre_token_generation::ports::{DirectoryEntry, LookupError, LookupKey, RoleDirectory};
use pre_token_generation::Config;
use serde_json::{json, Map};
use test_support::aws::{
    create_table, hanging_endpoint, moto_endpoint, refused_endpoint, sdk_config_for, unique_name,
};
use test_support::sample_event;
use trigger_core::Vars;

async fn client(endpoint: &str, budget: Duration) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config_for(endpoint, budget).await)
}

async fn role_table(client: &aws_sdk_dynamodb::Client) -> String {
    let name = unique_name("roles");
    create_table(client, &name, &[KEY_ATTRIBUTE]).await;
    name
}

fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        ("ROLE_SOURCES", "groups,table"),
        ("ROLE_TABLE_NAME", "set-by-the-directory"),
        ("GROUP_ROLES", "admins=admin,editors=editor"),
        ("LOOKUP_BUDGET_MS", "400"),
    ];
    vars.extend_from_slice(extra);
    Config::from_vars(&Vars::from_pairs(vars)).unwrap()
}

const LUKAS: &str = "3a9d2b61-7e04-4c58-b1f3-8d6e0a2c4b97";

#[tokio::test]
async fn rows_present_absent_and_malformed() {
    let budget = Duration::from_millis(1000);
    let client = client(&moto_endpoint(), budget).await;
    let table = role_table(&client).await;
    let mut claims = Map::new();
    claims.insert("tenant_id".into(), json!("acme-de"));
    claims.insert(
        "permissions".into(),
        json!(["reports:read", "audit:export"]),
    );
    let entry = DirectoryEntry {
        role: Some("auditor".into()),
        claims,
        scopes: vec!["notes/audit".into()],
    };
    client
        .put_item()
        .table_name(&table)
        .set_item(Some(item_for(LUKAS, &entry)))
        .send()
        .await
        .unwrap();
    let mut bad: HashMap<String, AttributeValue> = HashMap::new();
    bad.insert(KEY_ATTRIBUTE.into(), AttributeValue::S("broken-row".into()));
    bad.insert("role".into(), AttributeValue::Bool(true));
    client
        .put_item()
        .table_name(&table)
        .set_item(Some(bad))
        .send()
        .await
        .unwrap();

    let directory = DynamoDirectory::new(client.clone(), &table);
    assert_eq!(
        directory.lookup(LookupKey::User(LUKAS)).await.unwrap(),
        Some(entry)
    );
    assert_eq!(
        directory
            .lookup(LookupKey::User("no-such-user"))
            .await
            .unwrap(),
        None
    );
    assert!(matches!(
        directory.lookup(LookupKey::User("broken-row")).await,
        Err(LookupError::Malformed(_))
    ));

    // Through the handler: the table's role and claims reach the tokens.
    let event = sample_event(
        "pre-token-generation",
        "V2-TokenGeneration_NewPasswordChallenge.json",
    );
    let out = handle(&config(&[]), &directory, event).await.unwrap();
    let id = &out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]
        ["claimsToAddOrOverride"];
    assert_eq!(id["custom:role"], "auditor");
    assert_eq!(id["tenant_id"], "acme-de");
}

#[tokio::test]
async fn a_missing_table_is_a_lookup_failure() {
    let client = client(&moto_endpoint(), Duration::from_millis(1000)).await;
    let directory = DynamoDirectory::new(client, unique_name("never-created"));
    assert!(matches!(
        directory.lookup(LookupKey::User(LUKAS)).await,
        Err(LookupError::Unavailable(_))
    ));
}

/// Runs the sample event against `endpoint` with both failure policies and returns
/// how long the denied invocation took.
async fn decided_within_budget(endpoint: &str) -> Duration {
    let config_deny = config(&[]);
    let budget = config_deny.lookup_budget;
    let directory = DynamoDirectory::new(client(endpoint, budget).await, "roles");
    let event = sample_event(
        "pre-token-generation",
        "V2-TokenGeneration_NewPasswordChallenge.json",
    );

    let started = Instant::now();
    let err = handle(&config_deny, &directory, event.clone())
        .await
        .unwrap_err();
    let denied_in = started.elapsed();
    assert_eq!(err.error_type(), "LookupFailed");

    let fallback = config(&[("ON_LOOKUP_FAILURE", "default-role")]);
    let started = Instant::now();
    let out = handle(&fallback, &directory, event).await.unwrap();
    let fell_back_in = started.elapsed();
    let id = &out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]
        ["claimsToAddOrOverride"];
    assert_eq!(id["custom:role"], "user");

    // The budget is a hard deadline (plus scheduling slack), far inside Cognito's 5 s.
    let limit = budget + Duration::from_millis(300);
    assert!(
        denied_in < limit,
        "deny took {denied_in:?}, budget {budget:?}"
    );
    assert!(
        fell_back_in < limit,
        "fallback took {fell_back_in:?}, budget {budget:?}"
    );
    eprintln!(
        "{endpoint}: denied in {denied_in:?}, fell back in {fell_back_in:?} (budget {budget:?})"
    );
    denied_in
}

#[tokio::test]
async fn server_down_is_decided_within_the_budget() {
    decided_within_budget(&refused_endpoint()).await;
}

#[tokio::test]
async fn server_hanging_is_decided_at_the_budget() {
    let (endpoint, _server) = hanging_endpoint();
    let took = decided_within_budget(&endpoint).await;
    // A hanging server is only given up on when the budget runs out.
    assert!(took >= Duration::from_millis(150), "gave up after {took:?}");
}

const NOAH: &str = "c4d8e2f6-1a3b-4c5d-9e7f-2a4b6c8d0e1f";

/// A refresh of Noah's tokens, with the account status table at `statuses`.
async fn refresh(
    statuses: &account_status::DynamoStatuses,
) -> Result<serde_json::Value, trigger_core::TriggerError> {
    let config = config(&[("ACCOUNT_STATUS_TABLE_NAME", "set-by-the-directory")]);
    let roles = pre_token_generation::ports::InMemoryDirectory::default();
    let event = sample_event(
        "pre-token-generation",
        "V2-TokenGeneration_RefreshTokens-suspended.json",
    );
    common::handle_with(&config, &roles, statuses, event).await
}

#[tokio::test]
async fn a_suspension_in_the_status_table_stops_the_refresh() {
    let client = client(&moto_endpoint(), Duration::from_millis(1000)).await;
    let table = unique_name("status");
    create_table(&client, &table, &["sub"]).await;
    let statuses = account_status::DynamoStatuses::new(client.clone(), &table);
    assert!(refresh(&statuses).await.is_ok(), "no row: active");
    client
        .put_item()
        .table_name(&table)
        .item("sub", AttributeValue::S(NOAH.into()))
        .item("status", AttributeValue::S("suspended".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refresh(&statuses).await.unwrap_err().user_message(),
        "Your account is suspended"
    );
}

#[tokio::test]
async fn a_status_table_that_hangs_is_decided_within_the_budget() {
    let (endpoint, _server) = hanging_endpoint();
    let budget = config(&[]).lookup_budget;
    let statuses = account_status::DynamoStatuses::new(client(&endpoint, budget).await, "status");
    let started = Instant::now();
    let err = refresh(&statuses).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.error_type(), "LookupFailed");
    assert!(
        took < budget + Duration::from_millis(300),
        "took {took:?}, budget {budget:?}"
    );
    eprintln!("status table hanging: denied in {took:?} (budget {budget:?})");
}
