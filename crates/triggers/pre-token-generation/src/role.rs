//! Which role a user's tokens carry, and where it came from: pure decisions.

use crate::config::{Config, RoleSource};

/// Where a decided role came from (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionSource {
    /// The user's Cognito groups, mapped by `GROUP_ROLES`.
    Groups,
    /// The back-office table.
    Table,
    /// The user's own attribute, trusted by `TRUST_ROLE_ATTRIBUTE=true`.
    Attribute,
    /// `DEFAULT_ROLE`: no source named one.
    Default,
}

impl DecisionSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Groups => "groups",
            Self::Table => "table",
            Self::Attribute => "attribute",
            Self::Default => "default",
        }
    }
}

/// The role a token gets and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDecision {
    pub role: String,
    pub source: DecisionSource,
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
    let decided = |role: String, source| RoleDecision { role, source };
    for source in &config.role_sources {
        let found = match source {
            RoleSource::Groups => {
                role_from_groups(config, groups).map(|r| decided(r, DecisionSource::Groups))
            }
            RoleSource::Table => table_role.map(|r| decided(r.to_owned(), DecisionSource::Table)),
        };
        if let Some(decision) = found {
            return decision;
        }
    }
    if config.trust_role_attribute {
        if let Some(role) = attribute.map(str::trim).filter(|r| !r.is_empty()) {
            return decided(role.to_owned(), DecisionSource::Attribute);
        }
    }
    decided(config.default_role.clone(), DecisionSource::Default)
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
        assert_eq!(
            resolve_role(&table_first, &g, None, None).source,
            DecisionSource::Groups
        );
        let none = resolve_role(&table_first, &[], None, None);
        assert_eq!(
            (none.role.as_str(), none.source),
            ("user", DecisionSource::Default)
        );
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
        assert_eq!(
            (d.role.as_str(), d.source),
            ("admin", DecisionSource::Attribute)
        );
        // Even when trusted, an authoritative source comes first.
        assert_eq!(
            resolve_role(&trusting, &groups(&["editors"]), None, Some("admin")).role,
            "editor"
        );
    }
}
