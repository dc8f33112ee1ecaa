//! `pool-doctor`: what will not work, trigger by trigger, in a pool as it is configured,
//! and the fix for each. The rules read [`Facts`] gathered beforehand (`crate::aws`),
//! so that each rule is a pure function tested on its own.

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::types::{
    EmailSendingAccountType, ExplicitAuthFlowsType, OAuthFlowType, PreventUserExistenceErrorTypes,
    UserPoolClientType, UserPoolTierType, UserPoolType,
};
use serde::Serialize;
use serde_json::Value;

use crate::points::{self, Point, TokenVersion};

/// What the doctor read about one function at a trigger point.
#[derive(Debug, Clone)]
pub struct Function {
    /// Its environment (only the settings the rules need are ever read), or why it
    /// could not be read.
    pub env: Result<BTreeMap<String, String>, String>,
    /// Whether its resource policy lets this pool invoke it, or why that is unknown.
    pub invocable: Result<bool, String>,
}

/// An identity pool that trusts this user pool, and how it maps roles for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityPool {
    pub id: String,
    /// Per app client of this user pool: (mapping type, ambiguous role resolution),
    /// `None` when the identity pool has no role mapping for it.
    pub mappings: BTreeMap<String, Option<(String, Option<String>)>>,
}

#[derive(Debug, Clone)]
pub struct Facts {
    pub pool: UserPoolType,
    pub clients: Vec<UserPoolClientType>,
    /// By ARN, each function the pool's `LambdaConfig` names.
    pub functions: BTreeMap<String, Function>,
    pub identity_pools: Vec<IdentityPool>,
}

/// One thing that will not work, and its fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable name of the rule, for scripts.
    pub rule: &'static str,
    /// The trigger point it concerns (Cognito's name).
    pub trigger: &'static str,
    pub problem: String,
    pub fix: String,
}

impl Default for Facts {
    fn default() -> Self {
        Facts {
            pool: UserPoolType::builder().build(),
            clients: Vec::new(),
            functions: BTreeMap::new(),
            identity_pools: Vec::new(),
        }
    }
}

fn client_label(c: &UserPoolClientType) -> String {
    match (c.client_name(), c.client_id()) {
        (Some(name), Some(id)) => format!("app client {name} ({id})"),
        (None, Some(id)) => format!("app client {id}"),
        _ => "an app client".to_owned(),
    }
}

/// A client that only issues client-credentials tokens: no user signs in through it.
fn machine_only(c: &UserPoolClientType) -> bool {
    let flows = c.allowed_o_auth_flows();
    !flows.is_empty() && flows.iter().all(|f| *f == OAuthFlowType::ClientCredentials)
}

fn allows(c: &UserPoolClientType, flows: &[ExplicitAuthFlowsType]) -> bool {
    c.explicit_auth_flows().iter().any(|f| flows.contains(f))
}

/// Every finding, in trigger order.
pub fn diagnose(facts: &Facts) -> Vec<Finding> {
    let wired = points::read(facts.pool.lambda_config());
    let mut out = Vec::new();
    let users_clients: Vec<&UserPoolClientType> =
        facts.clients.iter().filter(|c| !machine_only(c)).collect();

    if wired.contains_key(&Point::UserMigration) {
        for c in &users_clients {
            if !allows(
                c,
                &[
                    ExplicitAuthFlowsType::AllowUserPasswordAuth,
                    ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
                ],
            ) {
                out.push(Finding {
                    rule: "migration-needs-password-auth",
                    trigger: "UserMigration",
                    problem: format!(
                        "{} does not allow USER_PASSWORD_AUTH: SRP never gives Cognito the password, so users signing in through it are never migrated",
                        client_label(c)
                    ),
                    fix: "add ALLOW_USER_PASSWORD_AUTH to the client's ExplicitAuthFlows (UpdateUserPoolClient with every other setting carried) until the migration is over".into(),
                });
            }
        }
    }
    if wired.contains_key(&Point::PreAuthentication) {
        for c in &users_clients {
            if c.prevent_user_existence_errors() != Some(&PreventUserExistenceErrorTypes::Enabled) {
                out.push(Finding {
                    rule: "pre-authentication-needs-existence-errors-prevented",
                    trigger: "PreAuthentication",
                    problem: format!(
                        "{} does not prevent user existence errors: an unknown user name is answered UserNotFoundException before the trigger runs, so whoever types a name learns whether the account exists",
                        client_label(c)
                    ),
                    fix: "set the client's PreventUserExistenceErrors to ENABLED".into(),
                });
            }
        }
    }
    if let Some(post) = wired.get(&Point::PostAuthentication) {
        let alerts = facts
            .functions
            .get(&post.arn)
            .and_then(|f| f.env.as_ref().ok())
            .and_then(|env| env.get("ALERT_FROM_ADDRESS"))
            .is_some_and(|v| !v.trim().is_empty());
        if alerts && facts.pool.device_configuration().is_none() {
            out.push(Finding {
                rule: "new-device-alerts-need-device-tracking",
                trigger: "PostAuthentication",
                problem: "the new-device alert is on (ALERT_FROM_ADDRESS) but the pool does not remember devices: Cognito never marks a sign-in as from a new device, so no alert is ever sent".into(),
                fix: "set the pool's DeviceConfiguration (remember devices always or on the user's prompt), or clear ALERT_FROM_ADDRESS".into(),
            });
        }
    }
    for sender in [Point::CustomEmailSender, Point::CustomSmsSender] {
        if wired.contains_key(&sender) && !wired.contains_key(&Point::KmsKey) {
            out.push(Finding {
                rule: "custom-sender-needs-kms-key",
                trigger: sender.cognito_name(),
                problem: "the pool names no KMSKeyID: Cognito has no key to encrypt the codes under, so it cannot call the sender".into(),
                fix: "set LambdaConfig.KMSKeyID to the stack's CodeKeyArn (pool-attach does it with the senders)".into(),
            });
        }
    }
    if wired.contains_key(&Point::CustomMessage) {
        let account = facts
            .pool
            .email_configuration()
            .and_then(|e| e.email_sending_account());
        if account != Some(&EmailSendingAccountType::Developer) {
            out.push(Finding {
                rule: "custom-message-needs-ses",
                trigger: "CustomMessage",
                problem: "the pool sends email with Cognito's own account (COGNITO_DEFAULT), which does not take the custom email bodies and subjects the trigger writes".into(),
                fix: "send through SES: EmailConfiguration EmailSendingAccount DEVELOPER with a verified SourceArn (the template's SesEmailIdentityArn)".into(),
            });
        }
    }
    if let Some(token) = wired.get(&Point::PreTokenGeneration) {
        let version = token.version.unwrap_or(TokenVersion::V1);
        let name = version.lambda_version();
        if points::needs_essentials(version)
            && facts.pool.user_pool_tier() == Some(&UserPoolTierType::Lite)
        {
            out.push(Finding {
                rule: "token-version-needs-essentials",
                trigger: "PreTokenGeneration",
                problem: format!(
                    "the trigger is wired as {name}, which customises access tokens, but the pool is on the Lite tier: Cognito does not send {name} events there"
                ),
                fix: "move the pool to the Essentials or Plus tier (UserPoolTier), or attach the trigger as V1_0 (pool-attach --pre-token-version V1_0)".into(),
            });
        }
        let env = facts
            .functions
            .get(&token.arn)
            .and_then(|f| f.env.as_ref().ok());
        let attribute = env
            .and_then(|e| e.get("ROLE_ATTRIBUTE"))
            .filter(|v| !v.is_empty())
            .cloned()
            .unwrap_or_else(|| "custom:role".to_owned());
        let in_schema = facts.pool.schema_attributes().iter().any(|a| {
            a.name()
                .is_some_and(|n| n == attribute || format!("custom:{n}") == attribute)
        });
        if in_schema {
            for c in &users_clients {
                let writes = c.write_attributes();
                if writes.is_empty() || writes.contains(&attribute) {
                    out.push(Finding {
                        rule: "role-attribute-writable",
                        trigger: "PreTokenGeneration",
                        problem: format!(
                            "{} lets users write {attribute}{}: a user could give themselves any role a rule or a trigger reads from it",
                            client_label(c),
                            if writes.is_empty() { " (it lists no WriteAttributes, so every attribute is writable)" } else { "" }
                        ),
                        fix: format!("list the client's WriteAttributes without {attribute}"),
                    });
                }
            }
        }
        let enforces = env
            .and_then(|e| e.get("ROLE_IAM_ROLES"))
            .is_some_and(|v| !v.trim().is_empty());
        if enforces {
            if let Some(problem) = role_mapping_problem(facts, &users_clients) {
                out.push(Finding {
                    rule: "role-enforcement-needs-token-mapping",
                    trigger: "PreTokenGeneration",
                    problem,
                    fix: "give the identity pool a role mapping of Type Token with AmbiguousRoleResolution Deny for the pool's app client (the template's IdentityPool=true does it)".into(),
                });
            }
        }
    }
    let pool_arn = facts.pool.arn().unwrap_or("this pool");
    for (point, target) in &wired {
        if *point == Point::KmsKey {
            continue;
        }
        match facts.functions.get(&target.arn).map(|f| &f.invocable) {
            Some(Ok(true)) => {}
            Some(Ok(false)) | None => out.push(Finding {
                rule: "invoke-permission-missing",
                trigger: point.cognito_name(),
                problem: format!("{} has no resource policy letting {pool_arn} invoke it: every {point} call fails", target.arn),
                fix: format!(
                    "aws lambda add-permission --function-name {} --statement-id cognito-{} --action lambda:InvokeFunction --principal cognito-idp.amazonaws.com --source-arn {pool_arn}",
                    target.arn,
                    point.trigger()
                ),
            }),
            Some(Err(why)) => out.push(Finding {
                rule: "invoke-permission-unknown",
                trigger: point.cognito_name(),
                problem: format!("the invoke permission of {} could not be read: {why}", target.arn),
                fix: "run the doctor with lambda:GetPolicy on the function".into(),
            }),
        }
    }
    out
}

/// Why no identity pool gives roles from this pool's tokens, if none does.
fn role_mapping_problem(facts: &Facts, clients: &[&UserPoolClientType]) -> Option<String> {
    if facts.identity_pools.is_empty() {
        return Some("ROLE_IAM_ROLES names the IAM role of each app role, but no identity pool trusts this user pool: nothing gives users AWS credentials by role".into());
    }
    let client_ids: Vec<&str> = clients.iter().filter_map(|c| c.client_id()).collect();
    for pool in &facts.identity_pools {
        for (client, mapping) in &pool.mappings {
            if !client_ids.is_empty() && !client_ids.contains(&client.as_str()) {
                continue;
            }
            match mapping {
                Some((kind, ambiguous))
                    if kind == "Token" && ambiguous.as_deref() == Some("Deny") =>
                {
                    return None
                }
                _ => {}
            }
        }
    }
    let seen: Vec<String> = facts
        .identity_pools
        .iter()
        .flat_map(|p| {
            p.mappings.iter().map(move |(client, m)| match m {
                Some((kind, ambiguous)) => format!(
                    "{} maps client {client} by {kind} (ambiguous: {})",
                    p.id,
                    ambiguous.as_deref().unwrap_or("unset")
                ),
                None => format!(
                    "{} has no role mapping for client {client} (its default roles apply)",
                    p.id
                ),
            })
        })
        .collect();
    Some(format!(
        "ROLE_IAM_ROLES names the IAM role of each app role, but no identity pool takes the role from the token and denies a token naming none: {}",
        seen.join("; ")
    ))
}

/// Whether a Lambda resource policy (its JSON text) lets Cognito invoke the function
/// for `pool_arn`: an Allow for `cognito-idp.amazonaws.com` of `lambda:InvokeFunction`
/// whose source ARN condition, if any, matches the pool.
pub fn permits(policy: &str, pool_arn: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<Value>(policy) else {
        return false;
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => return false,
    };
    statements.iter().any(|st| {
        let allow = st.get("Effect").and_then(Value::as_str) == Some("Allow");
        let principal = match st.get("Principal") {
            Some(Value::Object(p)) => strings(p.get("Service"))
                .iter()
                .any(|s| s == "cognito-idp.amazonaws.com"),
            _ => false,
        };
        let action = strings(st.get("Action"))
            .iter()
            .any(|a| a == "lambda:InvokeFunction" || a == "lambda:*" || a == "*");
        allow && principal && action && source_matches(st.get("Condition"), pool_arn)
    })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn source_matches(condition: Option<&Value>, pool_arn: &str) -> bool {
    let Some(Value::Object(ops)) = condition else {
        return true;
    };
    for (op, tests) in ops {
        let Value::Object(tests) = tests else {
            continue;
        };
        for (key, value) in tests {
            if !key.eq_ignore_ascii_case("AWS:SourceArn") {
                continue;
            }
            let ok = strings(Some(value))
                .iter()
                .any(|pattern| match op.as_str() {
                    "ArnLike" | "StringLike" => glob(pattern, pool_arn),
                    _ => pattern == pool_arn,
                });
            if !ok {
                return false;
            }
        }
    }
    true
}

/// `*` and `?` wildcards, as IAM's ArnLike reads them.
fn glob(pattern: &str, text: &str) -> bool {
    wildmatch::WildMatch::new(pattern).matches(text)
}

/// The findings as a person reads them.
pub fn render(pool: &UserPoolType, findings: &[Finding]) -> String {
    let mut out = format!(
        "user pool {} ({}): ",
        pool.id().unwrap_or("?"),
        pool.name().unwrap_or("unnamed")
    );
    if findings.is_empty() {
        out.push_str("nothing found that stops a trigger from working as configured\n");
        return out;
    }
    out.push_str(&format!("{} problem(s)\n", findings.len()));
    for f in findings {
        out.push_str(&format!(
            "\n[{}] {}\n  {}\n  fix: {}\n",
            f.trigger, f.rule, f.problem, f.fix
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: &str = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123";

    fn policy(principal: &str, action: &str, condition: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{principal}"}},"Action":"{action}","Resource":"arn:f"{condition}}}]}}"#
        )
    }

    #[test]
    fn a_permission_counts_only_for_cognito_invoking_from_this_pool() {
        let exact = format!(r#","Condition":{{"ArnLike":{{"AWS:SourceArn":"{POOL}"}}}}"#);
        assert!(permits(
            &policy("cognito-idp.amazonaws.com", "lambda:InvokeFunction", &exact),
            POOL
        ));
        let any_pool = r#","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/*"}}"#;
        assert!(permits(
            &policy(
                "cognito-idp.amazonaws.com",
                "lambda:InvokeFunction",
                any_pool
            ),
            POOL
        ));
        // Unconditioned: any pool may invoke it, this one too.
        assert!(permits(
            &policy("cognito-idp.amazonaws.com", "lambda:InvokeFunction", ""),
            POOL
        ));
        let other = r#","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Other"}}"#;
        assert!(!permits(
            &policy("cognito-idp.amazonaws.com", "lambda:InvokeFunction", other),
            POOL
        ));
        assert!(!permits(
            &policy("s3.amazonaws.com", "lambda:InvokeFunction", &exact),
            POOL
        ));
        assert!(!permits(
            &policy("cognito-idp.amazonaws.com", "lambda:GetFunction", &exact),
            POOL
        ));
        assert!(!permits("not json", POOL));
    }

    #[test]
    fn a_pool_without_triggers_has_nothing_to_find() {
        assert_eq!(diagnose(&Facts::default()), vec![]);
    }
}
