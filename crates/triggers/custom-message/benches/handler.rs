//! The custom message handler against serde on the same sample (`make bench`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use custom_message::{handler, Config};
use test_support::bench::handler_vs_serde;
use trigger_core::events::CognitoEventUserPoolsCustomMessage;
use trigger_core::Vars;

fn bench(c: &mut Criterion) {
    let config = Config::from_vars(&Vars::from_pairs([
        ("APP_NAME", "Acme Notes"),
        ("SUPPORT_EMAIL", "support@acme.example"),
        ("VERIFY_URL", "https://notes.acme.example/verify"),
    ]))
    .unwrap();
    handler_vs_serde::<CognitoEventUserPoolsCustomMessage, _, _, _>(
        c,
        "custom-message",
        "CustomMessage_SignUp.json",
        |e| handler(&config, e),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
