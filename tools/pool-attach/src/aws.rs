//! The calls to Cognito and Lambda: reading a pool, writing its triggers back with
//! every other setting carried, and gathering what the doctor reads.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::error::DisplayErrorContext;
use aws_sdk_cognitoidentityprovider::types::{LambdaConfigType, UserPoolClientType, UserPoolType};

use crate::carry;
use crate::doctor::{self, Facts, Function, IdentityPool};
use crate::points::{self, Point};

/// The clients, each call bounded (30 s, two attempts).
#[derive(Debug, Clone)]
pub struct Clients {
    pub idp: aws_sdk_cognitoidentityprovider::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub identity: aws_sdk_cognitoidentity::Client,
}

impl Clients {
    /// From the environment's credentials and region; `endpoint` for a local stand-in.
    pub async fn new(endpoint: Option<&str>) -> Clients {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(url) = endpoint {
            loader = loader.endpoint_url(url);
        }
        let sdk = trigger_core::aws::within_budget(loader, Duration::from_secs(30))
            .load()
            .await;
        Clients::from_sdk(&sdk)
    }

    pub fn from_sdk(sdk: &aws_config::SdkConfig) -> Clients {
        Clients {
            idp: aws_sdk_cognitoidentityprovider::Client::new(sdk),
            lambda: aws_sdk_lambda::Client::new(sdk),
            identity: aws_sdk_cognitoidentity::Client::new(sdk),
        }
    }
}

/// A failed call in one line: the service's error code and message, or (no answer)
/// the transport's error with its causes.
fn said<E, R>(what: &str, e: aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e.as_service_error() {
        Some(s) => format!(
            "{what}: {}: {}",
            s.code().unwrap_or("error"),
            s.message().unwrap_or("")
        ),
        None => format!("{what}: {}", DisplayErrorContext(&e)),
    }
}

pub async fn describe(
    idp: &aws_sdk_cognitoidentityprovider::Client,
    pool_id: &str,
) -> Result<UserPoolType, String> {
    idp.describe_user_pool()
        .user_pool_id(pool_id)
        .send()
        .await
        .map_err(|e| said(&format!("DescribeUserPool {pool_id}"), e))?
        .user_pool
        .ok_or_else(|| format!("DescribeUserPool {pool_id} answered no pool"))
}

/// How a write ended: the pool as read back, and any field that moved besides the
/// triggers (named), or a trigger point that did not end as planned.
#[derive(Debug)]
pub struct Written {
    pub after: UserPoolType,
    pub moved: Vec<&'static str>,
    pub triggers_as_planned: bool,
}

/// Writes `lambda_config` with every other setting of `before` carried, then reads the
/// pool again and compares every field. Refuses when the pool changed since `before`
/// was read (someone else's write would be undone).
pub async fn write(
    idp: &aws_sdk_cognitoidentityprovider::Client,
    before: &UserPoolType,
    lambda_config: LambdaConfigType,
) -> Result<Written, String> {
    let id = before.id().ok_or("the pool has no id")?;
    let now = describe(idp, id).await?;
    if now.last_modified_date() != before.last_modified_date()
        || !carry::differences(before, &now).is_empty()
    {
        return Err(format!(
            "{id} changed while the plan was made; nothing written: run again"
        ));
    }
    let expected = points::read(Some(&lambda_config));
    carry::update_request(before, lambda_config)
        .send_with(idp)
        .await
        .map_err(|e| said(&format!("UpdateUserPool {id}"), e))?;
    let after = describe(idp, id).await?;
    let moved = carry::differences(before, &after);
    let triggers_as_planned = points::read(after.lambda_config()) == expected;
    Ok(Written {
        after,
        moved,
        triggers_as_planned,
    })
}

async fn clients_of(
    idp: &aws_sdk_cognitoidentityprovider::Client,
    pool_id: &str,
) -> Result<Vec<UserPoolClientType>, String> {
    let mut ids = Vec::new();
    let mut pages = idp
        .list_user_pool_clients()
        .user_pool_id(pool_id)
        .max_results(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| said("ListUserPoolClients", e))?;
        ids.extend(
            page.user_pool_clients()
                .iter()
                .filter_map(|c| c.client_id().map(str::to_owned)),
        );
    }
    let mut clients = Vec::new();
    for client_id in ids {
        let client = idp
            .describe_user_pool_client()
            .user_pool_id(pool_id)
            .client_id(&client_id)
            .send()
            .await
            .map_err(|e| said(&format!("DescribeUserPoolClient {client_id}"), e))?
            .user_pool_client;
        // A confidential client's secret comes too; nothing here prints it (and the
        // SDK's Debug of the type redacts it).
        clients.extend(client);
    }
    Ok(clients)
}

async fn function(
    lambda: &aws_sdk_lambda::Client,
    arn: &str,
    pool_arn: &str,
    wants_env: bool,
) -> Function {
    use aws_sdk_lambda::operation::get_policy::GetPolicyError;
    let invocable = match lambda.get_policy().function_name(arn).send().await {
        Ok(out) => Ok(out.policy().is_some_and(|p| doctor::permits(p, pool_arn))),
        // No policy at all (or no such function): nothing lets Cognito invoke it.
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(GetPolicyError::ResourceNotFoundException(_))
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(said("GetPolicy", e)),
    };
    let env = if wants_env {
        match lambda
            .get_function_configuration()
            .function_name(arn)
            .send()
            .await
        {
            // Only the names of settings and their values the rules read are kept.
            Ok(out) => Ok(out
                .environment()
                .and_then(|e| e.variables())
                .map(|vars| {
                    vars.iter()
                        .filter(|(k, _)| {
                            ["ALERT_FROM_ADDRESS", "ROLE_IAM_ROLES", "ROLE_ATTRIBUTE"]
                                .contains(&k.as_str())
                        })
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default()),
            Err(e) => Err(said("GetFunctionConfiguration", e)),
        }
    } else {
        Ok(BTreeMap::new())
    };
    Function { env, invocable }
}

/// The identity pools of this account and region that trust `pool_id`, each with its
/// role mapping per app client of that pool.
async fn identity_pools(
    identity: &aws_sdk_cognitoidentity::Client,
    region: &str,
    pool_id: &str,
) -> Result<Vec<IdentityPool>, String> {
    let provider = format!("cognito-idp.{region}.amazonaws.com/{pool_id}");
    let mut ids = Vec::new();
    let mut pages = identity
        .list_identity_pools()
        .max_results(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            format!(
                "ListIdentityPools: {}",
                aws_sdk_cognitoidentity::error::DisplayErrorContext(e)
            )
        })?;
        ids.extend(
            page.identity_pools()
                .iter()
                .filter_map(|p| p.identity_pool_id().map(str::to_owned)),
        );
    }
    let mut found = Vec::new();
    for id in ids {
        let described = identity
            .describe_identity_pool()
            .identity_pool_id(&id)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "DescribeIdentityPool {id}: {}",
                    aws_sdk_cognitoidentity::error::DisplayErrorContext(e)
                )
            })?;
        let clients: Vec<String> = described
            .cognito_identity_providers()
            .iter()
            .filter(|p| p.provider_name() == Some(provider.as_str()))
            .filter_map(|p| p.client_id().map(str::to_owned))
            .collect();
        if clients.is_empty() {
            continue;
        }
        let roles = identity
            .get_identity_pool_roles()
            .identity_pool_id(&id)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "GetIdentityPoolRoles {id}: {}",
                    aws_sdk_cognitoidentity::error::DisplayErrorContext(e)
                )
            })?;
        let mappings = clients
            .into_iter()
            .map(|client| {
                let mapping = roles
                    .role_mappings()
                    .and_then(|m| m.get(&format!("{provider}:{client}")))
                    .map(|m| {
                        (
                            m.r#type().as_str().to_owned(),
                            m.ambiguous_role_resolution().map(|a| a.as_str().to_owned()),
                        )
                    });
                (client, mapping)
            })
            .collect();
        found.push(IdentityPool { id, mappings });
    }
    Ok(found)
}

/// Everything the doctor reads about `pool_id`.
pub async fn facts(clients: &Clients, pool_id: &str) -> Result<Facts, String> {
    let pool = describe(&clients.idp, pool_id).await?;
    let app_clients = clients_of(&clients.idp, pool_id).await?;
    let pool_arn = pool.arn().unwrap_or_default().to_owned();
    let wired = points::read(pool.lambda_config());
    let mut functions = BTreeMap::new();
    for (point, target) in &wired {
        if *point == Point::KmsKey || functions.contains_key(&target.arn) {
            continue;
        }
        let wants_env = matches!(point, Point::PostAuthentication | Point::PreTokenGeneration);
        functions.insert(
            target.arn.clone(),
            function(&clients.lambda, &target.arn, &pool_arn, wants_env).await,
        );
    }
    let region = pool_id.split_once('_').map(|(r, _)| r).unwrap_or_default();
    let enforces = wired
        .get(&Point::PreTokenGeneration)
        .and_then(|t| functions.get(&t.arn))
        .and_then(|f| f.env.as_ref().ok())
        .is_some_and(|env| env.contains_key("ROLE_IAM_ROLES"));
    // The identity pools are read only when role enforcement makes them matter.
    let identity_pools = if enforces {
        identity_pools(&clients.identity, region, pool_id).await?
    } else {
        Vec::new()
    };
    Ok(Facts {
        pool,
        clients: app_clients,
        functions,
        identity_pools,
    })
}
