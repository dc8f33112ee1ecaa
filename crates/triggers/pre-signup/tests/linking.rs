#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! One account per person (`LINK_FEDERATED_USERS=true`), with the pool's users in
//! memory: the handler's answers and the links it makes.

use cognito_admin::{FederatedIdentity, InMemoryUsers, PoolUser};
use pre_signup::ports::InMemoryProofs;
use pre_signup::proof::VerifiedBy;
use pre_signup::{handler, Config, Linking};
use serde_json::Value;
use test_support::sample_event;
use trigger_core::{TriggerError, Vars};

const LINKING: [(&str, &str); 3] = [
    ("LINK_FEDERATED_USERS", "true"),
    ("LINK_TRUSTED_PROVIDERS", "Google,SignInWithApple"),
    ("PROFILE_TABLE_NAME", "profiles"),
];

fn linking() -> Config {
    Config::from_vars(&Vars::from_pairs(LINKING)).unwrap()
}

/// The handler, with María's address proven with a code in the profile table.
async fn handle(
    config: &Config,
    users: &InMemoryUsers,
    event: Value,
) -> Result<Value, TriggerError> {
    let proofs = InMemoryProofs::default().with(MARIA_SUB, MARIA, VerifiedBy::Code);
    handle_with(config, users, &proofs, event).await
}

async fn handle_with(
    config: &Config,
    users: &InMemoryUsers,
    proofs: &InMemoryProofs,
    event: Value,
) -> Result<Value, TriggerError> {
    let linking = Linking { users, proofs };
    test_support::answer(|e| handler(config, Some(linking), e), event).await
}

const MARIA_SUB: &str = "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1";

fn maria(verified: bool) -> PoolUser {
    PoolUser {
        username: "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1".into(),
        sub: Some(MARIA_SUB.into()),
        federated: None,
        email_verified: verified,
    }
}

fn google_sign_up() -> Value {
    sample_event("pre-signup", "PreSignUp_ExternalProvider-verified.json")
}

const MARIA: &str = "maria.garcia@example.com";

#[tokio::test]
async fn a_verified_google_sign_up_is_linked_to_the_native_account() {
    let users = InMemoryUsers::default().with(MARIA, maria(true));
    let answer = handle(&linking(), &users, google_sign_up()).await;
    assert_eq!(
        answer.unwrap_err().user_message(),
        "Your Google sign-in is now linked to your existing account. Please sign in again"
    );
    assert_eq!(
        users.links(),
        vec![(
            "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1".to_owned(),
            FederatedIdentity {
                provider: "Google".into(),
                subject: "108234567890123456789".into()
            }
        )]
    );
}

#[tokio::test]
async fn no_link_to_an_unverified_native_address_nor_from_an_unverified_idp_one() {
    let users = InMemoryUsers::default().with(MARIA, maria(false));
    assert!(handle(&linking(), &users, google_sign_up()).await.is_ok());
    assert!(users.links().is_empty());
    // The IdP does not vouch for the address: not even a search.
    let down = InMemoryUsers::failing("would have refused the sign-up");
    let unverified = sample_event("pre-signup", "PreSignUp_ExternalProvider.json");
    assert!(handle(&linking(), &down, unverified).await.is_ok());
}

#[tokio::test]
async fn a_new_federated_user_is_created_as_usual() {
    let users = InMemoryUsers::default();
    let out = handle(&linking(), &users, google_sign_up()).await.unwrap();
    assert_eq!(out["response"]["autoConfirmUser"], false);
    assert!(users.links().is_empty());
}

#[tokio::test]
async fn a_password_sign_up_at_a_federated_users_address_is_sent_to_the_provider() {
    let users = InMemoryUsers::default().with(
        MARIA,
        PoolUser {
            username: "google_108234567890123456789".into(),
            sub: Some("0b7d3e1a-55c2-4f0e-8e2b-6a1c9d4e7f30".into()),
            federated: Some("Google".into()),
            email_verified: true,
        },
    );
    let sign_up = sample_event("pre-signup", "PreSignUp_SignUp.json");
    let answer = handle(&linking(), &users, sign_up.clone()).await;
    assert_eq!(
        answer.unwrap_err().user_message(),
        "An account with this email address already exists. Sign in with Google"
    );
    // Linking off: the same sign-up goes through.
    let off = Config::from_vars(&Vars::default()).unwrap();
    let answer = test_support::answer(|e| handler(&off, pre_signup::LINKING_OFF, e), sign_up);
    assert!(answer.await.is_ok());
}

#[tokio::test]
async fn a_failed_search_refuses_with_a_sentence_to_try_again() {
    let down = InMemoryUsers::failing("connection refused");
    for event in [
        google_sign_up(),
        sample_event("pre-signup", "PreSignUp_SignUp.json"),
    ] {
        let answer = handle(&linking(), &down, event).await;
        assert_eq!(
            answer.unwrap_err().user_message(),
            "Sign-up is unavailable right now. Please try again in a moment"
        );
    }
    // The domain rules still come first, and admin-created users are not searched.
    let admin = sample_event("pre-signup", "PreSignUp_AdminCreateUser.json");
    assert!(handle(&linking(), &down, admin).await.is_ok());
}

#[tokio::test]
async fn no_link_to_an_address_cognito_calls_verified_but_no_code_proved() {
    // The pre-hijack: someone signed up as María first, and their address is marked
    // verified in Cognito without a code (an auto-verifying pre sign-up, an
    // administrator, a migration). Her Google sign-in must not join their account.
    let users = InMemoryUsers::default().with(MARIA, maria(true));
    for proofs in [
        InMemoryProofs::default(),
        InMemoryProofs::default().with(MARIA_SUB, MARIA, VerifiedBy::PreSignUp),
        InMemoryProofs::default().with(MARIA_SUB, "maria.old@example.com", VerifiedBy::Code),
    ] {
        let out = handle_with(&linking(), &users, &proofs, google_sign_up()).await;
        assert!(out.is_ok(), "kept separate: {out:?}");
        assert_eq!(proofs.lookups(), vec![MARIA_SUB.to_owned()]);
    }
    assert!(users.links().is_empty());
}

#[tokio::test]
async fn a_provider_not_trusted_for_linking_is_never_linked() {
    let users = InMemoryUsers::default().with(MARIA, maria(true));
    let mut okta = google_sign_up();
    okta["userName"] = "Okta_00u1abcd2EFGH3ijk4x7".into();
    assert!(handle(&linking(), &users, okta).await.is_ok());
    assert!(users.links().is_empty());
    // Listed, the same sign-up is linked.
    let mut vars = LINKING.to_vec();
    vars[1] = ("LINK_TRUSTED_PROVIDERS", "Google, Okta");
    let trusting = Config::from_vars(&Vars::from_pairs(vars)).unwrap();
    let mut okta = google_sign_up();
    okta["userName"] = "Okta_00u1abcd2EFGH3ijk4x7".into();
    assert!(handle(&trusting, &users, okta).await.is_err());
    assert_eq!(users.links()[0].1.provider, "Okta");
}

#[tokio::test]
async fn a_failed_proof_lookup_refuses_with_a_sentence_to_try_again() {
    let users = InMemoryUsers::default().with(MARIA, maria(true));
    let down = InMemoryProofs::failing("connection refused");
    let answer = handle_with(&linking(), &users, &down, google_sign_up()).await;
    assert_eq!(
        answer.unwrap_err().user_message(),
        "Sign-up is unavailable right now. Please try again in a moment"
    );
    assert!(users.links().is_empty());
}

#[test]
fn linking_without_trusted_providers_or_the_profile_table_refuses_to_start() {
    for missing in ["LINK_TRUSTED_PROVIDERS", "PROFILE_TABLE_NAME"] {
        let vars: Vec<(&str, &str)> = LINKING.into_iter().filter(|(k, _)| *k != missing).collect();
        let err = Config::from_vars(&Vars::from_pairs(vars)).unwrap_err();
        assert_eq!(err.var, missing);
    }
    // Off, neither is needed.
    assert!(Config::from_vars(&Vars::default()).unwrap().link.is_none());
}
