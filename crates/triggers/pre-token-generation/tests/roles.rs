#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! What an identity pool can get from a user's token, over every group set, role
//! precedence, role source order and table row: the IAM roles on offer are the decided
//! role's alone, and a row's extra claims cannot set `cognito:*`, the role claim or a
//! claim Cognito or a reader gives a meaning.

mod common;

use std::collections::BTreeMap;

use pre_token_generation::claims::is_reserved_for_rows;
use pre_token_generation::ports::{DirectoryEntry, InMemoryDirectory};
use pre_token_generation::role::resolve_role;
use pre_token_generation::Config;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use test_support::block_on;
use trigger_core::Vars;

const SUB: &str = "5b0f2c9e-7d41-4a86-b3e2-0c9d8f7a6e15";
const ROLES: [&str; 3] = ["admin", "editor", "user"];
/// Cognito groups, each with its group IAM role as the pool would hold it.
const GROUPS: [(&str, &str); 4] = [
    ("admins", "admin"),
    ("editors", "editor"),
    ("staff", "user"),
    ("contractors", "auditor"),
];
/// Claim names a row might try: reserved ones, the role claim, ordinary ones.
const CLAIM_NAMES: [&str; 16] = [
    "cognito:roles",
    "cognito:preferred_role",
    "cognito:groups",
    "cognito:username",
    "custom:role",
    "scope",
    "client_id",
    "username",
    "sub",
    "iss",
    "aud",
    "token_use",
    "email_verified",
    "tenant_id",
    "permissions",
    "department",
];

fn arn(name: &str) -> String {
    format!("arn:aws:iam::123456789012:role/notes-{name}")
}

/// A table row: its role and its extra claims.
type Row = (Option<&'static str>, Vec<(&'static str, String)>);

#[derive(Debug, Clone)]
struct Case {
    groups: Vec<usize>,
    preferred_group: usize,
    precedence: Vec<&'static str>,
    table_first: bool,
    row: Option<Row>,
    v1: bool,
}

fn cases() -> impl Strategy<Value = Case> {
    (
        Just((0..GROUPS.len()).collect::<Vec<_>>()).prop_shuffle(),
        0..GROUPS.len(),
        any::<usize>(),
        Just(ROLES.to_vec()).prop_shuffle(),
        any::<bool>(),
        proptest::option::of((
            proptest::option::of(prop::sample::select(vec![
                "admin", "editor", "user", "auditor",
            ])),
            proptest::collection::vec(
                (prop::sample::select(CLAIM_NAMES.to_vec()), "[a-z:/]{1,12}"),
                0..6,
            ),
        )),
        any::<bool>(),
    )
        .prop_map(
            |(order, count, preferred, precedence, table_first, row, v1)| {
                let groups: Vec<usize> = order.into_iter().take(count).collect();
                Case {
                    preferred_group: if groups.is_empty() {
                        0
                    } else {
                        groups[preferred % groups.len()]
                    },
                    groups,
                    precedence,
                    table_first,
                    row,
                    v1,
                }
            },
        )
}

fn config(case: &Case) -> Config {
    let iam = ROLES.map(|r| format!("{r}={}", arn(r))).join(",");
    let precedence = case.precedence.join(",");
    let sources = if case.table_first {
        "table,groups"
    } else {
        "groups,table"
    };
    Config::from_vars(&Vars::from_pairs([
        ("ROLE_SOURCES", sources),
        ("ROLE_TABLE_NAME", "roles"),
        (
            "GROUP_ROLES",
            "admins=admin,editors=editor,staff=user,contractors=auditor",
        ),
        ("ROLE_PRECEDENCE", precedence.as_str()),
        ("ROLE_IAM_ROLES", iam.as_str()),
    ]))
    .unwrap()
}

/// The token event as Cognito sends it: the user's groups with their group roles.
fn event(case: &Case) -> Value {
    let names: Vec<&str> = case.groups.iter().map(|&g| GROUPS[g].0).collect();
    let roles: Vec<String> = case.groups.iter().map(|&g| arn(GROUPS[g].1)).collect();
    let preferred = (!case.groups.is_empty()).then(|| arn(GROUPS[case.preferred_group].1));
    let (version, response) = match case.v1 {
        true => ("1", json!({"claimsOverrideDetails": null})),
        false => ("2", json!({"claimsAndScopeOverrideDetails": null})),
    };
    json!({
        "version": version,
        "triggerSource": "TokenGeneration_Authentication",
        "region": "eu-west-1",
        "userPoolId": "eu-west-1_Xq8LmN3pR",
        "userName": SUB,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "4n7mc0rcbsjvh1ou3e5q8nt2lf"},
        "request": {
            "userAttributes": {"sub": SUB, "email": "jo@example.com", "custom:role": "admin"},
            "groupConfiguration": {
                "groupsToOverride": names,
                "iamRolesToOverride": roles,
                "preferredRole": preferred,
            },
        },
        "response": response,
    })
}

fn directory(case: &Case) -> InMemoryDirectory {
    let Some((role, claims)) = &case.row else {
        return InMemoryDirectory::default();
    };
    let claims: Map<String, Value> = claims
        .iter()
        .map(|(name, value)| ((*name).to_owned(), Value::String(value.clone())))
        .collect();
    let entry = DirectoryEntry {
        role: role.map(str::to_owned),
        claims,
        scopes: vec![],
    };
    InMemoryDirectory::default().with(SUB, entry)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_token_offers_the_decided_role_alone_and_rows_inject_nothing(case in cases()) {
        let config = config(&case);
        let out = block_on(common::handle(&config, &directory(&case), event(&case))).unwrap();
        let groups: Vec<String> = case.groups.iter().map(|&g| GROUPS[g].0.to_owned()).collect();
        let row_role = case.row.as_ref().and_then(|(role, _)| *role);
        let decided = resolve_role(&config, &groups, row_role, None).role;
        let details = match case.v1 {
            true => &out["response"]["claimsOverrideDetails"],
            false => &out["response"]["claimsAndScopeOverrideDetails"],
        };
        let g = &details["groupOverrideDetails"];
        let offered: Vec<&str> = g["iamRolesToOverride"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let decided_arn = ROLES.contains(&decided.as_str()).then(|| arn(&decided));
        prop_assert_eq!(offered, decided_arn.iter().map(String::as_str).collect::<Vec<_>>(), "roles on offer for {}", decided);
        prop_assert_eq!(g["preferredRole"].as_str(), decided_arn.as_deref());
        prop_assert_eq!(&g["groupsToOverride"], &json!(groups), "the groups are kept");
        let claim_sets: Vec<&Value> = match case.v1 {
            true => vec![&details["claimsToAddOrOverride"]],
            false => vec![
                &details["idTokenGeneration"]["claimsToAddOrOverride"],
                &details["accessTokenGeneration"]["claimsToAddOrOverride"],
            ],
        };
        for claims in claim_sets {
            let claims: BTreeMap<String, Value> = serde_json::from_value(claims.clone()).unwrap();
            prop_assert_eq!(claims.get("custom:role"), Some(&json!(decided)));
            for name in claims.keys().filter(|n| *n != "custom:role") {
                prop_assert!(!is_reserved_for_rows(name, "custom:role"), "a row set {}", name);
            }
        }
    }
}

#[test]
fn a_row_that_names_reserved_claims_keeps_its_role_and_its_other_claims() {
    let case = Case {
        groups: vec![],
        preferred_group: 0,
        precedence: ROLES.to_vec(),
        table_first: true,
        row: Some((
            Some("editor"),
            vec![
                ("cognito:roles", arn("admin")),
                ("cognito:preferred_role", arn("admin")),
                ("custom:role", "admin".into()),
                ("scope", "notes/admin".into()),
                ("tenant_id", "acme-fr".into()),
            ],
        )),
        v1: false,
    };
    let out = block_on(common::handle(
        &config(&case),
        &directory(&case),
        event(&case),
    ))
    .unwrap();
    let details = &out["response"]["claimsAndScopeOverrideDetails"];
    assert_eq!(
        details["idTokenGeneration"]["claimsToAddOrOverride"],
        json!({"custom:role": "editor", "tenant_id": "acme-fr"})
    );
    assert_eq!(
        details["groupOverrideDetails"]["iamRolesToOverride"],
        json!([arn("editor")])
    );
}
