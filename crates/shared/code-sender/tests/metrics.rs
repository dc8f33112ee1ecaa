#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! What went out and what did not reach CloudWatch as Embedded Metric Format counters,
//! by user pool, trigger source and (for failures) reason; the answer says what went
//! out, the failure becomes the invocation's error. (One test: the recorder is
//! process-wide.)

use std::time::{Duration, Instant};

use code_sender::{conclude, DecryptError, Delivery, SendError};
use serde_json::Map;
use trigger_core::events::{
    CognitoEventUserPoolsCustomEmailSenderTriggerSource as Source, CognitoEventUserPoolsHeader,
};

#[test]
fn sends_and_failures_are_counted_by_pool_source_and_reason() {
    let collector = test_support::emf::collector("AcmeNotes/Auth");
    let mut header = CognitoEventUserPoolsHeader::<Source>::default();
    header.trigger_source = Some(Source::ForgotPassword);
    header.user_pool_id = Some("eu-west-1_Xq8LmN3pR".into());
    let mut response = Map::new();
    let sent = Delivery {
        channel: "EMAIL",
        language: "fr".into(),
        message: "forgot_password",
        to: "z***@example.com".into(),
    };
    conclude(
        &header,
        "CustomEmailSender_ForgotPassword",
        &mut response,
        Instant::now(),
        Ok(sent),
    )
    .unwrap();
    assert_eq!(response["delivered"]["language"], "fr");
    let docs = test_support::emf::documents(collector);
    assert_eq!(docs.len(), 1, "{docs:?}");
    assert_eq!(docs[0]["MessagesSent"], 1);
    assert_eq!(docs[0]["TriggerSource"], "CustomEmailSender_ForgotPassword");
    assert_eq!(docs[0]["UserPoolId"], "eu-west-1_Xq8LmN3pR");

    let mut response = Map::new();
    let failures = [
        SendError::Decrypt(DecryptError::Refused("another key".into())),
        SendError::OutOfTime("the send", Duration::from_millis(2500)),
    ];
    for failure in failures {
        let err = conclude(
            &header,
            "CustomEmailSender_ForgotPassword",
            &mut response,
            Instant::now(),
            Err(failure),
        )
        .unwrap_err();
        assert_eq!(err.error_type(), "LookupFailed");
    }
    assert!(response.is_empty(), "nothing is said to have gone out");
    let docs = test_support::emf::documents(collector);
    let reasons: Vec<_> = docs
        .iter()
        .map(|d| (d["Reason"].clone(), d["SendFailures"].clone()))
        .collect();
    assert_eq!(docs.len(), 2, "{docs:?}");
    assert!(
        reasons.contains(&("DecryptRefused".into(), 1.into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("OutOfTime".into(), 1.into())),
        "{reasons:?}"
    );
}
