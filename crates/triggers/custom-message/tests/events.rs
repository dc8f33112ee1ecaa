#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The handler against every sample event in `events/custom-message/`.

use custom_message::rules::{EMAIL_MAX_CHARS, SMS_MAX_CHARS, SUBJECT_MAX_CHARS};
use custom_message::{handler, Config};
use serde_json::Value;
use test_support::{block_on, lost_fields, sample_event, sample_events, upstream_fixtures};
use trigger_core::{TriggerError, Vars};

fn handle(config: &Config, event: Value) -> Result<Value, TriggerError> {
    block_on(test_support::answer(|e| handler(config, e), event))
}

fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        ("APP_NAME", "Acme Notes"),
        ("SUPPORT_EMAIL", "support@acme.example"),
        ("VERIFY_URL", "https://notes.acme.example/verify"),
    ];
    vars.extend_from_slice(extra);
    Config::from_vars(&Vars::from_pairs(vars)).unwrap()
}

/// (language the message must be in, a phrase of that language, carries the link)
fn expectation(file: &str) -> (&'static str, &'static str, bool) {
    match file {
        "CustomMessage_SignUp.json" => ("es", "Gracias por registrarte", true),
        "CustomMessage_AdminCreateUser.json" => ("fr", "mot de passe temporaire", false),
        "CustomMessage_ResendCode.json" => ("es", "nuevo código", true),
        "CustomMessage_ForgotPassword.json" => ("de", "Passwort zurücksetzen", false),
        "CustomMessage_UpdateUserAttribute.json" => {
            ("en", "Confirm your new contact details", false)
        }
        "CustomMessage_VerifyUserAttribute.json" => ("en", "Verify your contact details", false),
        "CustomMessage_Authentication.json" => ("de", "Anmeldecode", false),
        "local-CustomMessage_SignUp.json" => ("en", "Thanks for signing up", true),
        "local-CustomMessage_ForgotPassword.json" => ("de", "Passwort zurücksetzen", false),
        other => panic!("{other}: add an expectation for this new sample event"),
    }
}

#[test]
fn every_sample_event_gets_a_localized_message_within_cognitos_rules() {
    let config = config(&[]);
    for (file, event) in sample_events("custom-message") {
        let (lang, phrase, link) = expectation(&file);
        let out = handle(&config, event.clone()).unwrap_or_else(|e| panic!("{file}: {e}"));
        let r = &out["response"];
        let subject = r["emailSubject"]
            .as_str()
            .unwrap_or_else(|| panic!("{file}: no subject"));
        let html = r["emailMessage"]
            .as_str()
            .unwrap_or_else(|| panic!("{file}: no email"));
        let sms = r["smsMessage"]
            .as_str()
            .unwrap_or_else(|| panic!("{file}: no sms"));
        let code = event["request"]["codeParameter"].as_str().unwrap();
        assert!(
            html.contains(code) && sms.contains(code),
            "{file}: code placeholder"
        );
        if let Some(username) = event["request"]["usernameParameter"].as_str() {
            assert!(
                html.contains(username) && sms.contains(username),
                "{file}: username placeholder"
            );
        }
        assert!(
            html.contains(&format!("<html lang=\"{lang}\">")),
            "{file}: language {lang}"
        );
        assert!(html.contains(phrase), "{file}: {phrase:?} not in the email");
        assert!(subject.chars().count() <= SUBJECT_MAX_CHARS, "{file}");
        assert!(html.chars().count() <= EMAIL_MAX_CHARS, "{file}");
        assert!(
            sms.chars().count() <= SMS_MAX_CHARS,
            "{file}: {} chars",
            sms.chars().count()
        );
        assert_eq!(
            html.contains("notes.acme.example"),
            link,
            "{file}: verification link"
        );
        let lost = lost_fields(&event, &out);
        assert!(
            lost.is_empty(),
            "{file}: the event must come back whole: {lost:?}"
        );
    }
}

#[test]
fn sign_up_link_carries_the_encoded_username_and_the_code() {
    let event = sample_event("custom-message", "local-CustomMessage_SignUp.json");
    let out = handle(&config(&[]), event).unwrap();
    let html = out["response"]["emailMessage"].as_str().unwrap();
    // The URL sits in an HTML attribute, so '/' and '&' are entity-escaped.
    assert!(
        html.contains("verify?username=chen.wei%40example.org&amp;code={####}"),
        "{html}"
    );
}

#[test]
fn default_locale_applies_when_the_user_has_none() {
    let event = sample_event("custom-message", "CustomMessage_UpdateUserAttribute.json");
    let out = handle(&config(&[("DEFAULT_LOCALE", "fr")]), event).unwrap();
    assert!(out["response"]["emailMessage"]
        .as_str()
        .unwrap()
        .contains("<html lang=\"fr\">"));
}

#[test]
fn email_can_be_left_to_cognito_while_sms_is_customized() {
    let (_, event) = sample_events("custom-message").remove(0);
    let out = handle(&config(&[("CUSTOMIZE_EMAIL", "false")]), event).unwrap();
    assert_eq!(out["response"]["emailMessage"], Value::Null);
    assert_eq!(out["response"]["emailSubject"], Value::Null);
    assert!(out["response"]["smsMessage"].is_string());
}

#[test]
fn an_oversized_name_falls_back_to_cognitos_email_but_keeps_the_sms() {
    let (_, mut event) = sample_events("custom-message").remove(0);
    event["request"]["userAttributes"]["given_name"] = "N".repeat(25_000).into();
    let out = handle(&config(&[]), event).unwrap();
    assert_eq!(out["response"]["emailMessage"], Value::Null);
    assert_eq!(out["response"]["emailSubject"], Value::Null);
    assert!(out["response"]["smsMessage"].is_string());
}

#[test]
fn an_sms_over_140_characters_is_left_to_cognito_while_the_email_is_kept() {
    let mut event = sample_event("custom-message", "CustomMessage_AdminCreateUser.json");
    // A placeholder this long cannot fit in 140 characters with the text around it.
    event["request"]["usernameParameter"] = format!("{{{}}}", "u".repeat(120)).into();
    let out = handle(&config(&[]), event).unwrap();
    assert_eq!(out["response"]["smsMessage"], Value::Null);
    assert!(out["response"]["emailMessage"].is_string());
}

#[test]
fn missing_placeholders_leave_every_field_to_cognito() {
    let mut event = sample_event("custom-message", "CustomMessage_AdminCreateUser.json");
    event["request"]["usernameParameter"] = Value::Null;
    let out = handle(&config(&[]), event.clone()).unwrap();
    for key in ["smsMessage", "emailMessage", "emailSubject"] {
        assert_eq!(out["response"][key], Value::Null, "{key}");
    }
    event["request"]
        .as_object_mut()
        .unwrap()
        .remove("codeParameter");
    let out = handle(&config(&[]), event).unwrap();
    assert_eq!(out["response"]["smsMessage"], Value::Null);
}

#[test]
fn unknown_sources_are_told_apart() {
    let (_, mut event) = sample_events("custom-message").remove(0);
    event["triggerSource"] = "CustomMessage_SomethingNew".into();
    let out = handle(&config(&[]), event.clone()).unwrap();
    for key in ["smsMessage", "emailMessage", "emailSubject"] {
        assert_eq!(out["response"][key], Value::Null, "{key}");
    }
    assert_eq!(out["triggerSource"], "CustomMessage_SomethingNew");
    assert!(lost_fields(&event, &out).is_empty());
    event["triggerSource"] = "PreSignUp_SignUp".into();
    let err = handle(&config(&[]), event).unwrap_err();
    assert_eq!(err.error_type(), "UnsupportedTriggerSource");
}

#[test]
fn bad_configuration_is_refused_at_start_up() {
    for (var, value) in [
        ("APP_NAME", ""),
        ("DEFAULT_LOCALE", "tlh"),
        ("VERIFY_URL", "javascript:alert(1)"),
        ("SUPPORT_EMAIL", "nobody"),
        ("CUSTOMIZE_EMAIL", "perhaps"),
    ] {
        let mut vars = vec![("APP_NAME", "Acme Notes")];
        vars.push((var, value));
        let err = Config::from_vars(&Vars::from_pairs(vars)).unwrap_err();
        assert_eq!(err.var, var);
    }
}

#[test]
fn the_aws_lambda_events_fixture_is_answered() {
    for (name, event) in upstream_fixtures("custommessage") {
        let out = handle(&config(&[]), event.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let code = event["request"]["codeParameter"].as_str().unwrap();
        let sms = out["response"]["smsMessage"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no sms"));
        assert!(sms.contains(code), "{name}: {sms}");
        assert!(lost_fields(&event, &out).is_empty(), "{name}");
    }
}
