#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The senders' reader of Encryption SDK messages (`code_sender::message`, on AWS-LC)
//! held to the Rust Encryption SDK itself, against moto's KMS (started by `make
//! test`): every one of the SDK's eleven algorithm suites, in one frame, in many and
//! with an empty final frame, decrypts to what was encrypted; a message whose data
//! key is wrapped under another key first and ours second decrypts; every changed
//! byte, every cut and an added byte of a message is refused, never read as another
//! code; a message under another key only is refused without asking KMS.

use std::time::Duration;

use base64::Engine;
use code_sender::{CodeReader, DecryptError, KmsCodes};
use test_support::aws::{moto_endpoint, refused_endpoint, sdk_config_for};
use test_support::kms::{create_key, encrypt_with, EsdkAlgorithmSuiteId, EVERY_SUITE};

const CODE: &str = "482913";
/// Longer than a frame of 7 and not a multiple of it, with multibyte characters.
const LONG: &str = "Tq7#mZ2p, Grüße aus Köln: ünïcødé ≠ ascii, 一二三 and a final word";

async fn codes(endpoint: &str, key: &str) -> KmsCodes {
    let sdk = sdk_config_for(endpoint, Duration::from_secs(2)).await;
    KmsCodes::new(aws_sdk_kms::Client::new(&sdk), key).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn every_algorithm_suite_in_every_frame_layout_decrypts() {
    let moto = moto_endpoint();
    let key = create_key(&moto).await;
    let codes = codes(&moto, &key).await;
    // Default frames (one final frame), frames of 1 byte, a frame length equal to the
    // code (an empty final frame after one full frame), and a long text in frames of 7.
    let layouts = [
        (CODE, None),
        (CODE, Some(1)),
        (CODE, Some(6)),
        (LONG, Some(7)),
    ];
    let mut read = 0;
    for suite in EVERY_SUITE {
        for (text, frame_length) in layouts {
            let message = encrypt_with(&moto, &[&key], text.as_bytes(), suite, frame_length).await;
            let code = codes
                .read(&b64(&message))
                .await
                .unwrap_or_else(|e| panic!("{suite:?}, frames {frame_length:?}: {e}"));
            assert_eq!(code.expose(), text, "{suite:?}, frames {frame_length:?}");
            read += 1;
        }
    }
    assert_eq!(read, 44);
}

#[tokio::test]
async fn a_data_key_under_another_key_first_and_ours_second_decrypts() {
    let moto = moto_endpoint();
    let (other, ours) = (create_key(&moto).await, create_key(&moto).await);
    for suite in [EVERY_SUITE[8], EVERY_SUITE[10]] {
        let message = encrypt_with(&moto, &[&other, &ours], CODE.as_bytes(), suite, None).await;
        let code = codes(&moto, &ours)
            .await
            .read(&b64(&message))
            .await
            .unwrap();
        assert_eq!(code.expose(), CODE, "{suite:?}");
    }
}

#[tokio::test]
async fn a_message_under_another_key_only_is_refused_without_asking_kms() {
    let moto = moto_endpoint();
    let (other, ours) = (create_key(&moto).await, create_key(&moto).await);
    let message = encrypt_with(&moto, &[&other], CODE.as_bytes(), EVERY_SUITE[10], None).await;
    // KMS is unreachable: the refusal comes from the message, not from a failed call.
    let err = codes(&refused_endpoint(), &ours)
        .await
        .read(&b64(&message))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        DecryptError::Refused(format!("the message has no data key under {ours}"))
    );
}

/// Each byte of `message` changed (its lowest bit flipped), each cut, and one byte
/// added: all refused, and none of the refusals carries the code.
async fn every_alteration_is_refused(codes: &KmsCodes, message: &[u8], label: &str) -> usize {
    let mut altered = Vec::new();
    for at in 0..message.len() {
        let mut changed = message.to_vec();
        changed[at] ^= 1;
        altered.push((format!("byte {at} changed"), changed));
    }
    for end in 0..message.len() {
        altered.push((format!("cut at {end}"), message[..end].to_vec()));
    }
    altered.push(("a byte added".to_owned(), [message, &[0]].concat()));
    for (what, bytes) in &altered {
        match codes.read(&b64(bytes)).await {
            Ok(code) => panic!("{label}, {what}: read as {:?}", code.expose()),
            Err(e) => assert!(!e.to_string().contains(CODE), "{label}, {what}: {e}"),
        }
    }
    altered.len()
}

#[tokio::test]
async fn any_changed_cut_or_added_byte_is_refused() {
    let moto = moto_endpoint();
    let key = create_key(&moto).await;
    let codes = codes(&moto, &key).await;
    let suites: [(EsdkAlgorithmSuiteId, &str); 4] = [
        (EVERY_SUITE[10], "committing, signed"),
        (EVERY_SUITE[9], "committing, unsigned"),
        (EVERY_SUITE[6], "HKDF-SHA256, signed with P-256"),
        (EVERY_SUITE[2], "no key derivation"),
    ];
    for (suite, label) in suites {
        let message = encrypt_with(&moto, &[&key], CODE.as_bytes(), suite, Some(4)).await;
        assert_eq!(codes.read(&b64(&message)).await.unwrap().expose(), CODE);
        let tried = every_alteration_is_refused(&codes, &message, label).await;
        assert_eq!(tried, 2 * message.len() + 1, "{label}");
    }
}
