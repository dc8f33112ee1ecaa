//! The post confirmation handler against serde on the same sample (`make bench`):
//! a confirmed sign-up joining the default group, getting its profile row and its
//! welcome email, with the pool, the table and SES in memory. They are made anew
//! for each invocation (inside the measured time), so each one is a first
//! confirmation and not a retry that finds everything done.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cognito_admin::InMemoryGroups;
use criterion::{criterion_group, criterion_main, Criterion};
use mailer::InMemoryMailer;
use post_confirmation::ports::InMemoryProfiles;
use post_confirmation::{handler, Config, Ports};
use test_support::bench::handler_vs_serde;
use trigger_core::events::CognitoEventUserPoolsPostConfirmation;
use trigger_core::Vars;

/// The user of the sample.
const MARIA: &str = "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1";

fn bench(c: &mut Criterion) {
    let config = Config::from_vars(&Vars::from_pairs([
        ("DEFAULT_GROUP", "readers"),
        ("PROFILE_TABLE_NAME", "profiles"),
        ("WELCOME_FROM_ADDRESS", "hello@acme.example"),
        ("APP_NAME", "Acme Notes"),
        ("SUPPORT_EMAIL", "support@acme.example"),
    ]));
    assert!(config.problems.0.is_empty(), "{:?}", config.problems);
    let config = &config;
    // What the first invocation did is checked once; the rest are only timed.
    let checked = &std::sync::Once::new();
    handler_vs_serde::<CognitoEventUserPoolsPostConfirmation, _, _, _>(
        c,
        "post-confirmation",
        "PostConfirmation_ConfirmSignUp.json",
        |e| async move {
            let groups = InMemoryGroups::with("eu-west-1_Xq8LmN3pR", &[MARIA], &["readers"]);
            let (profiles, mailer) = (InMemoryProfiles::default(), InMemoryMailer::default());
            let ports = Ports {
                groups: Some(&groups),
                profiles: Some(&profiles),
                mailer: Some(&mailer),
            };
            let answer = handler(config, ports, e).await;
            checked.call_once(|| {
                assert_eq!(groups.calls(), 1, "one membership");
                assert!(profiles.row(MARIA).is_some(), "a profile row");
                assert_eq!(mailer.sent().len(), 1, "one welcome");
            });
            answer
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
