#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The whole trigger against moto's KMS and SNS (started by `make test`): codes from
//! three encryptors decrypt and are texted; SNS hanging fails within the budget; the
//! code is in no log line (TRACE), error or answer.

mod common;

use std::time::{Duration, Instant};

use code_sender::KmsCodes;
use custom_sms_sender::SnsTexter;
use serde_json::Value;
use test_support::aws::{hanging_endpoint, moto_endpoint, sdk_config_for, sent_sms};
use test_support::kms::{create_key, encrypt, every_encryptor, Suite};
use test_support::logs::Captured;
use test_support::sample_event;

const CODE: &str = "307415";

fn event_for(phone: &str, ciphertext: &str) -> Value {
    let mut event = sample_event("custom-sms-sender", "CustomSMSSender_Authentication.json");
    event["request"]["code"] = ciphertext.into();
    event["request"]["userAttributes"]["phone_number"] = phone.into();
    event
}

#[tokio::test]
async fn codes_from_three_encryptors_are_texted_through_sns_and_never_logged() {
    let logs = Captured::default();
    let _guard = logs.everything();
    let moto = moto_endpoint();
    let key = create_key(&moto).await;
    let sdk = sdk_config_for(&moto, Duration::from_secs(2)).await;
    let codes = KmsCodes::new(aws_sdk_kms::Client::new(&sdk), &key)
        .await
        .unwrap();
    let texter = SnsTexter::new(aws_sdk_sns::Client::new(&sdk), Some("AcmeNotes".into()));
    let config = common::config(&[("KMS_KEY_ARN", &key)]);
    let ciphertexts = every_encryptor(&moto, &key, CODE).await;
    let mut shown = String::new();
    for (i, (label, ciphertext)) in ciphertexts.iter().enumerate() {
        let phone = format!(
            "+3361234{:04}",
            1000 + i + (std::process::id() as usize % 5000)
        );
        for round in ["cold", "warm"] {
            let started = Instant::now();
            let answer = common::handle(&config, &codes, &texter, event_for(&phone, ciphertext))
                .await
                .unwrap_or_else(|e| panic!("{label}: {e:?}"));
            println!(
                "{label}: decrypt + send ({round}) {:.1} ms",
                started.elapsed().as_secs_f64() * 1e3
            );
            shown.push_str(&answer.to_string());
        }
        let texts: Vec<String> = sent_sms(&moto)
            .into_iter()
            .filter(|(p, _)| *p == phone)
            .map(|(_, t)| t)
            .collect();
        assert_eq!(texts.len(), 2, "{label}: one text per invocation");
        assert!(texts[0].contains(CODE), "{label}: {}", texts[0]);
    }
    let logs = logs.text();
    assert!(
        logs.contains("message sent") && logs.contains("TRACE"),
        "captured"
    );
    assert!(!logs.contains(CODE), "the code is in the logs");
    assert!(!shown.contains(CODE), "the code is in an answer");
}

#[tokio::test]
async fn sns_hanging_fails_within_the_budget_without_the_code() {
    let moto = moto_endpoint();
    let key = create_key(&moto).await;
    let ciphertext = encrypt(&moto, &key, CODE, Suite::NonCommitting).await;
    let config = common::config(&[("KMS_KEY_ARN", &key), ("SENDER_BUDGET_MS", "800")]);
    let sdk = sdk_config_for(&moto, config.settings.per_call()).await;
    let codes = KmsCodes::new(aws_sdk_kms::Client::new(&sdk), &key)
        .await
        .unwrap();
    let (hanging, _guard) = hanging_endpoint();
    let down = sdk_config_for(&hanging, config.settings.per_call()).await;
    let texter = SnsTexter::new(aws_sdk_sns::Client::new(&down), None);
    let started = Instant::now();
    let err = common::handle(
        &config,
        &codes,
        &texter,
        event_for("+14155550199", &ciphertext),
    )
    .await
    .expect_err("SNS never answers");
    let took = started.elapsed();
    println!(
        "SNS hanging: failed in {:.1} ms ({})",
        took.as_secs_f64() * 1e3,
        err.error_type()
    );
    assert!(
        took < config.settings.budget + Duration::from_millis(200),
        "{took:?}"
    );
    assert_eq!(err.error_type(), "LookupFailed");
    assert!(!format!("{err} {err:?}").contains(CODE));
}
