//! Pre token generation events: one type for a function that serves V1, V2 and V3
//! pools, and the client-credentials event `aws_lambda_events` has no type for.
//!
//! `aws_lambda_events` has one type per event version and no way to pick between
//! them: a V1 event has no `scopes` and fails the V2 type, and the V3
//! `TokenGeneration_ClientCredentials` source is in neither enum. Cognito sends the
//! version in each event (`LambdaVersion` `V1_0` → `"1"`, the local emulator `"0"`),
//! so [`PreTokenGenerationEvent`] reads it and decodes the matching type.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    check_source_is, normalise, nullish, read_direct_typed, read_typed, trigger_source,
    CognitoAccessTokenGenerationV2, CognitoEventUserPoolsHeader, CognitoEventUserPoolsPreTokenGen,
    CognitoEventUserPoolsPreTokenGenTriggerSource, CognitoEventUserPoolsPreTokenGenV2,
    TriggerEvent,
};
use crate::error::TriggerError;

pub use aws_lambda_events::event::cognito::CognitoEventUserPoolsPreTokenGenRequestV2;

/// The shape of a token event, and of the answer Cognito expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenVersion {
    /// ID token claims only (also what the local emulator sends, as `"0"`).
    V1,
    /// ID and access token claims, and access token scopes.
    V2,
    /// V2, plus machine-to-machine (client credentials) tokens.
    V3,
}

impl TokenVersion {
    /// The version of a (normalised) event.
    fn of(event: &Map<String, Value>) -> Self {
        Self::from_event(event.get("version").and_then(Value::as_str))
    }

    /// The `LambdaVersion` a user pool wires the trigger with.
    pub fn lambda_version(self) -> &'static str {
        match self {
            Self::V1 => "V1_0",
            Self::V2 => "V2_0",
            Self::V3 => "V3_0",
        }
    }

    /// From a `LambdaVersion` as a user pool names it (`V1_0`, `V2_0`, `V3_0`).
    pub fn from_lambda_version(text: &str) -> Option<Self> {
        [Self::V1, Self::V2, Self::V3]
            .into_iter()
            .find(|v| v.lambda_version() == text)
    }

    /// From the event's `version`: `"2"` and `"3"` (or `V2_0`/`V3_0`), else V1.
    pub fn from_event(version: Option<&str>) -> Self {
        match version.map(str::trim) {
            Some("2" | "2.0" | "V2_0") => Self::V2,
            Some("3" | "3.0" | "V3_0") => Self::V3,
            _ => Self::V1,
        }
    }
}

/// A pre token generation event of any version.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PreTokenGenerationEvent {
    /// `V1_0`: the ID token.
    V1(CognitoEventUserPoolsPreTokenGen),
    /// `V2_0` and `V3_0` user tokens: ID and access token.
    V2(CognitoEventUserPoolsPreTokenGenV2),
    /// `V3_0` machine-to-machine tokens: the access token, no user.
    ClientCredentials(CognitoEventUserPoolsPreTokenGenClientCredentials),
}

impl PreTokenGenerationEvent {
    /// The version the event says it is.
    pub fn version(&self) -> TokenVersion {
        let header_version = match self {
            Self::V1(e) => &e.cognito_event_user_pools_header.version,
            Self::V2(e) => &e.cognito_event_user_pools_header.version,
            Self::ClientCredentials(e) => &e.cognito_event_user_pools_header.version,
        };
        TokenVersion::from_event(header_version.as_deref())
    }
}

const CLIENT_CREDENTIALS: &str = "TokenGeneration_ClientCredentials";

fn is_client_credentials(event: &Map<String, Value>) -> bool {
    event.get("triggerSource").and_then(Value::as_str) == Some(CLIENT_CREDENTIALS)
}

impl TriggerEvent for PreTokenGenerationEvent {
    const SOURCE_PREFIX: &'static str = "TokenGeneration_";

    fn read_direct(json: &str) -> Option<Self> {
        // The V2 type first (pools on V2_0 and V3_0), then V1, then client credentials,
        // each kept only if the event's version agrees. Each type reads only its own
        // trigger sources, so the type that reads an event is the one the normalising
        // path picks by source and version.
        let version = |v: &Option<String>| TokenVersion::from_event(v.as_deref());
        let event = match read_direct_typed::<CognitoEventUserPoolsPreTokenGenV2>(json) {
            Some(v2)
                if version(&v2.cognito_event_user_pools_header.version) != TokenVersion::V1 =>
            {
                Self::V2(v2)
            }
            _ => match read_direct_typed::<CognitoEventUserPoolsPreTokenGen>(json) {
                Some(v1)
                    if version(&v1.cognito_event_user_pools_header.version) == TokenVersion::V1 =>
                {
                    Self::V1(v1)
                }
                _ => Self::ClientCredentials(read_direct_typed(json)?),
            },
        };
        let has_source = match &event {
            Self::V1(e) => e.cognito_event_user_pools_header.trigger_source.is_some(),
            Self::V2(e) => e.cognito_event_user_pools_header.trigger_source.is_some(),
            Self::ClientCredentials(e) => {
                e.cognito_event_user_pools_header.trigger_source.is_some()
            }
        };
        has_source.then_some(event)
    }

    fn check_source(event: &Map<String, Value>) -> Result<(), TriggerError> {
        if trigger_source(event)? == CLIENT_CREDENTIALS {
            return Ok(());
        }
        check_source_is::<CognitoEventUserPoolsPreTokenGenTriggerSource>(event)
    }

    fn normalise(event: &mut Map<String, Value>) {
        normalise::envelope(event);
        normalise::request_string_maps(event);
        if is_client_credentials(event) {
            // No user: the type reads any group configuration and has no group or
            // ID token override, so only the access token's rule runs.
            normalise::client_credentials_response(event);
            normalise::scopes(event);
            return;
        }
        normalise::group_configuration(event);
        normalise::token_response(event);
        if TokenVersion::of(event) != TokenVersion::V1 {
            normalise::scopes(event);
        }
    }

    fn read(event: &Map<String, Value>) -> Result<Self, TriggerError> {
        if is_client_credentials(event) {
            return read_typed(event).map(Self::ClientCredentials);
        }
        match TokenVersion::of(event) {
            TokenVersion::V1 => read_typed(event).map(Self::V1),
            TokenVersion::V2 | TokenVersion::V3 => read_typed(event).map(Self::V2),
        }
    }
}

/// `TokenGeneration_ClientCredentials`: a `V3_0` event for a machine-to-machine
/// access token. The request has the V2 shape (Cognito documents V2 and V3 events as
/// identical apart from this source); there is no user, so no ID token and no groups.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CognitoEventUserPoolsPreTokenGenClientCredentials {
    #[serde(rename = "CognitoEventUserPoolsHeader")]
    #[serde(flatten)]
    pub cognito_event_user_pools_header:
        CognitoEventUserPoolsHeader<CognitoEventUserPoolsPreTokenGenClientCredentialsTriggerSource>,
    pub request: CognitoEventUserPoolsPreTokenGenClientCredentialsRequest,
    pub response: CognitoEventUserPoolsPreTokenGenClientCredentialsResponse,
    /// Fields this type does not know, returned untouched.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize, Eq, PartialEq, Serialize, Default)]
pub enum CognitoEventUserPoolsPreTokenGenClientCredentialsTriggerSource {
    #[serde(rename = "TokenGeneration_ClientCredentials")]
    #[default]
    ClientCredentials,
}

/// The request of a client-credentials token event.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CognitoEventUserPoolsPreTokenGenClientCredentialsRequest {
    /// Empty: there is no user.
    #[serde(default, deserialize_with = "nullish")]
    pub user_attributes: HashMap<String, String>,
    /// `null`: there is no user.
    #[serde(default)]
    pub group_configuration: Option<Value>,
    #[serde(default, deserialize_with = "nullish")]
    pub client_metadata: HashMap<String, String>,
    /// The scopes the client asked for.
    pub scopes: Vec<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The response of a client-credentials token event.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CognitoEventUserPoolsPreTokenGenClientCredentialsResponse {
    #[serde(default)]
    pub claims_and_scope_override_details: Option<ClaimsAndScopeOverrideDetailsClientCredentials>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// What a client-credentials answer may change: the access token only.
#[derive(Clone, Debug, Default, Deserialize, Eq, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimsAndScopeOverrideDetailsClientCredentials {
    #[serde(default)]
    pub access_token_generation: Option<CognitoAccessTokenGenerationV2>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::decode;
    use serde_json::json;

    #[test]
    fn lambda_versions_name_each_version_once() {
        for v in [TokenVersion::V1, TokenVersion::V2, TokenVersion::V3] {
            assert_eq!(
                TokenVersion::from_lambda_version(v.lambda_version()),
                Some(v)
            );
            assert_eq!(TokenVersion::from_event(Some(v.lambda_version())), v);
        }
        assert_eq!(TokenVersion::from_lambda_version("V4_0"), None);
    }

    #[test]
    fn versions_are_read_from_the_event() {
        assert_eq!(TokenVersion::from_event(Some("1")), TokenVersion::V1);
        assert_eq!(TokenVersion::from_event(Some("0")), TokenVersion::V1);
        assert_eq!(TokenVersion::from_event(None), TokenVersion::V1);
        assert_eq!(TokenVersion::from_event(Some("2")), TokenVersion::V2);
        assert_eq!(TokenVersion::from_event(Some("V2_0")), TokenVersion::V2);
        assert_eq!(TokenVersion::from_event(Some("3")), TokenVersion::V3);
    }

    fn user_event(version: &str) -> Value {
        json!({
            "version": version, "triggerSource": "TokenGeneration_Authentication",
            "callerContext": {"clientId": "c"}, "userName": "u",
            "request": {"userAttributes": {"sub": "s"}, "groupConfiguration": {}},
            "response": {}
        })
    }

    #[test]
    fn each_version_decodes_into_its_own_type() {
        assert!(matches!(
            decode(user_event("1")).unwrap(),
            PreTokenGenerationEvent::V1(_)
        ));
        assert!(matches!(
            decode(user_event("0")).unwrap(),
            PreTokenGenerationEvent::V1(_)
        ));
        let v2: PreTokenGenerationEvent = decode(user_event("2")).unwrap();
        assert!(matches!(v2, PreTokenGenerationEvent::V2(_)));
        assert_eq!(v2.version(), TokenVersion::V2);
        let v3: PreTokenGenerationEvent = decode(user_event("3")).unwrap();
        assert_eq!(v3.version(), TokenVersion::V3);
        let mut machine = user_event("3");
        machine["triggerSource"] = "TokenGeneration_ClientCredentials".into();
        machine["request"] =
            json!({"userAttributes": {}, "groupConfiguration": null, "scopes": ["r/read"]});
        let PreTokenGenerationEvent::ClientCredentials(m) = decode(machine.clone()).unwrap() else {
            panic!("client credentials");
        };
        assert_eq!(m.request.scopes, vec!["r/read"]);
        // Encoded back: the same fields, `null` kept where it was sent.
        let back = PreTokenGenerationEvent::ClientCredentials(m)
            .encode()
            .unwrap();
        assert_eq!(back["request"]["groupConfiguration"], Value::Null);
        assert_eq!(back["triggerSource"], "TokenGeneration_ClientCredentials");
    }

    #[test]
    fn other_sources_are_refused() {
        let mut e = user_event("2");
        e["triggerSource"] = "TokenGeneration_Teleport".into();
        assert!(decode::<PreTokenGenerationEvent>(e).is_err());
    }
}
