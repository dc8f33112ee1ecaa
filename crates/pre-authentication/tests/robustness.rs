#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic; an event it can read is let through or refused
//! with a sentence, and handed back whole when let through.

mod common;

use cognito_admin::InMemoryGroups;
use pre_authentication::status::{AccountStatus, InMemoryStatuses};
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic, lost_fields};
use trigger_core::events::{normalised, CognitoEventUserPoolsPreAuthentication};

fn run(event: Value) -> Result<Value, trigger_core::TriggerError> {
    let config = common::config(&[
        ("REQUIRE_VERIFIED_EMAIL", "true"),
        ("CLIENT_GROUPS", "4n7mc0rcbsjvh1ou3e5q8nt2lf=staff|readers"),
    ]);
    let statuses =
        InMemoryStatuses::default().with(common::NOAH, AccountStatus::Suspended { until: None });
    let groups = InMemoryGroups::with(common::POOL, &[common::MARIA], &["staff"]);
    block_on(common::handle(&config, &statuses, &groups, event))
}

#[test]
fn no_event_panics_and_every_answer_is_whole_or_a_sentence() {
    check_no_panic("pre-authentication", 256, run, |event, answer| {
        match answer {
            Ok(out) => {
                let lost = lost_fields(
                    &normalised::<CognitoEventUserPoolsPreAuthentication>(event.clone()),
                    &out,
                );
                prop_assert!(lost.is_empty(), "{:?}", lost);
            }
            Err(e) => prop_assert!(!e.user_message().is_empty()),
        }
        Ok(())
    });
}
