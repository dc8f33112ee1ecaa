#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The handler against every sample event in `events/pre-signup/`.

use pre_signup::{handle, rules::Refusal, Config};
use serde_json::Value;
use trigger_core::testing::sample_events;
use trigger_core::Vars;

/// The configuration the samples are written for (also the demo's).
fn config() -> Config {
    Config::from_vars(&Vars::from_pairs([
        ("AUTO_CONFIRM_EMAIL_DOMAINS", "corp.example.com"),
        ("DENIED_EMAIL_DOMAINS", "competitor.example"),
    ]))
    .unwrap()
}

enum Expect {
    Accepted { auto_confirm: bool },
    Refused(Refusal),
}

fn expectation(file: &str) -> Expect {
    match file {
        "PreSignUp_SignUp.json" => Expect::Accepted {
            auto_confirm: false,
        },
        "PreSignUp_AdminCreateUser.json" => Expect::Accepted { auto_confirm: true },
        "PreSignUp_ExternalProvider.json" => Expect::Accepted {
            auto_confirm: false,
        },
        "PreSignUp_SignUp-disposable.json" => Expect::Refused(Refusal::DisposableEmail),
        "local-PreSignUp_SignUp.json" => Expect::Accepted {
            auto_confirm: false,
        },
        other => panic!("{other}: add an expectation for this new sample event"),
    }
}

#[test]
fn every_sample_event_gets_the_expected_answer() {
    let config = config();
    for (file, event) in sample_events("pre-signup") {
        let result = handle(&config, event.clone());
        match expectation(&file) {
            Expect::Accepted { auto_confirm } => {
                let out = result.unwrap_or_else(|e| panic!("{file}: refused with {e}"));
                let response = &out["response"];
                assert_eq!(
                    response["autoConfirmUser"],
                    Value::Bool(auto_confirm),
                    "{file}"
                );
                assert_eq!(
                    response["autoVerifyEmail"],
                    Value::Bool(auto_confirm),
                    "{file}"
                );
                assert_eq!(response["autoVerifyPhone"], Value::Bool(false), "{file}");
                // The whole event comes back: only `response` may differ.
                let (mut a, mut b) = (event.clone(), out.clone());
                a.as_object_mut().unwrap().remove("response");
                b.as_object_mut().unwrap().remove("response");
                assert_eq!(a, b, "{file}: the event must come back unchanged");
            }
            Expect::Refused(refusal) => {
                let err = result.expect_err(&file);
                assert_eq!(err.user_message(), refusal.sentence(), "{file}");
            }
        }
    }
}

#[test]
fn protected_role_in_a_self_sign_up_sample_is_refused() {
    let (_, mut event) = sample_events("pre-signup")
        .into_iter()
        .find(|(f, _)| f == "PreSignUp_SignUp.json")
        .unwrap();
    event["request"]["userAttributes"]["custom:role"] = "admin".into();
    let err = handle(&config(), event).unwrap_err();
    assert_eq!(
        err.user_message(),
        "Sign-up cannot set a protected attribute."
    );
}

#[test]
fn unknown_trigger_source_is_a_clear_internal_error() {
    let (_, mut event) = sample_events("pre-signup").remove(0);
    event["triggerSource"] = "PostConfirmation_ConfirmSignUp".into();
    let err = handle(&config(), event).unwrap_err();
    assert_eq!(err.error_type(), "UnsupportedTriggerSource");
}
