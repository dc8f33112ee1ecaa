#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The whole trigger against moto's KMS and SES (started by `make test`): codes
//! encrypted by the Rust Encryption SDK with and without key commitment and by
//! cognito-local all decrypt and go out; a code under another key, a truncated one
//! and garbage are refused, nothing is sent and the error does not carry the code;
//! KMS down or hanging fails within the budget.

mod common;

use std::time::{Duration, Instant};

use base64::Engine;
use code_sender::KmsCodes;
use mailer::{InMemoryMailer, SesMailer};
use serde_json::Value;
use test_support::aws::{
    hanging_endpoint, moto_endpoint, refused_endpoint, sdk_config_for, sent_mail, unique_name,
};
use test_support::kms::{create_key, encrypt, every_encryptor, Suite};
use test_support::sample_event;

const CODE: &str = "613842";

fn event_for(to: &str, ciphertext: &str) -> Value {
    let mut event = sample_event("custom-email-sender", "CustomEmailSender_SignUp.json");
    event["request"]["code"] = ciphertext.into();
    event["request"]["userAttributes"]["email"] = to.into();
    event
}

/// One invocation for maria@example.com with `ciphertext` as the code.
async fn to_maria(
    config: &custom_email_sender::Config,
    codes: &KmsCodes,
    mailer: &impl mailer::Mailer,
    ciphertext: &str,
) -> Result<Value, trigger_core::TriggerError> {
    common::handle(
        config,
        codes,
        mailer,
        event_for("maria@example.com", ciphertext),
    )
    .await
}

async fn codes_on(endpoint: &str, key: &str, budget: Duration) -> KmsCodes {
    let sdk = sdk_config_for(endpoint, budget).await;
    KmsCodes::new(aws_sdk_kms::Client::new(&sdk), key)
        .await
        .unwrap()
}

#[tokio::test]
async fn codes_from_three_encryptors_decrypt_and_the_email_goes_out_through_ses() {
    let moto = moto_endpoint();
    let key = create_key(&moto).await;
    let sdk = sdk_config_for(&moto, Duration::from_secs(2)).await;
    let ses = aws_sdk_ses::Client::new(&sdk);
    ses.verify_email_identity()
        .email_address("no-reply@acme.example")
        .send()
        .await
        .unwrap();
    let codes = KmsCodes::new(aws_sdk_kms::Client::new(&sdk), &key)
        .await
        .unwrap();
    let mailer = SesMailer::new(ses, common::FROM);
    let config = common::config(&[("KMS_KEY_ARN", &key)]);
    let ciphertexts = every_encryptor(&moto, &key, CODE).await;
    for (label, ciphertext) in ciphertexts {
        let to = format!("{}@example.com", unique_name("maria"));
        // The first invocation warms the clients; the second is the one timed.
        for round in ["cold", "warm"] {
            let started = Instant::now();
            let answer = common::handle(&config, &codes, &mailer, event_for(&to, &ciphertext))
                .await
                .unwrap_or_else(|e| panic!("{label}: {e:?}"));
            println!(
                "{label}: decrypt + send ({round}) {:.1} ms",
                started.elapsed().as_secs_f64() * 1e3
            );
            assert_eq!(answer["response"]["delivered"]["channel"], "EMAIL");
        }
        let sent = sent_mail(&moto, &to);
        assert_eq!(sent.len(), 2, "{label}: one email per invocation");
        assert!(
            sent[0].body.contains(CODE),
            "{label}: the code is in the email"
        );
        assert_eq!(sent[0].from, common::FROM);
    }
}

#[tokio::test]
async fn other_keys_truncated_and_garbage_codes_are_refused_and_nothing_is_sent() {
    let moto = moto_endpoint();
    let (key, other) = (create_key(&moto).await, create_key(&moto).await);
    let codes = codes_on(&moto, &key, Duration::from_secs(2)).await;
    let config = common::config(&[("KMS_KEY_ARN", &key)]);
    let good = encrypt(&moto, &key, CODE, Suite::Committing).await;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&good)
        .unwrap();
    let truncated = base64::engine::general_purpose::STANDARD.encode(&bytes[..bytes.len() / 2]);
    let garbage = base64::engine::general_purpose::STANDARD
        .encode(b"AYADeLs0ZWluZ0NpcGhlcnRleHQ nothing to see");
    let cases = [
        (
            "another key",
            encrypt(&moto, &other, CODE, Suite::Committing).await,
            "LookupFailed",
        ),
        ("truncated", truncated, "LookupFailed"),
        ("garbage", garbage, "LookupFailed"),
        (
            "not base64",
            "%%% not base64 %%%".to_owned(),
            "UnusableData",
        ),
        ("empty", String::new(), "MalformedEvent"),
    ];
    for (label, ciphertext, error_type) in cases {
        let mailer = InMemoryMailer::default();
        let err = to_maria(&config, &codes, &mailer, &ciphertext)
            .await
            .expect_err(label);
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(CODE), "{label}: the code leaked: {shown}");
        assert!(mailer.sent().is_empty(), "{label}: nothing may be sent");
        assert_eq!(err.error_type(), error_type, "{label}");
    }
}

#[tokio::test]
async fn kms_down_or_hanging_fails_within_the_budget() {
    let moto = moto_endpoint();
    let key = create_key(&moto).await;
    let ciphertext = encrypt(&moto, &key, CODE, Suite::Committing).await;
    let config = common::config(&[("KMS_KEY_ARN", &key), ("SENDER_BUDGET_MS", "800")]);
    let (hanging, _guard) = hanging_endpoint();
    for (label, endpoint) in [("refused", refused_endpoint()), ("hanging", hanging)] {
        let codes = codes_on(&endpoint, &key, config.settings.per_call()).await;
        let mailer = InMemoryMailer::default();
        let started = Instant::now();
        let err = to_maria(&config, &codes, &mailer, &ciphertext)
            .await
            .expect_err(label);
        let took = started.elapsed();
        println!(
            "KMS {label}: failed in {:.1} ms ({})",
            took.as_secs_f64() * 1e3,
            err.error_type()
        );
        assert!(
            took < config.settings.budget + Duration::from_millis(200),
            "{label}: {took:?}"
        );
        assert_eq!(err.error_type(), "LookupFailed", "{label}");
        assert!(mailer.sent().is_empty());
    }
}

#[tokio::test]
async fn ses_hanging_fails_within_the_budget_after_the_code_is_read() {
    let moto = moto_endpoint();
    let key = create_key(&moto).await;
    let ciphertext = encrypt(&moto, &key, CODE, Suite::Committing).await;
    let config = common::config(&[("KMS_KEY_ARN", &key), ("SENDER_BUDGET_MS", "800")]);
    let codes = codes_on(&moto, &key, config.settings.per_call()).await;
    let (hanging, _guard) = hanging_endpoint();
    let sdk = sdk_config_for(&hanging, config.settings.per_call()).await;
    let mailer = SesMailer::new(aws_sdk_ses::Client::new(&sdk), common::FROM);
    let started = Instant::now();
    let err = to_maria(&config, &codes, &mailer, &ciphertext)
        .await
        .expect_err("SES never answers");
    let took = started.elapsed();
    println!("SES hanging: failed in {:.1} ms", took.as_secs_f64() * 1e3);
    assert!(
        took < config.settings.budget + Duration::from_millis(200),
        "{took:?}"
    );
    assert!(!format!("{err:?}").contains(CODE));
}
