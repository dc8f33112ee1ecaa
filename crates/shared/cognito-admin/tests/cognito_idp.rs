#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The Cognito adapter against a server speaking the cognito-idp protocol (moto,
//! started by `make test`), and against a refused and a hanging endpoint.

use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use cognito_admin::{CognitoGroups, GroupError, GroupMembership};
use test_support::aws::{
    create_pool, hanging_endpoint, moto_endpoint, refused_endpoint, sdk_config_for,
};

async fn client(endpoint: &str, budget: Duration) -> Client {
    Client::new(&sdk_config_for(endpoint, budget).await)
}

/// A pool with the groups `readers` and `staff` and the user `ana`.
async fn pool(client: &Client) -> String {
    create_pool(client, &["readers", "staff"], &[("ana", &[])]).await
}

#[tokio::test]
async fn adding_twice_makes_one_membership() {
    let client = client(&moto_endpoint(), Duration::from_secs(2)).await;
    let pool = pool(&client).await;
    let groups = CognitoGroups::new(client);
    assert!(groups.groups_of(&pool, "ana").await.unwrap().is_empty());
    groups.add_to_group(&pool, "ana", "readers").await.unwrap();
    groups.add_to_group(&pool, "ana", "readers").await.unwrap();
    assert_eq!(
        groups.groups_of(&pool, "ana").await.unwrap(),
        vec!["readers"]
    );
}

#[tokio::test]
async fn unknown_users_and_groups_are_told_apart_from_outages() {
    let client = client(&moto_endpoint(), Duration::from_secs(2)).await;
    let pool = pool(&client).await;
    let groups = CognitoGroups::new(client);
    assert_eq!(
        groups.add_to_group(&pool, "nobody", "readers").await,
        Err(GroupError::UserNotFound)
    );
    assert_eq!(
        groups.groups_of(&pool, "nobody").await,
        Err(GroupError::UserNotFound)
    );
    assert_eq!(
        groups.add_to_group(&pool, "ana", "admins").await,
        Err(GroupError::GroupNotFound)
    );
}

async fn unavailable_within(endpoint: &str) -> Duration {
    let budget = Duration::from_millis(400);
    let groups = CognitoGroups::new(client(endpoint, budget).await);
    let started = Instant::now();
    let result = groups.groups_of("eu-west-1_Xq8LmN3pR", "ana").await;
    let took = started.elapsed();
    assert!(
        matches!(result, Err(GroupError::Unavailable(_))),
        "{result:?}"
    );
    // The SDK settings of trigger_core::aws::within_budget end the call by the budget.
    assert!(took < budget + Duration::from_millis(300), "took {took:?}");
    took
}

#[tokio::test]
async fn a_server_that_refuses_is_unavailable_within_the_budget() {
    unavailable_within(&refused_endpoint()).await;
}

#[tokio::test]
async fn a_server_that_hangs_is_unavailable_within_the_budget() {
    let (endpoint, _server) = hanging_endpoint();
    let took = unavailable_within(&endpoint).await;
    assert!(took >= Duration::from_millis(150), "gave up after {took:?}");
}
