//! pre-signup with account linking, the binary the template deploys when
//! `LinkFederatedUsers` is true: the same rules, the Cognito client that finds and
//! links users, and the profile table that says how their addresses were proven.
//! The plain `pre-signup` links no AWS SDK.

use cognito_admin::{CognitoUsers, UserDirectory};
use pre_signup::adapters::DynamoEmailProofs;
use pre_signup::ports::EmailProofs;
use pre_signup::{handler, Config, Linking};

/// The pool the warm-up searches: none has this id, so the call only opens the
/// connection and loads the credentials (Cognito refuses it).
const WARM_UP_POOL: &str = "warm-up (no such pool)";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(Config::from_env)?;
    // With linking on, every sign-up with an email searches the pool inside
    // LINK_BUDGET_MS: the clients are built and their connections warmed at init, so
    // the first sign-up after a cold start does not pay for the TLS handshakes.
    let clients = match &config.link {
        Some(link) => {
            let sdk = trigger_core::aws::sdk_config(link.budget).await;
            let users = CognitoUsers::new(aws_sdk_cognitoidentityprovider::Client::new(&sdk));
            let proofs =
                DynamoEmailProofs::new(aws_sdk_dynamodb::Client::new(&sdk), &link.profile_table);
            let key = trigger_core::aws::WARM_UP_KEY;
            trigger_core::aws::warm_up("user search and profile table", async {
                tokio::join!(
                    users.users_with_email(WARM_UP_POOL, key),
                    proofs.proof_of(key)
                )
            })
            .await;
            Some((users, proofs))
        }
        None => None,
    };
    let linking = clients
        .as_ref()
        .map(|(users, proofs)| Linking { users, proofs });
    trigger_core::serve(|event| handler(&config, linking, event)).await
}
