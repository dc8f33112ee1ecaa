#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The senders' decryption (the AWS Encryption SDK, with a strict KMS keyring on the
//! pool's key) against messages the Rust Encryption SDK made, with moto's KMS
//! (started by `make test`): the SDK's eight suites with key derivation, in one
//! frame, in many and with an empty final frame, decrypt to what was encrypted; the
//! three deprecated ones without key derivation are refused; a data key under
//! another key first and ours second decrypts; more data keys than a code carries
//! are refused without a KMS call; an altered message is refused, never read as
//! another code; and decryption keeps to its budget when KMS never answers.

use std::time::{Duration, Instant};

use base64::Engine;
use code_sender::{read_code, CodeReader, DecryptError, KmsCodes, SendError, MAX_DATA_KEYS};
use test_support::aws::{hanging_endpoint, moto_endpoint, refused_endpoint, sdk_config_for};
use test_support::kms::{create_key, encrypt_with, EsdkAlgorithmSuiteId, EVERY_SUITE};

const CODE: &str = "482913";
/// Longer than a frame of 7 and not a multiple of it, with multibyte characters.
const LONG: &str = "Tq7#mZ2p, Grüße aus Köln: ünïcødé ≠ ascii, 一二三 and a final word";

async fn codes(endpoint: &str, key: &str) -> KmsCodes {
    let sdk = sdk_config_for(endpoint, Duration::from_secs(2)).await;
    KmsCodes::new(aws_sdk_kms::Client::new(&sdk), key)
        .await
        .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn no_key_derivation(suite: &EsdkAlgorithmSuiteId) -> bool {
    format!("{suite:?}").ends_with("NoKdf")
}

#[tokio::test]
async fn every_suite_with_key_derivation_decrypts_and_the_three_without_are_refused() {
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
    let (mut read, mut refused) = (0, 0);
    for suite in EVERY_SUITE {
        for (text, frame_length) in layouts {
            let message = encrypt_with(&moto, &[&key], text.as_bytes(), suite, frame_length).await;
            let answer = codes.read(&b64(&message)).await;
            if no_key_derivation(&suite) {
                let err = answer.err().unwrap_or_else(|| panic!("{suite:?} was read"));
                assert!(err.to_string().contains("without key derivation"), "{err}");
                refused += 1;
            } else {
                let code =
                    answer.unwrap_or_else(|e| panic!("{suite:?}, frames {frame_length:?}: {e}"));
                assert_eq!(code.expose(), text, "{suite:?}, frames {frame_length:?}");
                read += 1;
            }
        }
    }
    assert_eq!((read, refused), (32, 12));
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
    let started = Instant::now();
    let err = codes(&refused_endpoint(), &ours)
        .await
        .read(&b64(&message))
        .await
        .unwrap_err();
    assert!(matches!(err, DecryptError::Refused(_)), "{err}");
    assert!(
        !err.to_string().contains("onnect"),
        "no KMS call was made: {err}"
    );
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[tokio::test]
async fn more_data_keys_than_a_code_carries_are_refused_before_any_kms_call() {
    let moto = moto_endpoint();
    let keys = [
        create_key(&moto).await,
        create_key(&moto).await,
        create_key(&moto).await,
    ];
    let all: Vec<&str> = keys.iter().map(String::as_str).collect();
    assert_eq!(all.len() as i64, MAX_DATA_KEYS + 1);
    let message = encrypt_with(&moto, &all, CODE.as_bytes(), EVERY_SUITE[10], None).await;
    // Against a KMS that never answers, three keys under ours took three timeouts.
    let (hanging, _guard) = hanging_endpoint();
    let codes = codes(&hanging, &keys[2]).await;
    let started = Instant::now();
    let err = codes.read(&b64(&message)).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, DecryptError::Refused(_)), "{err}");
    assert!(took < Duration::from_millis(500), "no KMS call: {took:?}");
    println!(
        "three data keys, KMS hanging: refused in {:.1} ms",
        took.as_secs_f64() * 1e3
    );
}

#[tokio::test]
async fn a_kms_that_never_answers_is_given_up_within_the_budget() {
    let moto = moto_endpoint();
    let key = create_key(&moto).await;
    // Two data keys under our key: two calls a hanging KMS holds for its timeout each.
    let message = encrypt_with(&moto, &[&key, &key], CODE.as_bytes(), EVERY_SUITE[10], None).await;
    let (hanging, _guard) = hanging_endpoint();
    let budget = Duration::from_millis(2500);
    let sdk = sdk_config_for(&hanging, budget).await;
    let codes = KmsCodes::new(aws_sdk_kms::Client::new(&sdk), &key)
        .await
        .unwrap();
    let started = Instant::now();
    let err = read_code(&codes, Some(&b64(&message)), budget).await.err();
    let took = started.elapsed();
    assert!(
        matches!(
            err,
            Some(SendError::OutOfTime(..)) | Some(SendError::Decrypt(_))
        ),
        "{err:?}"
    );
    assert!(took < budget + Duration::from_millis(200), "took {took:?}");
    println!(
        "two data keys, KMS hanging: given up in {:.1} ms (budget {budget:?})",
        took.as_secs_f64() * 1e3
    );
}

#[tokio::test]
async fn changed_and_cut_messages_are_refused() {
    let moto = moto_endpoint();
    let key = create_key(&moto).await;
    let codes = codes(&moto, &key).await;
    for suite in [EVERY_SUITE[10], EVERY_SUITE[6]] {
        let message = encrypt_with(&moto, &[&key], CODE.as_bytes(), suite, Some(4)).await;
        assert_eq!(codes.read(&b64(&message)).await.unwrap().expose(), CODE);
        // Every seventh byte changed, every ninth cut, one byte added: each a KMS
        // call at most, so a sample of them rather than all.
        let mut altered: Vec<(String, Vec<u8>)> = Vec::new();
        for at in (0..message.len()).step_by(7) {
            let mut changed = message.clone();
            changed[at] ^= 1;
            altered.push((format!("byte {at} changed"), changed));
        }
        for end in (0..message.len()).step_by(9) {
            altered.push((format!("cut at {end}"), message[..end].to_vec()));
        }
        altered.push(("a byte added".into(), [message.as_slice(), &[0]].concat()));
        for (what, bytes) in &altered {
            match codes.read(&b64(bytes)).await {
                Ok(code) => panic!("{suite:?}, {what}: read as {:?}", code.expose()),
                Err(e) => {
                    let shown = e.to_string();
                    assert!(!shown.contains(CODE), "{suite:?}, {what}: {shown}");
                    // Nor a run of the message's bytes, in base64 or as the numbers
                    // of a Debug dump.
                    let text = b64(&message);
                    let middle = text.len() / 2;
                    assert!(!shown.contains(&text[middle..middle + 16]), "{shown}");
                    let numbers = format!("{:?}", &message[middle / 2..middle / 2 + 6]);
                    assert!(!shown.contains(&numbers[1..numbers.len() - 1]), "{shown}");
                }
            }
        }
    }
}

#[tokio::test]
async fn an_overlong_code_is_refused_before_it_is_decoded() {
    let codes = codes(
        &refused_endpoint(),
        "arn:aws:kms:us-east-1:123456789012:key/1f2e3d4c-5b6a-4789-8abc-0123456789ab",
    )
    .await;
    let long = "A".repeat(code_sender::MAX_CIPHERTEXT_CHARS + 4);
    let err = codes.read(&long).await.unwrap_err();
    assert!(err.to_string().contains("longer than"), "{err}");
}
