//! The pre token generation handler against serde on the same sample (`make bench`),
//! with roles from groups only (no table, so no SDK client).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use pre_token_generation::ports::InMemoryDirectory;
use pre_token_generation::{handler, Config, Ports};
use test_support::bench::handler_vs_serde;
use trigger_core::events::CognitoEventUserPoolsPreTokenGenV2;
use trigger_core::Vars;

fn bench(c: &mut Criterion) {
    let config = Config::from_vars(&Vars::from_pairs([
        ("ROLE_SOURCES", "groups"),
        ("GROUP_ROLES", "admins=admin,editors=editor,staff=user"),
        ("ROLE_PRECEDENCE", "admin,editor,auditor,user"),
        (
            "ROLE_SCOPES",
            "admin=notes/admin notes/read;editor=notes/write notes/read;user=notes/read",
        ),
    ]))
    .unwrap();
    handler_vs_serde::<CognitoEventUserPoolsPreTokenGenV2, _, _, _>(
        c,
        "pre-token-generation",
        "V2-TokenGeneration_Authentication.json",
        |e| handler(&config, NO_TABLES, e),
    );
}

/// Roles from groups only, no account status table: no lookups.
const NO_TABLES: Ports<'static, InMemoryDirectory, account_status::InMemoryStatuses> = Ports {
    roles: None,
    statuses: None,
};

criterion_group!(benches, bench);
criterion_main!(benches);
