#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The code and the temporary password never appear in a log line (at TRACE, the AWS
//! SDKs' and the Encryption SDK's included), an error, a Debug output or the answer:
//! when the email goes out, when SES fails, when the code cannot be read.

mod common;

use std::time::Duration;

use code_sender::KmsCodes;
use mailer::{InMemoryMailer, SesMailer};
use test_support::aws::{moto_endpoint, refused_endpoint, sdk_config_for};
use test_support::kms::{sample_code, sample_key_client, SAMPLE_KEY_ARN};
use test_support::logs::Captured;
use test_support::sample_event;
use trigger_core::error::diagnose;

#[tokio::test]
async fn codes_are_in_no_log_error_or_answer_at_trace() {
    let logs = Captured::default();
    let _guard = logs.everything();
    let moto = moto_endpoint();
    let kms = sample_key_client(&moto, Duration::from_secs(5)).await;
    let codes = KmsCodes::new(kms, SAMPLE_KEY_ARN).await.unwrap();
    let config = common::config(&[]);
    let down = sdk_config_for(&refused_endpoint(), Duration::from_millis(300)).await;
    let failing = SesMailer::new(aws_sdk_ses::Client::new(&down), common::FROM);
    let working = InMemoryMailer::default();

    let files = [
        "CustomEmailSender_SignUp.json",
        "CustomEmailSender_AdminCreateUser.json",
    ];
    let mut shown = String::new();
    for file in files {
        let event = sample_event("custom-email-sender", file);
        let mut unreadable = event.clone();
        unreadable["request"]["code"] = "AgV4bm90IGEgcmVhbCBtZXNzYWdl".into();
        let answer = common::handle(&config, &codes, &working, event.clone())
            .await
            .unwrap();
        shown.push_str(&format!("{answer}\n"));
        for (mailer_failing, e) in [(true, event), (false, unreadable)] {
            let result = match mailer_failing {
                true => common::handle(&config, &codes, &failing, e).await,
                false => common::handle(&config, &codes, &working, e).await,
            };
            let err = result.expect_err("SES down, or a code that does not decrypt");
            shown.push_str(&format!("{err} | {err:?} | {}\n", err.error_type()));
            shown.push_str(&format!("{:?}\n", diagnose(err)));
        }
    }
    assert_eq!(working.sent().len(), 2, "the two good events were sent");
    let logs = logs.text();
    assert!(
        logs.contains("message sent") && logs.contains("message not sent"),
        "captured:\n{logs}"
    );
    assert!(
        logs.contains("TRACE"),
        "TRACE was on:\n{}",
        &logs[..logs.len().min(2000)]
    );
    for file in files {
        let code = sample_code(file).unwrap();
        assert!(!logs.contains(code), "{file}: the code is in the logs");
        assert!(
            !shown.contains(code),
            "{file}: the code is in an answer or error:\n{shown}"
        );
    }
}
