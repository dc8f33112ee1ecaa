//! The port linking reads how an address was verified through (`EmailProofs`), and
//! its in-memory fake (behind the `fakes` feature). The profile table in DynamoDB
//! implements it in `adapters/dynamodb.rs`; [`crate::link::NoLinking`] in the build
//! without linking.

use std::future::Future;

use cognito_admin::DirectoryError;

use crate::proof::EmailProof;

pub trait EmailProofs {
    /// The record of `sub`'s address, `None` when their row has none (or there is no
    /// row: a user created by an administrator or migrated, never confirmed by a code).
    fn proof_of(
        &self,
        sub: &str,
    ) -> impl Future<Output = Result<Option<EmailProof>, DirectoryError>> + Send;
}

#[cfg(any(test, feature = "fakes"))]
pub use fake::*;

/// The in-memory fakes, for tests and benchmarks (the `fakes` feature).
#[cfg(any(test, feature = "fakes"))]
mod fake {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use cognito_admin::DirectoryError;

    use super::EmailProofs;
    use crate::proof::{EmailProof, VerifiedBy};

    /// Proofs in memory, for tests: by `sub`; counts the lookups.
    #[derive(Debug, Default)]
    pub struct InMemoryProofs {
        pub rows: HashMap<String, EmailProof>,
        /// When set, every lookup fails with this.
        pub outage: Option<DirectoryError>,
        lookups: Mutex<Vec<String>>,
    }

    impl InMemoryProofs {
        pub fn with(mut self, sub: &str, email: &str, by: VerifiedBy) -> Self {
            self.rows.insert(
                sub.to_owned(),
                EmailProof {
                    email: email.to_owned(),
                    by,
                },
            );
            self
        }

        /// A table whose every lookup fails with `why`.
        pub fn failing(why: &str) -> Self {
            Self {
                outage: Some(DirectoryError::Unavailable(why.to_owned())),
                ..Self::default()
            }
        }

        /// The subs looked up, in order.
        pub fn lookups(&self) -> Vec<String> {
            self.lookups.lock().map(|l| l.clone()).unwrap_or_default()
        }
    }

    impl EmailProofs for InMemoryProofs {
        async fn proof_of(&self, sub: &str) -> Result<Option<EmailProof>, DirectoryError> {
            if let Ok(mut lookups) = self.lookups.lock() {
                lookups.push(sub.to_owned());
            }
            if let Some(e) = &self.outage {
                return Err(e.clone());
            }
            Ok(self.rows.get(sub).cloned())
        }
    }
}
