#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic; what it cannot send is an error, never a
//! message without its code.

mod common;

use code_sender::InMemoryCodes;
use mailer::InMemoryMailer;
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic, sample_events};

fn run(event: Value) -> Result<Value, trigger_core::TriggerError> {
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
    for mail in mailer.sent() {
        assert!(
            mail.text.contains("482913") || mail.subject.contains("Unusual"),
            "a message went out without its code: {}",
            mail.text
        );
    }
    result
}

#[test]
fn no_event_panics_and_no_message_goes_out_without_its_code() {
    check_no_panic("custom-email-sender", 256, run, |_event, answer| {
        if let Ok(answer) = answer {
            prop_assert_eq!(&answer["response"]["delivered"]["channel"], "EMAIL");
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
    let err = run(event).expect_err("no address");
    assert_eq!(err.error_type(), "MalformedEvent");
}
