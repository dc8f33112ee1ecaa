//! The one error type every handler returns.
//!
//! Cognito shows the message of a failed trigger to the end user
//! (`UserLambdaValidationException: PreSignUp failed with error <message>.`), so only
//! deliberate, safe sentences may reach it. Everything else is logged with its cause
//! and answered with [`GENERIC_MESSAGE`]. Cognito adds a period after the message, so
//! the sentences here end without one.

use std::borrow::Cow;

use lambda_runtime::Diagnostic;

/// The sentence Cognito shows for any failure that is not a deliberate refusal.
pub const GENERIC_MESSAGE: &str = "The request could not be processed. Please try again later";

/// What went wrong inside a trigger: the Lambda `errorType` of the failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The event does not have the shape Cognito sends.
    MalformedEvent,
    /// The trigger source is not one this function handles.
    UnsupportedTriggerSource,
    /// A store or service the decision needs did not answer in time, refused, or
    /// answered with something that cannot be used.
    LookupFailed,
    /// Data found for the user cannot be used (a legacy hash in no known scheme).
    UnusableData,
    /// The answer could not be written as JSON.
    EncodeFailed,
}

impl ErrorKind {
    /// The name reported as the Lambda `errorType`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedEvent => "MalformedEvent",
            Self::UnsupportedTriggerSource => "UnsupportedTriggerSource",
            Self::LookupFailed => "LookupFailed",
            Self::UnusableData => "UnusableData",
            Self::EncodeFailed => "EncodeFailed",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TriggerError {
    /// A deliberate refusal: the sentence is safe to show to the end user.
    #[error("{0}")]
    User(Cow<'static, str>),
    /// Anything else. `kind` becomes the Lambda `errorType`, `detail` is logged;
    /// neither reaches the end user.
    #[error("{GENERIC_MESSAGE}")]
    Internal { kind: ErrorKind, detail: String },
}

impl TriggerError {
    /// A refusal whose sentence the user will read (without a final period:
    /// Cognito adds one).
    pub fn user(sentence: impl Into<Cow<'static, str>>) -> Self {
        Self::User(sentence.into())
    }

    /// An internal failure. `detail` must never hold a secret: it goes to the log.
    pub fn internal(kind: ErrorKind, detail: impl Into<String>) -> Self {
        Self::Internal {
            kind,
            detail: detail.into(),
        }
    }

    /// The event does not have the shape Cognito sends.
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::internal(ErrorKind::MalformedEvent, detail)
    }

    /// The trigger source is not one this function handles.
    pub fn unsupported_source(source: &str) -> Self {
        let shown: String = source.chars().take(80).collect();
        Self::internal(
            ErrorKind::UnsupportedTriggerSource,
            format!("trigger source {shown:?} is not handled by this function"),
        )
    }

    /// What Cognito will show the user.
    pub fn user_message(&self) -> &str {
        match self {
            Self::User(sentence) => sentence,
            Self::Internal { .. } => GENERIC_MESSAGE,
        }
    }

    /// The kind of an internal failure; `None` for a refusal.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            Self::User(_) => None,
            Self::Internal { kind, .. } => Some(*kind),
        }
    }

    /// The Lambda `errorType` reported for this error.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::User(_) => "Refused",
            Self::Internal { kind, .. } => kind.as_str(),
        }
    }
}

/// Turns a handler's error into the Lambda answer, logging it: a refusal at INFO with
/// its sentence, anything else at ERROR with its detail. This is the one place a
/// trigger's failure is logged.
pub fn diagnose(error: TriggerError) -> Diagnostic {
    match &error {
        TriggerError::User(sentence) => {
            tracing::info!(error_type = error.error_type(), refusal = %sentence, "request refused");
        }
        TriggerError::Internal { kind, detail } => {
            tracing::error!(error_type = kind.as_str(), detail = %detail, "request failed");
        }
    }
    Diagnostic {
        error_type: error.error_type().to_owned(),
        error_message: error.user_message().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_refusal_reaches_the_user_verbatim() {
        let d = diagnose(TriggerError::user("Sign-up is closed"));
        assert_eq!(d.error_message, "Sign-up is closed");
        assert_eq!(d.error_type, "Refused");
    }

    #[test]
    fn internal_detail_never_reaches_the_user() {
        let d = diagnose(TriggerError::internal(
            ErrorKind::LookupFailed,
            "table arn:aws:dynamodb:secret-table missing",
        ));
        assert_eq!(d.error_message, GENERIC_MESSAGE);
        assert!(!d.error_message.contains("secret-table"));
        assert_eq!(d.error_type, "LookupFailed");
    }

    #[test]
    fn unsupported_source_is_named_in_the_log_detail_only() {
        let e = TriggerError::unsupported_source("PreSignUp_Teleport");
        let TriggerError::Internal { kind, detail } = &e else {
            panic!("must be internal");
        };
        assert_eq!(*kind, ErrorKind::UnsupportedTriggerSource);
        assert!(detail.contains("PreSignUp_Teleport"));
        assert_eq!(e.user_message(), GENERIC_MESSAGE);
    }

    #[test]
    fn the_generic_sentence_ends_without_a_period_cognito_adds_one() {
        assert!(!GENERIC_MESSAGE.ends_with('.'));
    }
}
