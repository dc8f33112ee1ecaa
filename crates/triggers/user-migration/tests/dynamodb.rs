#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Migration end to end through the DynamoDB adapter, against moto (started by
//! `make test`).

mod common;
use common::handle;

use std::time::Duration;

use test_support::aws::{create_table, moto_endpoint, sdk_config_for, unique_name};
use test_support::sample_event;
use trigger_core::Vars;
use user_migration::adapters::dynamodb::{item_for, DynamoStore};
use user_migration::ports::LegacyUserStore;
use user_migration::store::{LegacyUser, Status, KEY_ATTRIBUTE};
use user_migration::{Config, REFUSAL};

#[tokio::test]
async fn a_legacy_user_migrates_once_through_dynamodb() {
    let client = aws_sdk_dynamodb::Client::new(
        &sdk_config_for(&moto_endpoint(), Duration::from_secs(3)).await,
    );
    let table = unique_name("legacy-users");
    create_table(&client, &table, &[KEY_ATTRIBUTE]).await;
    let olivia = LegacyUser {
        username: "olivia.martin@example.com".into(),
        email: "olivia.martin@example.com".into(),
        password_hash: "$2b$10$EenKXhUOBMz0.NGWiMWPgeSTu9GAAJ4j8yNjElp.VZvHvnHZUpoP2".into(),
        phone_number: None,
        attributes: [("first_name".to_owned(), "Olivia".to_owned())].into(),
        status: Status::Active,
        migrated_at: None,
    };
    client
        .put_item()
        .table_name(&table)
        .set_item(Some(item_for(&olivia)))
        .send()
        .await
        .unwrap();

    let config = Config::from_vars(&Vars::from_pairs([
        ("LEGACY_USERS_TABLE_NAME", table.as_str()),
        ("ATTRIBUTE_MAP", "first_name=given_name"),
    ]))
    .unwrap();
    let store = DynamoStore::new(client.clone(), &table);

    let event = sample_event("user-migration", "UserMigration_Authentication.json");
    let out = handle(&config, &store, event.clone()).await.unwrap();
    assert_eq!(out["response"]["finalUserStatus"], "CONFIRMED");
    assert_eq!(out["response"]["userAttributes"]["given_name"], "Olivia");
    let first = store
        .find("olivia.martin@example.com")
        .await
        .unwrap()
        .unwrap()
        .migrated_at
        .expect("migration time recorded");

    // A second migration (the Cognito user was deleted and signs in again) keeps the first time.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    handle(&config, &store, event.clone()).await.unwrap();
    let again = store
        .find("olivia.martin@example.com")
        .await
        .unwrap()
        .unwrap()
        .migrated_at
        .unwrap();
    assert_eq!(first, again);

    let mut wrong = event;
    wrong["request"]["password"] = "Legacy-Passw0rd?".into();
    assert_eq!(
        handle(&config, &store, wrong)
            .await
            .unwrap_err()
            .user_message(),
        REFUSAL
    );
}

/// The invocation against a legacy table that accepts connections and never
/// answers, with the default budgets: how long until the answer.
#[tokio::test]
async fn a_hanging_table_is_answered_within_the_budget() {
    let (endpoint, _server) = test_support::aws::hanging_endpoint();
    let config = Config::from_vars(&Vars::from_pairs([(
        "LEGACY_USERS_TABLE_NAME",
        "legacy-users",
    )]))
    .unwrap();
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk_config_for(&endpoint, config.store_budget).await),
        "legacy-users",
    );
    let event = sample_event("user-migration", "UserMigration_Authentication.json");
    let started = std::time::Instant::now();
    let err = handle(&config, &store, event).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.error_type(), "LookupFailed");
    assert!(took < config.budget, "took {took:?}");
    assert!(took >= config.store_budget, "gave up after {took:?}");
    eprintln!(
        "user-migration, legacy table hanging: answered in {took:?} (STORE_BUDGET_MS {:?}, MIGRATION_BUDGET_MS {:?})",
        config.store_budget, config.budget
    );
}
