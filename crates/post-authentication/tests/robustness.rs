#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic, and a sign-in event is never failed.

use std::time::SystemTime;

use post_authentication::mailer::InMemoryMailer;
use post_authentication::recorder::InMemoryRecorder;
use post_authentication::{handle, Config, TRIGGER_SOURCE};
use proptest::prelude::*;
use serde_json::Value;
use trigger_core::testing::{arb_json, block_on, mutated_sample};
use trigger_core::Vars;

fn run(event: Value) -> Result<Value, trigger_core::TriggerError> {
    let config = Config::from_vars(&Vars::from_pairs([
        ("ANALYTICS_TABLE_NAME", "analytics"),
        ("ALERT_FROM_ADDRESS", "security@acme.example"),
        ("APP_NAME", "Acme Notes"),
    ]))
    .unwrap();
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    block_on(handle(
        &config,
        &recorder,
        &mailer,
        event,
        "req",
        SystemTime::now(),
    ))
    .0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        let _ = run(value);
    }

    #[test]
    fn a_mutated_sign_in_event_is_never_failed(
        pick in any::<prop::sample::Index>(),
        node in any::<prop::sample::Index>(),
        replacement in prop::option::of(arb_json()),
    ) {
        let event = mutated_sample("post-authentication", pick, node, replacement);
        let is_sign_in = event.get("triggerSource").and_then(Value::as_str) == Some(TRIGGER_SOURCE);
        let result = run(event.clone());
        if is_sign_in {
            prop_assert_eq!(result.ok(), Some(event));
        }
    }
}
