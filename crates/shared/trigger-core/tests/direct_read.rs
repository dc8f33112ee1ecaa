#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The two ways an invocation reads its event give the same event: straight from the
//! JSON text (`read_direct`, what a binary tries first) and through the JSON value
//! with the normalising rules (`decode`). Checked on every sample event, on the
//! crate's own fixtures, on sample events with one node replaced or removed, and on
//! arbitrary JSON: whenever the direct read accepts an event, the normalising path
//! accepts it too and the two encode to the same JSON. And the direct read is really
//! taken: every event the rules leave as it is (all of Cognito's, in the samples) is
//! read directly.

use serde_json::Value;
use test_support::{check_no_panic, sample_events, upstream_fixtures};
use trigger_core::events::{
    decode, decode_json, normalised, CognitoEventUserPoolsCreateAuthChallenge,
    CognitoEventUserPoolsCustomEmailSender, CognitoEventUserPoolsCustomMessage,
    CognitoEventUserPoolsCustomSmsSender, CognitoEventUserPoolsDefineAuthChallenge,
    CognitoEventUserPoolsInboundFederation, CognitoEventUserPoolsMigrateUser,
    CognitoEventUserPoolsPostAuthentication, CognitoEventUserPoolsPostConfirmation,
    CognitoEventUserPoolsPreAuthentication, CognitoEventUserPoolsPreSignup,
    CognitoEventUserPoolsVerifyAuthChallenge, PreTokenGenerationEvent,
};
use trigger_core::{Lenient, TriggerEvent};

/// Whether `event` was read directly; panics when the two reads disagree.
fn same_read<E: TriggerEvent>(name: &str, event: &Value) -> bool {
    let text = event.to_string();
    let slow = decode::<E>(event.clone());
    let Some(direct) = E::read_direct(&text) else {
        // Not read directly: the invocation takes the normalising path, which must
        // then be what `decode_json` gives.
        let via_text = decode_json::<E>(&text).map(|e| e.encode().unwrap());
        let via_value = slow.map(|e| e.encode().unwrap());
        match (via_text, via_value) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{name}"),
            (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{name}"),
            (a, b) => panic!("{name}: from text {a:?}, from the value {b:?}"),
        }
        return false;
    };
    let slow = slow.unwrap_or_else(|e| {
        panic!("{name}: read directly, but the normalising path refuses it: {e:?}")
    });
    assert_eq!(
        direct.encode().unwrap(),
        slow.encode().unwrap(),
        "{name}: the direct read and the normalising path differ"
    );
    true
}

/// An event is read directly exactly when it is readable and the rules leave it as
/// it is, and then the same; how many were read directly, of how many.
fn each<E: TriggerEvent>(events: &[(String, Value)]) -> (usize, usize) {
    let mut direct = 0;
    for (name, event) in events {
        let untouched = normalised::<E>(event.clone()) == *event;
        let readable = decode::<E>(event.clone()).is_ok();
        let read_directly = same_read::<E>(name, event);
        assert_eq!(
            read_directly,
            untouched && readable,
            "{name}: read directly {read_directly}, needs no rule {untouched}, readable {readable}"
        );
        direct += usize::from(read_directly);
    }
    (direct, events.len())
}

#[test]
fn sample_events_are_read_directly_and_the_same() {
    let counts = [
        each::<CognitoEventUserPoolsPreSignup>(&sample_events("pre-signup")),
        each::<CognitoEventUserPoolsCustomMessage>(&sample_events("custom-message")),
        each::<PreTokenGenerationEvent>(&sample_events("pre-token-generation")),
        each::<CognitoEventUserPoolsPostAuthentication>(&sample_events("post-authentication")),
        each::<CognitoEventUserPoolsMigrateUser>(&sample_events("user-migration")),
        each::<CognitoEventUserPoolsPostConfirmation>(&sample_events("post-confirmation")),
        each::<CognitoEventUserPoolsPreAuthentication>(&sample_events("pre-authentication")),
        each::<CognitoEventUserPoolsInboundFederation>(&sample_events("inbound-federation")),
        each::<CognitoEventUserPoolsCustomEmailSender>(&sample_events("custom-email-sender")),
        each::<CognitoEventUserPoolsCustomSmsSender>(&sample_events("custom-sms-sender")),
        each::<CognitoEventUserPoolsDefineAuthChallenge>(&sample_events("define-auth-challenge")),
        each::<CognitoEventUserPoolsCreateAuthChallenge>(&sample_events("create-auth-challenge")),
        each::<CognitoEventUserPoolsVerifyAuthChallenge>(&sample_events("verify-auth-challenge")),
    ];
    let direct: usize = counts.iter().map(|(d, _)| d).sum();
    let all: usize = counts.iter().map(|(_, n)| n).sum();
    println!("{direct} of {all} sample events read directly");
    assert!(all >= 57, "{all} sample events");
    // Both ways are taken: some of the local emulator's events need a rule (a
    // numeric version, empty override objects).
    assert!(
        0 < direct && direct < all,
        "{direct} of {all} read directly"
    );
}

#[test]
fn the_crates_own_fixtures_are_read_the_same() {
    each::<CognitoEventUserPoolsPreSignup>(&upstream_fixtures("presignup"));
    each::<CognitoEventUserPoolsCustomMessage>(&upstream_fixtures("custommessage"));
    each::<PreTokenGenerationEvent>(&upstream_fixtures("pretokengen"));
    each::<CognitoEventUserPoolsPostAuthentication>(&upstream_fixtures("postauthentication"));
    each::<CognitoEventUserPoolsMigrateUser>(&upstream_fixtures("migrateuser"));
    each::<CognitoEventUserPoolsPostConfirmation>(&upstream_fixtures("postconfirmation"));
    each::<CognitoEventUserPoolsPreAuthentication>(&upstream_fixtures("preauthentication"));
    each::<CognitoEventUserPoolsDefineAuthChallenge>(&upstream_fixtures("define-auth-challenge"));
    each::<CognitoEventUserPoolsCreateAuthChallenge>(&upstream_fixtures("create-auth-challenge"));
    each::<CognitoEventUserPoolsVerifyAuthChallenge>(&upstream_fixtures("verify-auth-challenge"));
}

/// Mutated samples and arbitrary JSON: a direct read is never a different event.
fn property<E: TriggerEvent>(function: &str) {
    check_no_panic(
        function,
        256,
        |event| {
            same_read::<E>(function, &event);
        },
        |_, ()| Ok(()),
    );
}

#[test]
fn mutated_events_are_never_read_differently() {
    property::<CognitoEventUserPoolsPreSignup>("pre-signup");
    property::<Lenient<CognitoEventUserPoolsCustomMessage>>("custom-message");
    property::<PreTokenGenerationEvent>("pre-token-generation");
    property::<Lenient<CognitoEventUserPoolsPostAuthentication>>("post-authentication");
    property::<CognitoEventUserPoolsMigrateUser>("user-migration");
    property::<Lenient<CognitoEventUserPoolsPostConfirmation>>("post-confirmation");
    property::<CognitoEventUserPoolsPreAuthentication>("pre-authentication");
    property::<CognitoEventUserPoolsInboundFederation>("inbound-federation");
    property::<CognitoEventUserPoolsCustomEmailSender>("custom-email-sender");
    property::<CognitoEventUserPoolsCustomSmsSender>("custom-sms-sender");
    property::<CognitoEventUserPoolsDefineAuthChallenge>("define-auth-challenge");
    property::<CognitoEventUserPoolsCreateAuthChallenge>("create-auth-challenge");
    property::<CognitoEventUserPoolsVerifyAuthChallenge>("verify-auth-challenge");
}
