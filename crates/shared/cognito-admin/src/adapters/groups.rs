//! Group membership through the Cognito API (`AdminAddUserToGroup`,
//! `AdminListGroupsForUser`).

use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata};

use crate::{GroupError, GroupMembership};

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
