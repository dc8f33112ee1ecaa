//! The pre authentication handler against serde on the same sample (`make bench`),
//! with the status table and the groups in memory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cognito_admin::InMemoryGroups;
use criterion::{criterion_group, criterion_main, Criterion};
use pre_authentication::status::InMemoryStatuses;
use pre_authentication::{handler, Config};
use test_support::bench::handler_vs_serde;
use trigger_core::events::CognitoEventUserPoolsPreAuthentication;
use trigger_core::Vars;

fn bench(c: &mut Criterion) {
    let config = Config::from_vars(&Vars::from_pairs([
        ("ACCOUNT_STATUS_TABLE_NAME", "account-status"),
        ("REQUIRE_VERIFIED_EMAIL", "true"),
        ("SUPPORT_EMAIL", "support@acme.example"),
    ]))
    .unwrap();
    let statuses = InMemoryStatuses::default();
    handler_vs_serde::<CognitoEventUserPoolsPreAuthentication, _, _, _>(
        c,
        "pre-authentication",
        "PreAuthentication_Authentication.json",
        |e| handler(&config, Some(&statuses), None::<&InMemoryGroups>, e),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
