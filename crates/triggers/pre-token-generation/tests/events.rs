#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The handler against every sample event in `events/pre-token-generation/`.

mod common;
use common::{handle, handle_with};

use pre_token_generation::ports::{DirectoryEntry, InMemoryDirectory, LookupError};
use pre_token_generation::Config;
use serde_json::{json, Map, Value};
use test_support::{lost_fields, sample_event, sample_events, upstream_fixtures};
use trigger_core::Vars;

const ADMIN_ROLE: &str = "arn:aws:iam::123456789012:role/notes-admin";
const EDITOR_ROLE: &str = "arn:aws:iam::123456789012:role/notes-editor";
const USER_ROLE: &str = "arn:aws:iam::123456789012:role/notes-user";

fn config(extra: &[(&str, &str)]) -> Config {
    let admin = format!("admin={ADMIN_ROLE},editor={EDITOR_ROLE},user={USER_ROLE}");
    let mut vars = vec![
        ("ROLE_SOURCES", "groups,table"),
        ("ROLE_TABLE_NAME", "roles"),
        ("GROUP_ROLES", "admins=admin,editors=editor,staff=user"),
        ("ROLE_PRECEDENCE", "admin,editor,auditor,user"),
        (
            "ROLE_SCOPES",
            "admin=notes/admin notes/read;editor=notes/write notes/read;user=notes/read",
        ),
        ("ROLE_IAM_ROLES", admin.as_str()),
        ("SUPPRESS_CLAIMS", "phone_number"),
    ];
    vars.extend_from_slice(extra);
    Config::from_vars(&Vars::from_pairs(vars)).unwrap()
}

fn directory() -> InMemoryDirectory {
    let claims = |pairs: &[(&str, Value)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<Map<_, _>>()
    };
    InMemoryDirectory::default()
        .with(
            "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1",
            DirectoryEntry {
                role: Some("user".into()),
                claims: claims(&[("tenant_id", json!("acme-eu"))]),
                scopes: vec![],
            },
        )
        .with(
            "3a9d2b61-7e04-4c58-b1f3-8d6e0a2c4b97",
            DirectoryEntry {
                role: Some("auditor".into()),
                claims: claims(&[
                    ("tenant_id", json!("acme-de")),
                    ("permissions", json!(["reports:read", "audit:export"])),
                ]),
                scopes: vec!["notes/audit".into()],
            },
        )
        .with(
            "7bq3k0pq1c2vreportsvc01",
            DirectoryEntry {
                role: None,
                claims: claims(&[("partner", json!("reports-service"))]),
                scopes: vec!["reports/read".into(), "notes/read".into()],
            },
        )
}

/// (role in the tokens, groups kept, scopes added in V2/V3)
fn expectation(
    file: &str,
) -> (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
) {
    match file {
        "V1-TokenGeneration_Authentication.json" => ("editor", &["editors"], &[]),
        "V1-TokenGeneration_HostedAuth.json" => ("user", &[], &[]),
        "V2-TokenGeneration_Authentication.json" => (
            "admin",
            &["staff", "admins"],
            &["notes/admin", "notes/read"],
        ),
        "V2-TokenGeneration_RefreshTokens.json" => {
            ("editor", &["editors"], &["notes/read", "notes/write"])
        }
        // Suspended in the back office's table, which this test does not read.
        "V2-TokenGeneration_RefreshTokens-suspended.json" => ("user", &["staff"], &["notes/read"]),
        "V2-TokenGeneration_NewPasswordChallenge.json" => ("auditor", &[], &["notes/audit"]),
        "V2-TokenGeneration_AuthenticateDevice.json" => ("user", &[], &["notes/read"]),
        "V3-TokenGeneration_Authentication.json" => ("auditor", &[], &["notes/audit"]),
        "V3-TokenGeneration_ClientCredentials.json" => ("", &[], &["notes/read", "reports/read"]),
        "local-TokenGeneration_Authentication.json" => ("user", &[], &[]),
        other => panic!("{other}: add an expectation for this new sample event"),
    }
}

#[tokio::test]
async fn every_sample_event_gets_the_right_role_claims_scopes_and_groups() {
    let (config, dir) = (config(&[]), directory());
    for (file, event) in sample_events("pre-token-generation") {
        let (role, groups, scopes) = expectation(&file);
        let out = handle(&config, &dir, event.clone())
            .await
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let r = &out["response"];
        match event["version"].as_str() {
            Some("2" | "3") if file.contains("ClientCredentials") => {
                let access = &r["claimsAndScopeOverrideDetails"]["accessTokenGeneration"];
                assert_eq!(
                    access["claimsToAddOrOverride"]["partner"], "reports-service",
                    "{file}"
                );
                assert_eq!(access["scopesToAdd"], json!(scopes), "{file}");
                assert!(r["claimsAndScopeOverrideDetails"]
                    .get("groupOverrideDetails")
                    .is_none());
            }
            Some("2" | "3") => {
                let d = &r["claimsAndScopeOverrideDetails"];
                assert_eq!(
                    d["idTokenGeneration"]["claimsToAddOrOverride"]["custom:role"], role,
                    "{file}"
                );
                assert_eq!(
                    d["accessTokenGeneration"]["claimsToAddOrOverride"]["custom:role"], role,
                    "{file}"
                );
                assert_eq!(
                    d["accessTokenGeneration"]["scopesToAdd"],
                    json!(scopes),
                    "{file}"
                );
                assert_eq!(
                    d["accessTokenGeneration"]["claimsToSuppress"],
                    json!(["phone_number"]),
                    "{file}"
                );
                assert_eq!(
                    d["groupOverrideDetails"]["groupsToOverride"],
                    json!(groups),
                    "{file}"
                );
                assert!(
                    r.get("claimsOverrideDetails").is_none(),
                    "{file}: no V1 answer to a V2 event"
                );
            }
            _ => {
                let d = &r["claimsOverrideDetails"];
                assert_eq!(d["claimsToAddOrOverride"]["custom:role"], role, "{file}");
                assert_eq!(
                    d["groupOverrideDetails"]["groupsToOverride"],
                    json!(groups),
                    "{file}"
                );
                assert!(r.get("claimsAndScopeOverrideDetails").is_none(), "{file}");
            }
        }
        let lost = lost_fields(&event, &out);
        assert!(
            lost.is_empty(),
            "{file}: the event must come back whole: {lost:?}"
        );
    }
}

#[tokio::test]
async fn table_claims_reach_both_tokens_with_complex_values() {
    let event = sample_event(
        "pre-token-generation",
        "V2-TokenGeneration_NewPasswordChallenge.json",
    );
    let out = handle(&config(&[]), &directory(), event).await.unwrap();
    let id = &out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]
        ["claimsToAddOrOverride"];
    assert_eq!(id["tenant_id"], "acme-de");
    assert_eq!(id["permissions"], json!(["reports:read", "audit:export"]));
}

#[tokio::test]
async fn the_admin_gets_the_preferred_iam_role() {
    let event = sample_event(
        "pre-token-generation",
        "V2-TokenGeneration_Authentication.json",
    );
    let out = handle(&config(&[]), &directory(), event).await.unwrap();
    let g = &out["response"]["claimsAndScopeOverrideDetails"]["groupOverrideDetails"];
    assert_eq!(g["preferredRole"], ADMIN_ROLE);
    // Cognito offered the staff group's role too; the token offers the admin's alone.
    assert_eq!(g["iamRolesToOverride"], json!([ADMIN_ROLE]));
}

#[tokio::test]
async fn a_user_who_set_custom_role_to_admin_is_not_an_admin() {
    // priya's own attribute says admin; she is in no group and has no row.
    let event = sample_event(
        "pre-token-generation",
        "V2-TokenGeneration_AuthenticateDevice.json",
    );
    assert_eq!(event["request"]["userAttributes"]["custom:role"], "admin");
    let out = handle(&config(&[]), &directory(), event.clone())
        .await
        .unwrap();
    let claims = &out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]
        ["claimsToAddOrOverride"];
    assert_eq!(claims["custom:role"], "user");
    let trusting = config(&[("TRUST_ROLE_ATTRIBUTE", "true")]);
    let out = handle(&trusting, &directory(), event).await.unwrap();
    let claims = &out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]
        ["claimsToAddOrOverride"];
    assert_eq!(claims["custom:role"], "admin");
}

fn table_down() -> InMemoryDirectory {
    InMemoryDirectory {
        outage: Some(LookupError::Unavailable("connection refused".into())),
        ..Default::default()
    }
}

/// Lukas, whose row gives him the auditor role and a tenant.
fn lukas() -> Value {
    sample_event(
        "pre-token-generation",
        "V2-TokenGeneration_NewPasswordChallenge.json",
    )
}

#[tokio::test]
async fn a_table_that_is_down_denies_the_sign_in_by_default() {
    let err = handle(&config(&[]), &table_down(), lukas())
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "LookupFailed");
    assert!(!err.user_message().contains("connection refused"));
}

#[tokio::test]
async fn a_table_that_is_down_falls_back_to_the_default_role_when_configured() {
    let fallback = config(&[("ON_LOOKUP_FAILURE", "default-role")]);
    let out = handle(&fallback, &table_down(), lukas()).await.unwrap();
    let claims = &out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]
        ["claimsToAddOrOverride"];
    assert_eq!(claims["custom:role"], "user");
    assert!(claims.get("tenant_id").is_none());
}

#[tokio::test]
async fn a_malformed_row_is_a_lookup_failure() {
    let mut malformed = directory();
    malformed.rows.insert(
        "3a9d2b61-7e04-4c58-b1f3-8d6e0a2c4b97".into(),
        Err(LookupError::Malformed(
            "role is not a non-empty string".into(),
        )),
    );
    let err = handle(&config(&[]), &malformed, lukas()).await.unwrap_err();
    assert_eq!(err.error_type(), "LookupFailed");
}

#[tokio::test]
async fn groups_only_deployments_never_touch_the_table() {
    let event = sample_event(
        "pre-token-generation",
        "V1-TokenGeneration_Authentication.json",
    );
    let down = InMemoryDirectory {
        outage: Some(LookupError::Unavailable("down".into())),
        ..Default::default()
    };
    let groups_only =
        Config::from_vars(&Vars::from_pairs([("GROUP_ROLES", "editors=editor")])).unwrap();
    let out = handle(&groups_only, &down, event).await.unwrap();
    assert_eq!(
        out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]["custom:role"],
        "editor"
    );
}

#[tokio::test]
async fn unknown_sources_and_odd_shapes() {
    let dir = directory();
    let mut event = sample_event(
        "pre-token-generation",
        "V1-TokenGeneration_Authentication.json",
    );
    event["triggerSource"] = "TokenGeneration_Teleport".into();
    let err = handle(&config(&[]), &dir, event.clone()).await.unwrap_err();
    assert_eq!(err.error_type(), "UnsupportedTriggerSource");
    event["triggerSource"] = "TokenGeneration_Authentication".into();
    event["request"]["groupConfiguration"] = json!("admins");
    let err = handle(&config(&[]), &dir, event).await.unwrap_err();
    assert_eq!(err.error_type(), "MalformedEvent");
}

#[tokio::test]
async fn a_client_without_a_row_gets_its_token_unchanged() {
    let mut event = sample_event(
        "pre-token-generation",
        "V3-TokenGeneration_ClientCredentials.json",
    );
    event["callerContext"]["clientId"] = "unknownclient000000000000".into();
    let out = handle(&config(&[]), &directory(), event.clone())
        .await
        .unwrap();
    assert_eq!(out, event);
}

#[tokio::test]
async fn a_user_without_a_sub_gets_no_table_row_but_still_a_token() {
    let mut event = sample_event(
        "pre-token-generation",
        "V1-TokenGeneration_Authentication.json",
    );
    event["request"]["userAttributes"]
        .as_object_mut()
        .unwrap()
        .remove("sub");
    let down = InMemoryDirectory {
        outage: Some(LookupError::Unavailable("down".into())),
        ..Default::default()
    };
    let out = handle(&config(&[]), &down, event).await.unwrap();
    assert_eq!(
        out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]["custom:role"],
        "editor"
    );
}

#[tokio::test]
async fn the_aws_lambda_events_fixtures_are_answered_keeping_their_groups() {
    // The crate's V2 fixtures say `"version": "1"`, so they get the V1 answer the
    // version names; every one keeps the groups it was sent.
    for (name, event) in upstream_fixtures("pretokengen") {
        let out = handle(&config(&[]), &directory(), event.clone())
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let d = &out["response"]["claimsOverrideDetails"];
        assert_eq!(d["claimsToAddOrOverride"]["custom:role"], "user", "{name}");
        let sent = match &event["request"]["groupConfiguration"]["groupsToOverride"] {
            Value::Null => json!([]),
            groups => groups.clone(),
        };
        assert_eq!(
            d["groupOverrideDetails"]["groupsToOverride"], sent,
            "{name}"
        );
        assert!(lost_fields(&event, &out).is_empty(), "{name}");
    }
}

#[tokio::test]
async fn null_and_empty_group_configurations_are_no_groups() {
    for groups in [
        json!(null),
        json!({}),
        json!({"groupsToOverride": null, "iamRolesToOverride": null, "preferredRole": null}),
    ] {
        let mut event = sample_event("pre-token-generation", "V1-TokenGeneration_HostedAuth.json");
        event["request"]["groupConfiguration"] = groups.clone();
        let out = handle(&config(&[]), &directory(), event).await.unwrap();
        let d = &out["response"]["claimsOverrideDetails"];
        assert_eq!(
            d["groupOverrideDetails"]["groupsToOverride"],
            json!([]),
            "{groups}"
        );
        assert_eq!(
            d["claimsToAddOrOverride"]["custom:role"], "user",
            "{groups}"
        );
    }
    for bad in [json!([]), json!({"groupsToOverride": [1]})] {
        let mut event = sample_event("pre-token-generation", "V1-TokenGeneration_HostedAuth.json");
        event["request"]["groupConfiguration"] = bad;
        let err = handle(&config(&[]), &directory(), event).await.unwrap_err();
        assert_eq!(err.error_type(), "MalformedEvent");
    }
}

const NOAH: &str = "c4d8e2f6-1a3b-4c5d-9e7f-2a4b6c8d0e1f";

fn suspended_refresh() -> Value {
    sample_event(
        "pre-token-generation",
        "V2-TokenGeneration_RefreshTokens-suspended.json",
    )
}

#[tokio::test]
async fn a_suspended_users_refresh_is_refused_and_others_go_on() {
    use account_status::{AccountStatus, InMemoryStatuses};
    let checks = config(&[
        ("ACCOUNT_STATUS_TABLE_NAME", "status"),
        ("SUPPORT_EMAIL", "support@acme.example"),
    ]);
    let statuses = InMemoryStatuses::default().with(NOAH, AccountStatus::Suspended { until: None });
    let refused = handle_with(&checks, &directory(), &statuses, suspended_refresh()).await;
    assert_eq!(
        refused.unwrap_err().user_message(),
        "Your account is suspended. For help, write to support@acme.example"
    );
    // The same token for María, who has no row: issued.
    let maria = sample_event(
        "pre-token-generation",
        "V2-TokenGeneration_RefreshTokens.json",
    );
    assert!(handle_with(&checks, &directory(), &statuses, maria)
        .await
        .is_ok());
    assert_eq!(statuses.lookups(), 2);
    // A suspension that ended lets the token through.
    let ended = InMemoryStatuses::default().with(
        NOAH,
        AccountStatus::Suspended {
            until: Some(std::time::UNIX_EPOCH),
        },
    );
    assert!(
        handle_with(&checks, &directory(), &ended, suspended_refresh())
            .await
            .is_ok()
    );
    // Left to pre-authentication, the refresh goes through: the documented trade-off.
    let early = config(&[
        ("ACCOUNT_STATUS_TABLE_NAME", "status"),
        ("ACCOUNT_CHECKS_AT", "pre-authentication"),
    ]);
    assert!(
        handle_with(&early, &directory(), &statuses, suspended_refresh())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_unverified_address_is_refused_a_token_when_required() {
    use account_status::InMemoryStatuses;
    let mut unverified = suspended_refresh();
    unverified["request"]["userAttributes"]["email_verified"] = "false".into();
    let required = config(&[("REQUIRE_VERIFIED_EMAIL", "true")]);
    let answer = handle_with(
        &required,
        &directory(),
        &InMemoryStatuses::default(),
        unverified.clone(),
    )
    .await;
    assert!(answer
        .unwrap_err()
        .user_message()
        .starts_with("Please verify your email address"));
    assert!(handle(&config(&[]), &directory(), unverified).await.is_ok());
}

#[tokio::test]
async fn a_status_table_that_is_down_denies_by_default_and_is_skipped_when_configured() {
    use account_status::InMemoryStatuses;
    let down = InMemoryStatuses::failing("connection refused");
    let deny = config(&[("ACCOUNT_STATUS_TABLE_NAME", "status")]);
    let err = handle_with(&deny, &directory(), &down, suspended_refresh())
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "LookupFailed");
    let carry_on = config(&[
        ("ACCOUNT_STATUS_TABLE_NAME", "status"),
        ("ON_LOOKUP_FAILURE", "default-role"),
    ]);
    assert!(
        handle_with(&carry_on, &directory(), &down, suspended_refresh())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_client_credentials_token_has_no_account_to_check() {
    use account_status::InMemoryStatuses;
    let down = InMemoryStatuses::failing("would deny");
    let checks = config(&[
        ("ACCOUNT_STATUS_TABLE_NAME", "status"),
        ("REQUIRE_VERIFIED_EMAIL", "true"),
    ]);
    let machine = sample_event(
        "pre-token-generation",
        "V3-TokenGeneration_ClientCredentials.json",
    );
    assert!(handle_with(&checks, &directory(), &down, machine)
        .await
        .is_ok());
    assert_eq!(down.lookups(), 0);
}
