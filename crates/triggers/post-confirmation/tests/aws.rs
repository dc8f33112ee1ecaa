#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The whole trigger against servers speaking the AWS protocols (moto's cognito-idp,
//! DynamoDB and SES, started by `make test`), and against a refused and a hanging
//! endpoint.

mod common;
use common::{config, handle, ports, steps, FROM};

use std::time::{Duration, Instant};

use cognito_admin::{CognitoGroups, GroupMembership};
use mailer::SesMailer;
use post_confirmation::adapters::DynamoProfiles;
use post_confirmation::{Config, Outcome};
use serde_json::Value;
use test_support::aws::{
    create_pool, create_table, hanging_endpoint, moto_endpoint, refused_endpoint, sdk_config_for,
    sent_mail, unique_name,
};
use test_support::{lost_fields, sample_event};

struct Stack {
    groups: CognitoGroups,
    profiles: DynamoProfiles,
    mailer: SesMailer,
    config: Config,
}

/// Adapters on `endpoint` with calls bounded by `budget`, and the config naming `table`.
async fn stack(endpoint: &str, budget: Duration, table: &str) -> Stack {
    let sdk = sdk_config_for(endpoint, budget).await;
    let budget_ms = budget.as_millis().to_string();
    Stack {
        groups: CognitoGroups::new(aws_sdk_cognitoidentityprovider::Client::new(&sdk)),
        profiles: DynamoProfiles::new(aws_sdk_dynamodb::Client::new(&sdk), table),
        mailer: SesMailer::new(aws_sdk_ses::Client::new(&sdk), FROM),
        config: config(&[
            ("PROFILE_TABLE_NAME", table),
            ("POST_CONFIRMATION_BUDGET_MS", &budget_ms),
        ]),
    }
}

/// In moto: a pool with the group `readers` and a user, a profile table, a verified
/// sender; and the sign-up event of that user (a unique address per test).
async fn moto_user() -> (Stack, Value, String) {
    let endpoint = moto_endpoint();
    let sdk = sdk_config_for(&endpoint, Duration::from_secs(4)).await;
    let idp = aws_sdk_cognitoidentityprovider::Client::new(&sdk);
    let username = unique_name("maria");
    let pool = create_pool(&idp, &["readers"], &[(&username, &[])]).await;
    let table = unique_name("profiles");
    create_table(&aws_sdk_dynamodb::Client::new(&sdk), &table, &["sub"]).await;
    aws_sdk_ses::Client::new(&sdk)
        .verify_email_identity()
        .email_address(FROM)
        .send()
        .await
        .unwrap();
    let mut event = sample_event("post-confirmation", "PostConfirmation_ConfirmSignUp.json");
    event["userPoolId"] = pool.into();
    event["userName"] = username.clone().into();
    event["request"]["userAttributes"]["sub"] = username.clone().into();
    event["request"]["userAttributes"]["email"] = format!("{username}@example.com").into();
    (
        stack(&endpoint, Duration::from_secs(4), &table).await,
        event,
        username,
    )
}

#[tokio::test]
async fn two_runs_make_one_membership_one_profile_and_one_welcome() {
    let (s, event, username) = moto_user().await;
    let pool = event["userPoolId"].as_str().unwrap().to_owned();
    let to = format!("{username}@example.com");
    for run in 0..2 {
        let started = Instant::now();
        let out = handle(
            &s.config,
            ports(&s.groups, &s.profiles, &s.mailer),
            event.clone(),
        )
        .await
        .unwrap();
        eprintln!("run {run} against moto: {:?}", started.elapsed());
        assert!(lost_fields(&event, &out).is_empty());
    }
    assert_eq!(
        s.groups.groups_of(&pool, &username).await.unwrap(),
        vec!["readers"]
    );
    let row = s
        .profiles
        .row(&username)
        .await
        .unwrap()
        .expect("a profile row");
    assert_eq!(row["email"], to);
    assert_eq!(row["username"], username);
    assert_eq!(row["user_pool_id"], pool);
    assert_eq!(row["trigger_source"], "PostConfirmation_ConfirmSignUp");
    assert!(row["created_at"].ends_with('Z'));
    assert!(row.contains_key("welcome_sent_at"));
    let welcomes: Vec<_> = sent_mail(&moto_endpoint(), &to);
    assert_eq!(welcomes.len(), 1, "{welcomes:?}");
    assert_eq!(welcomes[0].from, FROM);
    assert!(welcomes[0].body.contains("lang=\"es\""));

    // A third run reports what the first two did.
    let report = steps(&s.config, ports(&s.groups, &s.profiles, &s.mailer), &event).await;
    assert_eq!(report.profile, Outcome::AlreadyDone);
    assert_eq!(report.email, Outcome::AlreadyDone);
    assert_eq!(report.failures(), 0);
}

#[tokio::test]
async fn the_password_notice_is_sent_once_per_reset() {
    let (s, _, username) = moto_user().await;
    let mut event = sample_event(
        "post-confirmation",
        "PostConfirmation_ConfirmForgotPassword.json",
    );
    event["request"]["userAttributes"]["sub"] = username.clone().into();
    let to = format!("{username}@example.de");
    event["request"]["userAttributes"]["email"] = to.clone().into();
    let first = steps(&s.config, ports(&s.groups, &s.profiles, &s.mailer), &event).await;
    let retry = steps(&s.config, ports(&s.groups, &s.profiles, &s.mailer), &event).await;
    assert_eq!(
        (first.email, retry.email),
        (Outcome::Done, Outcome::AlreadyDone)
    );
    let sent: Vec<_> = sent_mail(&moto_endpoint(), &to);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].body.contains("lang=\"de\""));
}

/// The whole invocation against `endpoint`: success, within the budget, with every
/// configured step counted as failed.
async fn fails_softly_within_the_budget(endpoint: &str) -> Duration {
    let budget = Duration::from_millis(400);
    let s = stack(endpoint, budget, "profiles").await;
    let event = sample_event("post-confirmation", "PostConfirmation_ConfirmSignUp.json");
    let started = Instant::now();
    let report = steps(&s.config, ports(&s.groups, &s.profiles, &s.mailer), &event).await;
    let took = started.elapsed();
    assert!(report.group.failed(), "{:?}", report.group);
    assert!(report.profile.failed(), "{:?}", report.profile);
    assert!(report.email.failed(), "{:?}", report.email);
    assert!(took < budget + Duration::from_millis(150), "took {took:?}");
    let started = Instant::now();
    let out = handle(
        &s.config,
        ports(&s.groups, &s.profiles, &s.mailer),
        event.clone(),
    )
    .await
    .expect("the confirmation is never failed");
    assert!(started.elapsed() < budget + Duration::from_millis(150));
    assert!(lost_fields(&event, &out).is_empty());
    eprintln!("{endpoint}: all steps failed in {took:?}");
    took
}

#[tokio::test]
async fn a_server_that_refuses_costs_success_within_the_budget() {
    fails_softly_within_the_budget(&refused_endpoint()).await;
}

#[tokio::test]
async fn a_server_that_hangs_costs_success_within_the_budget() {
    let (endpoint, _server) = hanging_endpoint();
    let took = fails_softly_within_the_budget(&endpoint).await;
    assert!(took >= Duration::from_millis(300), "gave up after {took:?}");
}
