#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `legacy-import --to cognito-csv --start-job` against the local stand-in for Cognito's
//! user import jobs (scripts/user_import.py, served by the moto server `make test`
//! starts): 10,000 legacy rows to a finished job, every user in the pool with the
//! attributes of its row, a row rejected before upload named by its line, and a row the
//! job fails named by its legacy line.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, SchemaAttributeType, StringAttributeConstraintsType, VerifiedAttributeType,
};
use test_support::aws::{moto_endpoint, pool_id, sdk_config_for, unique_name};

const USERS: u64 = 10_000;
const ROLE: &str = "arn:aws:iam::123456789012:role/acme-user-import-logs";

async fn cognito() -> aws_sdk_cognitoidentityprovider::Client {
    aws_sdk_cognitoidentityprovider::Client::new(
        &sdk_config_for(&moto_endpoint(), Duration::from_secs(60)).await,
    )
}

/// A pool with emails auto-verified and a custom attribute of at most 8 characters.
/// (Usernames are not email aliases here, as they are in the template's pool: moto finds
/// an alias by reading every user, which would make 10,000 imports take minutes.)
async fn pool(client: &aws_sdk_cognitoidentityprovider::Client) -> String {
    let plan = SchemaAttributeType::builder()
        .name("plan")
        .attribute_data_type(AttributeDataType::String)
        .mutable(true)
        .string_attribute_constraints(
            StringAttributeConstraintsType::builder()
                .min_length("1")
                .max_length("8")
                .build(),
        )
        .build();
    pool_id(
        client
            .create_user_pool()
            .pool_name(unique_name("import"))
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .schema(plan),
    )
    .await
}

async fn users(
    client: &aws_sdk_cognitoidentityprovider::Client,
    pool: &str,
) -> HashMap<String, (String, HashMap<String, String>)> {
    let mut found = HashMap::new();
    let mut token = None;
    loop {
        let page = client
            .list_users()
            .user_pool_id(pool)
            .set_pagination_token(token)
            .limit(60)
            .send()
            .await
            .unwrap();
        for user in page.users() {
            let attributes: HashMap<String, String> = user
                .attributes()
                .iter()
                .map(|a| {
                    (
                        a.name().to_owned(),
                        a.value().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            let status = user
                .user_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            found.insert(attributes["email"].clone(), (status, attributes));
        }
        token = page.pagination_token;
        if token.is_none() {
            return found;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_thousand_legacy_rows_to_a_finished_job() {
    let client = cognito().await;
    let pool = pool(&client).await;
    let dir = std::env::temp_dir().join(unique_name("import-job"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut legacy = String::from("username,email,password_hash,first_name,plan,birthdate\n");
    for n in 0..USERS {
        legacy.push_str(&format!(
            "user{n:05}@example.com,user{n:05}@example.com,$2b$10$x,First{n},pro,04/01/1990\n"
        ));
    }
    // Line USERS + 2: refused before upload. Line USERS + 3: a plan longer than the
    // pool allows, which only the job finds.
    legacy.push_str("late@example.com,late@example.com,$2b$10$x,Late,pro,1990-04-01\n");
    legacy.push_str("long@example.com,long@example.com,$2b$10$x,Long,enterprise,\n");
    std::fs::write(dir.join("users.csv"), legacy).unwrap();
    let out = common::legacy_import()
        .arg(dir.join("users.csv"))
        .args(["--to", "cognito-csv"])
        .arg(dir.join("import.csv"))
        .args([
            "--user-pool-id",
            &pool,
            "--start-job",
            "--cloudwatch-logs-role-arn",
            ROLE,
        ])
        .args(["--assume-email-verified", "--poll-ms", "200"])
        .env("ATTRIBUTE_MAP", "first_name=given_name,plan=custom:plan")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    let refused = USERS + 2;
    let failed = USERS + 3;
    assert!(
        stdout.contains(&format!("rejected: line {refused}: birthdate: not a date")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "failed in the job: line {failed} ({} line {}): The user data doesn't match the schema.",
            dir.join("import.csv").display(),
            USERS + 2
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "imported {USERS}, skipped 0 (already in the pool), failed 1"
        )),
        "{stdout}"
    );
    let pooled = users(&client, &pool).await;
    assert_eq!(pooled.len() as u64, USERS, "every user in the pool");
    let (status, attributes) = &pooled["user04242@example.com"];
    assert_eq!(
        status, "RESET_REQUIRED",
        "imported users reset their password"
    );
    assert_eq!(attributes["given_name"], "First4242");
    assert_eq!(attributes["custom:plan"], "pro");
    assert_eq!(attributes["birthdate"], "04/01/1990");
    assert_eq!(attributes["email_verified"], "true");
    assert!(!pooled.contains_key("long@example.com") && !pooled.contains_key("late@example.com"));
    let _ = std::fs::remove_dir_all(&dir);
}
