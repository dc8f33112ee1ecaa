#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The handler against every sample event in `events/pre-signup/`.

use pre_signup::{handler, rules::Refusal, Config};
use serde_json::Value;
use test_support::{block_on, lost_fields, sample_event, sample_events, upstream_fixtures};
use trigger_core::{TriggerError, Vars};

/// The defaults of a deployment that sets nothing.
fn unconfigured() -> Config {
    Config::from_vars(&Vars::default()).unwrap()
}

fn handle(config: &Config, event: Value) -> Result<Value, TriggerError> {
    block_on(test_support::answer(
        |e| handler(config, pre_signup::LINKING_OFF, e),
        event,
    ))
}

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
        "PreSignUp_ExternalProvider.json" | "PreSignUp_ExternalProvider-verified.json" => {
            Expect::Accepted {
                auto_confirm: false,
            }
        }
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
                // Confirmed or not, no address is verified without a code by default.
                assert_eq!(response["autoVerifyEmail"], Value::Bool(false), "{file}");
                assert_eq!(response["autoVerifyPhone"], Value::Bool(false), "{file}");
                // The whole event comes back: only `response` may differ.
                let lost = lost_fields(&event, &out);
                assert!(lost.is_empty(), "{file}: {lost:?}");
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
    let mut event = sample_event("pre-signup", "PreSignUp_SignUp.json");
    event["request"]["userAttributes"]["custom:role"] = "admin".into();
    let err = handle(&config(), event).unwrap_err();
    assert_eq!(
        err.user_message(),
        "Sign-up cannot set a protected attribute"
    );
}

#[test]
fn unknown_trigger_source_is_a_clear_internal_error() {
    let (_, mut event) = sample_events("pre-signup").remove(0);
    event["triggerSource"] = "PostConfirmation_ConfirmSignUp".into();
    let err = handle(&config(), event).unwrap_err();
    assert_eq!(err.error_type(), "UnsupportedTriggerSource");
}

#[test]
fn odd_but_real_shapes_are_accepted() {
    // The defaults: no domain list, so an event without email is acceptable.
    let config = unconfigured();
    let shapes = [
        // No response at all, and a null one.
        serde_json::json!({"triggerSource": "PreSignUp_SignUp", "request": {"userAttributes": {"email": "a@example.com"}}}),
        serde_json::json!({"triggerSource": "PreSignUp_SignUp", "request": {"userAttributes": {"email": "a@example.com"}}, "response": null}),
        // Response booleans missing, emulator version, unknown fields, null maps.
        serde_json::json!({
            "version": "0", "region": "local", "triggerSource": "PreSignUp_SignUp",
            "callerContext": null, "somethingNew": {"x": 1},
            "request": {"userAttributes": {"email": "a@example.com", "nickname": null}, "validationData": null, "clientMetadata": {}},
            "response": {}
        }),
        // `{}` where attributes are expected.
        serde_json::json!({"triggerSource": "PreSignUp_AdminCreateUser", "request": {"userAttributes": {}}, "response": {}}),
    ];
    for event in shapes {
        let out = handle(&config, event.clone()).unwrap_or_else(|e| panic!("{event}: {e}"));
        for key in ["autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone"] {
            assert_eq!(out["response"][key], Value::Bool(false), "{event}");
        }
        if let Some(extra) = event.get("somethingNew") {
            assert_eq!(&out["somethingNew"], extra, "unknown fields come back");
        }
    }
}

#[test]
fn the_aws_lambda_events_fixture_is_answered() {
    // The crate's fixture holds placeholders ("<phone_number>", "<email>"), which the
    // rules refuse; with real values in their place it is an ordinary sign-up.
    for (name, mut event) in upstream_fixtures("presignup") {
        let err = handle(&unconfigured(), event.clone()).unwrap_err();
        assert_eq!(
            err.user_message(),
            Refusal::PhoneInvalid.sentence(),
            "{name}"
        );
        event["request"]["userAttributes"]["phone_number"] = "+14155550123".into();
        let err = handle(&unconfigured(), event.clone()).unwrap_err();
        assert_eq!(
            err.user_message(),
            Refusal::EmailInvalid.sentence(),
            "{name}"
        );
        event["request"]["userAttributes"]["email"] = "ana@example.com".into();
        let out = handle(&unconfigured(), event).unwrap_or_else(|e| panic!("{name}: {e}"));
        for key in ["autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone"] {
            assert_eq!(
                out["response"][key], false,
                "{name}: {key} is decided here, not kept"
            );
        }
    }
}
