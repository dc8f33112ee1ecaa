#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! One test per shape that real or emulated user pools send and `aws_lambda_events`
//! rejects. Each takes a sample event, applies every normalising rule but the one
//! under test, and checks that the crate's type still refuses it (the gap exists)
//! and that the rule makes it readable. The day the crate reads the shape itself,
//! the test fails and says which rule can go.

use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use test_support::sample_event;
use trigger_core::events::normalise;
use trigger_core::events::{
    CognitoEventUserPoolsPostAuthentication, CognitoEventUserPoolsPreSignup,
    CognitoEventUserPoolsPreTokenGen, CognitoEventUserPoolsPreTokenGenV2,
};

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// `event` (already normalised but for `rule`) is refused by `T` with a message
/// containing `refusal`, and read once `rule` is applied.
fn gap<T: DeserializeOwned>(
    mut event: Map<String, Value>,
    refusal: &str,
    rule_name: &str,
    rule: impl Fn(&mut Map<String, Value>),
) {
    let type_name = std::any::type_name::<T>().rsplit("::").next().unwrap();
    match serde_json::from_value::<T>(Value::Object(event.clone())) {
        Ok(_) => panic!(
            "aws_lambda_events' {type_name} now reads this shape itself: \
             normalise::{rule_name} can go (and this test with it)"
        ),
        Err(e) => assert!(
            e.to_string().contains(refusal),
            "{type_name} refuses for another reason than {refusal:?}: {e}"
        ),
    }
    rule(&mut event);
    if let Err(e) = serde_json::from_value::<T>(Value::Object(event)) {
        panic!("normalise::{rule_name} does not make the shape readable by {type_name}: {e}");
    }
}

#[test]
fn presignup_response_without_the_booleans() {
    // Measured on a real PreSignUp_ExternalProvider event: `"response": {}`.
    let mut e = object(sample_event(
        "pre-signup",
        "PreSignUp_ExternalProvider.json",
    ));
    assert_eq!(e["response"], json!({}));
    normalise::envelope(&mut e);
    normalise::request_string_maps(&mut e);
    gap::<CognitoEventUserPoolsPreSignup>(
        e,
        "missing field `autoConfirmUser`",
        "presignup_response",
        normalise::presignup_response,
    );
}

#[test]
fn the_emulators_empty_group_configuration() {
    let mut e = object(sample_event(
        "pre-token-generation",
        "local-TokenGeneration_Authentication.json",
    ));
    assert_eq!(e["request"]["groupConfiguration"], json!({}));
    normalise::envelope(&mut e);
    normalise::request_string_maps(&mut e);
    normalise::token_response(&mut e);
    gap::<CognitoEventUserPoolsPreTokenGen>(
        e,
        "missing field `groupsToOverride`",
        "group_configuration",
        normalise::group_configuration,
    );
}

#[test]
fn the_emulators_empty_claims_override_details() {
    let mut e = object(sample_event(
        "pre-token-generation",
        "local-TokenGeneration_Authentication.json",
    ));
    assert_eq!(e["response"]["claimsOverrideDetails"], json!({}));
    normalise::envelope(&mut e);
    normalise::request_string_maps(&mut e);
    normalise::group_configuration(&mut e);
    gap::<CognitoEventUserPoolsPreTokenGen>(
        e,
        "missing field `groupOverrideDetails`",
        "token_response",
        normalise::token_response,
    );
}

#[test]
fn client_credentials_is_in_no_token_type() {
    // trigger_core::events::token defines the type; this pins why.
    let e = sample_event(
        "pre-token-generation",
        "V3-TokenGeneration_ClientCredentials.json",
    );
    for result in [
        serde_json::from_value::<CognitoEventUserPoolsPreTokenGenV2>(e.clone()).map(|_| ()),
        serde_json::from_value::<CognitoEventUserPoolsPreTokenGen>(e).map(|_| ()),
    ] {
        let err = result.expect_err(
            "aws_lambda_events now reads TokenGeneration_ClientCredentials: \
             token::CognitoEventUserPoolsPreTokenGenClientCredentials can go",
        );
        assert!(err.to_string().contains("unknown variant"), "{err}");
    }
}

#[test]
fn v1_events_are_not_v2_events() {
    // One function serves every version; PreTokenGenerationEvent picks the type by
    // `version`, because the V2 type refuses a V1 event (no scopes).
    let e = sample_event(
        "pre-token-generation",
        "V1-TokenGeneration_Authentication.json",
    );
    let err = serde_json::from_value::<CognitoEventUserPoolsPreTokenGenV2>(e.clone())
        .expect_err("the V2 type now reads V1 events: one token type may do");
    assert!(err.to_string().contains("missing field `scopes`"), "{err}");
    serde_json::from_value::<CognitoEventUserPoolsPreTokenGen>(e).unwrap();
}

#[test]
fn v2_events_without_scopes() {
    let mut e = object(sample_event(
        "pre-token-generation",
        "V2-TokenGeneration_Authentication.json",
    ));
    e["request"].as_object_mut().unwrap().remove("scopes");
    gap::<CognitoEventUserPoolsPreTokenGenV2>(
        e,
        "missing field `scopes`",
        "scopes",
        normalise::scopes,
    );
}

#[test]
fn events_without_caller_context_or_with_null_parts() {
    let sample = || {
        object(sample_event(
            "post-authentication",
            "PostAuthentication_Authentication.json",
        ))
    };
    let mut e = sample();
    e.remove("callerContext");
    gap::<CognitoEventUserPoolsPostAuthentication>(
        e,
        "missing field `callerContext`",
        "envelope",
        normalise::envelope,
    );
    let mut e = sample();
    e.insert("response".into(), Value::Null);
    gap::<CognitoEventUserPoolsPostAuthentication>(
        e,
        "invalid type: null",
        "envelope",
        normalise::envelope,
    );
    // A null request also lacks newDeviceUsed, which its own rule supplies.
    let mut e = sample();
    e.insert("request".into(), Value::Null);
    gap::<CognitoEventUserPoolsPostAuthentication>(e, "invalid type: null", "envelope", |e| {
        normalise::envelope(e);
        normalise::new_device_used(e);
    });
}

#[test]
fn a_numeric_version() {
    let mut e = object(sample_event("pre-signup", "PreSignUp_SignUp.json"));
    e.insert("version".into(), json!(1));
    gap::<CognitoEventUserPoolsPreSignup>(
        e,
        "invalid type: integer",
        "envelope",
        normalise::envelope,
    );
}

#[test]
fn attribute_values_that_are_not_text() {
    for (value, refusal) in [
        (json!(true), "invalid type: boolean"),
        (json!(3), "invalid type: integer"),
        (json!(null), "invalid type: null"),
    ] {
        let mut e = object(sample_event("pre-signup", "PreSignUp_SignUp.json"));
        e["request"]["userAttributes"]["email_verified"] = value;
        gap::<CognitoEventUserPoolsPreSignup>(
            e,
            refusal,
            "request_string_maps",
            normalise::request_string_maps,
        );
    }
}

#[test]
fn new_device_used_absent_or_as_text() {
    for (value, refusal) in [
        (None, "missing field `newDeviceUsed`"),
        (Some(json!("true")), "invalid type: string"),
        (Some(json!(null)), "invalid type: null"),
    ] {
        let mut e = object(sample_event(
            "post-authentication",
            "PostAuthentication_Authentication.json",
        ));
        let request = e["request"].as_object_mut().unwrap();
        match value {
            Some(v) => request.insert("newDeviceUsed".into(), v),
            None => request.remove("newDeviceUsed"),
        };
        gap::<CognitoEventUserPoolsPostAuthentication>(
            e,
            refusal,
            "new_device_used",
            normalise::new_device_used,
        );
    }
}
