//! The pool's users as linking sees them: a user, and a federated identity read from
//! a federated user's name. Found and linked through the `UserDirectory` port
//! (`ports.rs`). Used by pre-signup to keep one account per person.

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
