//! Finding a pool's users by email and linking a federated identity to one of them:
//! the `UserDirectory` port, for the Cognito API (`ListUsers`,
//! `AdminLinkProviderForUser`) and in memory. Used by pre-signup to keep one account
//! per person.

use std::future::Future;
use std::sync::Mutex;

use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_cognitoidentityprovider::types::{
    ProviderUserIdentifierType, UserStatusType, UserType,
};

/// A user of the pool, as far as linking needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolUser {
    pub username: String,
    /// The user's `sub`, the key of their rows in the project's tables.
    pub sub: Option<String>,
    /// `Some(provider)` for a user created by a federated sign-in
    /// (`EXTERNAL_PROVIDER`), `None` for a native (password) user.
    pub federated: Option<String>,
    pub email_verified: bool,
}

/// A federated identity: the provider as the pool names it, and the user's id there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedIdentity {
    pub provider: String,
    pub subject: String,
}

impl FederatedIdentity {
    /// From a federated user's name in the pool, `<provider>_<subject>`. Cognito
    /// writes the social providers' names in lower case there (`google_1082...`);
    /// the link needs them as the pool names them (`Google`).
    pub fn from_username(username: &str) -> Option<Self> {
        let (prefix, subject) = username.split_once('_')?;
        if prefix.is_empty() || subject.is_empty() {
            return None;
        }
        let provider = match prefix.to_ascii_lowercase().as_str() {
            "google" => "Google",
            "facebook" => "Facebook",
            "loginwithamazon" => "LoginWithAmazon",
            "signinwithapple" => "SignInWithApple",
            _ => prefix,
        };
        Some(Self {
            provider: provider.to_owned(),
            subject: subject.to_owned(),
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_read_from_federated_user_names() {
        let id = FederatedIdentity::from_username("google_108234567890123456789").unwrap();
        assert_eq!(
            (id.provider.as_str(), id.subject.as_str()),
            ("Google", "108234567890123456789")
        );
        let id = FederatedIdentity::from_username("Okta_noah_fischer@example.ch").unwrap();
        assert_eq!(
            (id.provider.as_str(), id.subject.as_str()),
            ("Okta", "noah_fischer@example.ch")
        );
        let id = FederatedIdentity::from_username("SignInWithApple_001.abc").unwrap();
        assert_eq!(id.provider, "SignInWithApple");
        for bad in ["", "nounderscore", "_x", "Google_"] {
            assert_eq!(FederatedIdentity::from_username(bad), None, "{bad}");
        }
    }
}
