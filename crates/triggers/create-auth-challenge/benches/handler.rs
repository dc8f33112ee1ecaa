//! The create handler against serde on the same sample (`make bench`), with the
//! table and the mailer in memory: the cost of the code, its digest, the message in
//! the user's language and the answer, without the network.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use create_auth_challenge::{handler, Config, Event, Services};
use criterion::{criterion_group, criterion_main, Criterion};
use mailer::InMemoryMailer;
use passwordless::ports::{InMemoryChallenges, LocalSigner};
use test_support::bench::handler_vs_serde;
use texter::InMemoryTexter;
use trigger_core::Vars;

fn bench(c: &mut Criterion) {
    // The limits out of the way: every iteration sends (to an in-memory mailer).
    let config = Config::from_vars(&Vars::from_pairs([
        ("CHALLENGE_TABLE_NAME", "challenges"),
        ("APP_NAME", "Acme Notes"),
        ("PASSWORDLESS_FROM_ADDRESS", "sign-in@acme.example"),
        ("SEND_ANSWER_FLOOR_MS", "0"),
        ("SEND_COOLDOWN_SECONDS", "10"),
        ("SEND_MAX_PER_HOUR", "50"),
    ]))
    .unwrap();
    let store = InMemoryChallenges::default();
    let signer = LocalSigner::default();
    let mailer = InMemoryMailer::default();
    let texter = InMemoryTexter::default();
    let services = Services {
        store: &store,
        signer: Some(&signer),
        mailer: &mailer,
        texter: &texter,
    };
    handler_vs_serde::<Event, _, _, _>(
        c,
        "create-auth-challenge",
        "CreateAuthChallenge_Authentication-user-not-found.json",
        |e| handler(&config, &services, e),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
