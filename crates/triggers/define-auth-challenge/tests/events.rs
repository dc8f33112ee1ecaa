#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The define handler against every sample event in `events/define-auth-challenge/`
//! and the crate's own fixtures, under each sign-in method.

use define_auth_challenge::{handler, Config};
use serde_json::{json, Value};
use test_support::{block_on, lost_fields, sample_event, sample_events, upstream_fixtures};
use trigger_core::{TriggerError, Vars};

fn handle(config: &Config, event: Value) -> Result<Value, TriggerError> {
    block_on(test_support::answer(|e| handler(config, e), event))
}

fn config(pairs: &[(&str, &str)]) -> Config {
    Config::from_vars(&Vars::from_pairs(pairs.iter().copied())).unwrap()
}

/// (challenge, tokens, fail) for each sample, email codes without a bot check.
fn expectation(file: &str) -> (bool, bool, bool) {
    match file {
        "DefineAuthChallenge_Authentication.json" => (true, false, false),
        "DefineAuthChallenge_Authentication-code-right.json" => (false, true, false),
        "DefineAuthChallenge_Authentication-wrong-once.json" => (true, false, false),
        "DefineAuthChallenge_Authentication-wrong-three-times.json" => (false, false, true),
        "DefineAuthChallenge_Authentication-user-not-found.json" => (true, false, false),
        "DefineAuthChallenge_Authentication-password-first.json" => (false, false, true),
        // fakecloud's shape: one wrong code so far.
        "fakecloud-DefineAuthChallenge_Authentication.json" => (true, false, false),
        other => panic!("{other}: add an expectation for this new sample event"),
    }
}

fn outcome(answer: &Value) -> (bool, bool, bool) {
    let r = &answer["response"];
    (
        r["challengeName"] == "CUSTOM_CHALLENGE",
        r["issueTokens"] == true,
        r["failAuthentication"] == true,
    )
}

#[test]
fn every_sample_gets_the_step_its_session_calls_for_and_loses_nothing() {
    let config = config(&[]);
    for (file, event) in sample_events("define-auth-challenge") {
        let answer = handle(&config, event.clone()).unwrap();
        assert_eq!(outcome(&answer), expectation(&file), "{file}");
        assert_eq!(lost_fields(&event, &answer), Vec::<String>::new(), "{file}");
    }
}

#[test]
fn with_a_bot_check_the_first_code_round_needs_the_start_step() {
    let config = config(&[("CAPTCHA_PROVIDER", "turnstile")]);
    let first = sample_event(
        "define-auth-challenge",
        "DefineAuthChallenge_Authentication.json",
    );
    assert_eq!(
        outcome(&handle(&config, first).unwrap()),
        (true, false, false)
    );
    // A code answered right without the bot check before it: refused.
    let skipped = sample_event(
        "define-auth-challenge",
        "DefineAuthChallenge_Authentication-code-right.json",
    );
    assert_eq!(
        outcome(&handle(&config, skipped).unwrap()),
        (false, false, true)
    );
}

#[test]
fn client_metadata_never_moves_the_sign_in_forward() {
    let config = config(&[]);
    let mut event = sample_event(
        "define-auth-challenge",
        "DefineAuthChallenge_Authentication-wrong-once.json",
    );
    event["request"]["clientMetadata"] = json!({"issueTokens": "true", "challengeResult": "true"});
    assert_eq!(
        outcome(&handle(&config, event).unwrap()),
        (true, false, false)
    );
}

#[test]
fn the_crates_fixtures_are_read() {
    // Their sessions are not this flow's (other metadata): a failed sign-in, never tokens.
    let config = config(&[]);
    for (file, event) in upstream_fixtures("define-auth-challenge") {
        let answer = handle(&config, event).unwrap();
        assert_ne!(answer["response"]["issueTokens"], true, "{file}");
    }
}
