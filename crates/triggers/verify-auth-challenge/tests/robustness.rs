#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No event panics the verify handler, and an unknown user's answer is never right.

use passwordless::ports::InMemoryChallenges;
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic};
use trigger_core::{TriggerError, Vars};
use verify_auth_challenge::ports::FixedBotCheck;
use verify_auth_challenge::{handler, Config, Services};

#[test]
fn no_event_panics_it_and_no_unknown_user_is_right() {
    let config =
        Config::from_vars(&Vars::from_pairs([("CHALLENGE_TABLE_NAME", "challenges")])).unwrap();
    let store = InMemoryChallenges::default();
    let bots = FixedBotCheck::passing(&["human"]);
    let services = Services {
        store: &store,
        public_key: None,
        bot_check: Some(&bots),
    };
    let handle = |event: Value| -> Result<Value, TriggerError> {
        block_on(test_support::answer(
            |e| handler(&config, &services, e),
            event,
        ))
    };
    check_no_panic("verify-auth-challenge", 256, handle, |event, answer| {
        if let Ok(out) = answer {
            if event["request"]["userNotFound"] == true {
                prop_assert_ne!(&out["response"]["answerCorrect"], &Value::Bool(true));
            }
        }
        Ok(())
    });
}
