#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every sample event, its code decrypted for real (the Encryption SDK, KMS in moto
//! with the samples' key, started by `make test`), becomes one text of at most 140
//! characters, in the user's language, to their number, with the code.

mod common;

use std::time::Duration;

use code_sender::KmsCodes;
use custom_sms_sender::{sms_text, SMS_MAX_CHARS};
use message_templates::MessageKind;
use test_support::aws::moto_endpoint;
use test_support::kms::{sample_code, sample_key_client, SAMPLE_KEY_ARN};
use test_support::{lost_fields, sample_events};
use texter::InMemoryTexter;

#[tokio::test]
async fn every_sample_event_texts_its_code_to_the_users_number() {
    let kms = sample_key_client(&moto_endpoint(), Duration::from_secs(5)).await;
    let codes = KmsCodes::new(kms, SAMPLE_KEY_ARN).await.unwrap();
    let config = common::config(&[]);
    let samples = sample_events("custom-sms-sender");
    assert_eq!(samples.len(), 7, "one sample per trigger source");
    let (mut english, mut french) = (0, 0);
    for (file, event) in samples {
        let texter = InMemoryTexter::default();
        let answer = common::handle(&config, &codes, &texter, event.clone())
            .await
            .unwrap_or_else(|e| panic!("{file}: {e:?}"));
        assert!(
            lost_fields(&event, &answer).is_empty(),
            "{file}: the event comes back whole"
        );
        let sent = texter.sent();
        assert_eq!(sent.len(), 1, "{file}");
        let (phone, text) = &sent[0];
        assert_eq!(
            phone, &event["request"]["userAttributes"]["phone_number"],
            "{file}"
        );
        assert!(text.contains(sample_code(&file).unwrap()), "{file}: {text}");
        assert!(text.chars().count() <= SMS_MAX_CHARS, "{file}: {text}");
        match answer["response"]["delivered"]["language"].as_str() {
            Some("en") => english += 1,
            Some("fr") => french += 1,
            other => panic!("{file}: {other:?}"),
        }
        if file.contains("AdminCreateUser") {
            assert!(
                text.contains("jean.dupont"),
                "the invitation names the user name: {text}"
            );
        }
    }
    assert!(
        english > 0 && french > 0,
        "both languages of the samples were used"
    );
}

#[test]
fn every_text_fits_in_140_characters_even_with_the_longest_product_name() {
    let name = "A".repeat(60);
    let config = common::config(&[("APP_NAME", &name)]);
    let username = "u".repeat(60);
    for lang in ["en", "fr", "de", "es"] {
        for kind in MessageKind::ALL {
            let text = sms_text(&config, lang, kind, "Tq7#mZ2p", Some(username.clone())).unwrap();
            assert!(
                text.chars().count() <= SMS_MAX_CHARS,
                "{lang} {kind:?}: {text}"
            );
            assert!(text.contains("Tq7#mZ2p"), "{lang} {kind:?}: {text}");
        }
    }
    // A short name keeps the catalog's sentence.
    let config = common::config(&[]);
    let text = sms_text(&config, "fr", MessageKind::SignUp, "482913", None).unwrap();
    assert!(
        text.starts_with("Acme Notes") && text.len() > "Acme Notes: 482913".len(),
        "{text}"
    );
}
