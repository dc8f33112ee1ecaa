//! The decisions of the pre sign-up trigger, as pure functions of the configured
//! rules and the user's attributes.

use std::collections::HashMap;

use trigger_core::values::is_e164;
use trigger_core::{ConfigError, Vars};

use crate::domain::{is_disposable, DomainList, EmailAddress};

/// Where the sign-up comes from (`triggerSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `PreSignUp_SignUp`: the user signs themselves up.
    SignUp,
    /// `PreSignUp_AdminCreateUser`: an administrator creates the user.
    AdminCreateUser,
    /// `PreSignUp_ExternalProvider`: first sign-in through a federated identity provider.
    ExternalProvider,
}

/// Why a sign-up is refused. Each has one stable sentence that tells the user which
/// rule failed without revealing the configured lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    EmailRequired,
    EmailInvalid,
    DomainNotAllowed,
    DisposableEmail,
    RequiredAttributeMissing,
    ProtectedAttribute,
    PhoneInvalid,
}

impl Refusal {
    pub const ALL: [Refusal; 7] = [
        Self::EmailRequired,
        Self::EmailInvalid,
        Self::DomainNotAllowed,
        Self::DisposableEmail,
        Self::RequiredAttributeMissing,
        Self::ProtectedAttribute,
        Self::PhoneInvalid,
    ];

    /// The sentence Cognito shows to the user (documented in the package README), without a
    /// final period: Cognito adds one.
    pub fn sentence(self) -> &'static str {
        match self {
            Self::EmailRequired => "An email address is required to sign up",
            Self::EmailInvalid => "The email address is not valid",
            Self::DomainNotAllowed => "Sign-up with this email domain is not allowed",
            Self::DisposableEmail => "Sign-up with a disposable email address is not allowed",
            Self::RequiredAttributeMissing => "A required attribute is missing or empty",
            Self::ProtectedAttribute => "Sign-up cannot set a protected attribute",
            Self::PhoneInvalid => {
                "The phone number must be in international format, for example +14155550123"
            }
        }
    }

    /// A short name for logs and metrics.
    pub fn code(self) -> &'static str {
        match self {
            Self::EmailRequired => "email_required",
            Self::EmailInvalid => "email_invalid",
            Self::DomainNotAllowed => "domain_not_allowed",
            Self::DisposableEmail => "disposable_email",
            Self::RequiredAttributeMissing => "required_attribute_missing",
            Self::ProtectedAttribute => "protected_attribute",
            Self::PhoneInvalid => "phone_invalid",
        }
    }
}

/// What Cognito should do with an accepted sign-up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Decision {
    pub auto_confirm_user: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

/// The configured rules. An empty list switches its rule off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub allowed_domains: DomainList,
    pub denied_domains: DomainList,
    pub block_disposable: bool,
    pub auto_confirm_domains: DomainList,
    /// `AUTO_CONFIRM_VERIFIES_EMAIL`: an auto-confirmed user's address is also marked
    /// verified, without the user ever proving it (off by default: see [`decide`]).
    pub auto_confirm_verifies_email: bool,
    pub required_attributes: Vec<String>,
    pub protected_attributes: Vec<String>,
    pub check_federated_users: bool,
}

impl Rules {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let domains = |var: &str| DomainList::from_entries(var, &vars.list(var));
        Ok(Self {
            allowed_domains: domains("ALLOWED_EMAIL_DOMAINS")?,
            denied_domains: domains("DENIED_EMAIL_DOMAINS")?,
            block_disposable: vars.flag("BLOCK_DISPOSABLE_EMAILS", true)?,
            auto_confirm_domains: domains("AUTO_CONFIRM_EMAIL_DOMAINS")?
                .refusing_public_suffixes("AUTO_CONFIRM_EMAIL_DOMAINS")?,
            auto_confirm_verifies_email: vars.flag("AUTO_CONFIRM_VERIFIES_EMAIL", false)?,
            required_attributes: vars.list("REQUIRED_ATTRIBUTES"),
            protected_attributes: vars.list_or("PROTECTED_ATTRIBUTES", &["custom:role"]),
            check_federated_users: vars.flag("CHECK_FEDERATED_USERS", true)?,
        })
    }

    /// An allow or deny list is configured: every sign-up then needs a valid email.
    fn domain_lists_on(&self) -> bool {
        !self.allowed_domains.is_empty() || !self.denied_domains.is_empty()
    }
}

/// Decides one sign-up.
///
/// A user at an auto-confirmation domain is confirmed, but their address is marked
/// verified only with `AUTO_CONFIRM_VERIFIES_EMAIL=true`: anyone can type any
/// address at sign-up, so a verified flag given here would be one nobody earned (an
/// attacker signing up as `ceo@corp.example.com` would hold a verified address, and
/// with linking on, the real owner's first federated sign-in would join their
/// account). Unverified, the address is proven the usual way, with a code.
pub fn decide(
    rules: &Rules,
    source: Source,
    attributes: &HashMap<String, String>,
) -> Result<Decision, Refusal> {
    if source == Source::SignUp
        && rules
            .protected_attributes
            .iter()
            .any(|name| attributes.contains_key(name))
    {
        return Err(Refusal::ProtectedAttribute);
    }

    let missing = rules
        .required_attributes
        .iter()
        .any(|name| attributes.get(name).is_none_or(|v| v.trim().is_empty()));
    if missing {
        return Err(Refusal::RequiredAttributeMissing);
    }

    if let Some(phone) = attributes.get("phone_number") {
        if !is_e164(phone) {
            return Err(Refusal::PhoneInvalid);
        }
    }

    let raw_email = attributes
        .get("email")
        .map(String::as_str)
        .filter(|e| !e.trim().is_empty());
    let email = raw_email.and_then(EmailAddress::parse);

    let domain_rules_apply = source != Source::ExternalProvider || rules.check_federated_users;
    if domain_rules_apply {
        check_email(rules, raw_email, email.as_ref())?;
    }

    let trusted = email
        .as_ref()
        .is_some_and(|e| rules.auto_confirm_domains.matches(&e.domain));
    Ok(Decision {
        auto_confirm_user: trusted,
        auto_verify_email: trusted && rules.auto_confirm_verifies_email,
        auto_verify_phone: false,
    })
}

fn check_email(
    rules: &Rules,
    raw: Option<&str>,
    parsed: Option<&EmailAddress>,
) -> Result<(), Refusal> {
    let lists_on = rules.domain_lists_on();
    let Some(_) = raw else {
        return if lists_on {
            Err(Refusal::EmailRequired)
        } else {
            Ok(())
        };
    };
    let Some(email) = parsed else {
        return if lists_on || rules.block_disposable {
            Err(Refusal::EmailInvalid)
        } else {
            Ok(())
        };
    };
    let domain = &email.domain;
    if rules.denied_domains.matches(domain) {
        return Err(Refusal::DomainNotAllowed);
    }
    let explicitly_allowed = rules.allowed_domains.matches(domain);
    if !rules.allowed_domains.is_empty() && !explicitly_allowed {
        return Err(Refusal::DomainNotAllowed);
    }
    // A domain the operator named as allowed or trusted is exempt from the list.
    let trusted = explicitly_allowed || rules.auto_confirm_domains.matches(domain);
    if rules.block_disposable && !trusted && is_disposable(domain) {
        return Err(Refusal::DisposableEmail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn rules(vars: &[(&str, &str)]) -> Rules {
        Rules::from_vars(&Vars::from_pairs(vars.iter().copied())).unwrap()
    }

    fn email(rules: &Rules, address: &str) -> Result<Decision, Refusal> {
        decide(rules, Source::SignUp, &attrs(&[("email", address)]))
    }

    #[test]
    fn defaults_accept_an_ordinary_sign_up_without_confirming_it() {
        let unconfigured = rules(&[]);
        let d = email(&unconfigured, "alice@example.com").unwrap();
        assert_eq!(d, Decision::default());
        // What an unconfigured deployment refuses: disposable addresses and a role.
        assert_eq!(
            email(&unconfigured, "x@mailinator.com"),
            Err(Refusal::DisposableEmail)
        );
        let with_role = attrs(&[("email", "a@example.com"), ("custom:role", "admin")]);
        assert_eq!(
            decide(&unconfigured, Source::SignUp, &with_role),
            Err(Refusal::ProtectedAttribute)
        );
    }

    #[test]
    fn denied_domains_and_their_subdomains_are_refused() {
        let r = rules(&[("DENIED_EMAIL_DOMAINS", "evil.com")]);
        assert_eq!(email(&r, "a@evil.com"), Err(Refusal::DomainNotAllowed));
        assert_eq!(email(&r, "a@mail.evil.com"), Err(Refusal::DomainNotAllowed));
        assert!(email(&r, "a@notevil.com").is_ok());
        assert!(email(&r, "a@evil.com.au").is_ok());
    }

    #[test]
    fn allow_list_refuses_everything_else_and_deny_wins_over_allow() {
        let r = rules(&[
            ("ALLOWED_EMAIL_DOMAINS", "example.com"),
            ("DENIED_EMAIL_DOMAINS", "contractors.example.com"),
        ]);
        assert!(email(&r, "a@example.com").is_ok());
        assert!(email(&r, "a@eu.example.com").is_ok());
        assert_eq!(email(&r, "a@other.org"), Err(Refusal::DomainNotAllowed));
        assert_eq!(
            email(&r, "a@contractors.example.com"),
            Err(Refusal::DomainNotAllowed)
        );
    }

    #[test]
    fn disposable_addresses_are_blocked_by_default_and_can_be_allowed() {
        assert_eq!(
            email(&rules(&[]), "x@mailinator.com"),
            Err(Refusal::DisposableEmail)
        );
        let off = rules(&[("BLOCK_DISPOSABLE_EMAILS", "false")]);
        assert!(email(&off, "x@mailinator.com").is_ok());
        let named = rules(&[("ALLOWED_EMAIL_DOMAINS", "mailinator.com")]);
        assert!(email(&named, "x@mailinator.com").is_ok());
    }

    #[test]
    fn missing_or_malformed_email_is_refused_only_when_a_domain_rule_needs_it() {
        let lists = rules(&[("ALLOWED_EMAIL_DOMAINS", "example.com")]);
        let none = attrs(&[("phone_number", "+14155550123")]);
        assert_eq!(
            decide(&lists, Source::SignUp, &none),
            Err(Refusal::EmailRequired)
        );
        assert_eq!(
            decide(&lists, Source::SignUp, &attrs(&[("email", "  ")])),
            Err(Refusal::EmailRequired)
        );
        assert_eq!(email(&lists, "not-an-address"), Err(Refusal::EmailInvalid));
        // Phone-only pools keep working under the defaults.
        assert!(decide(&rules(&[]), Source::SignUp, &none).is_ok());
        assert_eq!(
            email(&rules(&[]), "a@@example.com"),
            Err(Refusal::EmailInvalid)
        );
        let nothing_on = rules(&[("BLOCK_DISPOSABLE_EMAILS", "false")]);
        assert!(email(&nothing_on, "not-an-address").is_ok());
    }

    #[test]
    fn trusted_domains_are_confirmed_but_their_address_is_not_verified_for_free() {
        // Anyone can sign up as the CEO: confirming them is the operator's choice,
        // a verified address they never proved is not.
        let r = rules(&[("AUTO_CONFIRM_EMAIL_DOMAINS", "corp.example.com")]);
        let d = email(&r, "ceo@corp.example.com").unwrap();
        assert!(d.auto_confirm_user, "confirmed");
        assert!(
            !d.auto_verify_email,
            "but the address is still to be proven"
        );
        assert!(!d.auto_verify_phone);
        assert_eq!(
            email(&r, "bob@corp.example.com.org").unwrap(),
            Decision::default()
        );
        // Verifying too takes a setting of its own.
        let both = rules(&[
            ("AUTO_CONFIRM_EMAIL_DOMAINS", "corp.example.com"),
            ("AUTO_CONFIRM_VERIFIES_EMAIL", "true"),
        ]);
        let d = email(&both, "bob@eu.corp.example.com").unwrap();
        assert!(d.auto_confirm_user && d.auto_verify_email);
    }

    #[test]
    fn required_attributes_must_be_present_and_non_blank() {
        let r = rules(&[("REQUIRED_ATTRIBUTES", "given_name,family_name")]);
        let ok = attrs(&[("given_name", "Ada"), ("family_name", "Lovelace")]);
        assert!(decide(&r, Source::SignUp, &ok).is_ok());
        let blank = attrs(&[("given_name", "Ada"), ("family_name", " ")]);
        assert_eq!(
            decide(&r, Source::SignUp, &blank),
            Err(Refusal::RequiredAttributeMissing)
        );
        let absent = attrs(&[("given_name", "Ada")]);
        assert_eq!(
            decide(&r, Source::AdminCreateUser, &absent),
            Err(Refusal::RequiredAttributeMissing)
        );
    }

    #[test]
    fn protected_attributes_are_refused_on_self_sign_up_only() {
        let r = rules(&[]);
        let with_role = attrs(&[("email", "a@example.com"), ("custom:role", "admin")]);
        assert_eq!(
            decide(&r, Source::SignUp, &with_role),
            Err(Refusal::ProtectedAttribute)
        );
        let empty_role = attrs(&[("custom:role", "")]);
        assert_eq!(
            decide(&r, Source::SignUp, &empty_role),
            Err(Refusal::ProtectedAttribute)
        );
        assert!(decide(&r, Source::AdminCreateUser, &with_role).is_ok());
        let off = rules(&[("PROTECTED_ATTRIBUTES", "")]);
        assert!(decide(&off, Source::SignUp, &with_role).is_ok());
    }

    #[test]
    fn a_phone_number_not_in_e164_form_is_refused() {
        let r = rules(&[]);
        assert_eq!(
            decide(
                &r,
                Source::SignUp,
                &attrs(&[("phone_number", "415 555 0123")])
            ),
            Err(Refusal::PhoneInvalid)
        );
    }

    #[test]
    fn federated_users_get_domain_rules_unless_switched_off() {
        let r = rules(&[("DENIED_EMAIL_DOMAINS", "evil.com")]);
        let a = attrs(&[("email", "a@evil.com")]);
        assert_eq!(
            decide(&r, Source::ExternalProvider, &a),
            Err(Refusal::DomainNotAllowed)
        );
        let off = rules(&[
            ("DENIED_EMAIL_DOMAINS", "evil.com"),
            ("CHECK_FEDERATED_USERS", "false"),
        ]);
        assert!(decide(&off, Source::ExternalProvider, &a).is_ok());
        assert_eq!(
            decide(&off, Source::SignUp, &a),
            Err(Refusal::DomainNotAllowed)
        );
    }

    #[test]
    fn sentences_are_distinct_and_never_name_a_configured_domain() {
        let sentences: std::collections::HashSet<_> =
            Refusal::ALL.iter().map(|r| r.sentence()).collect();
        assert_eq!(sentences.len(), Refusal::ALL.len());
        for s in sentences {
            assert!(!s.ends_with('.'), "Cognito adds the period: {s}");
            assert!(!s.contains("evil.com") && !s.contains("example.com"));
        }
    }

    #[test]
    fn bad_config_is_an_error_naming_the_variable() {
        let err = Rules::from_vars(&Vars::from_pairs([(
            "BLOCK_DISPOSABLE_EMAILS",
            "sometimes",
        )]))
        .unwrap_err();
        assert_eq!(err.var, "BLOCK_DISPOSABLE_EMAILS");
        let err = Rules::from_vars(&Vars::from_pairs([(
            "ALLOWED_EMAIL_DOMAINS",
            "ex ample.com",
        )]))
        .unwrap_err();
        assert_eq!(err.var, "ALLOWED_EMAIL_DOMAINS");
        for suffix in ["com", "co.uk", "corp.example.com,github.io"] {
            let err = Rules::from_vars(&Vars::from_pairs([("AUTO_CONFIRM_EMAIL_DOMAINS", suffix)]))
                .unwrap_err();
            assert_eq!(err.var, "AUTO_CONFIRM_EMAIL_DOMAINS", "{suffix}");
        }
        let err = Rules::from_vars(&Vars::from_pairs([(
            "AUTO_CONFIRM_VERIFIES_EMAIL",
            "maybe",
        )]))
        .unwrap_err();
        assert_eq!(err.var, "AUTO_CONFIRM_VERIFIES_EMAIL");
    }
}
