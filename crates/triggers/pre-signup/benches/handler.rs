//! The pre sign-up handler against serde on the same sample (`make bench`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use pre_signup::{handler, Config};
use test_support::bench::handler_vs_serde;
use trigger_core::events::CognitoEventUserPoolsPreSignup;
use trigger_core::Vars;

fn bench(c: &mut Criterion) {
    // The samples' configuration, linking off: the domain rules and the disposable list.
    let config = Config::from_vars(&Vars::from_pairs([
        ("AUTO_CONFIRM_EMAIL_DOMAINS", "corp.example.com"),
        ("DENIED_EMAIL_DOMAINS", "competitor.example"),
    ]))
    .unwrap();
    handler_vs_serde::<CognitoEventUserPoolsPreSignup, _, _, _>(
        c,
        "pre-signup",
        "PreSignUp_SignUp.json",
        |e| handler(&config, pre_signup::LINKING_OFF, e),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
