#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic; what it cannot send is an error, never a
//! message without its code.

mod common;

use code_sender::InMemoryCodes;
use mailer::{InMemoryMailer, Mail};
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic, sample_events};

/// One invocation with the sample codes known (all read as 482913): the answer and
/// what was sent.
fn run(event: Value) -> (Result<Value, trigger_core::TriggerError>, Vec<Mail>) {
    let codes: Vec<(String, &str)> = sample_events("custom-email-sender")
        .into_iter()
        .filter_map(|(_, e)| {
            e["request"]["code"]
                .as_str()
                .map(|c| (c.to_owned(), "482913"))
        })
        .collect();
    let codes = InMemoryCodes::with(codes.iter().map(|(c, p)| (c.as_str(), *p)));
    let mailer = InMemoryMailer::default();
    let result = block_on(common::handle(&common::config(&[]), &codes, &mailer, event));
    (result, mailer.sent())
}

#[test]
fn no_event_panics_and_no_message_goes_out_without_its_code() {
    check_no_panic("custom-email-sender", 256, run, |_event, (answer, sent)| {
        let Ok(answer) = answer else {
            prop_assert!(sent.is_empty(), "a failed invocation sent {sent:?}");
            return Ok(());
        };
        let delivered = &answer["response"]["delivered"];
        prop_assert_eq!(&delivered["channel"], "EMAIL");
        prop_assert_eq!(sent.len(), 1);
        // Only the risky sign-in notice carries no code.
        if delivered["message"] != "risky_sign_in" {
            prop_assert!(
                sent[0].text.contains("482913"),
                "sent without its code: {}",
                sent[0].text
            );
        }
        Ok(())
    });
}

#[test]
fn an_event_without_an_email_address_is_a_clear_error() {
    let (_, mut event) = sample_events("custom-email-sender").remove(0);
    event["request"]["userAttributes"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    let (result, sent) = run(event);
    assert_eq!(
        result.expect_err("no address").error_type(),
        "MalformedEvent"
    );
    assert!(sent.is_empty());
}
