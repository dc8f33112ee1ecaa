//! The authoritative source of roles and extra claims: a table only the back office
//! writes. The port (`RoleDirectory`) and its in-memory fake (behind the `fakes`
//! feature); DynamoDB implements it in `adapters/dynamodb.rs`.

use std::future::Future;
use std::time::Duration;

use serde_json::{Map, Value};

/// Whose row to read: a user's (by `sub`) or an app client's (client-credentials
/// tokens, by client id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupKey<'a> {
    User(&'a str),
    Client(&'a str),
}

impl<'a> LookupKey<'a> {
    /// The table's key value.
    pub fn id(self) -> &'a str {
        match self {
            Self::User(id) | Self::Client(id) => id,
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Self::User(_) => "user",
            Self::Client(_) => "client",
        }
    }
}

/// One row of the role table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DirectoryEntry {
    /// `role` (string), for user rows.
    pub role: Option<String>,
    /// `claims` (map): extra claims such as a tenant id or a permission list.
    pub claims: Map<String, Value>,
    /// `scopes` (string set or list): extra access-token scopes.
    pub scopes: Vec<String>,
}

/// Why a row could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// The table did not answer in time, refused, or answered with an error.
    #[error("role table unavailable: {0}")]
    Unavailable(String),
    /// The row exists but does not have the documented shape.
    #[error("role table row malformed: {0}")]
    Malformed(String),
}

/// Reads role rows by key.
pub trait RoleDirectory {
    fn lookup(
        &self,
        key: LookupKey<'_>,
    ) -> impl Future<Output = Result<Option<DirectoryEntry>, LookupError>> + Send;
}

/// `lookup` bounded by `budget`, retries included: past it, the answer is
/// `Unavailable` whatever the directory is still doing.
pub async fn lookup_within<D: RoleDirectory>(
    directory: &D,
    key: LookupKey<'_>,
    budget: Duration,
) -> Result<Option<DirectoryEntry>, LookupError> {
    match tokio::time::timeout(budget, directory.lookup(key)).await {
        Ok(result) => result,
        Err(_) => Err(LookupError::Unavailable(format!(
            "no answer within the {} ms budget",
            budget.as_millis()
        ))),
    }
}

#[cfg(any(test, feature = "fakes"))]
pub use fake::*;

/// The in-memory fakes, for tests and benchmarks (the `fakes` feature).
#[cfg(any(test, feature = "fakes"))]
mod fake {
    use std::collections::HashMap;

    use super::{DirectoryEntry, LookupError, LookupKey, RoleDirectory};

    /// Rows held in memory, by key id.
    #[derive(Debug, Clone, Default)]
    pub struct InMemoryDirectory {
        pub rows: HashMap<String, Result<DirectoryEntry, LookupError>>,
        /// When set, every lookup fails with this.
        pub outage: Option<LookupError>,
    }

    impl InMemoryDirectory {
        pub fn with(mut self, key: &str, entry: DirectoryEntry) -> Self {
            self.rows.insert(key.to_owned(), Ok(entry));
            self
        }
    }

    impl RoleDirectory for InMemoryDirectory {
        async fn lookup(&self, key: LookupKey<'_>) -> Result<Option<DirectoryEntry>, LookupError> {
            if let Some(e) = &self.outage {
                return Err(e.clone());
            }
            self.rows.get(key.id()).cloned().transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_slow_directory_is_cut_off_at_the_budget() {
        struct Slow;
        impl RoleDirectory for Slow {
            async fn lookup(
                &self,
                _: LookupKey<'_>,
            ) -> Result<Option<DirectoryEntry>, LookupError> {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(None)
            }
        }
        let started = std::time::Instant::now();
        let result = lookup_within(&Slow, LookupKey::User("k"), Duration::from_millis(50)).await;
        assert!(matches!(result, Err(LookupError::Unavailable(_))));
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
