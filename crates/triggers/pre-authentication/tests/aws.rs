#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The trigger against servers speaking the AWS protocols (moto's DynamoDB and
//! cognito-idp, started by `make test`), and against a refused and a hanging endpoint.

mod common;
use common::{config, handle, shown};

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use cognito_admin::CognitoGroups;
use pre_authentication::status::DynamoStatuses;
use serde_json::Value;
use test_support::aws::{
    create_pool, create_table, hanging_endpoint, moto_endpoint, refused_endpoint, sdk_config_for,
    unique_name,
};
use test_support::sample_event;

struct Moto {
    statuses: DynamoStatuses,
    groups: CognitoGroups,
    table: String,
    pool: String,
    client: String,
    ddb: aws_sdk_dynamodb::Client,
}

/// In moto: a status table, a pool with an app client, the group `staff`, and the
/// users `ana` (in staff) and `ben` (in no group).
async fn moto() -> Moto {
    let sdk = sdk_config_for(&moto_endpoint(), Duration::from_secs(4)).await;
    let ddb = aws_sdk_dynamodb::Client::new(&sdk);
    let table = unique_name("account-status");
    create_table(&ddb, &table, &["sub"]).await;
    let idp = aws_sdk_cognitoidentityprovider::Client::new(&sdk);
    let pool = create_pool(&idp, &["staff"], &[("ana", &[]), ("ben", &[])]).await;
    let client = idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .send()
        .await
        .unwrap();
    let client = client.user_pool_client.unwrap().client_id.unwrap();
    idp.admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("ana")
        .group_name("staff")
        .send()
        .await
        .unwrap();
    Moto {
        statuses: DynamoStatuses::new(ddb.clone(), &table),
        groups: CognitoGroups::new(idp),
        table,
        pool,
        client,
        ddb,
    }
}

/// The back office writes `sub`'s status row.
async fn put_status(m: &Moto, sub: &str, status: &str, until: Option<&str>) {
    let mut item = vec![
        ("sub", AttributeValue::S(sub.into())),
        ("status", AttributeValue::S(status.into())),
    ];
    item.extend(until.map(|u| ("until", AttributeValue::S(u.into()))));
    m.ddb
        .put_item()
        .table_name(&m.table)
        .set_item(Some(
            item.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        ))
        .send()
        .await
        .unwrap();
}

/// The answer to `user`'s sign-in (`not_found`: Cognito's userNotFound event).
async fn sign_in(
    m: &Moto,
    config: &pre_authentication::Config,
    user: &str,
    not_found: bool,
) -> Result<Value, trigger_core::TriggerError> {
    handle(
        config,
        &m.statuses,
        &m.groups,
        event_for(m, user, not_found),
    )
    .await
}

/// A sign-in event of `user` (sub = user name) to the pool and client of `m`.
fn event_for(m: &Moto, user: &str, not_found: bool) -> Value {
    let file = if not_found {
        "PreAuthentication_Authentication-user-not-found.json"
    } else {
        "PreAuthentication_Authentication.json"
    };
    let mut e = sample_event("pre-authentication", file);
    e["userPoolId"] = m.pool.clone().into();
    e["userName"] = user.into();
    e["callerContext"]["clientId"] = m.client.clone().into();
    if !not_found {
        e["request"]["userAttributes"]["sub"] = user.into();
    }
    e
}

#[tokio::test]
async fn rows_and_groups_from_the_servers_decide() {
    let m = moto().await;
    put_status(&m, "ana", "suspended", Some("2999-01-01T00:00:00Z")).await;
    let restricted = config(&[
        ("ACCOUNT_STATUS_TABLE_NAME", &m.table),
        ("CLIENT_GROUPS", &format!("{}=staff", m.client)),
    ]);
    let ana = sign_in(&m, &restricted, "ana", false).await;
    assert_eq!(
        shown(&ana),
        Err("Your account is suspended until 2999-01-01 00:00 UTC")
    );
    let ben = sign_in(&m, &restricted, "ben", false).await;
    assert_eq!(
        shown(&ben),
        Err("Your account does not have access to this app")
    );
    // Nobody: the same lookups, the answer ben gets.
    let started = Instant::now();
    let nobody = sign_in(&m, &restricted, "nobody@example.com", true).await;
    eprintln!("unknown user against moto: {:?}", started.elapsed());
    assert_eq!(shown(&nobody), shown(&ben));
    // Lifted: ana is in staff.
    put_status(&m, "ana", "active", None).await;
    let started = Instant::now();
    let ana = sign_in(&m, &restricted, "ana", false).await;
    eprintln!("normal sign-in against moto: {:?}", started.elapsed());
    assert!(ana.is_ok(), "{ana:?}");
}

#[tokio::test]
async fn an_unusable_row_follows_on_lookup_failure() {
    let m = moto().await;
    put_status(&m, "ben", "banned", None).await;
    let deny = config(&[("ACCOUNT_STATUS_TABLE_NAME", &m.table)]);
    let ben = sign_in(&m, &deny, "ben", false).await;
    assert_eq!(
        shown(&ben),
        Err("Sign-in is unavailable right now. Please try again in a moment")
    );
    let allow = config(&[
        ("ACCOUNT_STATUS_TABLE_NAME", &m.table),
        ("ON_LOOKUP_FAILURE", "allow"),
    ]);
    assert!(sign_in(&m, &allow, "ben", false).await.is_ok());
}

/// Both lookups against `endpoint`, under both settings of ON_LOOKUP_FAILURE: the
/// answer it names, within the budget.
async fn follows_on_lookup_failure_within_the_budget(endpoint: &str) -> Duration {
    let budget = Duration::from_millis(400);
    let sdk = sdk_config_for(endpoint, budget).await;
    let statuses = DynamoStatuses::new(aws_sdk_dynamodb::Client::new(&sdk), "account-status");
    let groups = CognitoGroups::new(aws_sdk_cognitoidentityprovider::Client::new(&sdk));
    let event = sample_event(
        "pre-authentication",
        "PreAuthentication_Authentication.json",
    );
    let client_groups = format!("{}=staff", common::CLIENT);
    let mut slowest = Duration::ZERO;
    for (on_failure, allowed) in [("deny", false), ("allow", true)] {
        let config = config(&[
            ("ACCOUNT_STATUS_TABLE_NAME", "account-status"),
            ("CLIENT_GROUPS", &client_groups),
            ("PRE_AUTH_BUDGET_MS", "400"),
            ("ON_LOOKUP_FAILURE", on_failure),
        ]);
        let started = Instant::now();
        let answer = handle(&config, &statuses, &groups, event.clone()).await;
        let took = started.elapsed();
        assert_eq!(answer.is_ok(), allowed, "{on_failure}: {answer:?}");
        assert!(
            took < budget + Duration::from_millis(150),
            "{on_failure}: took {took:?}"
        );
        eprintln!("{endpoint}, ON_LOOKUP_FAILURE={on_failure}: {took:?}");
        slowest = slowest.max(took);
    }
    slowest
}

#[tokio::test]
async fn a_server_that_refuses_follows_on_lookup_failure_within_the_budget() {
    follows_on_lookup_failure_within_the_budget(&refused_endpoint()).await;
}

#[tokio::test]
async fn a_server_that_hangs_follows_on_lookup_failure_within_the_budget() {
    let (endpoint, _server) = hanging_endpoint();
    let took = follows_on_lookup_failure_within_the_budget(&endpoint).await;
    assert!(took >= Duration::from_millis(300), "gave up after {took:?}");
}
