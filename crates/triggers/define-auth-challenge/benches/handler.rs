//! The define handler against serde on the same sample (`make bench`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use define_auth_challenge::{handler, Config, Event};
use test_support::bench::handler_vs_serde;
use trigger_core::Vars;

fn bench(c: &mut Criterion) {
    let config = Config::from_vars(&Vars::default()).unwrap();
    handler_vs_serde::<Event, _, _, _>(
        c,
        "define-auth-challenge",
        "DefineAuthChallenge_Authentication-wrong-once.json",
        |e| handler(&config, e),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
