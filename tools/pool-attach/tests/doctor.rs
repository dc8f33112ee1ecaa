#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `pool-doctor` against moto (Cognito, Lambda, IAM and cognito-identity, with the
//! identity pool role mappings of scripts/cognito_fidelity.py): a pool set up as the
//! template sets its own finds nothing; a deliberately misconfigured one finds each
//! problem the doctor knows, once, with its fix.

mod common;

use std::collections::BTreeSet;

use aws_sdk_cognitoidentityprovider::types::*;
use common::{run, sdk};
use pool_attach::aws::Clients;
use serde_json::Value;
use test_support::aws::unique_name;

fn doctor() -> std::process::Command {
    common::command(env!("CARGO_BIN_EXE_pool-doctor"))
}

/// The tool's own clients, and the role moto's Lambda wants for a function.
struct Aws {
    clients: Clients,
    role: String,
}

impl std::ops::Deref for Aws {
    type Target = Clients;
    fn deref(&self) -> &Clients {
        &self.clients
    }
}

async fn aws() -> Aws {
    let sdk = sdk().await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let role = iam
        .create_role()
        .role_name(unique_name("trigger"))
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap()
        .role
        .unwrap()
        .arn;
    Aws {
        clients: Clients::from_sdk(&sdk),
        role,
    }
}

/// A function (its code is never run) with `env`; invocable by `pool_arn` when given.
async fn function(aws: &Aws, name: &str, env: &[(&str, &str)], pool_arn: Option<&str>) -> String {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{Environment, FunctionCode, Runtime};
    let mut vars = Environment::builder();
    for (k, v) in env {
        vars = vars.variables(*k, *v);
    }
    let arn = aws
        .lambda
        .create_function()
        .function_name(unique_name(name))
        .role(&aws.role)
        .runtime(Runtime::Providedal2023)
        .handler("bootstrap")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(b"never run".to_vec()))
                .build(),
        )
        .environment(vars.build())
        .send()
        .await
        .unwrap()
        .function_arn
        .unwrap();
    if let Some(pool_arn) = pool_arn {
        aws.lambda
            .add_permission()
            .function_name(&arn)
            .statement_id("cognito")
            .action("lambda:InvokeFunction")
            .principal("cognito-idp.amazonaws.com")
            .source_arn(pool_arn)
            .send()
            .await
            .unwrap();
    }
    arn
}

async fn pool(aws: &Aws, tier: UserPoolTierType, devices: bool, ses: bool) -> (String, String) {
    let mut create = aws
        .idp
        .create_user_pool()
        .pool_name(unique_name("doctor"))
        .user_pool_tier(tier)
        .username_attributes(UsernameAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .schema(common::role_attribute());
    if devices {
        create = create.device_configuration(
            DeviceConfigurationType::builder()
                .device_only_remembered_on_user_prompt(true)
                .build(),
        );
    }
    if ses {
        create = create.email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn("arn:aws:ses:us-east-1:123456789012:identity/acme.example")
                .build(),
        );
    }
    let pool = create.send().await.unwrap().user_pool.unwrap();
    (pool.id.unwrap(), pool.arn.unwrap())
}

fn findings(pool: &str) -> (i32, Vec<(String, String)>, String) {
    let mut command = doctor();
    command.args(["--user-pool-id", pool, "--json"]);
    let (code, text) = run(command);
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    let found = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["trigger"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (code, found, text)
}

/// Attaches every trigger of `arns` the way the template's pool has them.
async fn wire(
    aws: &Aws,
    pool: &str,
    arns: &Arns,
    version: PreTokenGenerationLambdaVersionType,
    kms: bool,
) {
    let mut config = LambdaConfigType::builder()
        .user_migration(&arns.migration)
        .pre_authentication(&arns.pre_auth)
        .post_authentication(&arns.post_auth)
        .custom_message(&arns.message)
        .pre_token_generation(&arns.token)
        .pre_token_generation_config(
            PreTokenGenerationVersionConfigType::builder()
                .lambda_arn(&arns.token)
                .lambda_version(version)
                .build()
                .unwrap(),
        )
        .custom_sms_sender(
            CustomSmsLambdaVersionConfigType::builder()
                .lambda_arn(&arns.sms)
                .lambda_version(CustomSmsSenderLambdaVersionType::V10)
                .build()
                .unwrap(),
        );
    if kms {
        config = config.kms_key_id("arn:aws:kms:us-east-1:123456789012:key/acme-codes");
    }
    let before = pool_attach::aws::describe(&aws.idp, pool).await.unwrap();
    pool_attach::carry::update_request(&before, config.build())
        .send_with(&aws.idp)
        .await
        .unwrap();
}

struct Arns {
    migration: String,
    pre_auth: String,
    post_auth: String,
    message: String,
    token: String,
    sms: String,
}

async fn arns(aws: &Aws, pool_arn: &str, all_invocable: bool) -> Arns {
    let roles = "admin=arn:aws:iam::123456789012:role/acme-app-admin,user=arn:aws:iam::123456789012:role/acme-app-user";
    Arns {
        migration: function(
            aws,
            "user-migration",
            &[],
            all_invocable.then_some(pool_arn),
        )
        .await,
        pre_auth: function(aws, "pre-authentication", &[], Some(pool_arn)).await,
        post_auth: function(
            aws,
            "post-authentication",
            &[("ALERT_FROM_ADDRESS", "alerts@acme.example")],
            Some(pool_arn),
        )
        .await,
        message: function(aws, "custom-message", &[], Some(pool_arn)).await,
        token: function(
            aws,
            "pre-token-generation",
            &[("ROLE_IAM_ROLES", roles)],
            Some(pool_arn),
        )
        .await,
        sms: function(aws, "custom-sms-sender", &[], Some(pool_arn)).await,
    }
}

async fn client(aws: &Aws, pool: &str, safe: bool) -> String {
    let mut create = aws
        .idp
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("web");
    if safe {
        create = create
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
            .write_attributes("email")
            .write_attributes("name");
    } else {
        create = create
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Legacy);
    }
    create
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

/// The identity pool of the template: the pool's client, roles from the token, Deny.
async fn identity_pool(aws: &Aws, pool: &str, client: &str, kind: &str, ambiguous: &str) {
    use aws_sdk_cognitoidentity::types::{
        AmbiguousRoleResolutionType, CognitoIdentityProvider, RoleMapping, RoleMappingType,
    };
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{pool}");
    let id = aws
        .identity
        .create_identity_pool()
        .identity_pool_name(unique_name("identities").replace('-', "_"))
        .allow_unauthenticated_identities(false)
        .cognito_identity_providers(
            CognitoIdentityProvider::builder()
                .provider_name(&provider)
                .client_id(client)
                .server_side_token_check(true)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .identity_pool_id;
    aws.identity
        .set_identity_pool_roles()
        .identity_pool_id(&id)
        .roles(
            "authenticated",
            "arn:aws:iam::123456789012:role/acme-app-user",
        )
        .role_mappings(
            format!("{provider}:{client}"),
            RoleMapping::builder()
                .r#type(RoleMappingType::from(kind))
                .ambiguous_role_resolution(AmbiguousRoleResolutionType::from(ambiguous))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_pool_set_up_as_the_template_sets_its_own_finds_nothing() {
    let aws = aws().await;
    let (pool, pool_arn) = pool(&aws, UserPoolTierType::Essentials, true, true).await;
    let arns = arns(&aws, &pool_arn, true).await;
    wire(
        &aws,
        &pool,
        &arns,
        PreTokenGenerationLambdaVersionType::V20,
        true,
    )
    .await;
    let web = client(&aws, &pool, true).await;
    identity_pool(&aws, &pool, &web, "Token", "Deny").await;
    let (code, found, text) = findings(&pool);
    assert_eq!(found, vec![], "{text}");
    assert_eq!(code, 0);
    let mut plain = doctor();
    plain.args(["--user-pool-id", &pool]);
    let (code, text) = run(plain);
    assert_eq!(code, 0);
    assert!(text.contains("nothing found"), "{text}");
}

#[tokio::test]
async fn a_misconfigured_pool_finds_each_problem_with_its_fix() {
    let aws = aws().await;
    // Lite, no device tracking, Cognito's own email; a client that allows SRP only,
    // answers unknown users apart and may write every attribute (custom:role too);
    // the senders without a key, V2_0 events, the migration function not invocable,
    // and no identity pool behind ROLE_IAM_ROLES.
    let (pool, pool_arn) = pool(&aws, UserPoolTierType::Lite, false, false).await;
    let arns = arns(&aws, &pool_arn, false).await;
    wire(
        &aws,
        &pool,
        &arns,
        PreTokenGenerationLambdaVersionType::V20,
        false,
    )
    .await;
    let web = client(&aws, &pool, false).await;
    let (code, found, text) = findings(&pool);
    assert_eq!(code, 2, "{text}");
    let rules: BTreeSet<(&str, &str)> = found
        .iter()
        .map(|(r, t)| (r.as_str(), t.as_str()))
        .collect();
    let expected = BTreeSet::from([
        ("migration-needs-password-auth", "UserMigration"),
        (
            "pre-authentication-needs-existence-errors-prevented",
            "PreAuthentication",
        ),
        (
            "new-device-alerts-need-device-tracking",
            "PostAuthentication",
        ),
        ("custom-sender-needs-kms-key", "CustomSMSSender"),
        ("custom-message-needs-ses", "CustomMessage"),
        ("token-version-needs-essentials", "PreTokenGeneration"),
        ("role-attribute-writable", "PreTokenGeneration"),
        ("role-enforcement-needs-token-mapping", "PreTokenGeneration"),
        ("invoke-permission-missing", "UserMigration"),
    ]);
    assert_eq!(rules, expected, "{text}");
    assert_eq!(found.len(), expected.len(), "a problem told twice: {text}");
    assert!(
        text.contains("ALLOW_USER_PASSWORD_AUTH") && text.contains("aws lambda add-permission"),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");

    // An identity pool that maps by rules, or lets an ambiguous token have the default
    // role, is no enforcement either; one that takes the role from the token is.
    identity_pool(&aws, &pool, &web, "Token", "AuthenticatedRole").await;
    let (_, found, text) = findings(&pool);
    assert!(
        found
            .iter()
            .any(|(r, _)| r == "role-enforcement-needs-token-mapping"),
        "{text}"
    );
    assert!(text.contains("ambiguous: AuthenticatedRole"), "{text}");
    identity_pool(&aws, &pool, &web, "Token", "Deny").await;
    let (_, found, text) = findings(&pool);
    assert!(
        !found
            .iter()
            .any(|(r, _)| r == "role-enforcement-needs-token-mapping"),
        "{text}"
    );
}
