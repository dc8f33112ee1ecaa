//! A tolerant view of a Cognito user-pool trigger event.
//!
//! The event is kept whole as JSON so the function can hand back exactly what it
//! received with only `response` filled in (Cognito wants the whole event back).
//! Reading is forgiving in the ways real and emulated user pools differ: `null` or
//! absent collections are empty, `{}` stands for an object with no fields set,
//! `version` may be `"0"`, and unknown fields are ignored and returned untouched.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::TriggerError;

/// A trigger event as received, plus typed accessors for the common fields.
#[derive(Debug, Clone, PartialEq)]
pub struct CognitoEvent {
    raw: Map<String, Value>,
}

impl CognitoEvent {
    /// Accepts any JSON object; anything else is a malformed event.
    pub fn from_value(value: Value) -> Result<Self, TriggerError> {
        match value {
            Value::Object(raw) => Ok(Self { raw }),
            other => Err(TriggerError::malformed(format!(
                "event is a JSON {}, not an object",
                json_kind(&other)
            ))),
        }
    }

    /// `triggerSource`, which every Cognito event carries.
    pub fn trigger_source(&self) -> Result<&str, TriggerError> {
        match self.raw.get("triggerSource") {
            Some(Value::String(source)) => Ok(source),
            Some(other) => Err(TriggerError::malformed(format!(
                "triggerSource is a JSON {}, not a string",
                json_kind(other)
            ))),
            None => Err(TriggerError::malformed("event has no triggerSource")),
        }
    }

    /// `version`: `"1"` from Cognito, `"0"` from the local emulator, `"V2_0"`-style
    /// from pre token generation. Numbers are accepted and turned into text.
    pub fn version(&self) -> Option<String> {
        match self.raw.get("version")? {
            Value::String(v) => Some(v.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    pub fn user_name(&self) -> Option<&str> {
        self.raw.get("userName").and_then(Value::as_str)
    }

    pub fn user_pool_id(&self) -> Option<&str> {
        self.raw.get("userPoolId").and_then(Value::as_str)
    }

    /// `callerContext.clientId`, the app client the user came through.
    pub fn client_id(&self) -> Option<&str> {
        self.raw
            .get("callerContext")?
            .as_object()?
            .get("clientId")?
            .as_str()
    }

    /// One field of `request`, if present and not `null`.
    pub fn request_field(&self, key: &str) -> Option<&Value> {
        match self.raw.get("request")? {
            Value::Object(request) => request.get(key).filter(|v| !v.is_null()),
            _ => None,
        }
    }

    /// A string field of `request`; `null`, absent or non-string is `None`.
    pub fn request_str(&self, key: &str) -> Option<&str> {
        self.request_field(key).and_then(Value::as_str)
    }

    /// A string-to-string map of `request` such as `userAttributes`,
    /// `clientMetadata` or `validationData`.
    ///
    /// Absent, `null` and `{}` are all the empty map; entries whose value is `null`
    /// are skipped; numbers and booleans become text. A value of another type (an
    /// array, an object) or a map that is not an object is a malformed event.
    pub fn request_map(&self, key: &str) -> Result<BTreeMap<String, String>, TriggerError> {
        let Some(value) = self.request_field(key) else {
            return Ok(BTreeMap::new());
        };
        let Value::Object(entries) = value else {
            return Err(TriggerError::malformed(format!(
                "request.{key} is a JSON {}, not an object",
                json_kind(value)
            )));
        };
        let mut out = BTreeMap::new();
        for (name, value) in entries {
            let text = match value {
                Value::Null => continue,
                Value::String(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                other => {
                    return Err(TriggerError::malformed(format!(
                        "request.{key}.{name} is a JSON {}, not a string",
                        json_kind(other)
                    )))
                }
            };
            out.insert(name.clone(), text);
        }
        Ok(out)
    }

    /// Sets `response` fields, keeping any other fields the response already had.
    /// A `response` that is absent, `null` or not an object is replaced.
    pub fn set_response(&mut self, fields: Map<String, Value>) {
        let response = self
            .raw
            .entry("response")
            .or_insert_with(|| Value::Object(Map::new()));
        if !response.is_object() {
            *response = Value::Object(Map::new());
        }
        if let Value::Object(existing) = response {
            existing.extend(fields);
        }
    }

    /// The response object as it stands (an empty object when there is none).
    pub fn response(&self) -> Map<String, Value> {
        match self.raw.get("response") {
            Some(Value::Object(r)) => r.clone(),
            _ => Map::new(),
        }
    }

    /// The whole event, ready to hand back to Cognito.
    pub fn into_value(self) -> Value {
        Value::Object(self.raw)
    }
}

/// The JSON type of a value, for error details that never echo the value itself.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(v: Value) -> CognitoEvent {
        CognitoEvent::from_value(v).unwrap()
    }

    #[test]
    fn non_object_events_are_malformed_not_panics() {
        for v in [json!(null), json!([]), json!("x"), json!(3)] {
            let err = CognitoEvent::from_value(v).unwrap_err();
            assert_eq!(err.error_type(), "MalformedEvent");
        }
    }

    #[test]
    fn missing_or_mistyped_trigger_source_is_a_clear_error() {
        assert!(event(json!({})).trigger_source().is_err());
        assert!(event(json!({"triggerSource": 7})).trigger_source().is_err());
        assert_eq!(
            event(json!({"triggerSource": "PreSignUp_SignUp"}))
                .trigger_source()
                .unwrap(),
            "PreSignUp_SignUp"
        );
    }

    #[test]
    fn null_absent_and_empty_maps_are_empty() {
        for request in [
            json!(null),
            json!({}),
            json!({"userAttributes": null}),
            json!({"userAttributes": {}}),
        ] {
            let e = event(json!({"request": request}));
            assert!(e.request_map("userAttributes").unwrap().is_empty());
        }
        assert!(event(json!({}))
            .request_map("userAttributes")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn map_values_are_tolerated_or_rejected_clearly() {
        let e = event(json!({"request": {"userAttributes": {
            "email": "a@example.com", "email_verified": true, "n": 3, "gone": null
        }}}));
        let m = e.request_map("userAttributes").unwrap();
        assert_eq!(m["email"], "a@example.com");
        assert_eq!(m["email_verified"], "true");
        assert_eq!(m["n"], "3");
        assert!(!m.contains_key("gone"));

        let bad = event(json!({"request": {"userAttributes": {"x": [1]}}}));
        assert!(bad.request_map("userAttributes").is_err());
        let bad = event(json!({"request": {"userAttributes": "email=a"}}));
        assert!(bad.request_map("userAttributes").is_err());
    }

    #[test]
    fn version_zero_and_numbers_are_read() {
        assert_eq!(
            event(json!({"version": "0"})).version().as_deref(),
            Some("0")
        );
        assert_eq!(event(json!({"version": 1})).version().as_deref(), Some("1"));
        assert_eq!(event(json!({"version": null})).version(), None);
    }

    #[test]
    fn set_response_keeps_unknown_fields_and_replaces_null() {
        let mut e = event(json!({"extra": {"keep": 1}, "response": null}));
        let mut fields = Map::new();
        fields.insert("autoConfirmUser".into(), json!(true));
        e.set_response(fields);
        let v = e.into_value();
        assert_eq!(v["extra"]["keep"], 1);
        assert_eq!(v["response"]["autoConfirmUser"], true);

        let mut e = event(json!({"response": {"other": "x", "autoConfirmUser": null}}));
        let mut fields = Map::new();
        fields.insert("autoConfirmUser".into(), json!(false));
        e.set_response(fields);
        let v = e.into_value();
        assert_eq!(v["response"]["other"], "x");
        assert_eq!(v["response"]["autoConfirmUser"], false);
    }

    #[test]
    fn client_id_survives_odd_caller_contexts() {
        assert_eq!(
            event(json!({"callerContext": {"clientId": "abc"}})).client_id(),
            Some("abc")
        );
        assert_eq!(event(json!({"callerContext": null})).client_id(), None);
        assert_eq!(event(json!({"callerContext": "x"})).client_id(), None);
    }
}
