//! The calls triggers make on the user pool itself, behind one narrow port per
//! capability, each implemented once for the Cognito API (`cognito-idp`) and once in
//! memory for tests. Shared by post-confirmation (adding a new user to the default
//! group), pre-authentication (reading a user's groups) and pre-signup (finding users
//! by email and linking federated identities, [`users`]).

pub mod users;

pub use users::{
    CognitoUsers, DirectoryError, FederatedIdentity, InMemoryUsers, PoolUser, UserDirectory,
};

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata};

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

/// The Cognito API (`AdminAddUserToGroup`, `AdminListGroupsForUser`).
#[derive(Debug, Clone)]
pub struct CognitoGroups {
    client: aws_sdk_cognitoidentityprovider::Client,
}

impl CognitoGroups {
    pub fn new(client: aws_sdk_cognitoidentityprovider::Client) -> Self {
        Self { client }
    }
}

/// Reads Cognito's error code; any other failure is `Unavailable`.
fn group_error<E, R>(err: aws_sdk_cognitoidentityprovider::error::SdkError<E, R>) -> GroupError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err.as_service_error().and_then(|e| e.code()) {
        Some("UserNotFoundException") => GroupError::UserNotFound,
        Some("ResourceNotFoundException") => GroupError::GroupNotFound,
        _ => GroupError::Unavailable(DisplayErrorContext(&err).to_string()),
    }
}

impl GroupMembership for CognitoGroups {
    async fn add_to_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<(), GroupError> {
        self.client
            .admin_add_user_to_group()
            .user_pool_id(pool_id)
            .username(username)
            .group_name(group)
            .send()
            .await
            .map(|_| ())
            .map_err(group_error)
    }

    async fn groups_of(&self, pool_id: &str, username: &str) -> Result<Vec<String>, GroupError> {
        let mut groups = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .client
                .admin_list_groups_for_user()
                .user_pool_id(pool_id)
                .username(username)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(group_error)?;
            groups.extend(
                page.groups()
                    .iter()
                    .filter_map(|g| g.group_name().map(str::to_owned)),
            );
            match page.next_token() {
                Some(token) if !token.is_empty() => next = Some(token.to_owned()),
                _ => return Ok(groups),
            }
        }
    }
}

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

    async fn groups_of(&self, pool_id: &str, username: &str) -> Result<Vec<String>, GroupError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_memory_membership_behaves_like_the_api() {
        let g = InMemoryGroups::with("pool", &["ana"], &["readers", "staff"]);
        g.add_to_group("pool", "ana", "readers").await.unwrap();
        g.add_to_group("pool", "ana", "readers").await.unwrap();
        assert_eq!(g.groups_of("pool", "ana").await.unwrap(), vec!["readers"]);
        assert_eq!(
            g.add_to_group("pool", "bob", "readers").await,
            Err(GroupError::UserNotFound)
        );
        assert_eq!(
            g.add_to_group("pool", "ana", "admins").await,
            Err(GroupError::GroupNotFound)
        );
        assert_eq!(
            g.groups_of("other-pool", "ana").await,
            Err(GroupError::UserNotFound)
        );
        let down = InMemoryGroups::failing("refused");
        assert!(matches!(
            down.groups_of("pool", "ana").await,
            Err(GroupError::Unavailable(_))
        ));
    }
}
