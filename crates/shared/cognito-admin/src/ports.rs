//! The ports: one narrow trait per capability of the pool the triggers use, and their
//! in-memory fakes (behind the `fakes` feature, for tests and benchmarks).

use std::future::Future;

use crate::users::{FederatedIdentity, PoolUser};

/// Why a group call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    /// The pool has no user of that name.
    #[error("no such user in the pool")]
    UserNotFound,
    /// The pool has no group of that name.
    #[error("no such group (or user pool)")]
    GroupNotFound,
    /// Cognito refused, failed or did not answer.
    #[error("cognito-idp unavailable: {0}")]
    Unavailable(String),
}

/// A user's membership of the pool's groups.
pub trait GroupMembership {
    /// Adds the user to the group; adding a member again changes nothing and is no error.
    fn add_to_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> impl Future<Output = Result<(), GroupError>> + Send;

    /// The names of the user's groups, every page of them.
    fn groups_of(
        &self,
        pool_id: &str,
        username: &str,
    ) -> impl Future<Output = Result<Vec<String>, GroupError>> + Send;
}

/// Why a directory call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    /// Cognito refused the call as made (a parameter, a limit, a missing user).
    #[error("cognito-idp refused: {0}")]
    Refused(String),
    /// Cognito failed or did not answer.
    #[error("cognito-idp unavailable: {0}")]
    Unavailable(String),
}

pub trait UserDirectory {
    /// The users whose `email` is `email` (every page).
    fn users_with_email(
        &self,
        pool_id: &str,
        email: &str,
    ) -> impl Future<Output = Result<Vec<PoolUser>, DirectoryError>> + Send;

    /// Links `identity` to the native user `username`: from then on, signing in with
    /// the provider signs in as that user.
    fn link(
        &self,
        pool_id: &str,
        username: &str,
        identity: &FederatedIdentity,
    ) -> impl Future<Output = Result<(), DirectoryError>> + Send;
}

#[cfg(any(test, feature = "fakes"))]
pub use fake::*;

/// The in-memory fakes, for tests and benchmarks (the `fakes` feature).
#[cfg(any(test, feature = "fakes"))]
mod fake {
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    use super::{DirectoryError, GroupError, GroupMembership, UserDirectory};
    use crate::users::{FederatedIdentity, PoolUser};

    /// Groups held in memory: the users and groups a pool has, and who is in which.
    #[derive(Debug, Default)]
    pub struct InMemoryGroups {
        /// (pool, group) that exist.
        pub groups: BTreeSet<(String, String)>,
        /// (pool, user) → their groups.
        members: Mutex<BTreeMap<(String, String), BTreeSet<String>>>,
        /// When set, every call fails with this.
        pub outage: Option<GroupError>,
        calls: AtomicUsize,
    }

    impl InMemoryGroups {
        /// How many calls were made (answered or failed).
        pub fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }

        /// A pool with these users and groups (no one in any group yet).
        pub fn with(pool_id: &str, users: &[&str], groups: &[&str]) -> Self {
            let store = Self {
                groups: groups
                    .iter()
                    .map(|g| (pool_id.to_owned(), (*g).to_owned()))
                    .collect(),
                ..Self::default()
            };
            if let Ok(mut members) = store.members.lock() {
                for user in users {
                    members.insert((pool_id.to_owned(), (*user).to_owned()), BTreeSet::new());
                }
            }
            store
        }

        /// A store whose every call fails with `why`.
        pub fn failing(why: &str) -> Self {
            Self {
                outage: Some(GroupError::Unavailable(why.to_owned())),
                ..Self::default()
            }
        }
    }

    impl GroupMembership for InMemoryGroups {
        async fn add_to_group(
            &self,
            pool_id: &str,
            username: &str,
            group: &str,
        ) -> Result<(), GroupError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if let Some(e) = &self.outage {
                return Err(e.clone());
            }
            if !self
                .groups
                .contains(&(pool_id.to_owned(), group.to_owned()))
            {
                return Err(GroupError::GroupNotFound);
            }
            let mut members = self
                .members
                .lock()
                .map_err(|_| GroupError::Unavailable("poisoned".into()))?;
            let user = members
                .get_mut(&(pool_id.to_owned(), username.to_owned()))
                .ok_or(GroupError::UserNotFound)?;
            user.insert(group.to_owned());
            Ok(())
        }

        async fn groups_of(
            &self,
            pool_id: &str,
            username: &str,
        ) -> Result<Vec<String>, GroupError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if let Some(e) = &self.outage {
                return Err(e.clone());
            }
            let members = self
                .members
                .lock()
                .map_err(|_| GroupError::Unavailable("poisoned".into()))?;
            members
                .get(&(pool_id.to_owned(), username.to_owned()))
                .map(|groups| groups.iter().cloned().collect())
                .ok_or(GroupError::UserNotFound)
        }
    }

    /// Users in memory, for tests: the users of one pool, and the links made.
    #[derive(Debug, Default)]
    pub struct InMemoryUsers {
        /// (email, user)
        pub users: Vec<(String, PoolUser)>,
        links: Mutex<Vec<(String, FederatedIdentity)>>,
        /// When set, every call fails with this.
        pub outage: Option<DirectoryError>,
    }

    impl InMemoryUsers {
        pub fn with(mut self, email: &str, user: PoolUser) -> Self {
            self.users.push((email.to_owned(), user));
            self
        }

        pub fn failing(why: &str) -> Self {
            Self {
                outage: Some(DirectoryError::Unavailable(why.to_owned())),
                ..Self::default()
            }
        }

        /// The links made: (native username, identity).
        pub fn links(&self) -> Vec<(String, FederatedIdentity)> {
            self.links.lock().map(|l| l.clone()).unwrap_or_default()
        }
    }

    impl UserDirectory for InMemoryUsers {
        async fn users_with_email(
            &self,
            _pool_id: &str,
            email: &str,
        ) -> Result<Vec<PoolUser>, DirectoryError> {
            if let Some(e) = &self.outage {
                return Err(e.clone());
            }
            Ok(self
                .users
                .iter()
                .filter(|(e, _)| e == email)
                .map(|(_, u)| u.clone())
                .collect())
        }

        async fn link(
            &self,
            _pool_id: &str,
            username: &str,
            identity: &FederatedIdentity,
        ) -> Result<(), DirectoryError> {
            if let Some(e) = &self.outage {
                return Err(e.clone());
            }
            if !self.users.iter().any(|(_, u)| u.username == username) {
                return Err(DirectoryError::Refused("no such user".into()));
            }
            self.links
                .lock()
                .map_err(|_| DirectoryError::Unavailable("poisoned".into()))?
                .push((username.to_owned(), identity.clone()));
            Ok(())
        }
    }
}
