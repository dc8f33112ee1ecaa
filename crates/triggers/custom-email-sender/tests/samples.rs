#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every sample event, its code decrypted for real (the Encryption SDK, KMS in moto
//! with the samples' key, started by `make test`), becomes one email in the user's
//! language that carries the code.

mod common;

use std::time::Duration;

use code_sender::KmsCodes;
use mailer::InMemoryMailer;
use test_support::aws::moto_endpoint;
use test_support::kms::{sample_code, sample_key_client, SAMPLE_KEY_ARN};
use test_support::{lost_fields, sample_events};

#[tokio::test]
async fn every_sample_event_sends_one_email_in_the_users_language_with_its_code() {
    let kms = sample_key_client(&moto_endpoint(), Duration::from_secs(5)).await;
    let codes = KmsCodes::new(kms, SAMPLE_KEY_ARN).await.unwrap();
    let config = common::config(&[]);
    let samples = sample_events("custom-email-sender");
    assert_eq!(samples.len(), 8, "one sample per trigger source");
    for (file, event) in samples {
        let mailer = InMemoryMailer::default();
        let answer = common::handle(&config, &codes, &mailer, event.clone())
            .await
            .unwrap_or_else(|e| panic!("{file}: {e:?}"));
        assert!(
            lost_fields(&event, &answer).is_empty(),
            "{file}: the event comes back whole"
        );
        let sent = mailer.sent();
        assert_eq!(sent.len(), 1, "{file}");
        let mail = &sent[0];
        assert_eq!(
            mail.to, event["request"]["userAttributes"]["email"],
            "{file}"
        );
        let delivered = &answer["response"]["delivered"];
        assert_eq!(delivered["channel"], "EMAIL", "{file}");
        let lang = event["request"]["userAttributes"]["locale"]
            .as_str()
            .map_or("en", |l| &l[..2]);
        assert_eq!(delivered["language"], lang, "{file}");
        match sample_code(&file) {
            Some(code) => {
                // The temporary password (with a '#') too, as it is, in both parts.
                assert!(mail.text.contains(code), "{file}: {}", mail.text);
                assert!(
                    mail.html.contains(code),
                    "{file}: the code in the HTML part"
                );
                assert!(!mail.text.contains("{####}"), "{file}");
            }
            None => {
                assert_eq!(delivered["message"], "risky_sign_in", "{file}");
                assert!(
                    mail.text.contains("203.0.113.7 (Lisbon, Portugal)"),
                    "{}",
                    mail.text
                );
            }
        }
        if file.contains("AdminCreateUser") {
            assert!(
                mail.text.contains("lukas.becker"),
                "the invitation names the user name"
            );
        }
    }
}
