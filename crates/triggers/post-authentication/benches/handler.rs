//! The post authentication handler against serde on the same sample (`make bench`):
//! a sign-in from a new device, recorded in the analytics table and answered with
//! the new-device alert, the table and SES in memory. They are made anew for each
//! invocation (inside the measured time), so none grows over the run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use mailer::InMemoryMailer;
use post_authentication::ports::InMemoryRecorder;
use post_authentication::{handler, Config};
use test_support::bench::handler_vs_serde;
use trigger_core::events::CognitoEventUserPoolsPostAuthentication;
use trigger_core::Vars;

fn bench(c: &mut Criterion) {
    let config = Config::from_vars(&Vars::from_pairs([
        ("ANALYTICS_TABLE_NAME", "analytics"),
        ("ALERT_FROM_ADDRESS", "security@acme.example"),
        ("APP_NAME", "Acme Notes"),
        ("SUPPORT_EMAIL", "support@acme.example"),
    ]));
    assert!(config.problems.0.is_empty(), "{:?}", config.problems);
    let config = &config;
    // What the first invocation did is checked once; the rest are only timed.
    let checked = &std::sync::Once::new();
    handler_vs_serde::<CognitoEventUserPoolsPostAuthentication, _, _, _>(
        c,
        "post-authentication",
        "PostAuthentication_Authentication-new-device.json",
        |e| async move {
            let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
            let answer = handler(config, Some(&recorder), Some(&mailer), e).await;
            checked.call_once(|| {
                let sub = "3a9d2b61-7e04-4c58-b1f3-8d6e0a2c4b97";
                assert!(recorder.summary(sub).is_some(), "the sign-in recorded");
                assert_eq!(mailer.sent().len(), 1, "one alert");
            });
            answer
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
