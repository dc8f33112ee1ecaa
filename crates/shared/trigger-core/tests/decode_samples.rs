#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every sample event under `events/`, and every Cognito fixture of
//! `aws_lambda_events` for a trigger this workspace has, decodes into its type
//! through the normalising step and encodes back without losing a field.

use serde_json::Value;
use test_support::{lost_fields, sample_events, upstream_fixtures};
use trigger_core::events::{
    decode, CognitoEventUserPoolsCreateAuthChallenge, CognitoEventUserPoolsCustomEmailSender,
    CognitoEventUserPoolsCustomMessage, CognitoEventUserPoolsCustomSmsSender,
    CognitoEventUserPoolsDefineAuthChallenge, CognitoEventUserPoolsInboundFederation,
    CognitoEventUserPoolsMigrateUser, CognitoEventUserPoolsPostAuthentication,
    CognitoEventUserPoolsPostConfirmation, CognitoEventUserPoolsPreAuthentication,
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsVerifyAuthChallenge,
    PreTokenGenerationEvent,
};
use trigger_core::TriggerEvent;

/// Decodes with `E` and checks every field outside `response` comes back.
fn round_trip<E: TriggerEvent>(name: &str, event: &Value) {
    let typed: E = decode(event.clone()).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let back = typed.encode().unwrap();
    let lost = lost_fields(event, &back);
    assert!(lost.is_empty(), "{name}: {lost:#?}");
}

fn each<E: TriggerEvent>(events: Vec<(String, Value)>) -> usize {
    for (name, event) in &events {
        round_trip::<E>(name, event);
    }
    events.len()
}

#[test]
fn every_sample_event_decodes_and_comes_back() {
    let n = each::<CognitoEventUserPoolsPreSignup>(sample_events("pre-signup"))
        + each::<CognitoEventUserPoolsCustomMessage>(sample_events("custom-message"))
        + each::<PreTokenGenerationEvent>(sample_events("pre-token-generation"))
        + each::<CognitoEventUserPoolsPostAuthentication>(sample_events("post-authentication"))
        + each::<CognitoEventUserPoolsMigrateUser>(sample_events("user-migration"))
        + each::<CognitoEventUserPoolsPostConfirmation>(sample_events("post-confirmation"))
        + each::<CognitoEventUserPoolsPreAuthentication>(sample_events("pre-authentication"))
        + each::<CognitoEventUserPoolsInboundFederation>(sample_events("inbound-federation"))
        + each::<CognitoEventUserPoolsCustomEmailSender>(sample_events("custom-email-sender"))
        + each::<CognitoEventUserPoolsCustomSmsSender>(sample_events("custom-sms-sender"))
        + each::<CognitoEventUserPoolsDefineAuthChallenge>(sample_events("define-auth-challenge"))
        + each::<CognitoEventUserPoolsCreateAuthChallenge>(sample_events("create-auth-challenge"))
        + each::<CognitoEventUserPoolsVerifyAuthChallenge>(sample_events("verify-auth-challenge"));
    assert!(n >= 57, "{n} sample events");
}

#[test]
fn the_crates_own_fixtures_decode_and_come_back() {
    each::<CognitoEventUserPoolsPreSignup>(upstream_fixtures("presignup"));
    each::<CognitoEventUserPoolsCustomMessage>(upstream_fixtures("custommessage"));
    each::<PreTokenGenerationEvent>(upstream_fixtures("pretokengen"));
    each::<CognitoEventUserPoolsPostAuthentication>(upstream_fixtures("postauthentication"));
    each::<CognitoEventUserPoolsMigrateUser>(upstream_fixtures("migrateuser"));
    each::<CognitoEventUserPoolsPostConfirmation>(upstream_fixtures("postconfirmation"));
    each::<CognitoEventUserPoolsPreAuthentication>(upstream_fixtures("preauthentication"));
    each::<CognitoEventUserPoolsDefineAuthChallenge>(upstream_fixtures("define-auth-challenge"));
    each::<CognitoEventUserPoolsCreateAuthChallenge>(upstream_fixtures("create-auth-challenge"));
    each::<CognitoEventUserPoolsVerifyAuthChallenge>(upstream_fixtures("verify-auth-challenge"));
}

#[test]
fn unknown_fields_travel_back_untouched() {
    let mut event = sample_events("pre-signup").remove(0).1;
    event["somethingNew"] = serde_json::json!({"x": [1, 2]});
    event["request"]["newRequestField"] = "kept".into();
    event["callerContext"]["newContext"] = true.into();
    let typed: CognitoEventUserPoolsPreSignup = decode(event.clone()).unwrap();
    let back = typed.encode().unwrap();
    assert_eq!(back["somethingNew"], event["somethingNew"]);
    assert_eq!(back["request"]["newRequestField"], "kept");
    assert_eq!(back["callerContext"]["newContext"], true);
}
