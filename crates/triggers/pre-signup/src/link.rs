//! One account per person (`LINK_FEDERATED_USERS=true`): a federated sign-up from a
//! trusted provider (`LINK_TRUSTED_PROVIDERS`) whose verified email belongs to a
//! native user who proved that address with a code is linked to that user; a
//! password sign-up whose email belongs to a federated user is sent to that provider.

use std::collections::HashMap;
use std::time::Duration;

use cognito_admin::{DirectoryError, FederatedIdentity, PoolUser, UserDirectory};

use crate::ports::EmailProofs;
use crate::proof::EmailProof;

/// Linking's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkConfig {
    /// The search, the proof's lookup and the link together (`LINK_BUDGET_MS`).
    pub budget: Duration,
    /// The providers, as the pool names them, whose sign-ups may be linked
    /// (`LINK_TRUSTED_PROVIDERS`): a link hands the account to whoever holds the
    /// identity there, so only providers that verify the addresses they vouch for.
    pub trusted_providers: Vec<String>,
    /// The profile table post-confirmation writes (`PROFILE_TABLE_NAME`): how each
    /// native user's address was verified.
    pub profile_table: String,
}

impl LinkConfig {
    /// Whether sign-ups of `provider` may be linked.
    pub fn trusts(&self, provider: &str) -> bool {
        self.trusted_providers
            .iter()
            .any(|p| p.eq_ignore_ascii_case(provider))
    }
}

/// The directory of the `pre-signup` binary, which has none: a type with no values,
/// so the handler's linking branch is never taken there and the Cognito client is
/// not linked into that binary.
#[derive(Debug)]
pub enum NoLinking {}

impl UserDirectory for NoLinking {
    async fn users_with_email(&self, _: &str, _: &str) -> Result<Vec<PoolUser>, DirectoryError> {
        match *self {}
    }

    async fn link(&self, _: &str, _: &str, _: &FederatedIdentity) -> Result<(), DirectoryError> {
        match *self {}
    }
}

impl EmailProofs for NoLinking {
    async fn proof_of(&self, _: &str) -> Result<Option<EmailProof>, DirectoryError> {
        match *self {}
    }
}

/// What to do with a federated sign-up, given the pool's users with its email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalPlan {
    /// Link the identity to this native user (once their address is proven, see
    /// [`crate::proof`]), then tell the person to sign in again.
    Link {
        username: String,
        sub: Option<String>,
    },
    /// Let the sign-up create its own user, for this reason.
    Separate(Separate),
}

/// Why a federated sign-up gets a user of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separate {
    /// The provider is not in `LINK_TRUSTED_PROVIDERS`.
    ProviderNotTrusted,
    /// The IdP did not say the email is verified: linking on it would let anyone
    /// who types an address at an IdP take over that address's account.
    IdpEmailNotVerified,
    NoNativeUser,
    /// The native user never verified the address: linking would hand their
    /// account to whoever signed up with an address they do not own, or the other
    /// way round.
    NativeEmailNotVerified,
    /// Several native users share the address; which one is the person's is unknown.
    Ambiguous,
    /// Cognito says the native user's address is verified, but no code proved it
    /// (auto-verified at sign-up, set by an administrator or a migration, changed
    /// since, or no profile row): whoever registered it may not own it.
    NativeEmailNotProven,
}

/// The IdP said the email is verified (`email_verified` is `true`).
pub fn idp_verified(attributes: &HashMap<String, String>) -> bool {
    attributes
        .get("email_verified")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The email linking searches for: the attribute, trimmed.
pub fn email_of(attributes: &HashMap<String, String>) -> Option<&str> {
    attributes
        .get("email")
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
}

/// Decides a federated sign-up (`users` are the pool's users with its email).
pub fn plan_external(attributes: &HashMap<String, String>, users: &[PoolUser]) -> ExternalPlan {
    if !idp_verified(attributes) {
        return ExternalPlan::Separate(Separate::IdpEmailNotVerified);
    }
    let natives: Vec<&PoolUser> = users.iter().filter(|u| u.federated.is_none()).collect();
    match natives.as_slice() {
        [] => ExternalPlan::Separate(Separate::NoNativeUser),
        [one] if one.email_verified => ExternalPlan::Link {
            username: one.username.clone(),
            sub: one.sub.clone(),
        },
        [_] => ExternalPlan::Separate(Separate::NativeEmailNotVerified),
        _ => ExternalPlan::Separate(Separate::Ambiguous),
    }
}

/// For a password sign-up: the provider of a federated user with the same email.
pub fn federated_owner(users: &[PoolUser]) -> Option<&str> {
    users.iter().find_map(|u| u.federated.as_deref())
}

/// The sentences of linking (no final period: Cognito adds one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkRefusal {
    /// The link is made; Cognito fails this first sign-up all the same.
    Linked { provider: String },
    /// The address belongs to a federated user.
    UseProvider { provider: String },
    /// The search or the link failed or ran out of time.
    Unavailable,
}

impl LinkRefusal {
    pub fn sentence(&self) -> String {
        match self {
            Self::Linked { provider } => format!(
                "Your {provider} sign-in is now linked to your existing account. Please sign in again"
            ),
            Self::UseProvider { provider } => format!(
                "An account with this email address already exists. Sign in with {provider}"
            ),
            Self::Unavailable => {
                "Sign-up is unavailable right now. Please try again in a moment".to_owned()
            }
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Linked { .. } => "linked",
            Self::UseProvider { .. } => "use_provider",
            Self::Unavailable => "link_unavailable",
        }
    }
}

/// The identity a federated sign-up event is for (from its `userName`).
pub fn identity_of(username: Option<&str>) -> Option<FederatedIdentity> {
    FederatedIdentity::from_username(username?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    fn native(name: &str, verified: bool) -> PoolUser {
        PoolUser {
            username: name.into(),
            sub: Some(format!("sub-of-{name}")),
            federated: None,
            email_verified: verified,
        }
    }

    fn federated(name: &str, provider: &str) -> PoolUser {
        PoolUser {
            username: name.into(),
            sub: Some(format!("sub-of-{name}")),
            federated: Some(provider.into()),
            email_verified: true,
        }
    }

    const IDP_VERIFIED: [(&str, &str); 2] =
        [("email", "ana@example.com"), ("email_verified", "true")];

    #[test]
    fn a_verified_idp_email_links_to_the_one_verified_native_user() {
        assert_eq!(
            plan_external(
                &attrs(&IDP_VERIFIED),
                &[native("ana", true), federated("google_1", "Google")]
            ),
            ExternalPlan::Link {
                username: "ana".into(),
                sub: Some("sub-of-ana".into())
            }
        );
    }

    #[test]
    fn nothing_is_linked_on_an_unverified_address_on_either_side() {
        let unverified_idp = attrs(&[("email", "ana@example.com"), ("email_verified", "false")]);
        assert_eq!(
            plan_external(&unverified_idp, &[native("ana", true)]),
            ExternalPlan::Separate(Separate::IdpEmailNotVerified)
        );
        assert_eq!(
            plan_external(
                &attrs(&[("email", "ana@example.com")]),
                &[native("ana", true)]
            ),
            ExternalPlan::Separate(Separate::IdpEmailNotVerified)
        );
        assert_eq!(
            plan_external(&attrs(&IDP_VERIFIED), &[native("ana", false)]),
            ExternalPlan::Separate(Separate::NativeEmailNotVerified)
        );
    }

    #[test]
    fn no_native_user_or_several_keep_the_sign_up_separate() {
        assert_eq!(
            plan_external(&attrs(&IDP_VERIFIED), &[federated("google_1", "Google")]),
            ExternalPlan::Separate(Separate::NoNativeUser)
        );
        assert_eq!(
            plan_external(
                &attrs(&IDP_VERIFIED),
                &[native("a", true), native("b", true)]
            ),
            ExternalPlan::Separate(Separate::Ambiguous)
        );
    }

    #[test]
    fn a_password_sign_up_is_sent_to_the_provider_that_owns_the_address() {
        assert_eq!(
            federated_owner(&[native("a", true), federated("google_1", "Google")]),
            Some("Google")
        );
        assert_eq!(federated_owner(&[native("a", true)]), None);
        assert_eq!(
            LinkRefusal::UseProvider {
                provider: "Google".into()
            }
            .sentence(),
            "An account with this email address already exists. Sign in with Google"
        );
        assert!(!LinkRefusal::Linked {
            provider: "Google".into()
        }
        .sentence()
        .ends_with('.'));
    }
}
