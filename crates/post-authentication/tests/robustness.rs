#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic, and a sign-in event is never failed.

use std::time::SystemTime;

use post_authentication::mailer::InMemoryMailer;
use post_authentication::recorder::InMemoryRecorder;
use post_authentication::{handle, Config, TRIGGER_SOURCE};
use proptest::prelude::*;
use serde_json::Value;
use trigger_core::testing::{block_on, check_no_panic};
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

#[test]
fn no_event_panics_and_a_sign_in_is_never_failed() {
    check_no_panic("post-authentication", 256, run, |event, answer| {
        if event.get("triggerSource").and_then(Value::as_str) == Some(TRIGGER_SOURCE) {
            prop_assert_eq!(answer.ok(), Some(event.clone()));
        }
        Ok(())
    });
}
