//! The answers each token version wants, built from the decided role, the user's
//! groups and the table row: pure functions into the typed responses.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};
use trigger_core::events::token::ClaimsAndScopeOverrideDetailsClientCredentials;
use trigger_core::events::{
    ClaimsAndScopeOverrideDetailsV2, ClaimsOverrideDetails, CognitoAccessTokenGenerationV2,
    CognitoEventUserPoolsPreTokenGen, CognitoEventUserPoolsPreTokenGenV2,
    CognitoIdTokenGenerationV2, GroupConfiguration,
};

use crate::config::{Config, IamRolesFrom};
use crate::ports::DirectoryEntry;
use crate::role::RoleDecision;

/// A user's token event, V1 or V2/V3: the user it is for, and where its answer goes.
pub trait UserToken {
    /// The user's attributes and groups.
    fn user(&self) -> (&HashMap<String, String>, &GroupConfiguration);
    /// Writes the answer for the decided role (and the user's table row) in the
    /// shape of the event's version.
    fn answer(&mut self, config: &Config, decision: &RoleDecision, entry: Option<&DirectoryEntry>);
}

impl UserToken for CognitoEventUserPoolsPreTokenGen {
    fn user(&self) -> (&HashMap<String, String>, &GroupConfiguration) {
        (
            &self.request.user_attributes,
            &self.request.group_configuration,
        )
    }

    fn answer(&mut self, config: &Config, decision: &RoleDecision, entry: Option<&DirectoryEntry>) {
        let details = v1_details(config, decision, entry, &self.request.group_configuration);
        self.response.claims_override_details = Some(details);
    }
}

impl UserToken for CognitoEventUserPoolsPreTokenGenV2 {
    fn user(&self) -> (&HashMap<String, String>, &GroupConfiguration) {
        (
            &self.request.user_attributes,
            &self.request.group_configuration,
        )
    }

    fn answer(&mut self, config: &Config, decision: &RoleDecision, entry: Option<&DirectoryEntry>) {
        let details = v2_details(config, decision, entry, &self.request.group_configuration);
        self.response.claims_and_scope_override_details = Some(details);
    }
}

/// Claims to add: the row's extra claims (screened when the row was read, see
/// [`crate::screen_row`]) but for suppressed ones, then the role claim.
pub fn claims_to_add(
    config: &Config,
    role: Option<&str>,
    entry: Option<&DirectoryEntry>,
) -> Map<String, Value> {
    let mut claims: Map<String, Value> = entry
        .iter()
        .flat_map(|e| &e.claims)
        .filter(|(name, _)| !config.suppress_claims.contains(name))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    if let Some(role) = role {
        claims.insert(config.role_claim.clone(), Value::String(role.to_owned()));
    }
    claims
}

/// V1 tokens take string claims only: other JSON values travel as their JSON text.
fn stringified(claims: Map<String, Value>) -> HashMap<String, String> {
    claims
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k, text)
        })
        .collect()
}

/// The user's groups, kept (an empty override would drop `cognito:groups`), and the
/// IAM roles the token offers an identity pool. When `ROLE_IAM_ROLES` maps roles:
/// with `IAM_ROLES_FROM=decided` (the default) `cognito:roles` holds the decided role's
/// IAM role alone and `cognito:preferred_role` names it, so no client can ask for
/// another (a role without an IAM role gets none); with `groups` the group roles stay
/// beside it. Without `ROLE_IAM_ROLES` the group roles pass through as Cognito set them.
pub fn group_override(
    config: &Config,
    role: &str,
    groups: &GroupConfiguration,
) -> GroupConfiguration {
    let mut out = GroupConfiguration::default();
    out.groups_to_override = groups.groups_to_override.clone();
    let decided = config.role_iam_roles.get(role);
    match (config.role_iam_roles.is_empty(), config.iam_roles_from) {
        (true, _) => {
            out.iam_roles_to_override = groups.iam_roles_to_override.clone();
            out.preferred_role = groups.preferred_role.clone();
        }
        (false, IamRolesFrom::Decided) => {
            out.iam_roles_to_override = decided.into_iter().cloned().collect();
            out.preferred_role = decided.cloned();
        }
        (false, IamRolesFrom::Groups) => {
            out.iam_roles_to_override = groups.iam_roles_to_override.clone();
            if let Some(arn) = decided {
                if !out.iam_roles_to_override.contains(arn) {
                    out.iam_roles_to_override.push(arn.clone());
                }
            }
            out.preferred_role = decided.cloned().or_else(|| groups.preferred_role.clone());
        }
    }
    out
}

/// The V1 answer: claims in the ID token, groups kept.
pub fn v1_details(
    config: &Config,
    decision: &RoleDecision,
    entry: Option<&DirectoryEntry>,
    groups: &GroupConfiguration,
) -> ClaimsOverrideDetails {
    let mut details = ClaimsOverrideDetails::default();
    details.claims_to_add_or_override =
        stringified(claims_to_add(config, Some(&decision.role), entry));
    details.claims_to_suppress = config.suppress_claims.clone();
    details.group_override_details = group_override(config, &decision.role, groups);
    details
}

/// The V2/V3 answer: claims in both tokens, the role's and the row's scopes in the
/// access token, groups kept.
pub fn v2_details(
    config: &Config,
    decision: &RoleDecision,
    entry: Option<&DirectoryEntry>,
    groups: &GroupConfiguration,
) -> ClaimsAndScopeOverrideDetailsV2 {
    let claims: HashMap<String, Value> = claims_to_add(config, Some(&decision.role), entry)
        .into_iter()
        .collect();
    let role_scopes = config
        .role_scopes
        .get(&decision.role)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let row_scopes = entry.map(|e| e.scopes.as_slice()).unwrap_or_default();
    let mut id = CognitoIdTokenGenerationV2::default();
    id.claims_to_add_or_override = claims.clone();
    id.claims_to_suppress = config.suppress_claims.clone();
    let access = access_token(config, claims, merge_scopes([role_scopes, row_scopes]));
    let mut details = ClaimsAndScopeOverrideDetailsV2::default();
    details.group_override_details = group_override(config, &decision.role, groups);
    details.id_token_generation = Some(id);
    details.access_token_generation = Some(access);
    details
}

/// The client-credentials (machine-to-machine) answer: the app client's row adds
/// claims (its role as the role claim) and scopes to the access token.
pub fn client_details(
    config: &Config,
    entry: &DirectoryEntry,
) -> ClaimsAndScopeOverrideDetailsClientCredentials {
    let claims = claims_to_add(config, entry.role.as_deref(), Some(entry))
        .into_iter()
        .collect();
    ClaimsAndScopeOverrideDetailsClientCredentials {
        access_token_generation: Some(access_token(
            config,
            claims,
            merge_scopes([entry.scopes.as_slice()]),
        )),
        ..Default::default()
    }
}

fn access_token(
    config: &Config,
    claims: HashMap<String, Value>,
    scopes: Vec<String>,
) -> CognitoAccessTokenGenerationV2 {
    let mut access = CognitoAccessTokenGenerationV2::default();
    access.claims_to_add_or_override = claims;
    access.claims_to_suppress = config.suppress_claims.clone();
    access.scopes_to_add = scopes;
    access
}

/// Sorted, de-duplicated union of scope lists.
pub fn merge_scopes<'a>(lists: impl IntoIterator<Item = &'a [String]>) -> Vec<String> {
    let set: BTreeSet<&String> = lists.into_iter().flatten().collect();
    set.into_iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::DecisionSource;
    use serde_json::json;
    use trigger_core::Vars;

    fn config(pairs: &[(&str, &str)]) -> Config {
        Config::from_vars(&Vars::from_pairs(pairs.iter().copied())).unwrap()
    }

    fn decision(role: &str) -> RoleDecision {
        RoleDecision {
            role: role.into(),
            source: DecisionSource::Default,
        }
    }

    fn groups(names: &[&str], iam: &[&str], preferred: Option<&str>) -> GroupConfiguration {
        let mut g = GroupConfiguration::default();
        g.groups_to_override = names.iter().map(|s| (*s).to_owned()).collect();
        g.iam_roles_to_override = iam.iter().map(|s| (*s).to_owned()).collect();
        g.preferred_role = preferred.map(str::to_owned);
        g
    }

    fn json_of(value: impl serde::Serialize) -> Value {
        serde_json::to_value(value).unwrap()
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
        let d = json_of(v1_details(
            &c,
            &decision("editor"),
            Some(&entry),
            &groups(&["editors"], &[], None),
        ));
        assert_eq!(d["claimsToAddOrOverride"]["custom:role"], "editor");
        assert_eq!(d["claimsToAddOrOverride"]["tenant_id"], "t-1");
        assert_eq!(d["claimsToAddOrOverride"]["permissions"], "[\"a\",\"b\"]");
        assert_eq!(d["claimsToSuppress"], json!(["phone_number"]));
        assert_eq!(
            d["groupOverrideDetails"]["groupsToOverride"],
            json!(["editors"])
        );
    }

    #[test]
    fn v2_claims_go_in_both_tokens_with_role_scopes() {
        let c = config(&[("ROLE_SCOPES", "admin=api/admin api/read;user=api/read")]);
        let entry = DirectoryEntry {
            role: None,
            claims: Map::new(),
            scopes: vec!["api/export".into()],
        };
        let d = json_of(v2_details(
            &c,
            &decision("admin"),
            Some(&entry),
            &GroupConfiguration::default(),
        ));
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
        let d = json_of(v2_details(
            &c,
            &decision("guest"),
            None,
            &GroupConfiguration::default(),
        ));
        assert_eq!(d["accessTokenGeneration"]["scopesToAdd"], json!([]));
    }

    const ADMIN: &str = "arn:aws:iam::123456789012:role/Admin";
    const USER: &str = "arn:aws:iam::123456789012:role/User";
    const STAFF: &str = "arn:aws:iam::123456789012:role/Staff";

    #[test]
    fn the_token_offers_the_decided_roles_iam_role_alone() {
        let c = config(&[("ROLE_IAM_ROLES", &format!("admin={ADMIN},user={USER}"))]);
        let g = groups(&["admins", "staff"], &[STAFF, ADMIN], Some(STAFF));
        let admin = group_override(&c, "admin", &g);
        assert_eq!(admin.groups_to_override, vec!["admins", "staff"]);
        assert_eq!(admin.iam_roles_to_override, vec![ADMIN]);
        assert_eq!(admin.preferred_role.as_deref(), Some(ADMIN));
        // In the admins group, but decided a user: the admin role is not on offer.
        let user = group_override(&c, "user", &g);
        assert_eq!(user.iam_roles_to_override, vec![USER]);
        assert_eq!(user.preferred_role.as_deref(), Some(USER));
        // A role without an IAM role offers none, not the groups' ones.
        let auditor = json_of(group_override(&c, "auditor", &g));
        assert_eq!(auditor["iamRolesToOverride"], json!([]));
        assert_eq!(auditor["preferredRole"], Value::Null);
        let empty = json_of(group_override(&c, "user", &GroupConfiguration::default()));
        assert_eq!(empty["groupsToOverride"], json!([]));
    }

    #[test]
    fn iam_roles_from_groups_keeps_the_group_roles_beside_the_decided_one() {
        let c = config(&[
            ("ROLE_IAM_ROLES", &format!("admin={ADMIN},user={USER}")),
            ("IAM_ROLES_FROM", "groups"),
        ]);
        let g = groups(&["staff"], &[STAFF], Some(STAFF));
        let user = group_override(&c, "user", &g);
        assert_eq!(user.iam_roles_to_override, vec![STAFF, USER]);
        assert_eq!(user.preferred_role.as_deref(), Some(USER));
        let auditor = group_override(&c, "auditor", &g);
        assert_eq!(auditor.preferred_role.as_deref(), Some(STAFF));
    }

    #[test]
    fn without_role_iam_roles_the_group_roles_pass_through() {
        let g = groups(&["staff"], &[STAFF], Some(STAFF));
        let out = group_override(&config(&[]), "admin", &g);
        assert_eq!(out.iam_roles_to_override, vec![STAFF]);
        assert_eq!(out.preferred_role.as_deref(), Some(STAFF));
    }

    #[test]
    fn suppressed_claims_stay_out_and_the_role_claim_is_the_decided_role() {
        let c = config(&[("SUPPRESS_CLAIMS", "email")]);
        let mut claims = Map::new();
        for name in ["email", "tenant_id"] {
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
    fn client_credentials_get_the_clients_row() {
        let c = config(&[]);
        let mut claims = Map::new();
        claims.insert("partner".into(), "acme-billing".into());
        let entry = DirectoryEntry {
            role: Some("service".into()),
            claims,
            scopes: vec!["api/write".into(), "api/read".into()],
        };
        let d = json_of(client_details(&c, &entry));
        let a = &d["accessTokenGeneration"];
        assert_eq!(a["claimsToAddOrOverride"]["partner"], "acme-billing");
        assert_eq!(a["claimsToAddOrOverride"]["custom:role"], "service");
        assert_eq!(a["scopesToAdd"], json!(["api/read", "api/write"]));
        assert!(d.get("idTokenGeneration").is_none());
    }
}
