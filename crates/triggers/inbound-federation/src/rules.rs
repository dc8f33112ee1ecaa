//! The mapping itself: pure functions from what the IdP said to user attributes.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use trigger_core::events::federation::{
    CognitoEventUserPoolsInboundFederationRequest, InboundFederationAttributes,
};
use trigger_core::values::{is_e164, looks_like_address};

use crate::config::{Claim, Config, Place, Source};

/// Cognito's limit on a string attribute's value, in characters.
pub const MAX_VALUE_CHARS: usize = 2048;

/// Why a value the IdP sent was left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// An object, or a list holding one: nothing to write as text.
    NotText,
    NotAnEmail,
    /// `email_verified` must say `true` or `false`.
    NotAFlag,
    /// `phone_number` must be E.164 (`+4915123456789`).
    NotAPhoneNumber,
    /// A protected attribute only the provider's own mapping may set.
    Protected,
    /// `email_verified` from a provider not in `VERIFIED_EMAIL_PROVIDERS`.
    NotTrustedToVerify,
}

/// What the IdP's attributes came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapped {
    pub attributes: BTreeMap<String, String>,
    /// (attribute, why), with what was dropped shown masked by [`preview`].
    pub dropped: Vec<(String, Dropped, String)>,
    /// Attributes whose value was cut to [`MAX_VALUE_CHARS`].
    pub cut: Vec<String>,
}

/// Maps the request's attributes with the provider's mappings.
pub fn map_attributes(
    config: &Config,
    request: &CognitoEventUserPoolsInboundFederationRequest,
) -> Mapped {
    let mut mapped = Mapped::default();
    for rule in config.mapping_for(&request.provider_name) {
        let (attribute, sources) = (rule.attribute.as_str(), &rule.sources);
        if config.protected.contains(attribute) && !rule.own {
            if sources
                .iter()
                .any(|s| text_of(&request.attributes, s).is_some())
            {
                mapped
                    .dropped
                    .push((attribute.to_owned(), Dropped::Protected, String::new()));
            }
            continue;
        }
        for source in sources {
            let Some(raw) = text_of(&request.attributes, source) else {
                continue;
            };
            match raw.and_then(|text| normalise(attribute, &text)) {
                Ok(value) => {
                    let (value, was_cut) = cut(value);
                    if was_cut {
                        mapped.cut.push(attribute.to_owned());
                    }
                    mapped.attributes.insert(attribute.to_owned(), value);
                    break;
                }
                Err((why, shown)) => mapped.dropped.push((attribute.to_owned(), why, shown)),
            }
        }
    }
    // A verified flag says something about an address only: none, no flag.
    if !mapped.attributes.contains_key("email") {
        mapped.attributes.remove("email_verified");
    }
    // And only from a provider trusted to check the addresses it vouches for.
    if !config.trusts_verification_of(&request.provider_name)
        && mapped.attributes.remove("email_verified").is_some()
    {
        mapped.dropped.push((
            "email_verified".to_owned(),
            Dropped::NotTrustedToVerify,
            String::new(),
        ));
    }
    mapped
}

/// The text a source gives: `None` when no claim of it is there (or all are blank),
/// an error when a claim is there but is not text.
fn text_of(
    attributes: &InboundFederationAttributes,
    source: &Source,
) -> Option<Result<String, (Dropped, String)>> {
    let mut parts = Vec::new();
    for claim in &source.0 {
        match claim_value(attributes, claim) {
            None => continue,
            Some(value) => match scalar_text(value) {
                Some(text) if !text.trim().is_empty() => parts.push(text.trim().to_owned()),
                Some(_) => continue,
                None => return Some(Err((Dropped::NotText, String::new()))),
            },
        }
    }
    (!parts.is_empty()).then(|| Ok(parts.join(" ")))
}

fn claim_value<'a>(
    attributes: &'a InboundFederationAttributes,
    claim: &Claim,
) -> Option<&'a Value> {
    let place = |p: Place| -> Option<&'a Map<String, Value>> {
        match p {
            Place::IdToken => attributes.id_token.as_ref(),
            Place::UserInfo => attributes.user_info.as_ref(),
            Place::SamlResponse => attributes.saml_response.as_ref(),
            Place::TokenResponse => attributes.token_response.as_ref(),
        }
    };
    let places: &[Place] = match &claim.place {
        Some(p) => std::slice::from_ref(p),
        None => &Place::SEARCHED,
    };
    places
        .iter()
        .filter_map(|p| place(*p)?.get(&claim.name))
        .find(|v| !v.is_null())
}

/// Text, a number or a boolean as text; a list of those joined with commas.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::Array(_) | Value::Object(_) | Value::Null => None,
                other => scalar_text(other),
            })
            .collect::<Option<Vec<_>>>()
            .map(|texts| texts.join(",")),
        Value::Object(_) | Value::Null => None,
    }
}

/// The attribute's own rules: an email lower-cased and checked, a flag read as a
/// flag, a phone number checked; control characters never kept.
fn normalise(attribute: &str, text: &str) -> Result<String, (Dropped, String)> {
    let text: String = text.trim().chars().filter(|c| !c.is_control()).collect();
    match attribute {
        "email" => {
            let email = text.to_lowercase();
            if looks_like_address(&email) {
                Ok(email)
            } else {
                Err((Dropped::NotAnEmail, preview(&email)))
            }
        }
        "email_verified" | "phone_number_verified" => match text.to_ascii_lowercase().as_str() {
            "true" => Ok("true".into()),
            "false" => Ok("false".into()),
            _ => Err((Dropped::NotAFlag, preview(&text))),
        },
        "phone_number" => {
            if is_e164(&text) {
                Ok(text)
            } else {
                Err((Dropped::NotAPhoneNumber, preview(&text)))
            }
        }
        _ => Ok(text),
    }
}

fn cut(value: String) -> (String, bool) {
    match value.char_indices().nth(MAX_VALUE_CHARS) {
        Some((at, _)) => (value[..at].to_owned(), true),
        None => (value, false),
    }
}

/// How a dropped value is shown in the log: its length and, for text that looks
/// like an address, the masked address; never the value.
pub fn preview(value: &str) -> String {
    if value.contains('@') {
        trigger_core::redact::mask_email(value)
    } else {
        format!("<{} characters>", value.chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use trigger_core::Vars;

    fn config(mappings: &str) -> Config {
        let mut pairs = vec![("VERIFIED_EMAIL_PROVIDERS", "G")];
        if !mappings.is_empty() {
            pairs.push(("ATTRIBUTE_MAPPINGS", mappings));
        }
        Config::from_vars(&Vars::from_pairs(pairs)).unwrap()
    }

    fn request(provider: &str, attributes: Value) -> CognitoEventUserPoolsInboundFederationRequest {
        serde_json::from_value(json!({
            "providerName": provider, "providerType": "OIDC", "attributes": attributes
        }))
        .unwrap()
    }

    #[test]
    fn emails_are_trimmed_lower_cased_and_checked() {
        let c = config("");
        let m = map_attributes(
            &c,
            &request("Okta", json!({"idToken": {"email": "  Ana@Example.COM "}})),
        );
        assert_eq!(m.attributes["email"], "ana@example.com");
        let m = map_attributes(
            &c,
            &request("Okta", json!({"idToken": {"email": "not an address"}})),
        );
        assert!(!m.attributes.contains_key("email"));
        assert_eq!(m.dropped[0].1, Dropped::NotAnEmail);
        assert!(
            !m.dropped[0].2.contains("address"),
            "the value is never shown: {:?}",
            m.dropped
        );
    }

    #[test]
    fn email_verified_comes_only_from_a_claim_that_says_so() {
        let c = config("");
        let m = map_attributes(
            &c,
            &request("G", json!({"idToken": {"email": "a@b.example"}})),
        );
        assert!(
            !m.attributes.contains_key("email_verified"),
            "no claim, no flag"
        );
        let m = map_attributes(
            &c,
            &request(
                "G",
                json!({"userInfo": {"email": "a@b.example", "email_verified": true}}),
            ),
        );
        assert_eq!(m.attributes["email_verified"], "true");
        let m = map_attributes(
            &c,
            &request(
                "G",
                json!({"idToken": {"email": "a@b.example", "email_verified": "yes"}}),
            ),
        );
        assert!(!m.attributes.contains_key("email_verified"));
        assert_eq!(m.dropped[0].1, Dropped::NotAFlag);
        let m = map_attributes(
            &c,
            &request("G", json!({"idToken": {"email_verified": "true"}})),
        );
        assert!(
            m.attributes.is_empty(),
            "a flag without an address is dropped"
        );
    }

    #[test]
    fn email_verified_is_believed_only_from_providers_trusted_for_it() {
        // A SAML IdP saying someone else's address is verified.
        let claim = json!({"samlResponse": {
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "ceo@corp.example.com",
            "email_verified": "true"
        }});
        let c = config("");
        let m = map_attributes(&c, &request("Okta", claim.clone()));
        assert_eq!(m.attributes["email"], "ceo@corp.example.com");
        assert!(!m.attributes.contains_key("email_verified"), "{m:?}");
        assert_eq!(
            m.dropped,
            vec![(
                "email_verified".to_owned(),
                Dropped::NotTrustedToVerify,
                String::new()
            )]
        );
        // Listed (any case), it is believed.
        let trusting = Config::from_vars(&Vars::from_pairs([(
            "VERIFIED_EMAIL_PROVIDERS",
            "google, okta",
        )]))
        .unwrap();
        let m = map_attributes(&trusting, &request("Okta", claim));
        assert_eq!(m.attributes["email_verified"], "true");
        // Unset: no provider is believed.
        let none = Config::from_vars(&Vars::default()).unwrap();
        let google = json!({"idToken": {"email": "a@b.example", "email_verified": true}});
        assert!(!map_attributes(&none, &request("Google", google))
            .attributes
            .contains_key("email_verified"));
    }

    #[test]
    fn names_are_joined_when_the_idp_splits_them() {
        let c = config("");
        let m = map_attributes(
            &c,
            &request(
                "G",
                json!({"idToken": {"given_name": "Ana", "family_name": "Lima"}}),
            ),
        );
        assert_eq!(m.attributes["name"], "Ana Lima");
        assert_eq!(m.attributes["given_name"], "Ana");
        let m = map_attributes(
            &c,
            &request(
                "G",
                json!({"idToken": {"name": "Ana Lima-Souza", "given_name": "Ana"}}),
            ),
        );
        assert_eq!(m.attributes["name"], "Ana Lima-Souza", "a name claim wins");
    }

    #[test]
    fn a_protected_attribute_needs_the_providers_own_mapping() {
        let saml = json!({"samlResponse": {"custom:role": "admin", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role": "editor"}});
        // Built-in mappings never read custom:role, even when the IdP sends one.
        let m = map_attributes(&config(""), &request("Okta", saml.clone()));
        assert!(!m.attributes.contains_key("custom:role"));
        // Named explicitly for Okta, from the claim chosen.
        let c = config(
            r#"{"Okta": {"custom:role": "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"}}"#,
        );
        assert_eq!(
            map_attributes(&c, &request("Okta", saml.clone())).attributes["custom:role"],
            "editor"
        );
        assert!(!map_attributes(&c, &request("Other", saml.clone()))
            .attributes
            .contains_key("custom:role"));
        // A protected standard attribute falls out of the built-in mappings too.
        let c = Config::from_vars(&Vars::from_pairs([("PROTECTED_ATTRIBUTES", "email")])).unwrap();
        let m = map_attributes(
            &c,
            &request("Okta", json!({"idToken": {"email": "a@b.example"}})),
        );
        assert!(!m.attributes.contains_key("email"));
        assert_eq!(m.dropped[0].1, Dropped::Protected);
    }

    #[test]
    fn one_bad_value_is_dropped_and_the_rest_maps() {
        let c =
            config(r#"{"G": {"phone_number": ["phone", "phone_number"], "custom:tier": "tier"}}"#);
        let m = map_attributes(
            &c,
            &request(
                "G",
                json!({"idToken": {
                    "email": "a@b.example", "phone": "0151 2345", "phone_number": "+4915123456789",
                    "given_name": {"first": "Ana"}, "tier": ["gold", "beta"], "locale": "pt-BR\u{0007}"
                }}),
            ),
        );
        assert_eq!(
            m.attributes["phone_number"], "+4915123456789",
            "the next source after a bad one"
        );
        assert_eq!(m.attributes["custom:tier"], "gold,beta");
        assert_eq!(
            m.attributes["locale"], "pt-BR",
            "control characters removed"
        );
        assert!(!m.attributes.contains_key("given_name"));
        let reasons: Vec<_> = m.dropped.iter().map(|(a, d, _)| (a.as_str(), *d)).collect();
        assert!(reasons.contains(&("phone_number", Dropped::NotAPhoneNumber)));
        assert!(reasons.contains(&("given_name", Dropped::NotText)));
    }

    #[test]
    fn values_are_cut_to_cognitos_limit_on_a_character_boundary() {
        let long = "é".repeat(MAX_VALUE_CHARS + 10);
        let m = map_attributes(
            &config(""),
            &request("G", json!({"idToken": {"family_name": long}})),
        );
        assert_eq!(m.attributes["family_name"].chars().count(), MAX_VALUE_CHARS);
        assert!(m.cut.contains(&"family_name".to_owned()), "{:?}", m.cut);
    }

    #[test]
    fn qualified_sources_read_one_place_and_tokens_only_when_named() {
        let c =
            config(r#"{"G": {"custom:tenant": "userInfo.tid", "custom:token": "access_token"}}"#);
        let m = map_attributes(
            &c,
            &request(
                "G",
                json!({
                    "idToken": {"tid": "from-id-token"}, "userInfo": {"tid": "from-userinfo"},
                    "tokenResponse": {"access_token": "secret"}
                }),
            ),
        );
        assert_eq!(m.attributes["custom:tenant"], "from-userinfo");
        assert!(
            !m.attributes.contains_key("custom:token"),
            "the token response is not searched"
        );
    }
}
