#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic, and a confirmation event is never failed.

mod common;

use cognito_admin::InMemoryGroups;
use mailer::InMemoryMailer;
use post_confirmation::ports::InMemoryProfiles;
use post_confirmation::Event;
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic, lost_fields};
use trigger_core::events::normalised;

fn run(event: Value) -> Result<Value, trigger_core::TriggerError> {
    let config = common::config(&[]);
    let groups = InMemoryGroups::with(
        common::POOL,
        &["7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1"],
        &["readers"],
    );
    let (profiles, mailer) = (InMemoryProfiles::default(), InMemoryMailer::default());
    block_on(common::handle(
        &config,
        common::ports(&groups, &profiles, &mailer),
        event,
    ))
}

#[test]
fn no_event_panics_and_a_confirmation_is_never_failed() {
    check_no_panic("post-confirmation", 256, run, |event, answer| {
        let source = event
            .get("triggerSource")
            .and_then(Value::as_str)
            .unwrap_or("");
        if source.starts_with("PostConfirmation_") {
            let out =
                answer.map_err(|e| TestCaseError::fail(format!("failed a confirmation: {e:?}")))?;
            let lost = lost_fields(&normalised::<Event>(event.clone()), &out);
            prop_assert!(lost.is_empty(), "{:?}", lost);
        }
        Ok(())
    });
}
