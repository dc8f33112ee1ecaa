//! `UpdateUserPool` resets every setting its request leaves out to Cognito's default.
//! So a change to the triggers is written as a request that carries every setting the
//! pool already has (read with `DescribeUserPool`), and the pool is read again
//! afterwards and compared field by field.

use aws_sdk_cognitoidentityprovider::operation::update_user_pool::builders::UpdateUserPoolInputBuilder;
use aws_sdk_cognitoidentityprovider::types::{LambdaConfigType, UserPoolType};

/// The `UpdateUserPool` request that leaves `pool` as it is but for `lambda_config`.
pub fn update_request(
    pool: &UserPoolType,
    lambda_config: LambdaConfigType,
) -> UpdateUserPoolInputBuilder {
    UpdateUserPoolInputBuilder::default()
        .set_user_pool_id(pool.id().map(str::to_owned))
        .set_policies(pool.policies().cloned())
        .set_deletion_protection(pool.deletion_protection().cloned())
        .lambda_config(lambda_config)
        .set_auto_verified_attributes(pool.auto_verified_attributes.clone())
        .set_sms_verification_message(pool.sms_verification_message().map(str::to_owned))
        .set_email_verification_message(pool.email_verification_message().map(str::to_owned))
        .set_email_verification_subject(pool.email_verification_subject().map(str::to_owned))
        .set_verification_message_template(pool.verification_message_template().cloned())
        .set_sms_authentication_message(pool.sms_authentication_message().map(str::to_owned))
        .set_user_attribute_update_settings(pool.user_attribute_update_settings().cloned())
        .set_mfa_configuration(pool.mfa_configuration().cloned())
        .set_device_configuration(pool.device_configuration().cloned())
        .set_email_configuration(pool.email_configuration().cloned())
        .set_sms_configuration(pool.sms_configuration().cloned())
        .set_user_pool_tags(pool.user_pool_tags().cloned())
        // With UnusedAccountValidityDays as read: this SDK always sends that field (0
        // when unset), so the value the pool reported is the one that changes nothing.
        .set_admin_create_user_config(pool.admin_create_user_config().cloned())
        .set_user_pool_add_ons(pool.user_pool_add_ons().cloned())
        .set_account_recovery_setting(pool.account_recovery_setting().cloned())
        .set_pool_name(pool.name().map(str::to_owned))
        .set_user_pool_tier(pool.user_pool_tier().cloned())
        .set_key_configuration(pool.key_configuration().cloned())
        .set_issuer_configuration(pool.issuer_configuration().cloned())
        .set_acr_configuration(pool.acr_configuration().cloned())
}

/// The fields a read of the pool may show changed without anyone changing a setting.
pub const MOVING: [&str; 2] = ["last_modified_date", "estimated_number_of_users"];

macro_rules! compared_fields {
    ($($field:ident),* $(,)?) => {
        /// Every field of the pool [`differences`] compares: all but `lambda_config` and
        /// [`MOVING`] (a test holds this list against the SDK type's own fields).
        pub const COMPARED: &[&str] = &[$(stringify!($field)),*];

        /// The names of the fields (but `lambda_config` and [`MOVING`]) in which `after`
        /// differs from `before`: empty when only the triggers changed.
        // `status` is deprecated in the SDK, and still compared while the type has it.
        #[allow(deprecated)]
        pub fn differences(before: &UserPoolType, after: &UserPoolType) -> Vec<&'static str> {
            let mut out = Vec::new();
            $( if before.$field() != after.$field() { out.push(stringify!($field)); } )*
            out
        }
    };
}

compared_fields!(
    id,
    name,
    policies,
    deletion_protection,
    status,
    creation_date,
    schema_attributes,
    auto_verified_attributes,
    alias_attributes,
    username_attributes,
    sms_verification_message,
    email_verification_message,
    email_verification_subject,
    verification_message_template,
    sms_authentication_message,
    user_attribute_update_settings,
    mfa_configuration,
    device_configuration,
    email_configuration,
    sms_configuration,
    user_pool_tags,
    sms_configuration_failure,
    email_configuration_failure,
    domain,
    custom_domain,
    admin_create_user_config,
    user_pool_add_ons,
    username_configuration,
    arn,
    account_recovery_setting,
    user_pool_tier,
    key_configuration,
    issuer_configuration,
    acr_configuration,
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::*;
    use std::collections::HashMap;

    /// The top-level field names and values of a type's `Debug` text
    /// (`Name { a: Some(..), b: None }`), for the tests that check every field is carried.
    fn debug_fields(text: &str) -> Vec<(String, String)> {
        let Some(open) = text.find('{') else {
            return Vec::new();
        };
        let inner = text[open + 1..].trim_end().trim_end_matches('}');
        let mut fields = Vec::new();
        let (mut depth, mut start, mut quoted, mut escaped) = (0usize, 0usize, false, false);
        let bytes: Vec<char> = inner.chars().collect();
        let mut push = |piece: String| {
            if let Some((name, value)) = piece.split_once(':') {
                fields.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        };
        for (i, &c) in bytes.iter().enumerate() {
            if quoted {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => quoted = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => quoted = true,
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    push(bytes[start..i].iter().collect());
                    start = i + 1;
                }
                _ => {}
            }
        }
        push(bytes[start..].iter().collect());
        fields
    }

    /// A pool with every setting `UpdateUserPool` takes given a value.
    fn everything_set() -> UserPoolType {
        UserPoolType::builder()
            .id("eu-west-1_AbCdEf123")
            .name("acme")
            .policies(
                UserPoolPolicyType::builder()
                    .password_policy(
                        PasswordPolicyType::builder()
                            .minimum_length(12)
                            .temporary_password_validity_days(3)
                            .build(),
                    )
                    .build(),
            )
            .deletion_protection(DeletionProtectionType::Active)
            .lambda_config(
                LambdaConfigType::builder()
                    .pre_sign_up("arn:theirs")
                    .build(),
            )
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .sms_verification_message("code {####}")
            .email_verification_message("code {####}")
            .email_verification_subject("code")
            .verification_message_template(
                VerificationMessageTemplateType::builder()
                    .email_subject("code")
                    .build(),
            )
            .sms_authentication_message("sign in {####}")
            .user_attribute_update_settings(
                UserAttributeUpdateSettingsType::builder()
                    .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                    .build(),
            )
            .mfa_configuration(UserPoolMfaType::Optional)
            .device_configuration(
                DeviceConfigurationType::builder()
                    .challenge_required_on_new_device(true)
                    .build(),
            )
            .email_configuration(
                EmailConfigurationType::builder()
                    .email_sending_account(EmailSendingAccountType::Developer)
                    .build(),
            )
            .sms_configuration(
                SmsConfigurationType::builder()
                    .sns_caller_arn("arn:aws:iam::1:role/sms")
                    .build(),
            )
            .set_user_pool_tags(Some(HashMap::from([(
                "team".to_owned(),
                "identity".to_owned(),
            )])))
            .admin_create_user_config(
                AdminCreateUserConfigType::builder()
                    .allow_admin_create_user_only(true)
                    .unused_account_validity_days(3)
                    .build(),
            )
            .user_pool_add_ons(
                UserPoolAddOnsType::builder()
                    .advanced_security_mode(AdvancedSecurityModeType::Audit)
                    .build()
                    .unwrap(),
            )
            .account_recovery_setting(
                AccountRecoverySettingType::builder()
                    .recovery_mechanisms(
                        RecoveryOptionType::builder()
                            .name(RecoveryOptionNameType::VerifiedEmail)
                            .priority(1)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .user_pool_tier(UserPoolTierType::Plus)
            .key_configuration(KeyConfigurationType::builder().build())
            .issuer_configuration(IssuerConfigurationType::builder().build())
            .set_acr_configuration(Some(HashMap::new()))
            .build()
    }

    #[test]
    fn every_setting_update_user_pool_takes_is_carried() {
        let request = update_request(&everything_set(), LambdaConfigType::builder().build())
            .build()
            .unwrap();
        let fields = debug_fields(&format!("{request:?}"));
        assert!(fields.len() >= 24, "{fields:?}");
        let missing: Vec<_> = fields
            .iter()
            .filter(|(_, v)| v == "None")
            .map(|(n, _)| n.clone())
            .collect();
        // A field the SDK adds to UpdateUserPool shows up here until it is carried.
        assert!(
            missing.is_empty(),
            "UpdateUserPool fields not carried: {missing:?}"
        );
        let admin = request.admin_create_user_config().unwrap();
        assert_eq!(admin.unused_account_validity_days(), 3);
        assert!(admin.allow_admin_create_user_only());
    }

    #[test]
    fn every_field_of_the_pool_is_compared() {
        let mut names: Vec<String> =
            debug_fields(&format!("{:?}", UserPoolType::builder().build()))
                .into_iter()
                .map(|(n, _)| n)
                .filter(|n| !MOVING.contains(&n.as_str()) && n.as_str() != "lambda_config")
                .collect();
        names.sort();
        let mut compared: Vec<String> = COMPARED.iter().map(|n| n.to_string()).collect();
        compared.sort();
        // A field the SDK adds to UserPoolType fails this until it is compared.
        assert_eq!(names, compared);
        let before = everything_set();
        assert!(differences(&before, &before.clone()).is_empty());
        let found = differences(
            &before,
            &UserPoolType::builder().id("eu-west-1_AbCdEf123").build(),
        );
        assert!(
            found.contains(&"email_configuration") && found.contains(&"mfa_configuration"),
            "{found:?}"
        );
        assert!(!found.contains(&"id"));
    }
}
