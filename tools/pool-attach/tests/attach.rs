#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `pool-attach` against moto's Cognito (with scripts/cognito_fidelity.py making its
//! UpdateUserPool reset what Cognito's resets): ten pools, each with settings of its
//! own (MFA, an email configuration, a custom domain, someone else's triggers, account
//! recovery, ...); attaching and then detaching this stack's functions leaves each
//! pool identical, field by field. And the naive write (UpdateUserPool with the
//! triggers alone) is shown to lose settings, so the comparison can fail.

mod common;

use std::collections::HashMap;
use std::path::Path;

use aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use aws_sdk_cognitoidentityprovider::types::*;
use aws_sdk_cognitoidentityprovider::Client;
use common::{file, idp, outputs, run};
use pool_attach::carry::differences;
use pool_attach::points::{self, Point};
use test_support::aws::{pool_id, unique_name};

const ALL: &[&str] = &[
    "PreSignupFunctionArn",
    "CustomMessageFunctionArn",
    "PostConfirmationFunctionArn",
    "PreAuthenticationFunctionArn",
    "PreTokenGenerationFunctionArn",
    "PostAuthenticationFunctionArn",
    "UserMigrationFunctionArn",
    "InboundFederationFunctionArn",
    "DefineAuthChallengeFunctionArn",
    "CreateAuthChallengeFunctionArn",
    "VerifyAuthChallengeFunctionArn",
    "CustomEmailSenderFunctionArn",
    "CustomSmsSenderFunctionArn",
    "CodeKeyArn",
];

/// `pool-attach --user-pool-id POOL --stack-outputs OUTPUTS ARGS...`: its exit code and output.
fn attach(pool: &str, outputs: &Path, args: &[&str]) -> (i32, String) {
    let mut command = common::command(env!("CARGO_BIN_EXE_pool-attach"));
    command
        .args([
            "--user-pool-id",
            pool,
            "--stack-outputs",
            outputs.to_str().unwrap(),
        ])
        .args(args);
    run(command)
}

async fn describe(client: &Client, id: &str) -> UserPoolType {
    pool_attach::aws::describe(client, id).await.unwrap()
}

/// One configuration: how its pool is made, then what is done to it after creation.
struct Config {
    name: &'static str,
    /// The outputs this stack offers for it (a subset of ALL).
    offered: &'static [&'static str],
    extra_args: &'static [&'static str],
}

async fn make(client: &Client, name: &str) -> String {
    let base = client.create_user_pool().pool_name(unique_name(name));
    let pool = pool_id(customise(name, base)).await;
    match name {
        "totp-mfa" => {
            client
                .set_user_pool_mfa_config()
                .user_pool_id(&pool)
                .software_token_mfa_configuration(
                    SoftwareTokenMfaConfigType::builder().enabled(true).build(),
                )
                .mfa_configuration(UserPoolMfaType::Optional)
                .send()
                .await
                .unwrap();
        }
        "custom-domain" => {
            client
                .create_user_pool_domain()
                .user_pool_id(&pool)
                .domain("auth.acme.example")
                .custom_domain_config(
                    CustomDomainConfigType::builder()
                        .certificate_arn("arn:aws:acm:us-east-1:123456789012:certificate/acme")
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .unwrap();
        }
        _ => {}
    }
    pool
}

fn theirs(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:someone-elses-{name}")
}

fn customise(name: &str, b: CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder {
    match name {
        "defaults" => b,
        "sms-mfa" => b
            .mfa_configuration(UserPoolMfaType::On)
            .sms_configuration(
                SmsConfigurationType::builder()
                    .sns_caller_arn("arn:aws:iam::123456789012:role/acme-sms")
                    .external_id("acme-sms-mfa")
                    .sns_region("us-east-1")
                    .build(),
            )
            .sms_authentication_message("Your Acme code is {####}"),
        "totp-mfa" => b.auto_verified_attributes(VerifiedAttributeType::Email),
        "email-configuration" => b.email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn("arn:aws:ses:us-east-1:123456789012:identity/acme.example")
                .from("Acme <no-reply@acme.example>")
                .reply_to_email_address("help@acme.example")
                .configuration_set("acme-mail")
                .build(),
        ),
        "custom-domain" => b.username_attributes(UsernameAttributeType::Email),
        "someone-elses-triggers" => b.lambda_config(
            LambdaConfigType::builder()
                .pre_sign_up(theirs("pre-signup"))
                .custom_message(theirs("custom-message"))
                .custom_sms_sender(
                    CustomSmsLambdaVersionConfigType::builder()
                        .lambda_arn(theirs("sms"))
                        .lambda_version(CustomSmsSenderLambdaVersionType::V10)
                        .build()
                        .unwrap(),
                )
                .kms_key_id("arn:aws:kms:us-east-1:123456789012:key/theirs")
                .build(),
        ),
        "account-recovery" => b
            .account_recovery_setting(
                AccountRecoverySettingType::builder()
                    .recovery_mechanisms(
                        RecoveryOptionType::builder()
                            .name(RecoveryOptionNameType::VerifiedPhoneNumber)
                            .priority(1)
                            .build()
                            .unwrap(),
                    )
                    .recovery_mechanisms(
                        RecoveryOptionType::builder()
                            .name(RecoveryOptionNameType::VerifiedEmail)
                            .priority(2)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .admin_create_user_config(
                AdminCreateUserConfigType::builder()
                    .allow_admin_create_user_only(true)
                    .invite_message_template(
                        MessageTemplateType::builder()
                            .email_subject("Welcome to Acme")
                            .email_message("Your user name is {username}, password {####}")
                            .build(),
                    )
                    .build(),
            ),
        "aliases-and-protection" => b
            .alias_attributes(AliasAttributeType::Email)
            .alias_attributes(AliasAttributeType::PreferredUsername)
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .user_attribute_update_settings(
                UserAttributeUpdateSettingsType::builder()
                    .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                    .build(),
            )
            .deletion_protection(DeletionProtectionType::Active),
        "devices-tags-plus" => b
            .device_configuration(
                DeviceConfigurationType::builder()
                    .challenge_required_on_new_device(true)
                    .device_only_remembered_on_user_prompt(true)
                    .build(),
            )
            .set_user_pool_tags(Some(HashMap::from([(
                "team".to_owned(),
                "identity".to_owned(),
            )])))
            .user_pool_add_ons(
                UserPoolAddOnsType::builder()
                    .advanced_security_mode(AdvancedSecurityModeType::Audit)
                    .build()
                    .unwrap(),
            )
            .user_pool_tier(UserPoolTierType::Plus),
        "schema-and-messages" => b
            .schema(common::role_attribute())
            .policies(
                UserPoolPolicyType::builder()
                    .password_policy(
                        PasswordPolicyType::builder()
                            .minimum_length(14)
                            .require_symbols(false)
                            .temporary_password_validity_days(2)
                            .build(),
                    )
                    .build(),
            )
            .verification_message_template(
                VerificationMessageTemplateType::builder()
                    .default_email_option(DefaultEmailOptionType::ConfirmWithLink)
                    .email_subject_by_link("Confirm your Acme account")
                    .email_message_by_link("Open {##this link##}")
                    .build(),
            ),
        other => panic!("no configuration {other}"),
    }
}

const CONFIGS: [Config; 10] = [
    Config {
        name: "defaults",
        offered: ALL,
        extra_args: &[],
    },
    Config {
        name: "sms-mfa",
        offered: ALL,
        extra_args: &[],
    },
    Config {
        name: "totp-mfa",
        offered: ALL,
        extra_args: &[],
    },
    Config {
        name: "email-configuration",
        offered: ALL,
        extra_args: &[],
    },
    Config {
        name: "custom-domain",
        offered: ALL,
        extra_args: &[],
    },
    // Someone else's pre sign-up, custom message and SMS sender (with their key) stay.
    Config {
        name: "someone-elses-triggers",
        offered: ALL,
        extra_args: &[
            "--only",
            "post-authentication,pre-token-generation,user-migration",
        ],
    },
    Config {
        name: "account-recovery",
        offered: ALL,
        extra_args: &[],
    },
    Config {
        name: "aliases-and-protection",
        offered: ALL,
        extra_args: &[],
    },
    Config {
        name: "devices-tags-plus",
        offered: ALL,
        extra_args: &["--pre-token-version", "V2_0"],
    },
    Config {
        name: "schema-and-messages",
        offered: &["PreTokenGenerationFunctionArn", "UserMigrationFunctionArn"],
        extra_args: &[],
    },
];

#[tokio::test]
async fn attach_then_detach_leaves_each_of_ten_pools_identical() {
    let client = idp().await;
    for config in &CONFIGS {
        let pool = make(&client, config.name).await;
        let before = describe(&client, &pool).await;
        let stack = unique_name("acme");
        let outputs = file("outputs.json", &outputs(&stack, config.offered));
        let ours_prefix = format!("function:{stack}-");

        // The dry run shows the plan and writes nothing.
        let (code, text) = attach(&pool, &outputs, config.extra_args);
        assert_eq!(code, 0, "{}: {text}", config.name);
        assert!(
            text.contains("dry run: nothing written"),
            "{}: {text}",
            config.name
        );
        assert_eq!(
            describe(&client, &pool).await,
            before,
            "{}: the dry run changed the pool",
            config.name
        );

        let (code, text) = attach(&pool, &outputs, &[config.extra_args, &["--apply"]].concat());
        assert_eq!(code, 0, "{}: {text}", config.name);
        assert!(
            text.contains("every other field as it was"),
            "{}: {text}",
            config.name
        );
        let attached = describe(&client, &pool).await;
        assert_eq!(
            differences(&before, &attached),
            Vec::<&str>::new(),
            "{}: attach moved settings",
            config.name
        );
        let wired = points::read(attached.lambda_config());
        let ours = wired
            .values()
            .filter(|t| t.arn.contains(&ours_prefix) || t.arn.contains(&format!("key/{stack}")))
            .count();
        assert!(
            ours >= 2,
            "{}: {ours} of ours attached: {wired:?}",
            config.name
        );
        if config.name == "someone-elses-triggers" {
            assert_eq!(wired[&Point::PreSignUp].arn, theirs("pre-signup"));
            assert_eq!(wired[&Point::CustomSmsSender].arn, theirs("sms"));
            assert!(
                wired[&Point::KmsKey].arn.ends_with("key/theirs"),
                "{wired:?}"
            );
        }
        if config.name == "devices-tags-plus" {
            assert_eq!(
                attached
                    .lambda_config()
                    .unwrap()
                    .pre_token_generation_config()
                    .unwrap()
                    .lambda_version(),
                &PreTokenGenerationLambdaVersionType::V20
            );
        }

        let (code, text) = attach(&pool, &outputs, &["--detach", "--apply"]);
        assert_eq!(code, 0, "{}: {text}", config.name);
        let after = describe(&client, &pool).await;
        assert_eq!(
            differences(&before, &after),
            Vec::<&str>::new(),
            "{}: the round trip moved settings",
            config.name
        );
        // An empty LambdaConfig reads back as one with no field set.
        let empty = LambdaConfigType::builder().build();
        assert_eq!(
            after.lambda_config().unwrap_or(&empty),
            before.lambda_config().unwrap_or(&empty),
            "{}: triggers after the round trip",
            config.name
        );
        assert!(
            after.last_modified_date() > before.last_modified_date(),
            "{}: never written",
            config.name
        );
    }
}

#[tokio::test]
async fn someone_elses_function_is_replaced_only_when_asked() {
    let client = idp().await;
    let pool = make(&client, "someone-elses-triggers").await;
    let before = describe(&client, &pool).await;
    let stack = unique_name("acme");
    let outputs = file("outputs.json", &outputs(&stack, ALL));
    let (code, text) = attach(&pool, &outputs, &["--apply"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("KMSKeyID") && text.contains("PreSignUp") && text.contains("nothing written"),
        "{text}"
    );
    assert!(
        text.contains("someone-elses-pre-signup is not this stack's"),
        "{text}"
    );
    assert_eq!(
        describe(&client, &pool).await,
        before,
        "a refused attach wrote"
    );

    let (code, text) = attach(&pool, &outputs, &["--replace", "--apply"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(
            "REPLACE  arn:aws:lambda:us-east-1:123456789012:function:someone-elses-pre-signup"
        ),
        "{text}"
    );
    let wired = points::read(describe(&client, &pool).await.lambda_config());
    assert!(wired.values().all(|t| t.arn.contains(&stack)), "{wired:?}");
}

#[tokio::test]
async fn access_token_versions_are_refused_on_the_lite_tier() {
    let client = idp().await;
    let pool = pool_id(
        client
            .create_user_pool()
            .pool_name(unique_name("lite"))
            .user_pool_tier(UserPoolTierType::Lite),
    )
    .await;
    let before = describe(&client, &pool).await;
    let outputs = file(
        "outputs.json",
        &outputs(&unique_name("acme"), &["PreTokenGenerationFunctionArn"]),
    );
    let (code, text) = attach(&pool, &outputs, &["--pre-token-version", "V2_0", "--apply"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("needs the Essentials or Plus tier"), "{text}");
    assert_eq!(describe(&client, &pool).await, before);
    let (code, text) = attach(&pool, &outputs, &["--apply"]);
    assert_eq!(code, 0, "{text}");
}

/// What the carrying is for: the obvious call, UpdateUserPool with the triggers
/// alone, resets the pool's other settings (moto, with scripts/cognito_fidelity.py, as
/// Cognito documents), and the field-by-field comparison names them.
#[tokio::test]
async fn the_naive_update_loses_settings_and_the_comparison_says_which() {
    let client = idp().await;
    for name in [
        "sms-mfa",
        "email-configuration",
        "account-recovery",
        "devices-tags-plus",
    ] {
        let pool = make(&client, name).await;
        let before = describe(&client, &pool).await;
        client
            .update_user_pool()
            .user_pool_id(&pool)
            .lambda_config(
                LambdaConfigType::builder()
                    .post_authentication("arn:aws:lambda:us-east-1:123456789012:function:f")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let moved = differences(&before, &describe(&client, &pool).await);
        assert!(!moved.is_empty(), "{name}: nothing reset");
        let expected = match name {
            "sms-mfa" => "mfa_configuration",
            "email-configuration" => "email_configuration",
            "account-recovery" => "account_recovery_setting",
            _ => "device_configuration",
        };
        assert!(moved.contains(&expected), "{name}: {moved:?}");
    }
}
