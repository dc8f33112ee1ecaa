#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic; every failure is a `TriggerError`.

use pre_signup::rules::Refusal;
use pre_signup::{handler, Config};
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic};
use trigger_core::error::GENERIC_MESSAGE;
use trigger_core::{TriggerError, Vars};

fn handle(config: &Config, event: Value) -> Result<Value, TriggerError> {
    block_on(test_support::answer(
        |e| handler(config, pre_signup::LINKING_OFF, e),
        event,
    ))
}

fn config() -> Config {
    Config::from_vars(&Vars::from_pairs([
        ("ALLOWED_EMAIL_DOMAINS", "example.com,bücher.de"),
        ("AUTO_CONFIRM_EMAIL_DOMAINS", "corp.example.com"),
        ("REQUIRED_ATTRIBUTES", "email"),
    ]))
    .unwrap()
}

#[test]
fn no_event_makes_the_handler_panic() {
    check_no_panic(
        "pre-signup",
        512,
        |event| handle(&config(), event),
        |_, answer| {
            match answer {
                Ok(out) => {
                    // An accepted event always carries the three booleans.
                    for key in ["autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone"] {
                        prop_assert!(out["response"][key].is_boolean(), "{key} missing");
                    }
                }
                // A refusal names one of the rules; anything else is the generic sentence.
                Err(TriggerError::User(sentence)) => prop_assert!(
                    Refusal::ALL.iter().any(|r| r.sentence() == sentence),
                    "unknown refusal {:?}",
                    sentence
                ),
                Err(e) => prop_assert_eq!(e.user_message(), GENERIC_MESSAGE),
            }
            Ok(())
        },
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_attribute_values_never_panic(
        email in ".{0,80}",
        phone in ".{0,20}",
        extra in prop::collection::btree_map("[a-z:_]{1,12}", ".{0,40}", 0..5),
    ) {
        let mut attrs = serde_json::Map::new();
        attrs.insert("email".into(), email.into());
        attrs.insert("phone_number".into(), phone.into());
        for (k, v) in extra { attrs.insert(k, v.into()); }
        let event = serde_json::json!({
            "triggerSource": "PreSignUp_SignUp",
            "request": {"userAttributes": attrs},
            "response": {}
        });
        let _ = handle(&config(), event);
    }
}

/// With linking on and María in the pool, her address proven with a code: no event
/// panics, and no link is ever made for an event whose IdP email is not verified or
/// whose provider is not trusted.
#[test]
fn no_event_panics_with_linking_on() {
    use cognito_admin::{InMemoryUsers, PoolUser};
    use pre_signup::ports::InMemoryProofs;
    use pre_signup::proof::VerifiedBy;
    use pre_signup::Linking;
    let config = Config::from_vars(&Vars::from_pairs([
        ("LINK_FEDERATED_USERS", "true"),
        ("LINK_TRUSTED_PROVIDERS", "Google"),
        ("PROFILE_TABLE_NAME", "profiles"),
    ]))
    .unwrap();
    check_no_panic(
        "pre-signup",
        256,
        |event| {
            let users = InMemoryUsers::default().with(
                "maria.garcia@example.com",
                PoolUser {
                    username: "maria".into(),
                    sub: Some("sub-maria".into()),
                    federated: None,
                    email_verified: true,
                },
            );
            let proofs = InMemoryProofs::default().with(
                "sub-maria",
                "maria.garcia@example.com",
                VerifiedBy::Code,
            );
            let linking = Linking {
                users: &users,
                proofs: &proofs,
            };
            let answer = block_on(test_support::answer(
                |e| handler(&config, Some(linking), e),
                event.clone(),
            ));
            (answer, users.links())
        },
        |event, (answer, links)| {
            let verified = event["request"]["userAttributes"]["email_verified"]
                .as_str()
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
                || event["request"]["userAttributes"]["email_verified"] == Value::Bool(true);
            prop_assert!(
                links.is_empty() || verified,
                "linked without a verified IdP email"
            );
            prop_assert!(
                links
                    .iter()
                    .all(|(_, identity)| identity.provider == "Google"),
                "linked a provider that is not trusted: {links:?}"
            );
            if !links.is_empty() {
                prop_assert!(
                    answer.is_err(),
                    "a link is followed by the sign-in-again refusal"
                );
            }
            Ok(())
        },
    );
}
