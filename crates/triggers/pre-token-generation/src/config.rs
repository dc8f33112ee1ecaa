//! Configuration of the pre token generation trigger.

use std::collections::BTreeMap;
use std::time::Duration;

use account_status::ChecksAt;
use trigger_core::{ConfigError, Vars};

use crate::claims::{is_forbidden_claim, is_unfit_for_role};

/// Where a role may come from, in the order of `ROLE_SOURCES`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleSource {
    /// Cognito groups, mapped by `GROUP_ROLES`.
    Groups,
    /// The back-office table `ROLE_TABLE_NAME`, keyed by `sub`.
    Table,
}

/// Which IAM roles a user's token offers an identity pool (`IAM_ROLES_FROM`), when
/// `ROLE_IAM_ROLES` maps roles to IAM roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamRolesFrom {
    /// Only the decided role's IAM role, as `cognito:roles` and `cognito:preferred_role`
    /// (the default): whatever groups the user is in, no client can pick another.
    Decided,
    /// The roles of every group the user is in, with the decided role's preferred: a
    /// client passing `CustomRoleArn` may pick any of them.
    Groups,
}

/// What to do when the table cannot be read within the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnLookupFailure {
    /// Fail the sign-in with a generic sentence (the safe default).
    Deny,
    /// Carry on as if the table had no row: groups, then the default role.
    DefaultRole,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub role_sources: Vec<RoleSource>,
    /// group name → role
    pub group_roles: BTreeMap<String, String>,
    /// roles, strongest first
    pub role_precedence: Vec<String>,
    /// The role table, when `table` is one of the role sources.
    pub role_table_name: Option<String>,
    pub default_role: String,
    pub trust_role_attribute: bool,
    pub role_attribute: String,
    pub role_claim: String,
    /// role → scopes added to the access token (V2/V3)
    pub role_scopes: BTreeMap<String, Vec<String>>,
    pub suppress_claims: Vec<String>,
    /// role → IAM role ARN made the preferred role
    pub role_iam_roles: BTreeMap<String, String>,
    pub iam_roles_from: IamRolesFrom,
    pub on_lookup_failure: OnLookupFailure,
    pub lookup_budget: Duration,
    /// CloudWatch namespace of the counters (`METRICS_NAMESPACE`).
    pub metrics_namespace: String,
    /// The account checks made at token time (`ACCOUNT_CHECKS_AT` is `token`, the
    /// default, or `both`), `None` when there is nothing to check here.
    pub account: Option<AccountChecks>,
}

/// The account checks of every user token, refreshes included: a suspension from the
/// back office's status table, and `REQUIRE_VERIFIED_EMAIL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChecks {
    /// `ACCOUNT_STATUS_TABLE_NAME`, the table pre-authentication reads too.
    pub status_table: Option<String>,
    pub require_verified_email: bool,
    /// Named in the refusals (`SUPPORT_EMAIL`).
    pub support_email: Option<String>,
}

impl AccountChecks {
    fn from_vars(vars: &Vars) -> Result<Option<Self>, ConfigError> {
        let at_token = ChecksAt::from_vars(vars)?.at_token();
        let status_table = vars.get("ACCOUNT_STATUS_TABLE_NAME").map(str::to_owned);
        let require_verified_email = vars.flag("REQUIRE_VERIFIED_EMAIL", false)?;
        let support_email = vars.address("SUPPORT_EMAIL")?;
        let anything = status_table.is_some() || require_verified_email;
        Ok((at_token && anything).then_some(Self {
            status_table,
            require_verified_email,
            support_email,
        }))
    }
}

fn check_claim(var: &str, claim: &str) -> Result<(), ConfigError> {
    if is_forbidden_claim(claim) {
        return Err(ConfigError::new(
            var,
            format!("Cognito does not allow changing the claim {claim:?}"),
        ));
    }
    Ok(())
}

/// `ROLE_SOURCES`: `groups` and `table`, in order.
fn role_sources(vars: &Vars) -> Result<Vec<RoleSource>, ConfigError> {
    vars.list_or("ROLE_SOURCES", &["groups"])
        .iter()
        .map(|s| match s.to_ascii_lowercase().as_str() {
            "groups" => Ok(RoleSource::Groups),
            "table" => Ok(RoleSource::Table),
            other => Err(ConfigError::new(
                "ROLE_SOURCES",
                format!("{other:?} is not a role source (groups, table)"),
            )),
        })
        .collect()
}

/// `ROLE_CLAIM` and `SUPPRESS_CLAIMS`: claims Cognito lets a trigger change, and
/// never the role claim suppressed.
fn claim_settings(vars: &Vars) -> Result<(String, Vec<String>), ConfigError> {
    let role_claim = vars.string_or("ROLE_CLAIM", "custom:role");
    check_claim("ROLE_CLAIM", &role_claim)?;
    if is_unfit_for_role(&role_claim) {
        return Err(ConfigError::new(
            "ROLE_CLAIM",
            format!(
                "{role_claim:?} already means something to Cognito, identity pools or \
                 clients; carry the role in a claim of its own, such as custom:role"
            ),
        ));
    }
    let suppress_claims = vars.list("SUPPRESS_CLAIMS");
    for claim in &suppress_claims {
        check_claim("SUPPRESS_CLAIMS", claim)?;
        if *claim == role_claim {
            return Err(ConfigError::new(
                "SUPPRESS_CLAIMS",
                format!("suppressing {claim:?} would remove the role claim"),
            ));
        }
    }
    Ok((role_claim, suppress_claims))
}

/// `ROLE_IAM_ROLES`: role to IAM role ARN.
fn role_iam_roles(vars: &Vars) -> Result<BTreeMap<String, String>, ConfigError> {
    let roles: BTreeMap<String, String> = vars.pairs("ROLE_IAM_ROLES", ',')?.into_iter().collect();
    match roles.iter().find(|(_, arn)| !arn.starts_with("arn:")) {
        Some((role, arn)) => Err(ConfigError::new(
            "ROLE_IAM_ROLES",
            format!("{role}={arn} is not an IAM role ARN"),
        )),
        None => Ok(roles),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let role_sources = role_sources(vars)?;
        let role_table_name = match role_sources.contains(&RoleSource::Table) {
            true => Some(vars.required("ROLE_TABLE_NAME").map_err(|_| {
                ConfigError::new(
                    "ROLE_TABLE_NAME",
                    "must be set when ROLE_SOURCES includes table",
                )
            })?),
            false => None,
        };
        let (role_claim, suppress_claims) = claim_settings(vars)?;
        let role_scopes = vars
            .pairs("ROLE_SCOPES", ';')?
            .into_iter()
            .map(|(role, scopes)| (role, scopes.split_whitespace().map(str::to_owned).collect()))
            .collect();
        let role_iam_roles = role_iam_roles(vars)?;
        let iam_roles_from = vars.choice(
            "IAM_ROLES_FROM",
            IamRolesFrom::Decided,
            &[
                ("decided", IamRolesFrom::Decided),
                ("groups", IamRolesFrom::Groups),
            ],
        )?;
        let default_role = vars.string_or("DEFAULT_ROLE", "user");
        if !role_iam_roles.is_empty() && !role_iam_roles.contains_key(&default_role) {
            return Err(ConfigError::new(
                "ROLE_IAM_ROLES",
                format!(
                    "maps no IAM role for the default role {default_role:?}: its users' \
                     tokens would offer an identity pool no role"
                ),
            ));
        }
        let on_lookup_failure = vars.choice(
            "ON_LOOKUP_FAILURE",
            OnLookupFailure::Deny,
            &[
                ("deny", OnLookupFailure::Deny),
                ("default-role", OnLookupFailure::DefaultRole),
            ],
        )?;
        // Answered well inside Cognito's 5 seconds.
        let lookup_budget =
            vars.millis("LOOKUP_BUDGET_MS", Duration::from_millis(1000), 50..=4000)?;
        Ok(Self {
            role_sources,
            group_roles: vars.pairs("GROUP_ROLES", ',')?.into_iter().collect(),
            role_precedence: vars.list("ROLE_PRECEDENCE"),
            role_table_name,
            default_role,
            trust_role_attribute: vars.flag("TRUST_ROLE_ATTRIBUTE", false)?,
            role_attribute: vars.string_or("ROLE_ATTRIBUTE", "custom:role"),
            role_claim,
            role_scopes,
            suppress_claims,
            role_iam_roles,
            iam_roles_from,
            on_lookup_failure,
            lookup_budget,
            metrics_namespace: vars.string_or("METRICS_NAMESPACE", "CognitoTriggers"),
            account: AccountChecks::from_vars(vars)?,
        })
    }

    /// The account status table, when the checks made here read one.
    pub fn status_table(&self) -> Option<&str> {
        self.account.as_ref()?.status_table.as_deref()
    }

    /// The role table, when the configuration reads one.
    pub fn role_table(&self) -> Option<&str> {
        self.role_table_name.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(&Vars::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn defaults_are_groups_then_user_and_deny_on_failure() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.role_sources, vec![RoleSource::Groups]);
        assert_eq!(c.role_table(), None, "no table, so no SDK client");
        assert_eq!(c.default_role, "user");
        assert_eq!(c.role_claim, "custom:role");
        assert_eq!(c.on_lookup_failure, OnLookupFailure::Deny);
        assert_eq!(c.lookup_budget, Duration::from_millis(1000));
        assert!(!c.trust_role_attribute);
    }

    #[test]
    fn the_account_checks_run_here_unless_left_to_pre_authentication() {
        let checks = [
            ("ACCOUNT_STATUS_TABLE_NAME", "status"),
            ("REQUIRE_VERIFIED_EMAIL", "true"),
            ("SUPPORT_EMAIL", "support@acme.example"),
        ];
        let c = parse(&checks).unwrap();
        assert_eq!(
            c.status_table(),
            Some("status"),
            "token time is the default"
        );
        assert!(c.account.as_ref().unwrap().require_verified_email);
        for (at, here) in [
            ("token", true),
            ("both", true),
            ("pre-authentication", false),
        ] {
            let mut pairs = checks.to_vec();
            pairs.push(("ACCOUNT_CHECKS_AT", at));
            assert_eq!(parse(&pairs).unwrap().account.is_some(), here, "{at}");
        }
        assert_eq!(parse(&[]).unwrap().account, None, "nothing to check");
        assert_eq!(
            parse(&[("SUPPORT_EMAIL", "support")]).unwrap_err().var,
            "SUPPORT_EMAIL"
        );
    }

    #[test]
    fn full_configuration_parses() {
        let c = parse(&[
            ("ROLE_SOURCES", "table, groups"),
            ("ROLE_TABLE_NAME", "roles"),
            ("GROUP_ROLES", "admins=admin, editors=editor"),
            ("ROLE_PRECEDENCE", "admin,editor,user"),
            ("ROLE_SCOPES", "admin=api/admin api/read; user=api/read"),
            (
                "ROLE_IAM_ROLES",
                "admin=arn:aws:iam::123456789012:role/Admin,user=arn:aws:iam::123456789012:role/User",
            ),
            ("IAM_ROLES_FROM", "groups"),
            ("SUPPRESS_CLAIMS", "email_verified,phone_number"),
            ("ON_LOOKUP_FAILURE", "default-role"),
            ("LOOKUP_BUDGET_MS", "250"),
        ])
        .unwrap();
        assert_eq!(c.role_sources, vec![RoleSource::Table, RoleSource::Groups]);
        assert_eq!(c.group_roles["editors"], "editor");
        assert_eq!(c.role_scopes["admin"], vec!["api/admin", "api/read"]);
        assert_eq!(c.on_lookup_failure, OnLookupFailure::DefaultRole);
        assert_eq!(c.lookup_budget, Duration::from_millis(250));
        assert_eq!(c.iam_roles_from, IamRolesFrom::Groups);
        assert_eq!(parse(&[]).unwrap().iam_roles_from, IamRolesFrom::Decided);
    }

    #[test]
    fn forbidden_claims_stop_the_function_at_start_up() {
        for (var, value) in [
            ("ROLE_CLAIM", "sub"),
            ("ROLE_CLAIM", "cognito:username"),
            ("ROLE_CLAIM", "cognito:groups"),
            ("ROLE_CLAIM", "cognito:preferred_role"),
            ("ROLE_CLAIM", "email"),
            ("ROLE_CLAIM", "scope"),
            ("ROLE_CLAIM", "client_id"),
            ("ROLE_CLAIM", "username"),
            ("ROLE_CLAIM", "email_verified"),
            ("SUPPRESS_CLAIMS", "email,iss"),
            ("SUPPRESS_CLAIMS", "custom:role"),
        ] {
            let err = parse(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var, "{var}={value}");
        }
    }

    #[test]
    fn a_role_claim_of_its_own_is_accepted() {
        for claim in ["custom:role", "app_role", "https://acme.example/role"] {
            assert_eq!(parse(&[("ROLE_CLAIM", claim)]).unwrap().role_claim, claim);
        }
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (pairs, var) in [
            (vec![("ROLE_SOURCES", "groups,ldap")], "ROLE_SOURCES"),
            (vec![("ROLE_SOURCES", "table")], "ROLE_TABLE_NAME"),
            (vec![("GROUP_ROLES", "admins")], "GROUP_ROLES"),
            (
                vec![("GROUP_ROLES", "admins=admin,editors=editor,admins=user")],
                "GROUP_ROLES",
            ),
            (vec![("ROLE_SCOPES", "admin=a/b;admin=c/d")], "ROLE_SCOPES"),
            (
                vec![(
                    "ROLE_IAM_ROLES",
                    "admin=arn:aws:iam::123456789012:role/A,admin=arn:aws:iam::123456789012:role/B",
                )],
                "ROLE_IAM_ROLES",
            ),
            (vec![("ROLE_IAM_ROLES", "admin=Admin")], "ROLE_IAM_ROLES"),
            // The default role's users would get no IAM role.
            (
                vec![("ROLE_IAM_ROLES", "admin=arn:aws:iam::123456789012:role/A")],
                "ROLE_IAM_ROLES",
            ),
            (vec![("IAM_ROLES_FROM", "token")], "IAM_ROLES_FROM"),
            (vec![("ON_LOOKUP_FAILURE", "allow")], "ON_LOOKUP_FAILURE"),
            (vec![("LOOKUP_BUDGET_MS", "9000")], "LOOKUP_BUDGET_MS"),
            (vec![("LOOKUP_BUDGET_MS", "fast")], "LOOKUP_BUDGET_MS"),
            (
                vec![("TRUST_ROLE_ATTRIBUTE", "sure")],
                "TRUST_ROLE_ATTRIBUTE",
            ),
        ] {
            assert_eq!(parse(&pairs).unwrap_err().var, var);
        }
    }
}
