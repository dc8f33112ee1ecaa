#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `legacy-import --rekey` against moto: a role row the back office keyed by the legacy
//! user moves to the imported user's new sub, a second run changes nothing, and
//! pre-token-generation then finds the role for that user.

mod common;

use std::time::Duration;

use account_status::DynamoStatuses;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
use aws_sdk_dynamodb::types::AttributeValue;
use pre_token_generation::adapters::DynamoDirectory;
use pre_token_generation::{handler, Config, Ports};
use serde_json::json;
use test_support::aws::{create_table, moto_endpoint, pool_id, sdk_config_for, unique_name};
use trigger_core::Vars;

fn rekey(pool: &str, table: &str) -> (i32, String) {
    let out = common::legacy_import()
        .args(["--rekey", &format!("{table}:id"), "--user-pool-id", pool])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    (out.status.code().unwrap(), text)
}

#[tokio::test(flavor = "multi_thread")]
async fn role_rows_follow_the_user_to_the_new_sub() {
    let sdk = sdk_config_for(&moto_endpoint(), Duration::from_secs(20)).await;
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(&sdk);
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let pool = pool_id(cognito.create_user_pool().pool_name(unique_name("rekey"))).await;
    // As the import job makes them: the legacy email as username and attribute.
    let email = "olivia.martin@example.com";
    cognito
        .admin_create_user()
        .user_pool_id(&pool)
        .username(email)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(email)
                .build()
                .unwrap(),
        )
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let sub = cognito
        .admin_get_user()
        .user_pool_id(&pool)
        .username(email)
        .send()
        .await
        .unwrap()
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value().map(str::to_owned))
        .unwrap();
    let table = unique_name("roles");
    create_table(&dynamodb, &table, &["id"]).await;
    dynamodb
        .put_item()
        .table_name(&table)
        .item("id", AttributeValue::S(email.into()))
        .item("role", AttributeValue::S("editor".into()))
        .send()
        .await
        .unwrap();

    let (code, text) = rekey(&pool, &table);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("1 users, 1 rows moved to their sub, 0 left"),
        "{text}"
    );
    let under = |key: &str| {
        let (dynamodb, table, key) = (dynamodb.clone(), table.clone(), key.to_owned());
        async move {
            dynamodb
                .get_item()
                .table_name(&table)
                .key("id", AttributeValue::S(key))
                .send()
                .await
                .unwrap()
                .item
        }
    };
    assert!(under(email).await.is_none(), "the legacy key's row is gone");
    assert_eq!(
        under(&sub).await.unwrap()["role"],
        AttributeValue::S("editor".into())
    );
    let (code, text) = rekey(&pool, &table);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("1 users, 0 rows moved"),
        "a second run changes nothing: {text}"
    );

    // pre-token-generation, reading the table by sub, gives the re-keyed role.
    let config = Config::from_vars(&Vars::from_pairs([
        ("ROLE_SOURCES", "table"),
        ("ROLE_TABLE_NAME", table.as_str()),
    ]))
    .unwrap();
    let directory = DynamoDirectory::new(dynamodb.clone(), table.clone());
    let ports: Ports<'_, DynamoDirectory, DynamoStatuses> = Ports {
        roles: Some(&directory),
        statuses: None,
    };
    let event = json!({
        "version": "1",
        "triggerSource": "TokenGeneration_Authentication",
        "region": "us-east-1",
        "userPoolId": pool,
        "userName": email,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client"},
        "request": {
            "userAttributes": {"sub": sub, "email": email},
            "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null}
        },
        "response": {"claimsOverrideDetails": null}
    });
    let out = test_support::answer(|e| handler(&config, ports, e), event)
        .await
        .unwrap();
    assert_eq!(
        out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]["custom:role"],
        "editor"
    );
}
