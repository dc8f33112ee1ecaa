//! What two or more Cognito triggers in this workspace really share: typed events
//! with their normalising step, the error type, configuration helpers, log set-up,
//! redaction and a few value checks.
//!
//! No SDK clients, no per-trigger rules, no templates and no test support live here.

pub mod config;
pub mod error;
pub mod events;
pub mod logging;
pub mod redact;
pub mod time;
pub mod values;

pub use config::{ConfigError, Problems, Vars};
pub use error::{ErrorKind, TriggerError};
pub use events::{Lenient, TriggerEvent};

#[cfg(feature = "aws")]
pub mod adapters;
#[cfg(feature = "aws")]
pub use adapters::aws;
#[cfg(feature = "metrics")]
pub mod emf;

use std::future::Future;

use lambda_runtime::LambdaEvent;
use serde_json::value::RawValue;

/// What every trigger binary does first: set up logging (with the libraries' targets
/// that would log secrets capped, [`logging::SECRET_CAPS`]) and read its
/// configuration, logging why it refuses to start.
pub fn start<C>(config: impl FnOnce() -> Result<C, ConfigError>) -> Result<C, ConfigError> {
    logging::init_tracing();
    config().inspect_err(|e| tracing::error!(error = %e, "refusing to start"))
}

/// One invocation: the event's JSON text (as the runtime received it) decoded into
/// `E` (see [`events::decode_json`]), the handler, and its answer as JSON text for
/// the runtime to send to Cognito.
pub async fn answer<E, F, Fut>(
    handler: F,
    event: LambdaEvent<Box<RawValue>>,
) -> Result<Box<RawValue>, TriggerError>
where
    E: TriggerEvent,
    F: FnOnce(LambdaEvent<E>) -> Fut,
    Fut: Future<Output = Result<E, TriggerError>>,
{
    let LambdaEvent { payload, context } = event;
    let typed = events::decode_json::<E>(payload.get())?;
    // Sizes only: the event itself is never logged, at any level.
    tracing::trace!(event_bytes = payload.get().len(), "event read");
    drop(payload);
    let answer = handler(LambdaEvent::new(typed, context))
        .await?
        .encode_json()?;
    tracing::trace!(answer_bytes = answer.get().len(), "answer written");
    Ok(answer)
}

/// Serves Lambda invocations with `handler` until the runtime stops. A failure is
/// logged and answered as [`error::diagnose`] says.
pub async fn serve<E, F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    E: TriggerEvent,
    F: Fn(LambdaEvent<E>) -> Fut,
    Fut: Future<Output = Result<E, TriggerError>>,
{
    let handler = &handler;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: LambdaEvent<Box<RawValue>>| {
            // Boxed: the runtime's layers, the decoding step and the handler otherwise
            // nest into one future type deeper than the compiler's layout limit.
            Box::pin(async move { answer(handler, event).await.map_err(error::diagnose) })
        },
    ))
    .await
}
