//! Typed Cognito events.
//!
//! Handlers take and return the `aws_lambda_events` type of their trigger, built with
//! the `catch-all-fields` feature: a field a type does not know is kept in its `other`
//! map and goes back to Cognito untouched. Real and emulated user pools send shapes
//! those types reject; [`normalise`] rewrites each of them before typed decoding, one
//! documented rule per shape, each pinned by a test (`tests/upstream_gaps.rs`) that
//! fails the day `aws_lambda_events` reads the shape itself. Where the crate has no
//! type at all (client-credentials tokens), [`token`] defines one in its style.

pub mod federation;
pub mod normalise;
pub mod sender;
pub mod token;

use serde::de::{DeserializeOwned, IntoDeserializer};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{ErrorKind, TriggerError};

pub use aws_lambda_events::event::cognito::{
    ClaimsAndScopeOverrideDetailsV2, ClaimsOverrideDetails, CognitoAccessTokenGenerationV2,
    CognitoEventUserPoolsCallerContext, CognitoEventUserPoolsChallengeResult,
    CognitoEventUserPoolsCreateAuthChallenge, CognitoEventUserPoolsCustomMessage,
    CognitoEventUserPoolsCustomMessageTriggerSource, CognitoEventUserPoolsDefineAuthChallenge,
    CognitoEventUserPoolsHeader, CognitoEventUserPoolsMigrateUser,
    CognitoEventUserPoolsMigrateUserResponse, CognitoEventUserPoolsMigrateUserTriggerSource,
    CognitoEventUserPoolsPostAuthentication, CognitoEventUserPoolsPostConfirmation,
    CognitoEventUserPoolsPostConfirmationTriggerSource, CognitoEventUserPoolsPreAuthentication,
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsPreSignupTriggerSource,
    CognitoEventUserPoolsPreTokenGen, CognitoEventUserPoolsPreTokenGenTriggerSource,
    CognitoEventUserPoolsPreTokenGenV2, CognitoEventUserPoolsVerifyAuthChallenge,
    CognitoIdTokenGenerationV2, GroupConfiguration,
};
pub use federation::{
    CognitoEventUserPoolsInboundFederation, CognitoEventUserPoolsInboundFederationTriggerSource,
    ProviderType,
};
pub use sender::{
    CognitoEventUserPoolsCustomEmailSender, CognitoEventUserPoolsCustomEmailSenderTriggerSource,
    CognitoEventUserPoolsCustomSmsSender, CognitoEventUserPoolsCustomSmsSenderTriggerSource,
};
pub use token::PreTokenGenerationEvent;

/// An event a trigger handler takes and returns.
///
/// An invocation reads it in one of two ways, both giving the same value:
/// [`read_direct`](Self::read_direct) straight from the event's JSON text, for an
/// event already in the shape the type reads (every event Cognito sends, in the
/// samples); otherwise [`decode`](Self::decode), the JSON value with the normalising
/// rules applied. A rule only ever rewrites a shape the type refuses (or one it reads
/// the same way), so an event the direct read accepts is one no rule would change;
/// `tests/direct_read.rs` holds both ways to the same answer on every sample and on
/// mutated ones.
pub trait TriggerEvent: Sized + Serialize {
    /// What every trigger source of this trigger starts with (`PreSignUp_`).
    const SOURCE_PREFIX: &'static str;

    /// The event read straight from its JSON text, or `None` when it needs the
    /// normalising step (or cannot be read at all: [`decode`](Self::decode) then says
    /// why). A `Some` has a trigger source this type reads.
    fn read_direct(json: &str) -> Option<Self>;

    /// Fails unless the event names a trigger source this type reads.
    fn check_source(event: &Map<String, Value>) -> Result<(), TriggerError>;

    /// Rewrites, in place, the shapes this type rejects (see [`normalise`]).
    fn normalise(event: &mut Map<String, Value>);

    /// Reads a normalised event.
    fn read(event: &Map<String, Value>) -> Result<Self, TriggerError>;

    /// The whole event, as Cognito wants it back.
    fn encode(self) -> Result<Value, TriggerError> {
        encode_typed(self)
    }

    /// The whole event as JSON text, for the runtime to send as it is.
    fn encode_json(&self) -> Result<Box<RawValue>, TriggerError> {
        serde_json::value::to_raw_value(self).map_err(encode_failed)
    }

    /// [`check_source`](Self::check_source), [`normalise`](Self::normalise), then
    /// [`read`](Self::read).
    fn decode(event: &mut Map<String, Value>) -> Result<Self, TriggerError> {
        Self::check_source(event)?;
        Self::normalise(event);
        Self::read(event)
    }

    /// An event whose text is JSON but not JSON a [`Value`] can hold (nested deeper
    /// than serde_json's 128 levels): `error` by default; [`Lenient`] keeps it to
    /// give back as it came.
    fn unparsable(_json: &str, error: TriggerError) -> Result<Self, TriggerError> {
        Err(error)
    }
}

/// For triggers that answer an event they cannot read rather than fail: post
/// authentication and post confirmation must never fail the user's action, and
/// custom message leaves a message kind newer than this build to Cognito. An event of
/// this trigger (its source starts with the trigger's prefix) that the type cannot
/// read, or whose source the type does not know yet, arrives as
/// [`Lenient::Unreadable`] for the handler to decide. A source of another trigger is
/// still an error.
#[derive(Debug)]
pub enum Lenient<E> {
    Read(E),
    Unreadable {
        /// The event as received, after the normalising rules; for an event too deep
        /// to be read as a value, only its top-level fields that can be.
        event: Map<String, Value>,
        error: TriggerError,
        /// The event's text, when it could not be read as a value at all: the
        /// answer is this text, unchanged.
        verbatim: Option<Box<RawValue>>,
    },
}

impl<E: TriggerEvent> TriggerEvent for Lenient<E> {
    const SOURCE_PREFIX: &'static str = E::SOURCE_PREFIX;

    fn check_source(event: &Map<String, Value>) -> Result<(), TriggerError> {
        let source = trigger_source(event)?;
        if source.starts_with(E::SOURCE_PREFIX) {
            Ok(())
        } else {
            Err(TriggerError::unsupported_source(source))
        }
    }

    fn read_direct(json: &str) -> Option<Self> {
        E::read_direct(json).map(Self::Read)
    }

    fn normalise(event: &mut Map<String, Value>) {
        E::normalise(event);
    }

    fn read(event: &Map<String, Value>) -> Result<Self, TriggerError> {
        match E::check_source(event).and_then(|()| E::read(event)) {
            Ok(typed) => Ok(Self::Read(typed)),
            Err(error) => Ok(Self::Unreadable {
                event: event.clone(),
                error,
                verbatim: None,
            }),
        }
    }

    /// An event of this trigger nested too deep to be read as a value is kept as its
    /// text, with its top-level fields that can be read (the trigger source, the pool,
    /// the caller) for the handler to log and count.
    fn unparsable(json: &str, error: TriggerError) -> Result<Self, TriggerError> {
        // A RawValue is checked without a depth limit; anything that is not JSON
        // text, or not an object, stays the error it was.
        let Ok(verbatim) = RawValue::from_string(json.to_owned()) else {
            return Err(error);
        };
        type Fields = std::collections::BTreeMap<String, Box<RawValue>>;
        let Ok(fields) = serde_json::from_str::<Fields>(json) else {
            return Err(error);
        };
        let event: Map<String, Value> = fields
            .into_iter()
            .filter_map(|(name, raw)| Some((name, serde_json::from_str(raw.get()).ok()?)))
            .collect();
        Self::check_source(&event)?;
        Ok(Self::Unreadable {
            event,
            error,
            verbatim: Some(verbatim),
        })
    }
}

/// A read event as its type writes it; an unreadable one as it was received.
impl<E: Serialize> Serialize for Lenient<E> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Read(typed) => typed.serialize(serializer),
            Self::Unreadable {
                verbatim: Some(text),
                ..
            } => text.serialize(serializer),
            Self::Unreadable { event, .. } => event.serialize(serializer),
        }
    }
}

/// Decodes a whole event (any JSON value) into `E` through the normalising step,
/// for tests that call handlers directly.
pub fn decode<E: TriggerEvent>(payload: Value) -> Result<E, TriggerError> {
    let mut event = into_object(payload)?;
    E::decode(&mut event)
}

/// Decodes an event from its JSON text, as [`crate::answer`] does before calling a
/// handler: [`TriggerEvent::read_direct`], else the JSON value through the normalising
/// step.
pub fn decode_json<E: TriggerEvent>(json: &str) -> Result<E, TriggerError> {
    if let Some(event) = E::read_direct(json) {
        return Ok(event);
    }
    let payload: Value = match serde_json::from_str(json) {
        Ok(payload) => payload,
        Err(e) => {
            let error = TriggerError::malformed(format!(
                "the event is not JSON this function reads: {}",
                without_values(&e.to_string())
            ));
            return E::unparsable(json, error);
        }
    };
    decode(payload)
}

/// The event as `E` reads it after the normalising rules (any other JSON is kept as
/// it is): what an answer is compared with.
pub fn normalised<E: TriggerEvent>(payload: Value) -> Value {
    match payload {
        Value::Object(mut event) => {
            E::normalise(&mut event);
            Value::Object(event)
        }
        other => other,
    }
}

/// The event's JSON object; anything else is a malformed event.
pub fn into_object(payload: Value) -> Result<Map<String, Value>, TriggerError> {
    match payload {
        Value::Object(event) => Ok(event),
        other => Err(TriggerError::malformed(format!(
            "event is a JSON {}, not an object",
            json_kind(&other)
        ))),
    }
}

/// `triggerSource`, which every Cognito event carries, as text.
pub fn trigger_source(event: &Map<String, Value>) -> Result<&str, TriggerError> {
    match event.get("triggerSource") {
        Some(Value::String(source)) => Ok(source),
        Some(other) => Err(TriggerError::malformed(format!(
            "triggerSource is a JSON {}, not a string",
            json_kind(other)
        ))),
        None => Err(TriggerError::malformed("event has no triggerSource")),
    }
}

/// Fails unless `triggerSource` is one the enum `S` reads.
pub fn check_source_is<S: DeserializeOwned>(
    event: &Map<String, Value>,
) -> Result<(), TriggerError> {
    let source = trigger_source(event)?;
    let read: Result<S, serde::de::value::Error> = S::deserialize(source.into_deserializer());
    match read {
        Ok(_) => Ok(()),
        Err(_) => Err(TriggerError::unsupported_source(source)),
    }
}

/// Reads a normalised event into its type. The error names the field that could not
/// be read and what was wrong with it, never the value itself (it may be personal
/// data or a password). Fields are tracked only to describe a failure: the read that
/// succeeds, every invocation's, goes straight to serde.
pub fn read_typed<T: DeserializeOwned>(event: &Map<String, Value>) -> Result<T, TriggerError> {
    T::deserialize(event).map_err(|_| {
        let detail = match serde_path_to_error::deserialize::<_, T>(event) {
            Err(e) => format!("{}: {}", e.path(), without_values(&e.inner().to_string())),
            Ok(_) => "the event could not be read".to_owned(),
        };
        TriggerError::malformed(detail)
    })
}

/// The event as JSON, for Cognito.
pub fn encode_typed<T: Serialize>(event: T) -> Result<Value, TriggerError> {
    serde_json::to_value(event).map_err(encode_failed)
}

fn encode_failed(e: serde_json::Error) -> TriggerError {
    TriggerError::internal(ErrorKind::EncodeFailed, without_values(&e.to_string()))
}

/// A serde message without the value it quotes: `invalid type: string "hunter2",
/// expected a boolean` becomes `invalid type (string), expected a boolean`.
pub fn without_values(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let kind = rest.split([' ', ',']).next().unwrap_or_default();
            let expected = rest
                .rsplit_once(", expected ")
                .map(|(_, e)| format!(", expected {e}"))
                .unwrap_or_default();
            return format!("{} ({kind}){expected}", &prefix[..prefix.len() - 2]);
        }
    }
    if message.starts_with("missing field ") {
        return message.to_owned();
    }
    if message.starts_with("unknown variant") {
        return "unknown variant".to_owned();
    }
    match message.find(['"', '`']) {
        Some(cut) => format!("{}…", &message[..cut]),
        None => message.to_owned(),
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

/// `Option<T>` read as `T`, `null` as the default (for types defined here).
pub(crate) fn nullish<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    Ok(<Option<T> as serde::Deserialize>::deserialize(deserializer)?.unwrap_or_default())
}

/// `T` read straight from JSON text, or `None` (see [`TriggerEvent::read_direct`]).
pub fn read_direct_typed<T: DeserializeOwned>(json: &str) -> Option<T> {
    serde_json::from_str(json).ok()
}

/// `TriggerEvent` for an `aws_lambda_events` user-pool event: its trigger-source
/// enum, then the envelope and string-map rules, then the type's own rules.
macro_rules! user_pool_event {
    ($event:ty, $source:ty, $prefix:literal, [$($rule:expr),* $(,)?]) => {
        impl TriggerEvent for $event {
            const SOURCE_PREFIX: &'static str = $prefix;

            fn read_direct(json: &str) -> Option<Self> {
                // The header reads a missing or null source as `None`; the
                // normalising path refuses that event, so this read leaves it there.
                read_direct_typed::<Self>(json)
                    .filter(|e| e.cognito_event_user_pools_header.trigger_source.is_some())
            }

            fn check_source(event: &Map<String, Value>) -> Result<(), TriggerError> {
                check_source_is::<$source>(event)
            }

            fn normalise(event: &mut Map<String, Value>) {
                normalise::envelope(event);
                $( $rule(event); )*
            }

            fn read(event: &Map<String, Value>) -> Result<Self, TriggerError> {
                read_typed(event)
            }
        }
    };
}

user_pool_event!(
    CognitoEventUserPoolsPreSignup,
    CognitoEventUserPoolsPreSignupTriggerSource,
    "PreSignUp_",
    [
        normalise::request_string_maps,
        normalise::presignup_response
    ]
);
user_pool_event!(
    CognitoEventUserPoolsCustomMessage,
    CognitoEventUserPoolsCustomMessageTriggerSource,
    "CustomMessage_",
    // userAttributes are read as any JSON value by this type.
    [normalise::client_metadata]
);
user_pool_event!(
    CognitoEventUserPoolsPostAuthentication,
    aws_lambda_events::event::cognito::CognitoEventUserPoolsPostAuthenticationTriggerSource,
    "PostAuthentication_",
    [normalise::request_string_maps, normalise::new_device_used]
);
user_pool_event!(
    CognitoEventUserPoolsMigrateUser,
    CognitoEventUserPoolsMigrateUserTriggerSource,
    "UserMigration_",
    [normalise::request_string_maps]
);
user_pool_event!(
    CognitoEventUserPoolsPostConfirmation,
    CognitoEventUserPoolsPostConfirmationTriggerSource,
    "PostConfirmation_",
    [normalise::request_string_maps]
);
user_pool_event!(
    CognitoEventUserPoolsPreAuthentication,
    aws_lambda_events::event::cognito::CognitoEventUserPoolsPreAuthenticationTriggerSource,
    "PreAuthentication_",
    // `userNotFound` is not in the type: it is kept in `request.other`.
    [normalise::request_string_maps]
);

user_pool_event!(
    CognitoEventUserPoolsCustomEmailSender,
    CognitoEventUserPoolsCustomEmailSenderTriggerSource,
    "CustomEmailSender_",
    [normalise::request_string_maps]
);
user_pool_event!(
    CognitoEventUserPoolsCustomSmsSender,
    CognitoEventUserPoolsCustomSmsSenderTriggerSource,
    "CustomSMSSender_",
    [normalise::request_string_maps]
);
// The custom authentication challenges: `userNotFound` and `session` are in the types.
user_pool_event!(
    CognitoEventUserPoolsDefineAuthChallenge,
    aws_lambda_events::event::cognito::CognitoEventUserPoolsDefineAuthChallengeTriggerSource,
    "DefineAuthChallenge_",
    [normalise::request_string_maps]
);
user_pool_event!(
    CognitoEventUserPoolsCreateAuthChallenge,
    aws_lambda_events::event::cognito::CognitoEventUserPoolsCreateAuthChallengeTriggerSource,
    "CreateAuthChallenge_",
    [normalise::request_string_maps]
);
user_pool_event!(
    CognitoEventUserPoolsVerifyAuthChallenge,
    aws_lambda_events::event::cognito::CognitoEventUserPoolsVerifyAuthChallengeTriggerSource,
    "VerifyAuthChallengeResponse_",
    [normalise::request_string_maps]
);
user_pool_event!(
    CognitoEventUserPoolsInboundFederation,
    CognitoEventUserPoolsInboundFederationTriggerSource,
    "InboundFederation_",
    []
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serde_messages_lose_the_values_they_quote() {
        assert_eq!(
            without_values("invalid type: string \"hunter2\", expected a boolean"),
            "invalid type (string), expected a boolean"
        );
        assert_eq!(
            without_values("invalid value: integer `123456`, expected u8"),
            "invalid value (integer), expected u8"
        );
        assert_eq!(
            without_values("missing field `autoConfirmUser`"),
            "missing field `autoConfirmUser`"
        );
        assert_eq!(
            without_values("unknown variant `Secret_Source`, expected one of `A`"),
            "unknown variant"
        );
        assert_eq!(without_values("odd \"secret\" here"), "odd …");
    }

    #[test]
    fn a_read_error_names_the_field_not_the_value() {
        let mut event = into_object(json!({
            "triggerSource": "UserMigration_Authentication",
            "userName": "olivia",
            "request": {"password": 12345678},
        }))
        .unwrap();
        let err = CognitoEventUserPoolsMigrateUser::decode(&mut event).unwrap_err();
        let TriggerError::Internal { kind, detail } = &err else {
            panic!("expected an internal error, got {err:?}");
        };
        assert_eq!(*kind, ErrorKind::MalformedEvent);
        assert!(
            detail.starts_with("request.password: invalid type"),
            "{detail}"
        );
        assert!(!detail.contains("12345678"), "{detail}");
    }

    #[test]
    fn sources_of_another_trigger_and_odd_sources_are_refused_clearly() {
        let kind = |event: Value| decode::<CognitoEventUserPoolsPreSignup>(event).unwrap_err();
        assert_eq!(
            kind(json!({"triggerSource": "PostConfirmation_ConfirmSignUp"})).kind(),
            Some(ErrorKind::UnsupportedTriggerSource)
        );
        assert_eq!(
            kind(json!({"triggerSource": 7})).kind(),
            Some(ErrorKind::MalformedEvent)
        );
        assert_eq!(kind(json!({})).kind(), Some(ErrorKind::MalformedEvent));
        assert_eq!(kind(json!([1])).kind(), Some(ErrorKind::MalformedEvent));
    }

    #[test]
    fn lenient_events_keep_what_they_cannot_read() {
        let event = json!({
            "triggerSource": "PostAuthentication_Authentication",
            "request": {"userAttributes": {"email": ["a", "b"]}},
        });
        match decode::<Lenient<CognitoEventUserPoolsPostAuthentication>>(event).unwrap() {
            Lenient::Unreadable { event, error, .. } => {
                assert_eq!(
                    event["request"]["userAttributes"]["email"],
                    json!(["a", "b"])
                );
                assert_eq!(error.kind(), Some(ErrorKind::MalformedEvent));
            }
            Lenient::Read(_) => panic!("an array attribute cannot be read"),
        }
        // A source of this trigger newer than the type is unreadable, not an error.
        let newer = json!({"triggerSource": "PostAuthentication_Passkey"});
        match decode::<Lenient<CognitoEventUserPoolsPostAuthentication>>(newer).unwrap() {
            Lenient::Unreadable { error, .. } => {
                assert_eq!(error.kind(), Some(ErrorKind::UnsupportedTriggerSource));
            }
            Lenient::Read(_) => panic!("the type does not know that source"),
        }
        // Another trigger's event is still an error.
        let other = json!({"triggerSource": "PreSignUp_SignUp"});
        assert!(decode::<Lenient<CognitoEventUserPoolsPostAuthentication>>(other).is_err());
    }

    /// `levels` nested arrays in `request.clientMetadata` of an event of `source`.
    fn nested(source: &str, levels: usize) -> String {
        format!(
            r#"{{"version":"1","triggerSource":"{source}","userPoolId":"eu-west-1_Xq8LmN3pR","callerContext":{{"clientId":"web"}},"request":{{"userAttributes":{{}},"clientMetadata":{{"deep":{}{}}}}},"response":{{}}}}"#,
            "[".repeat(levels),
            "]".repeat(levels)
        )
    }

    #[test]
    fn a_lenient_event_too_deep_for_a_value_is_given_back_as_it_came() {
        type Lenient = super::Lenient<CognitoEventUserPoolsPostAuthentication>;
        for levels in [128, 129, 100_000] {
            let text = nested("PostAuthentication_Authentication", levels);
            let read = decode_json::<Lenient>(&text).unwrap();
            match &read {
                super::Lenient::Unreadable {
                    event,
                    error,
                    verbatim,
                } => {
                    assert_eq!(error.kind(), Some(ErrorKind::MalformedEvent));
                    assert_eq!(
                        event["userPoolId"], "eu-west-1_Xq8LmN3pR",
                        "top-level fields read"
                    );
                    assert!(!event.contains_key("request"), "the deep field is not");
                    assert!(verbatim.is_some());
                }
                super::Lenient::Read(_) => panic!("{levels} levels cannot be read"),
            }
            assert_eq!(
                read.encode_json().unwrap().get(),
                text,
                "{levels}: unchanged"
            );
        }
        // A trigger that may fail still says why; another trigger's deep event too.
        let deep = nested("PostAuthentication_Authentication", 200);
        let strict = decode_json::<CognitoEventUserPoolsPostAuthentication>(&deep);
        assert_eq!(
            strict.err().and_then(|e| e.kind()),
            Some(ErrorKind::MalformedEvent)
        );
        assert!(decode_json::<Lenient>(&nested("PreSignUp_SignUp", 200)).is_err());
        assert!(decode_json::<Lenient>("[[[not json").is_err());
    }
}
