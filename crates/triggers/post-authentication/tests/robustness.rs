#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic, and a sign-in event is never failed.

use mailer::InMemoryMailer;
use post_authentication::ports::InMemoryRecorder;
use post_authentication::{handler, Config, Event, TRIGGER_SOURCE};
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic, lost_fields};
use trigger_core::events::normalised;
use trigger_core::Vars;

fn run(event: Value) -> Result<Value, trigger_core::TriggerError> {
    let config = Config::from_vars(&Vars::from_pairs([
        ("ANALYTICS_TABLE_NAME", "analytics"),
        ("ALERT_FROM_ADDRESS", "security@acme.example"),
        ("APP_NAME", "Acme Notes"),
    ]));
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    block_on(test_support::answer(
        |e| handler(&config, Some(&recorder), Some(&mailer), e),
        event,
    ))
}

#[test]
fn no_event_panics_and_a_sign_in_is_never_failed() {
    check_no_panic("post-authentication", 256, run, |event, answer| {
        if event.get("triggerSource").and_then(Value::as_str) == Some(TRIGGER_SOURCE) {
            // Never failed, and handed back whole (as the normalising rules read it).
            let out =
                answer.map_err(|e| TestCaseError::fail(format!("failed a sign-in: {e:?}")))?;
            let lost = lost_fields(&normalised::<Event>(event.clone()), &out);
            prop_assert!(lost.is_empty(), "{:?}", lost);
        }
        Ok(())
    });
}
