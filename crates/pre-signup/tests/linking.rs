#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! One account per person (`LINK_FEDERATED_USERS=true`), with the pool's users in
//! memory: the handler's answers and the links it makes.

use cognito_admin::{FederatedIdentity, InMemoryUsers, PoolUser};
use pre_signup::{handler, Config};
use serde_json::Value;
use test_support::sample_event;
use trigger_core::{TriggerError, Vars};

fn linking() -> Config {
    Config::from_vars(&Vars::from_pairs([("LINK_FEDERATED_USERS", "true")])).unwrap()
}

async fn handle(
    config: &Config,
    users: &InMemoryUsers,
    event: Value,
) -> Result<Value, TriggerError> {
    test_support::answer(|e| handler(config, Some(users), e), event).await
}

fn maria(verified: bool) -> PoolUser {
    PoolUser {
        username: "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1".into(),
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
    assert!(handle(&off, &users, sign_up).await.is_ok());
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
