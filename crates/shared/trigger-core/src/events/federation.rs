//! The inbound federation event (`InboundFederation_ExternalProvider`, `LambdaVersion`
//! `V1_0`), which `aws_lambda_events` has no type for, defined in its style: serde,
//! camelCase, `Default`, an `other` map for fields this type does not know.
//!
//! Cognito sends what the identity provider said about the user (the token response,
//! the ID token's claims and the userInfo answer for OIDC and social providers, the
//! assertion's attributes for SAML); the answer's `userAttributesToMap` is the set of
//! user attributes to keep: an attribute left out is dropped, and `{}` keeps Cognito's
//! own mapping unchanged.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{nullish, CognitoEventUserPoolsHeader};

/// An inbound federation event.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CognitoEventUserPoolsInboundFederation {
    #[serde(rename = "CognitoEventUserPoolsHeader")]
    #[serde(flatten)]
    pub cognito_event_user_pools_header:
        CognitoEventUserPoolsHeader<CognitoEventUserPoolsInboundFederationTriggerSource>,
    pub request: CognitoEventUserPoolsInboundFederationRequest,
    pub response: CognitoEventUserPoolsInboundFederationResponse,
    /// Fields this type does not know, returned untouched.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize, Eq, PartialEq, Serialize, Default)]
pub enum CognitoEventUserPoolsInboundFederationTriggerSource {
    #[serde(rename = "InboundFederation_ExternalProvider")]
    #[default]
    ExternalProvider,
}

/// Who the identity provider is and what it said.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CognitoEventUserPoolsInboundFederationRequest {
    /// The name the pool gave the provider (`Google`, `Okta`, ...).
    pub provider_name: String,
    /// `OIDC`, `SAML`, `Facebook`, `Google`, `SignInWithApple` or `LoginWithAmazon`,
    /// kept as text so that a type Cognito adds later still reads ([`ProviderType`]).
    pub provider_type: String,
    #[serde(default)]
    pub attributes: InboundFederationAttributes,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl CognitoEventUserPoolsInboundFederationRequest {
    pub fn provider_type(&self) -> ProviderType {
        ProviderType::from_name(&self.provider_type)
    }
}

/// The kinds of identity provider Cognito federates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderType {
    Oidc,
    Saml,
    Facebook,
    Google,
    SignInWithApple,
    LoginWithAmazon,
    /// A type this build does not know.
    Other,
}

impl ProviderType {
    pub fn from_name(name: &str) -> Self {
        match name {
            "OIDC" => Self::Oidc,
            "SAML" => Self::Saml,
            "Facebook" => Self::Facebook,
            "Google" => Self::Google,
            "SignInWithApple" => Self::SignInWithApple,
            "LoginWithAmazon" => Self::LoginWithAmazon,
            _ => Self::Other,
        }
    }
}

/// What the provider sent, by where it came from. Values are kept as JSON: providers
/// send booleans (`email_verified`), numbers and lists (groups) among the text.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundFederationAttributes {
    /// The OAuth token response (OIDC and social providers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_response: Option<Map<String, Value>>,
    /// The ID token's claims (OIDC and social providers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<Map<String, Value>>,
    /// The userInfo endpoint's answer (OIDC and social providers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_info: Option<Map<String, Value>>,
    /// The SAML assertion's attributes (SAML providers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml_response: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The answer: the user attributes to keep.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CognitoEventUserPoolsInboundFederationResponse {
    #[serde(default, deserialize_with = "nullish")]
    pub user_attributes_to_map: HashMap<String, String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{decode, TriggerEvent};
    use serde_json::json;

    fn event(request: Value, response: Value) -> Value {
        json!({
            "version": "1", "region": "eu-west-1", "userPoolId": "eu-west-1_Xq8LmN3pR",
            "userName": "Okta_x", "callerContext": {"awsSdkVersion": "x", "clientId": "c"},
            "triggerSource": "InboundFederation_ExternalProvider",
            "request": request, "response": response
        })
    }

    #[test]
    fn provider_types_read_and_unknown_ones_still_decode() {
        let e: CognitoEventUserPoolsInboundFederation = decode(event(
            json!({"providerName": "Acme", "providerType": "Passkey", "attributes": {"idToken": null}}),
            json!({"userAttributesToMap": null}),
        ))
        .unwrap();
        assert_eq!(e.request.provider_type(), ProviderType::Other);
        assert_eq!(e.request.attributes.id_token, None);
        assert!(e.response.user_attributes_to_map.is_empty());
        assert_eq!(ProviderType::from_name("SAML"), ProviderType::Saml);
        assert_eq!(
            ProviderType::from_name("SignInWithApple"),
            ProviderType::SignInWithApple
        );
    }

    #[test]
    fn the_answer_carries_the_attributes_to_keep() {
        let mut e: CognitoEventUserPoolsInboundFederation = decode(event(
            json!({"providerName": "Google", "providerType": "Google",
                   "attributes": {"idToken": {"email_verified": true}}, "newField": 1}),
            json!({}),
        ))
        .unwrap();
        e.response
            .user_attributes_to_map
            .insert("email".into(), "a@b.example".into());
        let out = e.encode().unwrap();
        assert_eq!(
            out["response"]["userAttributesToMap"]["email"],
            "a@b.example"
        );
        assert_eq!(out["request"]["newField"], 1, "unknown fields go back");
        assert_eq!(
            out["request"]["attributes"]["idToken"]["email_verified"],
            true
        );
    }
}
