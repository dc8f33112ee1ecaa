//! The port the legacy users are read through (`LegacyUserStore`), and its in-memory
//! fake (behind the `fakes` feature). DynamoDB implements it in `adapters/dynamodb.rs`.

use std::future::Future;

use crate::store::{LegacyUser, RowProblem};

/// The store could not answer, or answered with a row that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The table refused, failed or did not answer.
    #[error("legacy table unavailable: {0}")]
    Unavailable(String),
    /// The row does not have the documented shape.
    #[error("legacy row malformed: {0}")]
    Malformed(RowProblem),
}

pub trait LegacyUserStore {
    /// The user with this normalized username.
    fn find(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<LegacyUser>, StoreError>> + Send;
    /// Records the migration time, once (a second call changes nothing).
    fn mark_migrated(
        &self,
        username: &str,
        at: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The scheme and cost most legacy users' hashes have, as `legacy-import`
    /// recorded them ([`crate::store::HASH_PROFILE_KEY`]); `None` when nothing was recorded.
    fn hash_profile(&self) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
}

#[cfg(any(test, feature = "fakes"))]
pub use fake::*;

/// The in-memory fakes, for tests and benchmarks (the `fakes` feature).
#[cfg(any(test, feature = "fakes"))]
mod fake {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::{LegacyUserStore, StoreError};
    use crate::store::LegacyUser;

    /// Users held in memory.
    #[derive(Debug, Default)]
    pub struct InMemoryStore {
        users: Mutex<HashMap<String, LegacyUser>>,
        pub outage: Option<StoreError>,
        /// What `hash_profile` answers.
        pub hash_profile: Option<String>,
    }

    impl InMemoryStore {
        pub fn with(users: impl IntoIterator<Item = LegacyUser>) -> Self {
            let store = Self::default();
            if let Ok(mut map) = store.users.lock() {
                for u in users {
                    map.insert(u.username.clone(), u);
                }
            }
            store
        }

        /// A store whose every call fails with `why`.
        pub fn failing(why: &str) -> Self {
            Self {
                outage: Some(StoreError::Unavailable(why.to_owned())),
                ..Self::default()
            }
        }

        pub fn get(&self, username: &str) -> Option<LegacyUser> {
            self.users.lock().ok()?.get(username).cloned()
        }
    }

    impl LegacyUserStore for InMemoryStore {
        async fn find(&self, username: &str) -> Result<Option<LegacyUser>, StoreError> {
            if let Some(why) = &self.outage {
                return Err(why.clone());
            }
            Ok(self.get(username))
        }

        async fn mark_migrated(&self, username: &str, at: &str) -> Result<(), StoreError> {
            let mut users = self
                .users
                .lock()
                .map_err(|_| StoreError::Unavailable("poisoned".into()))?;
            if let Some(u) = users.get_mut(username) {
                u.migrated_at.get_or_insert_with(|| at.to_owned());
            }
            Ok(())
        }

        async fn hash_profile(&self) -> Result<Option<String>, StoreError> {
            if let Some(why) = &self.outage {
                return Err(why.clone());
            }
            Ok(self.hash_profile.clone())
        }
    }
}
