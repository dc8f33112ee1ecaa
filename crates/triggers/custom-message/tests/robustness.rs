#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Properties of the custom message handler: no input panics it, no attribute value
//! adds markup to an email, and every message it writes keeps Cognito's rules.

use custom_message::kind::MessageKind;
use custom_message::rules::{EMAIL_MAX_CHARS, SMS_MAX_CHARS, SUBJECT_MAX_CHARS};
use custom_message::{handler, Config};
use proptest::prelude::*;
use serde_json::{json, Value};
use test_support::{block_on, check_no_panic};
use trigger_core::{TriggerError, Vars};

fn handle(config: &Config, event: Value) -> Result<Value, TriggerError> {
    block_on(test_support::answer(|e| handler(config, e), event))
}

fn config() -> Config {
    Config::from_vars(&Vars::from_pairs([
        ("APP_NAME", "Acme Notes"),
        ("SUPPORT_EMAIL", "support@acme.example"),
        ("VERIFY_URL", "https://notes.acme.example/verify"),
    ]))
    .unwrap()
}

fn event(kind: MessageKind, user_name: &str, attrs: Value) -> Value {
    json!({
        "version": "1",
        "triggerSource": kind.trigger_source(),
        "userName": user_name,
        "request": {
            "userAttributes": attrs,
            "codeParameter": "{####}",
            "usernameParameter": "{username}",
        },
        "response": {}
    })
}

/// Counts the characters that make HTML structure.
fn markup(html: &str) -> [usize; 4] {
    let n = |c| html.matches(c).count();
    [n('<'), n('>'), n('"'), n('\'')]
}

/// The escaping MiniJinja applies in HTML.
fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

fn kind() -> impl Strategy<Value = MessageKind> {
    prop::sample::select(MessageKind::ALL.to_vec())
}

fn locale() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("en".to_owned()),
        Just("fr-FR".to_owned()),
        Just("de".to_owned()),
        Just("es_MX".to_owned()),
        ".{0,12}",
    ]
}

/// Text an attacker might put in a name: markup, quotes, entities, control characters.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,200}",
        "[<>\"'&/=a-z ]{0,60}",
        Just("<script>alert(1)</script>".to_owned()),
        Just("\"><img src=x onerror=alert(1)>".to_owned()),
        Just("{####}{username}&amp;".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn no_attribute_value_injects_markup(
        kind in kind(),
        lang in locale(),
        name in hostile_text(),
        user_name in hostile_text(),
        email in hostile_text(),
    ) {
        let config = config();
        let benign = handle(&config, event(kind, "user", json!({"given_name": "Ann", "locale": lang, "email": "a@b.c"}))).unwrap();
        let hostile = handle(&config, event(kind, &user_name, json!({"given_name": name, "locale": lang, "email": email}))).unwrap();
        if let (Some(a), Some(b)) = (benign["response"]["emailMessage"].as_str(), hostile["response"]["emailMessage"].as_str()) {
            // Same structure whatever the values: no tag, attribute or quote added.
            prop_assert_eq!(markup(a), markup(b));
            // And the name is there, escaped.
            if !name.trim().is_empty() {
                prop_assert!(b.contains(&html_escaped(name.trim())), "escaped name missing");
            }
        }
    }

    #[test]
    fn every_written_message_keeps_placeholders_and_limits(
        kind in kind(),
        lang in locale(),
        name in hostile_text(),
        given in prop::option::of("[\\p{L} ]{0,2000}"),
        user_name in ".{0,300}",
    ) {
        let mut attrs = json!({"name": name, "locale": lang});
        if let Some(g) = given { attrs["given_name"] = g.into(); }
        let out = handle(&config(), event(kind, &user_name, attrs)).unwrap();
        let r = &out["response"];
        let needs = |s: &str| s.contains("{####}") && (!kind.needs_username() || s.contains("{username}"));
        match (r["emailSubject"].as_str(), r["emailMessage"].as_str()) {
            (Some(subject), Some(html)) => {
                prop_assert!(needs(html));
                prop_assert!(subject.chars().count() <= SUBJECT_MAX_CHARS);
                prop_assert!(html.chars().count() <= EMAIL_MAX_CHARS);
            }
            (None, None) => {}
            other => prop_assert!(false, "subject and body must be set together: {:?}", other),
        }
        if let Some(sms) = r["smsMessage"].as_str() {
            prop_assert!(needs(sms));
            prop_assert!(sms.chars().count() <= SMS_MAX_CHARS);
        }
    }
}

#[test]
fn no_event_makes_the_handler_panic() {
    check_no_panic(
        "custom-message",
        384,
        |event| handle(&config(), event),
        |_, answer| {
            if let Ok(out) = answer {
                for key in ["smsMessage", "emailMessage", "emailSubject"] {
                    let v = &out["response"][key];
                    prop_assert!(v.is_null() || v.is_string(), "{} is {:?}", key, v);
                }
            }
            Ok(())
        },
    );
}
