#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The two builds of pre-signup: `pre-signup`, without account linking and without
//! the AWS SDK, and `pre-signup-linking`. The template deploys one of them.

use std::process::Command;
use std::time::{Duration, Instant};

use pre_signup::Config;
use test_support::aws::hanging_endpoint;
use trigger_core::Vars;

/// A Runtime API address where nothing listens: a binary that gets past its init
/// fails on its first `/next` and exits.
const NO_RUNTIME_API: &str = "127.0.0.1:9";

#[test]
fn the_plain_build_refuses_linking_and_names_the_build_that_links() {
    let on = Vars::from_pairs([
        ("LINK_FEDERATED_USERS", "true"),
        ("LINK_TRUSTED_PROVIDERS", "Google"),
        ("PROFILE_TABLE_NAME", "profiles"),
    ]);
    let err = Config::without_linking(&on).unwrap_err();
    assert_eq!(err.var, "LINK_FEDERATED_USERS");
    assert!(err.reason.contains("pre-signup-linking"), "{err}");
    let off = Vars::from_pairs([("LINK_FEDERATED_USERS", "false")]);
    assert!(Config::without_linking(&off).unwrap().link.is_none());
    assert!(Config::without_linking(&Vars::default()).is_ok());

    let out = Command::new(env!("CARGO_BIN_EXE_pre-signup"))
        .env("LINK_FEDERATED_USERS", "true")
        .env("AWS_LAMBDA_RUNTIME_API", NO_RUNTIME_API)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let logged = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(logged.contains("refusing to start"), "{logged}");
    assert!(logged.contains("pre-signup-linking"), "{logged}");
}

#[test]
fn only_the_linking_build_holds_the_cognito_client() {
    // Text only linked code carries (names of functions are no evidence: the debug
    // line tables keep those of code the linker dropped): the target of every
    // Cognito API call, and the header SigV4 signs temporary credentials with.
    let holds = |path: &str, needle: &[u8]| {
        let bytes = std::fs::read(path).unwrap();
        bytes.windows(needle.len()).any(|w| w == needle)
    };
    for needle in [
        &b"AWSCognitoIdentityProviderService"[..],
        b"x-amz-security-token",
    ] {
        let text = String::from_utf8_lossy(needle);
        assert!(
            holds(env!("CARGO_BIN_EXE_pre-signup-linking"), needle),
            "linking: {text}"
        );
        assert!(
            !holds(env!("CARGO_BIN_EXE_pre-signup"), needle),
            "plain: {text}"
        );
    }
}

#[test]
fn the_linking_build_warms_its_connection_within_the_warm_up_limit() {
    // Cognito accepts the connection and never answers: init gives up on the warm-up
    // after WARM_UP_MS and goes on to the Runtime API (which is not there).
    let (endpoint, _server) = hanging_endpoint();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_pre-signup-linking"))
        .env("LINK_FEDERATED_USERS", "true")
        .env("LINK_TRUSTED_PROVIDERS", "Google")
        .env("PROFILE_TABLE_NAME", "profiles")
        .env("WARM_UP_MS", "300")
        .env("AWS_ENDPOINT_URL", &endpoint)
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_LAMBDA_RUNTIME_API", NO_RUNTIME_API)
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    let took = started.elapsed();
    let logged = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "no Runtime API, yet: {logged}");
    assert!(logged.contains("warm-up at init"), "{logged}");
    assert!(
        logged.contains("\"finished\":false") || logged.contains("finished=false"),
        "{logged}"
    );
    assert!(!logged.contains("refusing to start"), "{logged}");
    assert!(took < Duration::from_secs(3), "init took {took:?}");
}
