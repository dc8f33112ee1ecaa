//! What two or more Cognito triggers in this workspace really share: the event
//! envelope, the error type, configuration helpers, log set-up and redaction.
//!
//! No SDK clients, no per-trigger rules and no templates live here.

pub mod config;
pub mod error;
pub mod event;
pub mod logging;
pub mod redact;

pub use config::{ConfigError, Vars};
pub use error::TriggerError;
pub use event::CognitoEvent;

#[cfg(feature = "aws")]
pub mod aws;

#[cfg(feature = "testing")]
pub mod testing;
