#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No event panics the create handler, and whatever it answers keeps the code out of
//! the public parameters.

use create_auth_challenge::{handler, Config, Services};
use mailer::InMemoryMailer;
use passwordless::ports::{InMemoryChallenges, LocalSigner};
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic};
use texter::InMemoryTexter;
use trigger_core::{TriggerError, Vars};

#[test]
fn no_event_panics_it_and_no_public_parameter_holds_a_code() {
    let config = Config::from_vars(&Vars::from_pairs([
        ("CHALLENGE_TABLE_NAME", "challenges"),
        ("APP_NAME", "Acme Notes"),
        ("PASSWORDLESS_FROM_ADDRESS", "sign-in@acme.example"),
        ("SEND_ANSWER_FLOOR_MS", "0"),
        ("SEND_COOLDOWN_SECONDS", "10"),
        ("SEND_MAX_PER_HOUR", "50"),
    ]))
    .unwrap();
    let (store, signer, mailer, texter) = (
        InMemoryChallenges::default(),
        LocalSigner::default(),
        InMemoryMailer::default(),
        InMemoryTexter::default(),
    );
    let services = Services {
        store: &store,
        signer: Some(&signer),
        mailer: &mailer,
        texter: &texter,
    };
    let handle = |event: Value| -> Result<Value, TriggerError> {
        block_on(test_support::answer(
            |e| handler(&config, &services, e),
            event,
        ))
    };
    check_no_panic("create-auth-challenge", 256, handle, |_, answer| {
        if let Ok(out) = answer {
            let public = out["response"]["publicChallengeParameters"].to_string();
            for mail in mailer.sent() {
                for word in mail.text.split_whitespace() {
                    if word.len() == 6 && word.bytes().all(|b| b.is_ascii_digit()) {
                        prop_assert!(!public.contains(word), "{}", public);
                    }
                }
            }
        }
        Ok(())
    });
}
