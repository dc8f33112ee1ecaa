//! Finding users by email and linking identities through the Cognito API (`ListUsers`,
//! `AdminLinkProviderForUser`).

use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_cognitoidentityprovider::types::{
    ProviderUserIdentifierType, UserStatusType, UserType,
};

use crate::{DirectoryError, FederatedIdentity, PoolUser, UserDirectory};

/// The Cognito API.
#[derive(Debug, Clone)]
pub struct CognitoUsers {
    client: aws_sdk_cognitoidentityprovider::Client,
}

impl CognitoUsers {
    pub fn new(client: aws_sdk_cognitoidentityprovider::Client) -> Self {
        Self { client }
    }
}

fn directory_error<E, R>(
    err: aws_sdk_cognitoidentityprovider::error::SdkError<E, R>,
) -> DirectoryError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let text = DisplayErrorContext(&err).to_string();
    match err.as_service_error().and_then(|e| e.code()) {
        Some(
            "InvalidParameterException"
            | "UserNotFoundException"
            | "LimitExceededException"
            | "AliasExistsException"
            | "NotAuthorizedException",
        ) => DirectoryError::Refused(text),
        _ => DirectoryError::Unavailable(text),
    }
}

fn pool_user(user: &UserType) -> PoolUser {
    let attribute = |name: &str| {
        user.attributes()
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value())
    };
    let username = user.username().unwrap_or_default().to_owned();
    let federated = (user.user_status() == Some(&UserStatusType::ExternalProvider)).then(|| {
        FederatedIdentity::from_username(&username)
            .map(|identity| identity.provider)
            .unwrap_or_else(|| "your identity provider".to_owned())
    });
    PoolUser {
        federated,
        email_verified: attribute("email_verified").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        sub: attribute("sub").map(str::to_owned),
        username,
    }
}

impl UserDirectory for CognitoUsers {
    async fn users_with_email(
        &self,
        pool_id: &str,
        email: &str,
    ) -> Result<Vec<PoolUser>, DirectoryError> {
        if email.contains(['"', '\\']) {
            return Err(DirectoryError::Refused(
                "an email with a quote cannot be searched".into(),
            ));
        }
        let mut users = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .client
                .list_users()
                .user_pool_id(pool_id)
                .filter(format!("email = \"{email}\""))
                .set_pagination_token(next.take())
                .send()
                .await
                .map_err(directory_error)?;
            users.extend(page.users().iter().map(pool_user));
            match page.pagination_token() {
                Some(token) if !token.is_empty() => next = Some(token.to_owned()),
                _ => return Ok(users),
            }
        }
    }

    async fn link(
        &self,
        pool_id: &str,
        username: &str,
        identity: &FederatedIdentity,
    ) -> Result<(), DirectoryError> {
        let destination = ProviderUserIdentifierType::builder()
            .provider_name("Cognito")
            .provider_attribute_value(username)
            .build();
        let source = ProviderUserIdentifierType::builder()
            .provider_name(&identity.provider)
            .provider_attribute_name("Cognito_Subject")
            .provider_attribute_value(&identity.subject)
            .build();
        self.client
            .admin_link_provider_for_user()
            .user_pool_id(pool_id)
            .destination_user(destination)
            .source_user(source)
            .send()
            .await
            .map(|_| ())
            .map_err(directory_error)
    }
}
