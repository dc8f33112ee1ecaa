//! The verify handler against serde on the same sample (`make bench`): a code's
//! salted digest compared in constant time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use passwordless::ports::InMemoryChallenges;
use test_support::bench::handler_vs_serde;
use trigger_core::Vars;
use verify_auth_challenge::ports::FixedBotCheck;
use verify_auth_challenge::{handler, Config, Event, Services};

fn bench(c: &mut Criterion) {
    let config =
        Config::from_vars(&Vars::from_pairs([("CHALLENGE_TABLE_NAME", "challenges")])).unwrap();
    let store = InMemoryChallenges::default();
    let services = Services::<_, FixedBotCheck> {
        store: &store,
        public_key: None,
        bot_check: None,
    };
    handler_vs_serde::<Event, _, _, _>(
        c,
        "verify-auth-challenge",
        "VerifyAuthChallengeResponse_Authentication.json",
        |e| handler(&config, &services, e),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
