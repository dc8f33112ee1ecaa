#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic; no text goes out without its code or over 140
//! characters; a number that is not E.164 is a clear error.

mod common;

use code_sender::InMemoryCodes;
use custom_sms_sender::SMS_MAX_CHARS;
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic, sample_events};
use texter::InMemoryTexter;

/// One invocation with the sample codes known (all read as 482913): the answer and
/// what was sent.
fn run(
    event: Value,
) -> (
    Result<Value, trigger_core::TriggerError>,
    Vec<(String, String)>,
) {
    let codes: Vec<String> = sample_events("custom-sms-sender")
        .into_iter()
        .filter_map(|(_, e)| e["request"]["code"].as_str().map(str::to_owned))
        .collect();
    let codes = InMemoryCodes::with(codes.iter().map(|c| (c.as_str(), "482913")));
    let texter = InMemoryTexter::default();
    let result = block_on(common::handle(&common::config(&[]), &codes, &texter, event));
    (result, texter.sent())
}

#[test]
fn no_event_panics_and_every_text_carries_its_code() {
    check_no_panic("custom-sms-sender", 256, run, |_event, (answer, sent)| {
        let Ok(answer) = answer else {
            prop_assert!(sent.is_empty(), "a failed invocation sent {sent:?}");
            return Ok(());
        };
        prop_assert_eq!(&answer["response"]["delivered"]["channel"], "SMS");
        prop_assert_eq!(sent.len(), 1);
        let text = &sent[0].1;
        prop_assert!(
            text.contains("482913") && text.chars().count() <= SMS_MAX_CHARS,
            "{}",
            text
        );
        Ok(())
    });
}

#[test]
fn a_number_that_is_not_e164_is_a_clear_error() {
    let (_, mut event) = sample_events("custom-sms-sender").remove(0);
    event["request"]["userAttributes"]["phone_number"] = "0612345678".into();
    let (result, sent) = run(event);
    assert_eq!(
        result.expect_err("not E.164").error_type(),
        "MalformedEvent"
    );
    assert!(sent.is_empty());
}
