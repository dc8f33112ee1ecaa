#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The handler against every sample event in `events/pre-authentication/` with
//! in-memory ports: each rule, and unknown users answered as known ones.

mod common;
use common::{config, handle, shown, CLIENT, MARIA, NOAH, POOL};

use std::time::{Duration, SystemTime};

use cognito_admin::InMemoryGroups;
use pre_authentication::status::{AccountStatus, InMemoryStatuses};
use serde_json::Value;
use test_support::{lost_fields, sample_event, sample_events};
use trigger_core::time::human_time;

fn event(file: &str) -> Value {
    sample_event("pre-authentication", file)
}

/// Noah is suspended for good; everyone else has no row.
fn statuses() -> InMemoryStatuses {
    InMemoryStatuses::default().with(NOAH, AccountStatus::Suspended { until: None })
}

fn pool() -> InMemoryGroups {
    InMemoryGroups::with(POOL, &[MARIA, NOAH], &["staff"])
}

#[tokio::test]
async fn every_sample_event_is_answered_as_its_name_says() {
    let config = config(&[
        ("REQUIRE_VERIFIED_EMAIL", "true"),
        ("SUPPORT_EMAIL", "support@acme.example"),
    ]);
    let (statuses, groups) = (statuses(), pool());
    for (file, event) in sample_events("pre-authentication") {
        let answer = handle(&config, &statuses, &groups, event.clone()).await;
        match file.as_str() {
            "PreAuthentication_Authentication-suspended.json" => assert_eq!(
                shown(&answer),
                Err("Your account is suspended. For help, write to support@acme.example"),
                "{file}"
            ),
            "PreAuthentication_Authentication-unverified.json" => {
                let sentence = shown(&answer).unwrap_err();
                assert!(
                    sentence.starts_with("Please verify your email address"),
                    "{file}: {sentence}"
                );
            }
            _ => {
                let out = answer.unwrap_or_else(|e| panic!("{file}: refused: {e:?}"));
                assert_eq!(out["response"], serde_json::json!({}), "{file}");
                assert!(
                    lost_fields(&event, &out).is_empty(),
                    "{file}: the event comes back whole"
                );
            }
        }
    }
}

#[tokio::test]
async fn by_default_the_account_checks_are_left_to_token_time_and_tell_strangers_nothing() {
    // ACCOUNT_CHECKS_AT unset: a suspended or unverified account is not refused
    // before its password is checked (pre-token-generation refuses it after), and no
    // status is looked up for anyone, known or not.
    let config = pre_authentication::Config::from_vars(&trigger_core::Vars::from_pairs([
        ("ACCOUNT_STATUS_TABLE_NAME", "status"),
        ("REQUIRE_VERIFIED_EMAIL", "true"),
    ]))
    .unwrap();
    assert!(config.status_table.is_none() && !config.require_verified_email);
    let (statuses, groups) = (statuses(), pool());
    for file in [
        "PreAuthentication_Authentication-suspended.json",
        "PreAuthentication_Authentication-unverified.json",
        "PreAuthentication_Authentication-user-not-found.json",
        "PreAuthentication_Authentication.json",
    ] {
        let answer = handle(&config, &statuses, &groups, event(file)).await;
        assert!(answer.is_ok(), "{file}: {answer:?}");
    }
    assert_eq!(statuses.lookups(), 0);
}

#[tokio::test]
async fn a_suspension_with_an_end_names_it_and_ends() {
    let config = config(&[]);
    let until = SystemTime::now() + Duration::from_secs(3600);
    let statuses =
        InMemoryStatuses::default().with(NOAH, AccountStatus::Suspended { until: Some(until) });
    let answer = handle(
        &config,
        &statuses,
        &pool(),
        event("PreAuthentication_Authentication-suspended.json"),
    )
    .await;
    assert_eq!(
        shown(&answer).unwrap_err(),
        format!("Your account is suspended until {}", human_time(until))
    );
    let over = InMemoryStatuses::default().with(
        NOAH,
        AccountStatus::Suspended {
            until: Some(SystemTime::now() - Duration::from_secs(1)),
        },
    );
    assert!(handle(
        &config,
        &over,
        &pool(),
        event("PreAuthentication_Authentication-suspended.json")
    )
    .await
    .is_ok());
}

#[tokio::test]
async fn the_pause_refuses_everyone_without_looking_anything_up() {
    let config = config(&[
        ("SIGN_IN_PAUSED", "true"),
        ("SIGN_IN_PAUSED_MESSAGE", "Back at 10:00 UTC"),
    ]);
    let statuses = statuses();
    for (file, event) in sample_events("pre-authentication") {
        let answer = handle(&config, &statuses, &pool(), event).await;
        assert_eq!(shown(&answer), Err("Back at 10:00 UTC"), "{file}");
    }
    assert_eq!(statuses.lookups(), 0);
}

#[tokio::test]
async fn a_restricted_client_admits_its_groups_only() {
    let config = config(&[("CLIENT_GROUPS", &format!("{CLIENT}=staff|admins"))]);
    let groups = pool();
    let maria = event("PreAuthentication_Authentication.json");
    let refused = handle(&config, &statuses(), &groups, maria.clone()).await;
    assert_eq!(
        shown(&refused),
        Err("Your account does not have access to this app")
    );
    use cognito_admin::GroupMembership;
    groups.add_to_group(POOL, MARIA, "staff").await.unwrap();
    assert!(handle(&config, &statuses(), &groups, maria.clone())
        .await
        .is_ok());
    // Another app client is not restricted.
    let mut elsewhere = maria;
    elsewhere["callerContext"]["clientId"] = "7bq3k0pq1c2vreportsvc01".into();
    let groups = pool();
    assert!(handle(&config, &statuses(), &groups, elsewhere)
        .await
        .is_ok());
}

/// An unknown user and a verified user with no row and no groups, under every
/// combination of rules: the same answer, after the same lookups.
#[tokio::test]
async fn an_unknown_user_is_answered_as_a_known_one_in_text_and_in_lookups() {
    let client_groups = format!("{CLIENT}=staff");
    let settings: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("REQUIRE_VERIFIED_EMAIL", "true")],
        vec![("CLIENT_GROUPS", &client_groups)],
        vec![
            ("CLIENT_GROUPS", &client_groups),
            ("REQUIRE_VERIFIED_EMAIL", "true"),
        ],
    ];
    let known = event("PreAuthentication_Authentication.json");
    let unknown = event("PreAuthentication_Authentication-user-not-found.json");
    for pairs in settings {
        let config = config(&pairs);
        let (known_rows, unknown_rows) = (statuses(), statuses());
        let (known_groups, unknown_groups) = (pool(), pool());
        let a = handle(&config, &known_rows, &known_groups, known.clone()).await;
        let b = handle(&config, &unknown_rows, &unknown_groups, unknown.clone()).await;
        assert_eq!(shown(&a).is_ok(), shown(&b).is_ok(), "{pairs:?}");
        assert_eq!(shown(&a).err(), shown(&b).err(), "{pairs:?}");
        assert_eq!(known_rows.lookups(), unknown_rows.lookups(), "{pairs:?}");
        assert_eq!(known_rows.lookups(), 1);
        assert_eq!(known_groups.calls(), unknown_groups.calls(), "{pairs:?}");
        let restricted = pairs.iter().any(|(var, _)| *var == "CLIENT_GROUPS");
        assert_eq!(known_groups.calls(), usize::from(restricted), "{pairs:?}");
    }
}

#[tokio::test]
async fn a_failed_lookup_denies_by_default_and_allows_when_told() {
    let down = InMemoryStatuses::failing("connection refused");
    let maria = event("PreAuthentication_Authentication.json");
    let denied = handle(&config(&[]), &down, &pool(), maria.clone()).await;
    assert_eq!(
        shown(&denied),
        Err("Sign-in is unavailable right now. Please try again in a moment")
    );
    let allowed = handle(
        &config(&[("ON_LOOKUP_FAILURE", "allow")]),
        &down,
        &pool(),
        maria.clone(),
    )
    .await;
    assert!(allowed.is_ok());
    // The groups API down, for a restricted client.
    let restricted = config(&[("CLIENT_GROUPS", &format!("{CLIENT}=staff"))]);
    let groups_down = InMemoryGroups::failing("throttled");
    assert!(handle(&restricted, &statuses(), &groups_down, maria)
        .await
        .is_err());
}
