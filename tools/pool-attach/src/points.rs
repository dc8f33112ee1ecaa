//! The trigger points of a user pool's `LambdaConfig`, read from and written into the
//! SDK's `LambdaConfigType` one point at a time, so that a change to one point leaves
//! every other field as it was.

use std::collections::BTreeMap;
use std::fmt;

use aws_sdk_cognitoidentityprovider::error::BuildError;
use aws_sdk_cognitoidentityprovider::types::{
    CustomEmailLambdaVersionConfigType, CustomEmailSenderLambdaVersionType,
    CustomSmsLambdaVersionConfigType, CustomSmsSenderLambdaVersionType,
    InboundFederationLambdaType, InboundFederationLambdaVersionType, LambdaConfigType,
    PreTokenGenerationLambdaVersionType, PreTokenGenerationVersionConfigType,
};

/// A place in `LambdaConfig` that names a function, or the custom senders' KMS key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Point {
    PreSignUp,
    InboundFederation,
    CustomMessage,
    PostConfirmation,
    PreAuthentication,
    DefineAuthChallenge,
    CreateAuthChallenge,
    VerifyAuthChallengeResponse,
    PreTokenGeneration,
    PostAuthentication,
    UserMigration,
    CustomEmailSender,
    CustomSmsSender,
    /// `KMSKeyID`: not a function, but the custom senders cannot work without it.
    KmsKey,
}

impl Point {
    pub const ALL: [Point; 14] = [
        Point::PreSignUp,
        Point::InboundFederation,
        Point::CustomMessage,
        Point::PostConfirmation,
        Point::PreAuthentication,
        Point::DefineAuthChallenge,
        Point::CreateAuthChallenge,
        Point::VerifyAuthChallengeResponse,
        Point::PreTokenGeneration,
        Point::PostAuthentication,
        Point::UserMigration,
        Point::CustomEmailSender,
        Point::CustomSmsSender,
        Point::KmsKey,
    ];

    /// The name in Cognito's `LambdaConfig`.
    pub fn cognito_name(self) -> &'static str {
        match self {
            Point::PreSignUp => "PreSignUp",
            Point::InboundFederation => "InboundFederation",
            Point::CustomMessage => "CustomMessage",
            Point::PostConfirmation => "PostConfirmation",
            Point::PreAuthentication => "PreAuthentication",
            Point::DefineAuthChallenge => "DefineAuthChallenge",
            Point::CreateAuthChallenge => "CreateAuthChallenge",
            Point::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Point::PreTokenGeneration => "PreTokenGeneration",
            Point::PostAuthentication => "PostAuthentication",
            Point::UserMigration => "UserMigration",
            Point::CustomEmailSender => "CustomEmailSender",
            Point::CustomSmsSender => "CustomSMSSender",
            Point::KmsKey => "KMSKeyID",
        }
    }

    /// The trigger's name in this project (its package), as `--only` takes it.
    pub fn trigger(self) -> &'static str {
        match self {
            Point::PreSignUp => "pre-signup",
            Point::InboundFederation => "inbound-federation",
            Point::CustomMessage => "custom-message",
            Point::PostConfirmation => "post-confirmation",
            Point::PreAuthentication => "pre-authentication",
            Point::DefineAuthChallenge => "define-auth-challenge",
            Point::CreateAuthChallenge => "create-auth-challenge",
            Point::VerifyAuthChallengeResponse => "verify-auth-challenge",
            Point::PreTokenGeneration => "pre-token-generation",
            Point::PostAuthentication => "post-authentication",
            Point::UserMigration => "user-migration",
            Point::CustomEmailSender => "custom-email-sender",
            Point::CustomSmsSender => "custom-sms-sender",
            Point::KmsKey => "kms-key",
        }
    }

    /// The template's output naming what goes at this point.
    pub fn output_key(self) -> &'static str {
        match self {
            Point::PreSignUp => "PreSignupFunctionArn",
            Point::InboundFederation => "InboundFederationFunctionArn",
            Point::CustomMessage => "CustomMessageFunctionArn",
            Point::PostConfirmation => "PostConfirmationFunctionArn",
            Point::PreAuthentication => "PreAuthenticationFunctionArn",
            Point::DefineAuthChallenge => "DefineAuthChallengeFunctionArn",
            Point::CreateAuthChallenge => "CreateAuthChallengeFunctionArn",
            Point::VerifyAuthChallengeResponse => "VerifyAuthChallengeFunctionArn",
            Point::PreTokenGeneration => "PreTokenGenerationFunctionArn",
            Point::PostAuthentication => "PostAuthenticationFunctionArn",
            Point::UserMigration => "UserMigrationFunctionArn",
            Point::CustomEmailSender => "CustomEmailSenderFunctionArn",
            Point::CustomSmsSender => "CustomSmsSenderFunctionArn",
            Point::KmsKey => "CodeKeyArn",
        }
    }

    pub fn from_trigger(name: &str) -> Option<Point> {
        Point::ALL.into_iter().find(|p| p.trigger() == name)
    }

    pub fn is_custom_sender(self) -> bool {
        matches!(self, Point::CustomEmailSender | Point::CustomSmsSender)
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cognito_name())
    }
}

/// What a point names: a function (or key) ARN and, for pre token generation, the
/// event version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub arn: String,
    pub version: Option<TokenVersion>,
}

impl Target {
    pub fn arn(arn: impl Into<String>) -> Target {
        Target {
            arn: arn.into(),
            version: None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.version {
            Some(v) => write!(f, "{} ({})", self.arn, v.lambda_version()),
            None => f.write_str(&self.arn),
        }
    }
}

/// The pre token generation event version: trigger-core's, which the trigger reads.
pub use trigger_core::events::token::TokenVersion;

/// `--pre-token-version` and the stack's `PreTokenGenerationVersion` output.
pub fn parse_version(text: &str) -> Result<TokenVersion, String> {
    TokenVersion::from_lambda_version(text).ok_or_else(|| {
        format!("{text:?} is not a pre token generation version (V1_0, V2_0 or V3_0)")
    })
}

/// V2_0 and V3_0 customise the access token: the Essentials or Plus tier.
pub fn needs_essentials(version: TokenVersion) -> bool {
    version != TokenVersion::V1
}

/// Every point `config` names.
pub fn read(config: Option<&LambdaConfigType>) -> BTreeMap<Point, Target> {
    let Some(c) = config else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    let mut put = |point, arn: Option<&str>| {
        if let Some(arn) = arn.filter(|a| !a.is_empty()) {
            out.insert(point, Target::arn(arn));
        }
    };
    put(Point::PreSignUp, c.pre_sign_up());
    put(Point::CustomMessage, c.custom_message());
    put(Point::PostConfirmation, c.post_confirmation());
    put(Point::PreAuthentication, c.pre_authentication());
    put(Point::PostAuthentication, c.post_authentication());
    put(Point::DefineAuthChallenge, c.define_auth_challenge());
    put(Point::CreateAuthChallenge, c.create_auth_challenge());
    put(
        Point::VerifyAuthChallengeResponse,
        c.verify_auth_challenge_response(),
    );
    put(Point::UserMigration, c.user_migration());
    put(Point::KmsKey, c.kms_key_id());
    put(
        Point::InboundFederation,
        c.inbound_federation().map(|t| t.lambda_arn()),
    );
    put(
        Point::CustomEmailSender,
        c.custom_email_sender().map(|t| t.lambda_arn()),
    );
    put(
        Point::CustomSmsSender,
        c.custom_sms_sender().map(|t| t.lambda_arn()),
    );
    // The versioned form wins; a pool wired before versions existed has the bare ARN (V1_0).
    match c.pre_token_generation_config() {
        Some(v) => {
            let version = TokenVersion::from_lambda_version(v.lambda_version().as_str());
            out.insert(
                Point::PreTokenGeneration,
                Target {
                    arn: v.lambda_arn().to_owned(),
                    version,
                },
            );
        }
        None => {
            if let Some(arn) = c.pre_token_generation().filter(|a| !a.is_empty()) {
                out.insert(
                    Point::PreTokenGeneration,
                    Target {
                        arn: arn.to_owned(),
                        version: Some(TokenVersion::V1),
                    },
                );
            }
        }
    }
    out
}

/// `config` with the points of `changes` set (Some) or removed (None); every other
/// field exactly as it was.
pub fn write(
    config: Option<&LambdaConfigType>,
    changes: &BTreeMap<Point, Option<Target>>,
) -> Result<LambdaConfigType, String> {
    let old = config
        .cloned()
        .unwrap_or_else(|| LambdaConfigType::builder().build());
    // Each point: as it was when unchanged, gone when removed, else built from the target.
    fn pick<T: Clone>(
        changes: &BTreeMap<Point, Option<Target>>,
        point: Point,
        current: Option<&T>,
        make: impl FnOnce(&Target) -> Result<T, BuildError>,
    ) -> Result<Option<T>, String> {
        match changes.get(&point) {
            None => Ok(current.cloned()),
            Some(None) => Ok(None),
            Some(Some(t)) => make(t).map(Some).map_err(|e| e.to_string()),
        }
    }
    let plain = |point: Point, current: Option<&str>| -> Option<String> {
        match changes.get(&point) {
            Some(change) => change.as_ref().map(|t| t.arn.clone()),
            None => current.map(str::to_owned),
        }
    };
    let inbound = pick(
        changes,
        Point::InboundFederation,
        old.inbound_federation(),
        |t| {
            InboundFederationLambdaType::builder()
                .lambda_arn(&t.arn)
                .lambda_version(InboundFederationLambdaVersionType::V10)
                .build()
        },
    )?;
    let email = pick(
        changes,
        Point::CustomEmailSender,
        old.custom_email_sender(),
        |t| {
            CustomEmailLambdaVersionConfigType::builder()
                .lambda_arn(&t.arn)
                .lambda_version(CustomEmailSenderLambdaVersionType::V10)
                .build()
        },
    )?;
    let sms = pick(
        changes,
        Point::CustomSmsSender,
        old.custom_sms_sender(),
        |t| {
            CustomSmsLambdaVersionConfigType::builder()
                .lambda_arn(&t.arn)
                .lambda_version(CustomSmsSenderLambdaVersionType::V10)
                .build()
        },
    )?;
    // Cognito reports a versioned pre token trigger under both names; both are written.
    let token_config = pick(
        changes,
        Point::PreTokenGeneration,
        old.pre_token_generation_config(),
        |t| {
            PreTokenGenerationVersionConfigType::builder()
                .lambda_arn(&t.arn)
                .lambda_version(PreTokenGenerationLambdaVersionType::from(
                    t.version.unwrap_or(TokenVersion::V1).lambda_version(),
                ))
                .build()
        },
    )?;
    let token_arn = plain(Point::PreTokenGeneration, old.pre_token_generation());
    Ok(LambdaConfigType::builder()
        .set_pre_sign_up(plain(Point::PreSignUp, old.pre_sign_up()))
        .set_custom_message(plain(Point::CustomMessage, old.custom_message()))
        .set_post_confirmation(plain(Point::PostConfirmation, old.post_confirmation()))
        .set_pre_authentication(plain(Point::PreAuthentication, old.pre_authentication()))
        .set_post_authentication(plain(Point::PostAuthentication, old.post_authentication()))
        .set_define_auth_challenge(plain(
            Point::DefineAuthChallenge,
            old.define_auth_challenge(),
        ))
        .set_create_auth_challenge(plain(
            Point::CreateAuthChallenge,
            old.create_auth_challenge(),
        ))
        .set_verify_auth_challenge_response(plain(
            Point::VerifyAuthChallengeResponse,
            old.verify_auth_challenge_response(),
        ))
        .set_user_migration(plain(Point::UserMigration, old.user_migration()))
        .set_kms_key_id(plain(Point::KmsKey, old.kms_key_id()))
        .set_pre_token_generation(token_arn)
        .set_pre_token_generation_config(token_config)
        .set_inbound_federation(inbound)
        .set_custom_email_sender(email)
        .set_custom_sms_sender(sms)
        .build())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn full() -> LambdaConfigType {
        let mut changes = BTreeMap::new();
        for (i, p) in Point::ALL.into_iter().enumerate() {
            let mut t = Target::arn(format!(
                "arn:aws:lambda:eu-west-1:123456789012:function:f{i}"
            ));
            if p == Point::PreTokenGeneration {
                t.version = Some(TokenVersion::V2);
            }
            changes.insert(p, Some(t));
        }
        write(None, &changes).unwrap()
    }

    #[test]
    fn every_point_reads_back_as_written() {
        let config = full();
        let read_back = read(Some(&config));
        assert_eq!(read_back.len(), Point::ALL.len());
        assert_eq!(
            read_back[&Point::PreTokenGeneration].version,
            Some(TokenVersion::V2)
        );
        // Every field of the SDK's type is one of the points (a new field would be
        // left unset here, and show as None in its Debug text).
        let text = format!("{config:?}");
        assert!(
            !text.contains("None"),
            "a LambdaConfig field no point covers: {text}"
        );
    }

    #[test]
    fn a_change_to_one_point_leaves_the_others_as_they_were() {
        let config = full();
        let mut changes = BTreeMap::new();
        changes.insert(Point::UserMigration, None);
        let written = write(Some(&config), &changes).unwrap();
        let mut expected = read(Some(&config));
        expected.remove(&Point::UserMigration);
        assert_eq!(read(Some(&written)), expected);
        assert_eq!(write(Some(&config), &BTreeMap::new()).unwrap(), config);
    }

    #[test]
    fn a_bare_pre_token_arn_is_version_one() {
        let config = LambdaConfigType::builder()
            .pre_token_generation("arn:f")
            .build();
        assert_eq!(
            read(Some(&config))[&Point::PreTokenGeneration].version,
            Some(TokenVersion::V1)
        );
    }
}
