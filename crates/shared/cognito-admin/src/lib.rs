//! The calls triggers make on the user pool itself, behind one narrow port per
//! capability (`ports.rs`, each with an in-memory fake behind the `fakes` feature),
//! implemented for the Cognito API (`cognito-idp`, `adapters/`). Shared by
//! post-confirmation (adding a new user to the default group), pre-authentication
//! (reading a user's groups) and pre-signup (finding users by email and linking
//! federated identities, [`users`]).

pub mod adapters;
pub mod ports;
pub mod users;

pub use adapters::{CognitoGroups, CognitoUsers};
pub use ports::{DirectoryError, GroupError, GroupMembership, UserDirectory};
#[cfg(any(test, feature = "fakes"))]
pub use ports::{InMemoryGroups, InMemoryUsers};
pub use users::{FederatedIdentity, PoolUser};

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
