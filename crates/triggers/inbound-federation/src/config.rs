//! Which claim or SAML attribute becomes which user attribute, per identity provider.
//!
//! `ATTRIBUTE_MAPPINGS` is a JSON object: provider name (as the pool names it) or
//! `"*"` (every provider) → user attribute → the sources to try, in order, as one
//! string or a list:
//!
//! ```json
//! {"*": {"email": ["email", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"]},
//!  "Microsoft": {"email": ["email", "preferred_username"], "custom:role": "idToken.roles"}}
//! ```
//!
//! A source is a claim name, looked up in the ID token, then userInfo, then the SAML
//! attributes; `idToken.`, `userInfo.`, `samlResponse.` or `tokenResponse.` in front
//! names one place (the token response only that way: it holds the tokens). `a+b`
//! joins the values of `a` and `b` with a space (`given_name+family_name`). The
//! built-in `"*"` mappings (below) apply unless the configuration maps the same
//! attribute. A protected attribute (`PROTECTED_ATTRIBUTES`, default `custom:role`)
//! may be mapped under a provider's own name only, never under `"*"`: an IdP user
//! must not pick their own role.
//!
//! A guarding trigger: a bad setting refuses to start, naming the variable.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_with::rust::maps_duplicate_key_is_error;
use trigger_core::{ConfigError, Vars};

/// Where a claim comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    IdToken,
    UserInfo,
    SamlResponse,
    TokenResponse,
}

impl Place {
    /// Where an unqualified claim name is looked up, in order.
    pub const SEARCHED: [Place; 3] = [Place::IdToken, Place::UserInfo, Place::SamlResponse];

    fn prefixed(text: &str) -> Option<(Place, &str)> {
        [
            ("idToken.", Place::IdToken),
            ("userInfo.", Place::UserInfo),
            ("samlResponse.", Place::SamlResponse),
            ("tokenResponse.", Place::TokenResponse),
        ]
        .into_iter()
        .find_map(|(prefix, place)| text.strip_prefix(prefix).map(|name| (place, name)))
    }
}

/// One claim: a name, in one place or in the searched ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub place: Option<Place>,
    pub name: String,
}

/// What one source says: one claim, or several joined with a space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source(pub Vec<Claim>);

impl Source {
    fn parse(text: &str) -> Option<Self> {
        // '+' joins claims (claim URIs do not hold one unescaped).
        let parts: Vec<&str> = text.split('+').map(str::trim).collect();
        if parts.iter().any(|p| p.is_empty()) {
            return None;
        }
        let claims = parts
            .into_iter()
            .map(|part| match Place::prefixed(part) {
                Some((place, name)) if !name.is_empty() => Some(Claim {
                    place: Some(place),
                    name: name.to_owned(),
                }),
                Some(_) => None,
                None => Some(Claim {
                    place: None,
                    name: part.to_owned(),
                }),
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self(claims))
    }
}

/// User attribute → sources, tried in order.
pub type Mapping = BTreeMap<String, Vec<Source>>;

/// How one attribute is mapped for one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub attribute: String,
    /// Tried in order.
    pub sources: Vec<Source>,
    /// The provider's own mapping names the attribute (what a protected one needs).
    pub own: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The rules of a provider with no mapping of its own (`"*"` merged over the
    /// built-in mappings).
    everyone: Vec<Rule>,
    /// The rules of each provider with a mapping of its own, merged over `everyone`
    /// once, at start.
    providers: BTreeMap<String, Vec<Rule>>,
    /// Attributes an IdP may set only through its own, explicit mapping.
    pub protected: BTreeSet<String>,
    /// The providers whose `email_verified` is believed (`VERIFIED_EMAIL_PROVIDERS`):
    /// any other IdP can say "verified" of an address it never checked.
    pub verified_email_providers: Vec<String>,
}

impl Config {
    /// Whether `provider`'s word that an address is verified is taken.
    pub fn trusts_verification_of(&self, provider: &str) -> bool {
        self.verified_email_providers
            .iter()
            .any(|p| p.eq_ignore_ascii_case(provider))
    }
}

/// What the built-in mappings read: the standard OIDC claims and the claim URIs
/// SAML providers (Entra ID, ADFS, Okta) commonly send.
pub const BUILT_IN: &[(&str, &[&str])] = &[
    (
        "email",
        &[
            "email",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        ],
    ),
    ("email_verified", &["email_verified"]),
    (
        "given_name",
        &[
            "given_name",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        ],
    ),
    (
        "family_name",
        &[
            "family_name",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        ],
    ),
    (
        "name",
        &[
            "name",
            "given_name+family_name",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname+http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        ],
    ),
    ("locale", &["locale"]),
    ("picture", &["picture"]),
    ("phone_number", &["phone_number"]),
];

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let protected: BTreeSet<String> = vars
            .list_or("PROTECTED_ATTRIBUTES", &["custom:role"])
            .into_iter()
            .collect();
        let mut everyone: Mapping = BUILT_IN
            .iter()
            .map(|(attribute, sources)| {
                let sources = sources.iter().filter_map(|s| Source::parse(s)).collect();
                ((*attribute).to_owned(), sources)
            })
            .collect();
        let mut own_mappings = BTreeMap::new();
        if let Some(raw) = vars.get("ATTRIBUTE_MAPPINGS") {
            let bad = |why: String| ConfigError::new("ATTRIBUTE_MAPPINGS", why);
            for (provider, mapping) in Written::read(raw).map_err(bad)?.0 {
                let mapping = parse_mapping(&provider, mapping).map_err(&bad)?;
                if provider == "*" {
                    if let Some(attribute) = mapping.keys().find(|a| protected.contains(*a)) {
                        return Err(bad(format!(
                            "{attribute} is protected: map it under a provider's own name, not \"*\""
                        )));
                    }
                    everyone.extend(mapping);
                } else {
                    own_mappings.insert(provider, mapping);
                }
            }
        }
        let rules = |own: Option<&Mapping>| -> Vec<Rule> {
            let mut merged: BTreeMap<&String, (&Vec<Source>, bool)> =
                everyone.iter().map(|(a, s)| (a, (s, false))).collect();
            for (a, s) in own.into_iter().flatten() {
                merged.insert(a, (s, true));
            }
            merged
                .into_iter()
                .map(|(attribute, (sources, own))| Rule {
                    attribute: attribute.clone(),
                    sources: sources.clone(),
                    own,
                })
                .collect()
        };
        Ok(Self {
            everyone: rules(None),
            providers: own_mappings
                .iter()
                .map(|(provider, own)| (provider.clone(), rules(Some(own))))
                .collect(),
            protected,
            verified_email_providers: vars.list("VERIFIED_EMAIL_PROVIDERS"),
        })
    }

    /// The rules for `provider`, one per attribute.
    pub fn mapping_for(&self, provider: &str) -> &[Rule] {
        self.providers.get(provider).unwrap_or(&self.everyone)
    }
}

/// `ATTRIBUTE_MAPPINGS` as written: provider → user attribute → sources. A provider or
/// an attribute named twice is refused (serde_json would keep the last of the two
/// silently, and one of the two mappings would not be the one in force).
#[derive(Deserialize)]
#[serde(transparent)]
struct Written(#[serde(with = "maps_duplicate_key_is_error")] BTreeMap<String, WrittenMapping>);

impl Written {
    /// The setting's text, or what is wrong with it and where.
    fn read(raw: &str) -> Result<Self, String> {
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(raw)).map_err(
            |e| match e.path().to_string().as_str() {
                "." => format!("must be a JSON object of providers ({})", e.inner()),
                path => format!("{path}: {}", e.inner()),
            },
        )
    }
}

/// One provider's mapping, as written.
#[derive(Deserialize)]
#[serde(transparent)]
struct WrittenMapping(#[serde(with = "maps_duplicate_key_is_error")] BTreeMap<String, Sources>);

/// One attribute's sources, as written.
#[derive(Deserialize)]
#[serde(untagged, expecting = "a source or a list of sources")]
enum Sources {
    One(String),
    Many(Vec<String>),
}

fn parse_mapping(provider: &str, mapping: WrittenMapping) -> Result<Mapping, String> {
    if provider.trim().is_empty() {
        return Err("a provider name is empty".into());
    }
    let mut out = Mapping::new();
    for (attribute, sources) in mapping.0 {
        if !valid_attribute(&attribute) {
            return Err(format!(
                "{provider}: {attribute:?} is not a user attribute name"
            ));
        }
        let texts = match sources {
            Sources::One(text) => vec![text],
            Sources::Many(texts) => texts,
        };
        if texts.is_empty() {
            return Err(format!("{provider}.{attribute}: no source"));
        }
        let parsed = texts
            .iter()
            .map(|t| {
                Source::parse(t).ok_or_else(|| format!("{provider}.{attribute}: bad source {t:?}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.insert(attribute, parsed);
    }
    Ok(out)
}

/// A standard attribute (`email`, `given_name`, ...) or `custom:<name>`.
fn valid_attribute(name: &str) -> bool {
    let body = name.strip_prefix("custom:").unwrap_or(name);
    !body.is_empty()
        && name.len() <= 32
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(&Vars::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn the_built_in_mappings_hold_without_settings() {
        let c = parse(&[]).unwrap();
        let sources = |a: &str| {
            let rules = c.mapping_for("Any");
            rules
                .iter()
                .find(|r| r.attribute == a)
                .unwrap()
                .sources
                .clone()
        };
        let email = sources("email");
        assert_eq!(email[0].0[0].name, "email");
        assert!(email[1].0[0].name.ends_with("/emailaddress"));
        let name = sources("name");
        assert_eq!(
            name[1].0.len(),
            2,
            "given_name+family_name joins two claims"
        );
        assert!(c.protected.contains("custom:role"));
    }

    #[test]
    fn a_provider_maps_over_everyone_attribute_by_attribute() {
        let c = parse(&[(
            "ATTRIBUTE_MAPPINGS",
            r#"{"Microsoft": {"email": ["email", "preferred_username"], "custom:role": "idToken.roles"},
                "*": {"locale": "userInfo.locale"}}"#,
        )])
        .unwrap();
        let ms = c.mapping_for("Microsoft");
        let email = ms.iter().find(|r| r.attribute == "email").unwrap();
        assert_eq!(email.sources.len(), 2);
        assert!(email.own, "Microsoft's own");
        let role = ms.iter().find(|r| r.attribute == "custom:role").unwrap();
        assert_eq!(
            role.sources[0].0[0],
            Claim {
                place: Some(Place::IdToken),
                name: "roles".into()
            }
        );
        let google = c.mapping_for("Google");
        assert!(google.iter().all(|r| r.attribute != "custom:role"));
        let locale = google.iter().find(|r| r.attribute == "locale").unwrap();
        assert_eq!(locale.sources[0].0[0].place, Some(Place::UserInfo));
        assert!(!locale.own);
    }

    #[test]
    fn a_protected_attribute_cannot_be_mapped_for_everyone() {
        let e = parse(&[("ATTRIBUTE_MAPPINGS", r#"{"*": {"custom:role": "roles"}}"#)]).unwrap_err();
        assert_eq!(e.var, "ATTRIBUTE_MAPPINGS");
        assert!(
            e.reason.contains("custom:role is protected"),
            "{}",
            e.reason
        );
        // Unless it is not protected.
        let c = parse(&[
            ("ATTRIBUTE_MAPPINGS", r#"{"*": {"custom:role": "roles"}}"#),
            ("PROTECTED_ATTRIBUTES", ""),
        ])
        .unwrap();
        assert!(c
            .mapping_for("Any")
            .iter()
            .any(|r| r.attribute == "custom:role"));
    }

    #[test]
    fn bad_mappings_refuse_to_start() {
        for raw in [
            "not json",
            "[]",
            r#"{"Google": "email"}"#,
            r#"{"Google": {"e mail": "email"}}"#,
            r#"{"Google": {"email": 3}}"#,
            r#"{"Google": {"email": []}}"#,
            r#"{"Google": {"email": "a++b"}}"#,
            r#"{"Google": {"email": "idToken."}}"#,
            r#"{"Okta": {"email": "mail"}, "Okta": {"custom:role": "groups"}}"#,
            r#"{"Okta": {"custom:role": "groups", "custom:role": "title"}}"#,
        ] {
            let e = parse(&[("ATTRIBUTE_MAPPINGS", raw)]).unwrap_err();
            assert_eq!(e.var, "ATTRIBUTE_MAPPINGS", "{raw}");
        }
    }

    #[test]
    fn a_bad_mapping_is_named_where_it_is() {
        let reason = |raw: &str| parse(&[("ATTRIBUTE_MAPPINGS", raw)]).unwrap_err().reason;
        assert!(reason(r#"{"Google": {"email": 3}}"#).starts_with("Google.email: "));
        assert!(reason(r#"{"Google": {"email": 3}}"#).contains("a source or a list of sources"));
        assert!(reason(r#"{"Okta": {"a": "b"}, "Okta": {"c": "d"}}"#).contains("duplicate"));
        assert!(reason("[]").starts_with("must be a JSON object of providers"));
        assert_eq!(
            reason(r#"{"Google": {"email": []}}"#),
            "Google.email: no source"
        );
    }
}
