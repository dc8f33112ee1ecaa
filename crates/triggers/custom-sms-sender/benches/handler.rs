//! The custom sms sender's handler against serde on the same sample (`make
//! bench`): a sign-up code written in the user's language and the text sent through SNS,
//! with the decryption and the sending in memory (the code's ciphertext mapped to
//! the code: no Encryption SDK, no KMS). The sender is made anew for each invocation
//! (inside the measured time), so it does not grow over the run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use code_sender::InMemoryCodes;
use criterion::{criterion_group, criterion_main, Criterion};
use custom_sms_sender::{handler, Config};
use test_support::bench::handler_vs_serde;
use test_support::kms::SAMPLE_KEY_ARN;
use test_support::sample_event;
use texter::InMemoryTexter;
use trigger_core::events::CognitoEventUserPoolsCustomSmsSender;
use trigger_core::Vars;

fn bench(c: &mut Criterion) {
    let config = Config::from_vars(&Vars::from_pairs([
        ("KMS_KEY_ARN", SAMPLE_KEY_ARN),
        ("APP_NAME", "Acme Notes"),
        ("SMS_SENDER_ID", "AcmeNotes"),
    ]))
    .unwrap();
    let config = &config;
    let event = sample_event("custom-sms-sender", "CustomSMSSender_SignUp.json");
    let codes = &InMemoryCodes::with([(event["request"]["code"].as_str().unwrap(), "482913")]);
    // What the first invocation did is checked once; the rest are only timed.
    let checked = &std::sync::Once::new();
    handler_vs_serde::<CognitoEventUserPoolsCustomSmsSender, _, _, _>(
        c,
        "custom-sms-sender",
        "CustomSMSSender_SignUp.json",
        |e| async move {
            let texter = InMemoryTexter::default();
            let answer = handler(config, codes, &texter, e).await;
            checked.call_once(|| assert_eq!(texter.sent().len(), 1, "one text"));
            answer
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
