//! The custom sender events (`CustomEmailSender_*`, `CustomSMSSender_*`, `LambdaVersion`
//! `V1_0`), which `aws_lambda_events` has no types for, defined in its style.
//!
//! Cognito hands the function the message to deliver instead of sending it: the
//! `code` (a verification or MFA code, or an invitation's temporary password) is
//! ciphertext of the AWS Encryption SDK under the pool's KMS key, base64-encoded,
//! and `null` where there is none (the account-takeover notification). Both triggers
//! share the request shape; they differ in their sources.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{nullish, CognitoEventUserPoolsHeader};

/// A custom email sender event.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CognitoEventUserPoolsCustomEmailSender {
    #[serde(rename = "CognitoEventUserPoolsHeader")]
    #[serde(flatten)]
    pub cognito_event_user_pools_header:
        CognitoEventUserPoolsHeader<CognitoEventUserPoolsCustomEmailSenderTriggerSource>,
    pub request: CognitoEventUserPoolsCustomSenderRequest,
    #[serde(default)]
    pub response: Map<String, Value>,
    /// Fields this type does not know, returned untouched.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A custom SMS sender event.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CognitoEventUserPoolsCustomSmsSender {
    #[serde(rename = "CognitoEventUserPoolsHeader")]
    #[serde(flatten)]
    pub cognito_event_user_pools_header:
        CognitoEventUserPoolsHeader<CognitoEventUserPoolsCustomSmsSenderTriggerSource>,
    pub request: CognitoEventUserPoolsCustomSenderRequest,
    #[serde(default)]
    pub response: Map<String, Value>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Why Cognito sends an email.
#[derive(Clone, Copy, Debug, Deserialize, Eq, PartialEq, Serialize, Default)]
pub enum CognitoEventUserPoolsCustomEmailSenderTriggerSource {
    /// The sign-up confirmation code.
    #[serde(rename = "CustomEmailSender_SignUp")]
    #[default]
    SignUp,
    /// A new sign-up confirmation code.
    #[serde(rename = "CustomEmailSender_ResendCode")]
    ResendCode,
    /// The password reset code.
    #[serde(rename = "CustomEmailSender_ForgotPassword")]
    ForgotPassword,
    /// The code confirming a changed email address.
    #[serde(rename = "CustomEmailSender_UpdateUserAttribute")]
    UpdateUserAttribute,
    /// The code confirming an email address the user asked to verify.
    #[serde(rename = "CustomEmailSender_VerifyUserAttribute")]
    VerifyUserAttribute,
    /// An invitation: the code is the temporary password.
    #[serde(rename = "CustomEmailSender_AdminCreateUser")]
    AdminCreateUser,
    /// An email one-time password or MFA code at sign-in.
    #[serde(rename = "CustomEmailSender_Authentication")]
    Authentication,
    /// Threat protection's notice of a risky sign-in (no code; the details are in
    /// `userAttributes`: `EVENT_ID`, `IP_ADDRESS`, `ACCOUNT_TAKE_OVER_ACTION`, ...).
    #[serde(rename = "CustomEmailSender_AccountTakeOverNotification")]
    AccountTakeOverNotification,
}

/// Why Cognito sends a text message.
#[derive(Clone, Copy, Debug, Deserialize, Eq, PartialEq, Serialize, Default)]
pub enum CognitoEventUserPoolsCustomSmsSenderTriggerSource {
    #[serde(rename = "CustomSMSSender_SignUp")]
    #[default]
    SignUp,
    #[serde(rename = "CustomSMSSender_ResendCode")]
    ResendCode,
    #[serde(rename = "CustomSMSSender_ForgotPassword")]
    ForgotPassword,
    #[serde(rename = "CustomSMSSender_UpdateUserAttribute")]
    UpdateUserAttribute,
    #[serde(rename = "CustomSMSSender_VerifyUserAttribute")]
    VerifyUserAttribute,
    /// An invitation: the code is the temporary password.
    #[serde(rename = "CustomSMSSender_AdminCreateUser")]
    AdminCreateUser,
    /// An SMS MFA code at sign-in.
    #[serde(rename = "CustomSMSSender_Authentication")]
    Authentication,
}

/// What both sender triggers receive.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CognitoEventUserPoolsCustomSenderRequest {
    /// `customEmailSenderRequestV1` or `customSMSSenderRequestV1`.
    #[serde(rename = "type", default)]
    pub request_type: String,
    /// The encrypted code, base64; `None` when the message carries none.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "nullish")]
    pub user_attributes: HashMap<String, String>,
    #[serde(default, deserialize_with = "nullish")]
    pub client_metadata: HashMap<String, String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl CognitoEventUserPoolsCustomSenderRequest {
    /// One of the user's attributes, if present.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.user_attributes.get(name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{decode, TriggerEvent};
    use serde_json::json;

    fn event(source: &str, request: Value) -> Value {
        json!({
            "version": "1", "region": "eu-west-1", "userPoolId": "eu-west-1_Xq8LmN3pR",
            "userName": "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1",
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "4n7mc0rcbsjvh1ou3e5q8nt2lf"},
            "triggerSource": source, "request": request, "response": {}
        })
    }

    /// The sources both triggers have (the email one also has the account-takeover
    /// notification).
    const BOTH: [&str; 7] = [
        "SignUp",
        "ResendCode",
        "ForgotPassword",
        "UpdateUserAttribute",
        "VerifyUserAttribute",
        "AdminCreateUser",
        "Authentication",
    ];

    #[test]
    fn every_documented_email_source_reads_and_codes_come_back_untouched() {
        for source in BOTH.into_iter().chain(["AccountTakeOverNotification"]) {
            let sent = event(
                &format!("CustomEmailSender_{source}"),
                json!({"type": "customEmailSenderRequestV1", "code": "AYADeLs0ZWluZ0NpcGhlcnRleHQ=",
                       "userAttributes": {"email": "maria.garcia@example.com"}, "clientMetadata": null}),
            );
            let e: CognitoEventUserPoolsCustomEmailSender = decode(sent.clone()).unwrap();
            assert_eq!(
                e.request.code.as_deref(),
                Some("AYADeLs0ZWluZ0NpcGhlcnRleHQ="),
                "{source}"
            );
            let back = e.encode().unwrap();
            assert_eq!(back["request"]["code"], sent["request"]["code"]);
            assert_eq!(back["triggerSource"], sent["triggerSource"]);
        }
    }

    #[test]
    fn sms_sources_read_and_a_missing_code_is_none() {
        for source in BOTH {
            let e: CognitoEventUserPoolsCustomSmsSender = decode(event(
                &format!("CustomSMSSender_{source}"),
                json!({"type": "customSMSSenderRequestV1", "code": null,
                       "userAttributes": {"phone_number": "+34612345678"}}),
            ))
            .unwrap();
            assert_eq!(e.request.code, None, "{source}");
            assert_eq!(e.request.request_type, "customSMSSenderRequestV1");
        }
        // An email source is not an SMS one.
        assert!(decode::<CognitoEventUserPoolsCustomSmsSender>(event(
            "CustomEmailSender_AccountTakeOverNotification",
            json!({"type": "customEmailSenderRequestV1"}),
        ))
        .is_err());
    }

    #[test]
    fn the_local_emulators_shape_reads() {
        // cognito-local: version "0", region "local", no clientMetadata.
        let e: CognitoEventUserPoolsCustomEmailSender = decode(json!({
            "version": "0", "region": "local", "userPoolId": "local_5kRy4fTq",
            "triggerSource": "CustomEmailSender_SignUp", "userName": "e5a7c9d1",
            "callerContext": {"awsSdkVersion": "2.1692.0", "clientId": "dnv3x8tq5zq0b2b6z2r8c4f1y"},
            "request": {"type": "customEmailSenderRequestV1", "code": "AYAD",
                        "userAttributes": {"email": "rosa.reader@example.com", "email_verified": false}},
            "response": {}
        }))
        .unwrap();
        assert_eq!(e.request.user_attributes["email_verified"], "false");
        assert!(e.request.client_metadata.is_empty());
    }
}
