//! The shapes real and emulated user pools send that `aws_lambda_events` 1.2.1
//! rejects, rewritten before typed decoding. Each rule touches only the shape it
//! names and is pinned by a test in `tests/upstream_gaps.rs` that fails, naming the
//! rule, the day the crate reads the shape itself and the rule can go.
//!
//! Absent or `null` collections mean empty (`docs/events.md` lists each shape and
//! where it was seen); the rules never invent a value that changes a decision.

use serde_json::{Map, Value};

/// `request`, `response` and `callerContext` absent or `null` are `{}`.
///
/// The types require all three. Cognito sends them, but events written by hand or by
/// other tools leave them out, and some send `"response": null`.
pub fn envelope(event: &mut Map<String, Value>) {
    for key in ["request", "response", "callerContext"] {
        let slot = event.entry(key).or_insert(Value::Null);
        if slot.is_null() {
            *slot = Value::Object(Map::new());
        }
    }
    version_text(event);
}

/// A numeric `version` is read as its text (the header reads a string; Cognito
/// sends `"1"`, the local emulator `"0"`).
fn version_text(event: &mut Map<String, Value>) {
    if let Some(version) = event.get_mut("version") {
        if let Value::Number(n) = version {
            *version = Value::String(n.to_string());
        }
    }
}

/// `request.userAttributes`, `validationData` and `clientMetadata` as the types read
/// them (string to string): `null` entries are left out (absent), booleans and
/// numbers are their text. Any other value stays, and typed decoding refuses it.
pub fn request_string_maps(event: &mut Map<String, Value>) {
    for key in ["userAttributes", "validationData", "clientMetadata"] {
        string_map(event, key);
    }
}

/// `request.clientMetadata` alone (custom message reads attributes as any JSON).
pub fn client_metadata(event: &mut Map<String, Value>) {
    string_map(event, "clientMetadata");
}

fn string_map(event: &mut Map<String, Value>, key: &str) {
    let Some(Value::Object(map)) = request(event).and_then(|r| r.get_mut(key)) else {
        return;
    };
    map.retain(|_, v| !v.is_null());
    for value in map.values_mut() {
        match value {
            Value::Bool(b) => *value = Value::String(b.to_string()),
            Value::Number(n) => *value = Value::String(n.to_string()),
            _ => {}
        }
    }
}

/// Pre sign-up: `autoConfirmUser`, `autoVerifyEmail` and `autoVerifyPhone` absent or
/// `null` are `false`. Cognito sends `"response": {}` (seen on
/// `PreSignUp_ExternalProvider`); the type requires the three booleans.
pub fn presignup_response(event: &mut Map<String, Value>) {
    if let Some(Value::Object(response)) = event.get_mut("response") {
        for key in ["autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone"] {
            default_if_missing(response, key, Value::Bool(false));
        }
    }
}

/// Pre token generation: in `request.groupConfiguration`, `groupsToOverride` and
/// `iamRolesToOverride` absent or `null` are `[]`. The local emulator sends
/// `"groupConfiguration": {}`; the type requires both lists.
pub fn group_configuration(event: &mut Map<String, Value>) {
    if let Some(Value::Object(groups)) =
        request(event).and_then(|r| r.get_mut("groupConfiguration"))
    {
        group_lists(groups);
    }
}

fn group_lists(groups: &mut Map<String, Value>) {
    for key in ["groupsToOverride", "iamRolesToOverride"] {
        default_if_missing(groups, key, Value::Array(Vec::new()));
    }
}

/// Pre token generation: an override object already in the `response` (the local
/// emulator sends `"claimsOverrideDetails": {}`) has its lists and maps filled with
/// empty ones; the types require them. The handler replaces the response anyway.
pub fn token_response(event: &mut Map<String, Value>) {
    let Some(Value::Object(response)) = event.get_mut("response") else {
        return;
    };
    if let Some(Value::Object(v1)) = response.get_mut("claimsOverrideDetails") {
        default_if_missing(v1, "claimsToAddOrOverride", Value::Object(Map::new()));
        default_if_missing(v1, "claimsToSuppress", Value::Array(Vec::new()));
        override_groups(v1);
    }
    if let Some(Value::Object(v2)) = response.get_mut("claimsAndScopeOverrideDetails") {
        override_groups(v2);
        token_lists(v2, "idTokenGeneration", &["claimsToSuppress"]);
        token_lists(v2, "accessTokenGeneration", ACCESS_TOKEN_LISTS);
    }
}

/// Pre token generation, client credentials: an access token override already in the
/// `response` has its lists and map filled, as for user tokens. There is no user, so
/// no group or ID token rule: the type has neither.
pub fn client_credentials_response(event: &mut Map<String, Value>) {
    if let Some(Value::Object(details)) = event
        .get_mut("response")
        .and_then(|r| r.get_mut("claimsAndScopeOverrideDetails"))
    {
        token_lists(details, "accessTokenGeneration", ACCESS_TOKEN_LISTS);
    }
}

const ACCESS_TOKEN_LISTS: &[&str] = &["claimsToSuppress", "scopesToAdd", "scopesToSuppress"];

fn token_lists(details: &mut Map<String, Value>, token: &str, lists: &[&str]) {
    if let Some(Value::Object(t)) = details.get_mut(token) {
        default_if_missing(t, "claimsToAddOrOverride", Value::Object(Map::new()));
        for key in lists {
            default_if_missing(t, key, Value::Array(Vec::new()));
        }
    }
}

fn override_groups(details: &mut Map<String, Value>) {
    default_if_missing(details, "groupOverrideDetails", Value::Object(Map::new()));
    if let Some(Value::Object(groups)) = details.get_mut("groupOverrideDetails") {
        group_lists(groups);
    }
}

/// Pre token generation V2 and V3: `request.scopes` absent or `null` is `[]` (the V2
/// type requires it; V1 events have none).
pub fn scopes(event: &mut Map<String, Value>) {
    if let Some(request) = request(event) {
        default_if_missing(request, "scopes", Value::Array(Vec::new()));
    }
}

/// Post authentication: `request.newDeviceUsed` absent or `null` is `false`, and the
/// text `"true"` or `"false"` (any case) is the boolean. The type requires a boolean.
pub fn new_device_used(event: &mut Map<String, Value>) {
    let Some(request) = request(event) else {
        return;
    };
    let flag = request.entry("newDeviceUsed").or_insert(Value::Null);
    match flag {
        Value::Null => *flag = Value::Bool(false),
        Value::String(s) if s.eq_ignore_ascii_case("true") => *flag = Value::Bool(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => *flag = Value::Bool(false),
        _ => {}
    }
}

fn request(event: &mut Map<String, Value>) -> Option<&mut Map<String, Value>> {
    event.get_mut("request").and_then(Value::as_object_mut)
}

fn default_if_missing(map: &mut Map<String, Value>, key: &str, default: Value) {
    let slot = map.entry(key).or_insert(Value::Null);
    if slot.is_null() {
        *slot = default;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!("test values are objects"),
        }
    }

    #[test]
    fn envelope_fills_only_what_is_absent_or_null() {
        let mut e = object(json!({"request": null, "response": {"x": 1}, "version": 1}));
        envelope(&mut e);
        assert_eq!(
            Value::Object(e),
            json!({
                "request": {}, "response": {"x": 1}, "callerContext": {}, "version": "1"
            })
        );
        // Something that is not an object stays for typed decoding to refuse.
        let mut e = object(json!({"request": "x"}));
        envelope(&mut e);
        assert_eq!(e["request"], "x");
    }

    #[test]
    fn string_maps_drop_nulls_and_write_scalars_as_text() {
        let mut e = object(json!({"request": {"userAttributes": {
            "email": "a@example.com", "email_verified": true, "n": 3, "gone": null, "bad": [1]
        }}}));
        request_string_maps(&mut e);
        assert_eq!(
            e["request"]["userAttributes"],
            json!({
                "email": "a@example.com", "email_verified": "true", "n": "3", "bad": [1]
            })
        );
    }

    #[test]
    fn new_device_used_reads_text_and_absence() {
        for (sent, read) in [
            (json!(null), json!(false)),
            (json!("TRUE"), json!(true)),
            (json!("false"), json!(false)),
            (json!(true), json!(true)),
            (json!(1), json!(1)),
        ] {
            let mut e = object(json!({"request": {"newDeviceUsed": sent}}));
            new_device_used(&mut e);
            assert_eq!(e["request"]["newDeviceUsed"], read);
        }
        let mut e = object(json!({"request": {}}));
        new_device_used(&mut e);
        assert_eq!(e["request"]["newDeviceUsed"], false);
    }
}
