//! The port the account checks read statuses through, and its in-memory fake.

use std::future::Future;

use crate::AccountStatus;

/// The status could not be read, or the row cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("account status table unavailable: {0}")]
    Unavailable(String),
    #[error("account status row unusable: {0}")]
    Unusable(String),
}

pub trait StatusDirectory {
    /// The status row of `key` (a `sub`), `None` when there is none.
    fn status_of(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<AccountStatus>, StatusError>> + Send;
}

#[cfg(any(test, feature = "fakes"))]
pub use fake::*;

/// The in-memory fakes, for tests and benchmarks (the `fakes` feature).
#[cfg(any(test, feature = "fakes"))]
mod fake {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::{StatusDirectory, StatusError};
    use crate::AccountStatus;

    /// Statuses in memory, for tests; counts the lookups it answers.
    #[derive(Debug, Default)]
    pub struct InMemoryStatuses {
        pub rows: HashMap<String, AccountStatus>,
        /// When set, every lookup fails with this.
        pub outage: Option<StatusError>,
        lookups: AtomicUsize,
    }

    impl InMemoryStatuses {
        pub fn with(mut self, sub: &str, status: AccountStatus) -> Self {
            self.rows.insert(sub.to_owned(), status);
            self
        }

        pub fn failing(why: &str) -> Self {
            Self {
                outage: Some(StatusError::Unavailable(why.to_owned())),
                ..Self::default()
            }
        }

        /// How many lookups were made.
        pub fn lookups(&self) -> usize {
            self.lookups.load(Ordering::SeqCst)
        }
    }

    impl StatusDirectory for InMemoryStatuses {
        async fn status_of(&self, key: &str) -> Result<Option<AccountStatus>, StatusError> {
            self.lookups.fetch_add(1, Ordering::SeqCst);
            if let Some(e) = &self.outage {
                return Err(e.clone());
            }
            Ok(self.rows.get(key).cloned())
        }
    }
}
