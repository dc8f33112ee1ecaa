#![doc = include_str!("../README.md")]

pub mod adapters;
pub mod code;
pub mod delivery;
pub mod ports;
pub mod settings;

pub use adapters::{start, KmsCodes, Started, MAX_CIPHERTEXT_CHARS, MAX_DATA_KEYS};
pub use code::Code;
pub use delivery::{conclude, read_code, source_name, within, Delivery};
#[cfg(any(test, feature = "fakes"))]
pub use ports::InMemoryCodes;
pub use ports::{CodeReader, DecryptError};
pub use settings::SenderSettings;

use std::time::Duration;

use message_templates::MessageKind;
use trigger_core::{ErrorKind, TriggerError};

/// Why a message was not sent. Every one fails the invocation (Cognito does not send
/// anything itself when a custom sender is configured, and Lambda retries a failed
/// asynchronous event): none of them can happen after the message went out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The event lacks what the message needs (`code`, `email`, `phone_number`).
    #[error("the event has no usable {0}")]
    Missing(&'static str),
    #[error(transparent)]
    Decrypt(#[from] DecryptError),
    #[error("message not rendered: {0}")]
    Render(String),
    /// The provider refused the message, failed, or did not answer.
    #[error("message not sent: {0}")]
    Send(String),
    /// The budget ran out before `0` finished.
    #[error("out of time ({0}) after {1:?}")]
    OutOfTime(&'static str, Duration),
}

impl SendError {
    /// The name counted in the `SendFailures` metric and logged as `failure`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Missing(_) => "MissingField",
            Self::Decrypt(DecryptError::Refused(_)) => "DecryptRefused",
            Self::Decrypt(_) => "CodeUnreadable",
            Self::Render(_) => "RenderFailed",
            Self::Send(_) => "SendFailed",
            Self::OutOfTime(..) => "OutOfTime",
        }
    }
}

impl From<SendError> for TriggerError {
    fn from(error: SendError) -> Self {
        let kind = match &error {
            SendError::Missing(_) => ErrorKind::MalformedEvent,
            SendError::Decrypt(DecryptError::Refused(_)) => ErrorKind::LookupFailed,
            SendError::Decrypt(_) | SendError::Render(_) => ErrorKind::UnusableData,
            SendError::Send(_) | SendError::OutOfTime(..) => ErrorKind::LookupFailed,
        };
        TriggerError::internal(kind, error.to_string())
    }
}

/// The texts of a code-carrying message for a sender's trigger source
/// (`CustomEmailSender_SignUp`, `CustomSMSSender_ForgotPassword`, ...): the kind of
/// `CustomMessage_` message with the same ending, so the same catalogs custom-message
/// writes from. `None` for a source that carries no code.
pub fn message_kind(trigger_source: &str) -> Option<MessageKind> {
    let (_, ending) = trigger_source.split_once('_')?;
    MessageKind::ALL
        .into_iter()
        .find(|k| k.trigger_source().strip_prefix("CustomMessage_") == Some(ending))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_carrying_source_has_the_texts_of_its_custom_message_twin() {
        assert_eq!(
            message_kind("CustomEmailSender_SignUp"),
            Some(MessageKind::SignUp)
        );
        assert_eq!(
            message_kind("CustomSMSSender_AdminCreateUser"),
            Some(MessageKind::AdminCreateUser)
        );
        assert_eq!(
            message_kind("CustomEmailSender_Authentication"),
            Some(MessageKind::Authentication)
        );
        assert_eq!(
            message_kind("CustomEmailSender_AccountTakeOverNotification"),
            None
        );
        assert_eq!(message_kind("SignUp"), None);
    }
}
