#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic; an event it can read is let through or refused
//! with a sentence, and handed back whole when let through.

mod common;

use cognito_admin::InMemoryGroups;
use pre_authentication::rules::Refusal;
use pre_authentication::status::{AccountStatus, InMemoryStatuses};
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic, lost_fields};
use trigger_core::error::GENERIC_MESSAGE;
use trigger_core::events::{normalised, CognitoEventUserPoolsPreAuthentication};

fn config() -> pre_authentication::Config {
    common::config(&[
        ("REQUIRE_VERIFIED_EMAIL", "true"),
        ("CLIENT_GROUPS", "4n7mc0rcbsjvh1ou3e5q8nt2lf=staff|readers"),
    ])
}

fn run(event: Value) -> Result<Value, trigger_core::TriggerError> {
    let config = config();
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
            // A refusal is one of the rules' sentences; anything else the generic one.
            Err(e) => {
                let config = config();
                let sentences: Vec<String> = [
                    Refusal::Suspended { until: None },
                    Refusal::Unavailable,
                    Refusal::EmailNotVerified,
                    Refusal::NotForThisApp,
                ]
                .iter()
                .map(|r| r.sentence(&config))
                .chain([GENERIC_MESSAGE.to_owned()])
                .collect();
                prop_assert!(sentences.iter().any(|s| s == e.user_message()), "{e:?}");
            }
        }
        Ok(())
    });
}
