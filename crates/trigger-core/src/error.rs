//! The one error type every handler returns.
//!
//! Cognito shows the message of a failed trigger to the end user
//! (`UserLambdaValidationException: PreSignUp failed with error <message>.`), so only
//! deliberate, safe sentences may reach it. Everything else is logged with its cause
//! and answered with [`GENERIC_MESSAGE`].

use std::borrow::Cow;

use lambda_runtime::Diagnostic;

/// The sentence Cognito shows for any failure that is not a deliberate refusal.
pub const GENERIC_MESSAGE: &str = "The request could not be processed. Please try again later.";

#[derive(Debug, thiserror::Error)]
pub enum TriggerError {
    /// A deliberate refusal: the sentence is safe to show to the end user.
    #[error("{0}")]
    User(Cow<'static, str>),
    /// Anything else. `kind` names the problem (it becomes the Lambda `errorType`),
    /// `detail` is logged; neither reaches the end user.
    #[error("{GENERIC_MESSAGE}")]
    Internal { kind: &'static str, detail: String },
}

impl TriggerError {
    /// A refusal whose sentence the user will read.
    pub fn user(sentence: impl Into<Cow<'static, str>>) -> Self {
        Self::User(sentence.into())
    }

    /// An internal failure. `detail` must never hold a secret: it goes to the log.
    pub fn internal(kind: &'static str, detail: impl Into<String>) -> Self {
        Self::Internal {
            kind,
            detail: detail.into(),
        }
    }

    /// The event does not have the shape Cognito sends.
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::internal("MalformedEvent", detail)
    }

    /// The trigger source is not one this function handles.
    pub fn unsupported_source(source: &str) -> Self {
        let shown: String = source.chars().take(80).collect();
        Self::internal(
            "UnsupportedTriggerSource",
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

    /// The Lambda `errorType` reported for this error.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::User(_) => "Refused",
            Self::Internal { kind, .. } => kind,
        }
    }
}

impl From<TriggerError> for Diagnostic {
    fn from(error: TriggerError) -> Self {
        match &error {
            TriggerError::User(sentence) => {
                tracing::info!(error_type = error.error_type(), refusal = %sentence, "request refused");
            }
            TriggerError::Internal { kind, detail } => {
                tracing::error!(error_type = *kind, detail = %detail, "request failed");
            }
        }
        Diagnostic {
            error_type: error.error_type().to_owned(),
            error_message: error.user_message().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_refusal_reaches_the_user_verbatim() {
        let d: Diagnostic = TriggerError::user("Sign-up is closed.").into();
        assert_eq!(d.error_message, "Sign-up is closed.");
        assert_eq!(d.error_type, "Refused");
    }

    #[test]
    fn internal_detail_never_reaches_the_user() {
        let d: Diagnostic =
            TriggerError::internal("Config", "table arn:aws:dynamodb:secret-table missing").into();
        assert_eq!(d.error_message, GENERIC_MESSAGE);
        assert!(!d.error_message.contains("secret-table"));
        assert_eq!(d.error_type, "Config");
    }

    #[test]
    fn unsupported_source_is_named_in_the_log_detail_only() {
        let e = TriggerError::unsupported_source("PreSignUp_Teleport");
        match &e {
            TriggerError::Internal { kind, detail } => {
                assert_eq!(*kind, "UnsupportedTriggerSource");
                assert!(detail.contains("PreSignUp_Teleport"));
            }
            TriggerError::User(_) => panic!("must be internal"),
        }
        assert_eq!(e.user_message(), GENERIC_MESSAGE);
    }
}
