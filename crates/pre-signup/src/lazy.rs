//! The pool's users behind a client built on first use: pre-signup starts without an
//! SDK client (the common sign-up needs none when linking is off), and with linking
//! on builds it on the first sign-up that searches the pool, once.

use std::time::Duration;

use cognito_admin::{CognitoUsers, DirectoryError, FederatedIdentity, PoolUser, UserDirectory};
use tokio::sync::OnceCell;

/// [`CognitoUsers`] built from the environment's AWS settings on first use, with
/// calls bounded by `budget`.
#[derive(Debug)]
pub struct LazyCognitoUsers {
    cell: OnceCell<CognitoUsers>,
    budget: Duration,
}

impl LazyCognitoUsers {
    pub fn new(budget: Duration) -> Self {
        Self {
            cell: OnceCell::new(),
            budget,
        }
    }

    /// Whether the client was built yet.
    pub fn built(&self) -> bool {
        self.cell.initialized()
    }

    async fn users(&self) -> &CognitoUsers {
        self.cell
            .get_or_init(|| async {
                let sdk = trigger_core::aws::sdk_config(self.budget).await;
                CognitoUsers::new(aws_sdk_cognitoidentityprovider::Client::new(&sdk))
            })
            .await
    }
}

impl UserDirectory for LazyCognitoUsers {
    async fn users_with_email(
        &self,
        pool_id: &str,
        email: &str,
    ) -> Result<Vec<PoolUser>, DirectoryError> {
        self.users().await.users_with_email(pool_id, email).await
    }

    async fn link(
        &self,
        pool_id: &str,
        username: &str,
        identity: &FederatedIdentity,
    ) -> Result<(), DirectoryError> {
        self.users().await.link(pool_id, username, identity).await
    }
}
