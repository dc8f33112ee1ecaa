//! Pure decisions: which role a user gets, and the response each token version wants.

use serde_json::{json, Map, Value};

use crate::config::{is_forbidden_claim, Config, RoleSource};
use crate::directory::{merge_scopes, DirectoryEntry};

/// The shape of the event and of the response Cognito expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenVersion {
    /// ID token claims only (also what the local emulator sends, as `"0"`).
    V1,
    /// ID and access token claims, and access token scopes.
    V2,
    /// V2, plus machine-to-machine (client credentials) tokens.
    V3,
}

impl TokenVersion {
    /// From the event's `version`: `"2"` and `"3"` (or `V2_0`/`V3_0`), else V1.
    pub fn from_event(version: Option<&str>) -> Self {
        match version.map(str::trim) {
            Some("2" | "2.0" | "V2_0") => Self::V2,
            Some("3" | "3.0" | "V3_0") => Self::V3,
            _ => Self::V1,
        }
    }
}

/// What the event says about the user's groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupConfiguration {
    pub groups: Vec<String>,
    pub iam_roles: Vec<String>,
    pub preferred_role: Option<String>,
}

impl GroupConfiguration {
    /// Absent, `null` and `{}` are no groups; so are `null` lists inside.
    pub fn from_event(value: Option<&Value>) -> Result<Self, String> {
        let Some(Value::Object(obj)) = value else {
            return match value {
                None | Some(Value::Null) => Ok(Self::default()),
                Some(_) => Err("groupConfiguration is not an object".into()),
            };
        };
        let list = |key: &str| -> Result<Vec<String>, String> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| format!("{key} holds a non-string"))
                    })
                    .collect(),
                Some(_) => Err(format!("{key} is not a list")),
            }
        };
        Ok(Self {
            groups: list("groupsToOverride")?,
            iam_roles: list("iamRolesToOverride")?,
            preferred_role: obj
                .get("preferredRole")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }
}

/// The role a token gets and where it came from (for the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDecision {
    pub role: String,
    pub source: &'static str,
}

/// The strongest role among the user's groups: first in `ROLE_PRECEDENCE`; roles not
/// listed there rank after the listed ones, in group order.
pub fn role_from_groups(config: &Config, groups: &[String]) -> Option<String> {
    let rank = |role: &String| {
        config
            .role_precedence
            .iter()
            .position(|r| r == role)
            .unwrap_or(usize::MAX)
    };
    groups
        .iter()
        .filter_map(|g| config.group_roles.get(g))
        .enumerate()
        .min_by_key(|(order, role)| (rank(role), *order))
        .map(|(_, role)| role.clone())
}

/// Walks `ROLE_SOURCES` in order; then the user's own attribute, only when
/// `TRUST_ROLE_ATTRIBUTE=true`; then `DEFAULT_ROLE`.
pub fn resolve_role(
    config: &Config,
    groups: &[String],
    table_role: Option<&str>,
    attribute: Option<&str>,
) -> RoleDecision {
    for source in &config.role_sources {
        match source {
            RoleSource::Groups => {
                if let Some(role) = role_from_groups(config, groups) {
                    return RoleDecision {
                        role,
                        source: "groups",
                    };
                }
            }
            RoleSource::Table => {
                if let Some(role) = table_role {
                    return RoleDecision {
                        role: role.to_owned(),
                        source: "table",
                    };
                }
            }
        }
    }
    if config.trust_role_attribute {
        if let Some(role) = attribute.map(str::trim).filter(|r| !r.is_empty()) {
            return RoleDecision {
                role: role.to_owned(),
                source: "attribute",
            };
        }
    }
    RoleDecision {
        role: config.default_role.clone(),
        source: "default",
    }
}

/// Claims to add: the row's extra claims (never a forbidden or suppressed one, never
/// the role claim), then the role claim.
pub fn claims_to_add(
    config: &Config,
    role: Option<&str>,
    entry: Option<&DirectoryEntry>,
) -> Map<String, Value> {
    let mut claims = Map::new();
    if let Some(entry) = entry {
        for (name, value) in &entry.claims {
            let dropped = is_forbidden_claim(name)
                || *name == config.role_claim
                || config.suppress_claims.contains(name);
            if dropped {
                tracing::warn!(claim = %name, "role table claim not added: forbidden, suppressed or the role claim");
            } else {
                claims.insert(name.clone(), value.clone());
            }
        }
    }
    if let Some(role) = role {
        claims.insert(config.role_claim.clone(), Value::String(role.to_owned()));
    }
    claims
}

/// V1 tokens take string claims only: other JSON values travel as their JSON text.
fn stringified(claims: &Map<String, Value>) -> Map<String, Value> {
    claims
        .iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), Value::String(text))
        })
        .collect()
}

/// The user's groups, kept (an empty override would drop `cognito:groups`), with the
/// preferred IAM role of the decided role when `ROLE_IAM_ROLES` maps it.
pub fn group_override(config: &Config, role: &str, groups: &GroupConfiguration) -> Value {
    let mut iam_roles = groups.iam_roles.clone();
    let preferred = match config.role_iam_roles.get(role) {
        Some(arn) => {
            if !iam_roles.contains(arn) {
                iam_roles.push(arn.clone());
            }
            Some(arn.clone())
        }
        None => groups.preferred_role.clone(),
    };
    json!({
        "groupsToOverride": groups.groups,
        "iamRolesToOverride": iam_roles,
        "preferredRole": preferred,
    })
}

/// The `response` for a user's tokens.
pub fn user_response(
    config: &Config,
    version: TokenVersion,
    decision: &RoleDecision,
    entry: Option<&DirectoryEntry>,
    groups: &GroupConfiguration,
) -> Map<String, Value> {
    let claims = claims_to_add(config, Some(&decision.role), entry);
    let groups = group_override(config, &decision.role, groups);
    let suppress = &config.suppress_claims;
    let mut response = Map::new();
    match version {
        TokenVersion::V1 => {
            response.insert(
                "claimsOverrideDetails".into(),
                json!({
                    "claimsToAddOrOverride": stringified(&claims),
                    "claimsToSuppress": suppress,
                    "groupOverrideDetails": groups,
                }),
            );
        }
        TokenVersion::V2 | TokenVersion::V3 => {
            let role_scopes = config
                .role_scopes
                .get(&decision.role)
                .cloned()
                .unwrap_or_default();
            let row_scopes = entry.map(|e| e.scopes.clone()).unwrap_or_default();
            let scopes = merge_scopes([role_scopes.as_slice(), row_scopes.as_slice()]);
            response.insert(
                "claimsAndScopeOverrideDetails".into(),
                json!({
                    "idTokenGeneration": {
                        "claimsToAddOrOverride": claims,
                        "claimsToSuppress": suppress,
                    },
                    "accessTokenGeneration": {
                        "claimsToAddOrOverride": claims,
                        "claimsToSuppress": suppress,
                        "scopesToAdd": scopes,
                        "scopesToSuppress": [],
                    },
                    "groupOverrideDetails": groups,
                }),
            );
        }
    }
    response
}

/// The `response` for a client-credentials (machine-to-machine) token: the app
/// client's row adds claims and scopes to the access token, or nothing is changed.
pub fn client_response(
    config: &Config,
    entry: Option<&DirectoryEntry>,
) -> Option<Map<String, Value>> {
    let entry = entry?;
    let claims = claims_to_add(config, entry.role.as_deref(), Some(entry));
    let mut response = Map::new();
    response.insert(
        "claimsAndScopeOverrideDetails".into(),
        json!({
            "accessTokenGeneration": {
                "claimsToAddOrOverride": claims,
                "claimsToSuppress": config.suppress_claims,
                "scopesToAdd": merge_scopes([entry.scopes.as_slice()]),
                "scopesToSuppress": [],
            }
        }),
    );
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trigger_core::Vars;

    fn config(pairs: &[(&str, &str)]) -> Config {
        Config::from_vars(&Vars::from_pairs(pairs.iter().copied())).unwrap()
    }

    fn groups(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    const MAPPED: &[(&str, &str)] = &[
        ("GROUP_ROLES", "admins=admin,editors=editor,staff=user"),
        ("ROLE_PRECEDENCE", "admin,editor,user"),
    ];

    #[test]
    fn versions_are_read_from_the_event() {
        assert_eq!(TokenVersion::from_event(Some("1")), TokenVersion::V1);
        assert_eq!(TokenVersion::from_event(Some("0")), TokenVersion::V1);
        assert_eq!(TokenVersion::from_event(None), TokenVersion::V1);
        assert_eq!(TokenVersion::from_event(Some("2")), TokenVersion::V2);
        assert_eq!(TokenVersion::from_event(Some("3")), TokenVersion::V3);
    }

    #[test]
    fn precedence_picks_the_strongest_group_role_whatever_the_group_order() {
        let c = config(MAPPED);
        assert_eq!(
            role_from_groups(&c, &groups(&["staff", "admins", "editors"])).as_deref(),
            Some("admin")
        );
        assert_eq!(
            role_from_groups(&c, &groups(&["staff", "editors"])).as_deref(),
            Some("editor")
        );
        assert_eq!(role_from_groups(&c, &groups(&["unmapped"])), None);
        assert_eq!(role_from_groups(&c, &[]), None);
    }

    #[test]
    fn roles_missing_from_the_precedence_rank_last_in_group_order() {
        let c = config(&[
            ("GROUP_ROLES", "a=alpha,b=beta,e=editor"),
            ("ROLE_PRECEDENCE", "editor"),
        ]);
        assert_eq!(
            role_from_groups(&c, &groups(&["b", "a", "e"])).as_deref(),
            Some("editor")
        );
        assert_eq!(
            role_from_groups(&c, &groups(&["b", "a"])).as_deref(),
            Some("beta")
        );
    }

    #[test]
    fn sources_are_walked_in_order_then_default() {
        let groups_first = config(&[
            MAPPED[0],
            MAPPED[1],
            ("ROLE_SOURCES", "groups,table"),
            ("ROLE_TABLE_NAME", "t"),
        ]);
        let table_first = config(&[
            MAPPED[0],
            MAPPED[1],
            ("ROLE_SOURCES", "table,groups"),
            ("ROLE_TABLE_NAME", "t"),
        ]);
        let g = groups(&["editors"]);
        assert_eq!(
            resolve_role(&groups_first, &g, Some("auditor"), None).role,
            "editor"
        );
        assert_eq!(
            resolve_role(&table_first, &g, Some("auditor"), None).role,
            "auditor"
        );
        assert_eq!(resolve_role(&table_first, &g, None, None).source, "groups");
        let none = resolve_role(&table_first, &[], None, None);
        assert_eq!((none.role.as_str(), none.source), ("user", "default"));
        let custom_default = config(&[("DEFAULT_ROLE", "viewer")]);
        assert_eq!(
            resolve_role(&custom_default, &[], None, None).role,
            "viewer"
        );
    }

    #[test]
    fn the_users_own_attribute_is_ignored_unless_trusted() {
        let c = config(MAPPED);
        assert_eq!(resolve_role(&c, &[], None, Some("admin")).role, "user");
        let trusting = config(&[MAPPED[0], MAPPED[1], ("TRUST_ROLE_ATTRIBUTE", "true")]);
        let d = resolve_role(&trusting, &[], None, Some("admin"));
        assert_eq!((d.role.as_str(), d.source), ("admin", "attribute"));
        // Even when trusted, an authoritative source comes first.
        assert_eq!(
            resolve_role(&trusting, &groups(&["editors"]), None, Some("admin")).role,
            "editor"
        );
    }

    fn decision(role: &str) -> RoleDecision {
        RoleDecision {
            role: role.into(),
            source: "test",
        }
    }

    #[test]
    fn v1_puts_string_claims_in_the_id_token_and_keeps_groups() {
        let c = config(&[("SUPPRESS_CLAIMS", "phone_number")]);
        let mut claims = Map::new();
        claims.insert("tenant_id".into(), "t-1".into());
        claims.insert("permissions".into(), json!(["a", "b"]));
        let entry = DirectoryEntry {
            role: None,
            claims,
            scopes: vec![],
        };
        let g = GroupConfiguration {
            groups: groups(&["editors"]),
            iam_roles: vec![],
            preferred_role: None,
        };
        let r = user_response(&c, TokenVersion::V1, &decision("editor"), Some(&entry), &g);
        let d = &r["claimsOverrideDetails"];
        assert_eq!(d["claimsToAddOrOverride"]["custom:role"], "editor");
        assert_eq!(d["claimsToAddOrOverride"]["tenant_id"], "t-1");
        assert_eq!(d["claimsToAddOrOverride"]["permissions"], "[\"a\",\"b\"]");
        assert_eq!(d["claimsToSuppress"], json!(["phone_number"]));
        assert_eq!(
            d["groupOverrideDetails"]["groupsToOverride"],
            json!(["editors"])
        );
        assert!(r.get("claimsAndScopeOverrideDetails").is_none());
    }

    #[test]
    fn v2_claims_go_in_both_tokens_with_role_scopes() {
        let c = config(&[("ROLE_SCOPES", "admin=api/admin api/read;user=api/read")]);
        let entry = DirectoryEntry {
            role: None,
            claims: Map::new(),
            scopes: vec!["api/export".into()],
        };
        let r = user_response(
            &c,
            TokenVersion::V2,
            &decision("admin"),
            Some(&entry),
            &GroupConfiguration::default(),
        );
        let d = &r["claimsAndScopeOverrideDetails"];
        assert_eq!(
            d["idTokenGeneration"]["claimsToAddOrOverride"]["custom:role"],
            "admin"
        );
        assert_eq!(
            d["accessTokenGeneration"]["claimsToAddOrOverride"]["custom:role"],
            "admin"
        );
        assert_eq!(
            d["accessTokenGeneration"]["scopesToAdd"],
            json!(["api/admin", "api/export", "api/read"])
        );
        let r = user_response(
            &c,
            TokenVersion::V3,
            &decision("guest"),
            None,
            &GroupConfiguration::default(),
        );
        assert_eq!(
            r["claimsAndScopeOverrideDetails"]["accessTokenGeneration"]["scopesToAdd"],
            json!([])
        );
    }

    #[test]
    fn groups_are_always_sent_back_and_the_preferred_role_follows_the_role() {
        let arn = "arn:aws:iam::123456789012:role/Admin";
        let c = config(&[("ROLE_IAM_ROLES", &format!("admin={arn}"))]);
        let g = GroupConfiguration {
            groups: groups(&["admins", "staff"]),
            iam_roles: vec!["arn:aws:iam::123456789012:role/Staff".into()],
            preferred_role: Some("arn:aws:iam::123456789012:role/Staff".into()),
        };
        let admin = group_override(&c, "admin", &g);
        assert_eq!(admin["groupsToOverride"], json!(["admins", "staff"]));
        assert_eq!(admin["preferredRole"], arn);
        assert_eq!(admin["iamRolesToOverride"].as_array().unwrap().len(), 2);
        let other = group_override(&c, "user", &g);
        assert_eq!(
            other["preferredRole"],
            "arn:aws:iam::123456789012:role/Staff"
        );
        let empty = group_override(&c, "user", &GroupConfiguration::default());
        assert_eq!(empty["groupsToOverride"], json!([]));
        assert_eq!(empty["preferredRole"], Value::Null);
    }

    #[test]
    fn row_claims_never_override_forbidden_suppressed_or_role_claims() {
        let c = config(&[("SUPPRESS_CLAIMS", "email")]);
        let mut claims = Map::new();
        for name in [
            "sub",
            "iss",
            "cognito:username",
            "email",
            "custom:role",
            "tenant_id",
        ] {
            claims.insert(name.into(), "x".into());
        }
        let entry = DirectoryEntry {
            role: None,
            claims,
            scopes: vec![],
        };
        let added = claims_to_add(&c, Some("user"), Some(&entry));
        let names: Vec<_> = added.keys().cloned().collect();
        assert_eq!(names, vec!["custom:role", "tenant_id"]);
        assert_eq!(added["custom:role"], "user");
    }

    #[test]
    fn group_configuration_tolerates_null_and_empty_shapes() {
        for v in [
            None,
            Some(json!(null)),
            Some(json!({})),
            Some(
                json!({"groupsToOverride": null, "iamRolesToOverride": null, "preferredRole": null}),
            ),
        ] {
            assert_eq!(
                GroupConfiguration::from_event(v.as_ref()).unwrap(),
                GroupConfiguration::default()
            );
        }
        assert!(GroupConfiguration::from_event(Some(&json!([]))).is_err());
        assert!(GroupConfiguration::from_event(Some(&json!({"groupsToOverride": [1]}))).is_err());
    }

    #[test]
    fn client_credentials_get_the_clients_row_or_nothing() {
        let c = config(&[]);
        assert!(client_response(&c, None).is_none());
        let mut claims = Map::new();
        claims.insert("partner".into(), "acme-billing".into());
        let entry = DirectoryEntry {
            role: Some("service".into()),
            claims,
            scopes: vec!["api/write".into(), "api/read".into()],
        };
        let r = client_response(&c, Some(&entry)).unwrap();
        let a = &r["claimsAndScopeOverrideDetails"]["accessTokenGeneration"];
        assert_eq!(a["claimsToAddOrOverride"]["partner"], "acme-billing");
        assert_eq!(a["claimsToAddOrOverride"]["custom:role"], "service");
        assert_eq!(a["scopesToAdd"], json!(["api/read", "api/write"]));
        assert!(r["claimsAndScopeOverrideDetails"]
            .get("idTokenGeneration")
            .is_none());
    }
}
