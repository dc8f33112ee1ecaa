//! pre-signup with account linking, the binary the template deploys when
//! `LinkFederatedUsers` is true: the same rules, and the Cognito client that finds
//! and links users. The plain `pre-signup` links no AWS SDK.

use cognito_admin::{CognitoUsers, UserDirectory};
use pre_signup::{handler, Config};

/// The pool the warm-up searches: none has this id, so the call only opens the
/// connection and loads the credentials (Cognito refuses it).
const WARM_UP_POOL: &str = "warm-up (no such pool)";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(Config::from_env)?;
    // With linking on, every sign-up with an email searches the pool inside
    // LINK_BUDGET_MS: the client is built and its connection warmed at init, so the
    // first sign-up after a cold start does not pay for the TLS handshake.
    let users = match &config.link {
        Some(link) => {
            let sdk = trigger_core::aws::sdk_config(link.budget).await;
            let users = CognitoUsers::new(aws_sdk_cognitoidentityprovider::Client::new(&sdk));
            let key = trigger_core::aws::WARM_UP_KEY;
            trigger_core::aws::warm_up("user search", users.users_with_email(WARM_UP_POOL, key))
                .await;
            Some(users)
        }
        None => None,
    };
    trigger_core::serve(|event| handler(&config, users.as_ref(), event)).await
}
