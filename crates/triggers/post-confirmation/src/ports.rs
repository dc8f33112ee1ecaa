//! The port the profile table is written through (`ProfileStore`), and its in-memory
//! fake (behind the `fakes` feature). DynamoDB implements it in `adapters/dynamodb.rs`.

use std::future::Future;

use crate::config::VerifiedBy;

/// The address verified at confirmation, and how: pre-signup's linking reads both.
pub use email_domains::proof::{VERIFIED_BY, VERIFIED_EMAIL};

/// A confirmed user, as the profile row records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub sub: String,
    pub username: String,
    pub email: Option<String>,
    /// `2026-11-22T09:15:04Z`
    pub created_at: String,
    pub trigger_source: String,
    pub client_id: String,
    pub user_pool_id: String,
    /// The address, when Cognito had it verified at confirmation, and how.
    pub verified: Option<(String, VerifiedBy)>,
}

/// What writing a profile came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Created,
    /// The row was there (a replay): nothing changed.
    AlreadyThere,
}

/// An email the table remembers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Sent once per user, ever.
    Welcome,
    /// Sent at most once per [`PASSWORD_NOTICE_WINDOW_MS`]: a retried invocation
    /// falls inside it, the next password reset does not.
    PasswordChanged,
}

/// Retries of one invocation come within seconds; two resets are minutes apart.
pub const PASSWORD_NOTICE_WINDOW_MS: u64 = 5 * 60 * 1000;

impl Sent {
    pub fn attribute(self) -> &'static str {
        match self {
            Self::Welcome => "welcome_sent_at",
            Self::PasswordChanged => "password_notice_sent_at",
        }
    }

    /// Whether a mark left at `previous` still stands at `now` (both epoch ms).
    pub fn still_stands(self, previous: u64, now: u64) -> bool {
        match self {
            Self::Welcome => true,
            Self::PasswordChanged => now.saturating_sub(previous) < PASSWORD_NOTICE_WINDOW_MS,
        }
    }
}

/// What claiming an email came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This invocation may send it (and must release the claim if it cannot).
    Claimed,
    /// It was sent (or is being sent) by an earlier invocation.
    AlreadySent,
}

/// The table could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("profile table unavailable: {0}")]
    Unavailable(String),
}

pub trait ProfileStore {
    /// Writes the profile's fields that are not there yet.
    fn create(&self, profile: &Profile)
        -> impl Future<Output = Result<Created, StoreError>> + Send;

    /// Marks `email` as sent to `sub` at `at` (epoch ms), unless a mark stands.
    fn claim(
        &self,
        sub: &str,
        email: Sent,
        at: u64,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Takes back the mark made at `at` (the email was not sent, so a retry may send
    /// it). A mark another invocation made since is left alone.
    fn release(
        &self,
        sub: &str,
        email: Sent,
        at: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_welcome_mark_stands_forever_and_the_notice_mark_for_its_window() {
        assert!(Sent::Welcome.still_stands(0, u64::MAX));
        assert!(Sent::PasswordChanged.still_stands(1_000, 1_000 + PASSWORD_NOTICE_WINDOW_MS - 1));
        assert!(!Sent::PasswordChanged.still_stands(1_000, 1_000 + PASSWORD_NOTICE_WINDOW_MS));
    }
}

#[cfg(any(test, feature = "fakes"))]
pub use fake::*;

/// The in-memory fakes, for tests and benchmarks (the `fakes` feature).
#[cfg(any(test, feature = "fakes"))]
mod fake {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::{Claim, Created, Profile, ProfileStore, Sent, StoreError};

    /// Profiles in memory, for tests.
    #[derive(Debug, Default)]
    pub struct InMemoryProfiles {
        rows: Mutex<HashMap<String, Row>>,
        /// When set, every call fails with this.
        pub outage: Option<StoreError>,
    }

    /// One row in memory.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Row {
        pub profile: Option<Profile>,
        pub marks: HashMap<&'static str, u64>,
    }

    impl InMemoryProfiles {
        /// A store whose every call fails with `why`.
        pub fn failing(why: &str) -> Self {
            Self {
                outage: Some(StoreError::Unavailable(why.to_owned())),
                ..Self::default()
            }
        }

        pub fn row(&self, sub: &str) -> Option<Row> {
            self.rows.lock().ok()?.get(sub).cloned()
        }

        fn with_row<T>(&self, sub: &str, f: impl FnOnce(&mut Row) -> T) -> Result<T, StoreError> {
            if let Some(e) = &self.outage {
                return Err(e.clone());
            }
            let mut rows = self
                .rows
                .lock()
                .map_err(|_| StoreError::Unavailable("poisoned".into()))?;
            Ok(f(rows.entry(sub.to_owned()).or_default()))
        }
    }

    impl ProfileStore for InMemoryProfiles {
        async fn create(&self, profile: &Profile) -> Result<Created, StoreError> {
            self.with_row(&profile.sub, |row| match row.profile {
                Some(_) => Created::AlreadyThere,
                None => {
                    row.profile = Some(profile.clone());
                    Created::Created
                }
            })
        }

        async fn claim(&self, sub: &str, email: Sent, at: u64) -> Result<Claim, StoreError> {
            self.with_row(sub, |row| match row.marks.get(email.attribute()) {
                Some(previous) if email.still_stands(*previous, at) => Claim::AlreadySent,
                _ => {
                    row.marks.insert(email.attribute(), at);
                    Claim::Claimed
                }
            })
        }

        async fn release(&self, sub: &str, email: Sent, at: u64) -> Result<(), StoreError> {
            self.with_row(sub, |row| {
                if row.marks.get(email.attribute()) == Some(&at) {
                    row.marks.remove(email.attribute());
                }
            })
        }
    }
}
