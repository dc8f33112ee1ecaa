//! What two or more Cognito triggers in this workspace really share: the event
//! envelope, the error type, configuration helpers, log set-up and redaction.
//!
//! No SDK clients, no per-trigger rules and no templates live here.

pub mod config;
pub mod error;
pub mod event;
pub mod logging;
pub mod redact;
pub mod values;

pub use config::{ConfigError, Vars};
pub use error::TriggerError;
pub use event::CognitoEvent;

#[cfg(feature = "aws")]
pub mod aws;

#[cfg(feature = "testing")]
pub mod testing;

/// What every trigger binary does first: set up logging (capping `caps`, see
/// [`logging::init_tracing_capped`]) and read its configuration, logging why it
/// refuses to start.
pub fn start<C>(
    caps: &[&str],
    config: impl FnOnce() -> Result<C, ConfigError>,
) -> Result<C, ConfigError> {
    logging::init_tracing_capped(caps);
    config().inspect_err(|e| tracing::error!(error = %e, "refusing to start"))
}

/// Serves Lambda invocations with `handler` until the runtime stops.
pub async fn serve<F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(lambda_runtime::LambdaEvent<serde_json::Value>) -> Fut,
    Fut: std::future::Future<Output = Result<serde_json::Value, TriggerError>>,
{
    lambda_runtime::run(lambda_runtime::service_fn(handler)).await
}
