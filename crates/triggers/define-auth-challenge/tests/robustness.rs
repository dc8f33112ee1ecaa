#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No event panics the define handler, and no answer both issues tokens and fails.

use define_auth_challenge::{handler, Config};
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic};
use trigger_core::{TriggerError, Vars};

fn handle(config: &Config, event: Value) -> Result<Value, TriggerError> {
    block_on(test_support::answer(|e| handler(config, e), event))
}

#[test]
fn no_event_panics_it_and_every_answer_is_one_step() {
    let config = Config::from_vars(&Vars::from_pairs([("CAPTCHA_PROVIDER", "hcaptcha")])).unwrap();
    check_no_panic(
        "define-auth-challenge",
        512,
        |event| handle(&config, event),
        |_, answer| {
            if let Ok(out) = answer {
                let r = &out["response"];
                let steps = [
                    r["challengeName"] == "CUSTOM_CHALLENGE",
                    r["issueTokens"] == true,
                    r["failAuthentication"] == true,
                ];
                prop_assert_eq!(steps.iter().filter(|s| **s).count(), 1, "{}", r);
            }
            Ok(())
        },
    );
}
