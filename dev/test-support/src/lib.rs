#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

//! What the trigger packages' tests share (a dev-dependency only, as rust-analyzer
//! keeps `test-utils`): the sample events under `events/`, the Cognito fixtures of
//! `aws_lambda_events`, arbitrary JSON and mutated events for the no-panic
//! properties, and (feature `aws`) moto, refused and hanging servers.

pub mod events;
pub mod logs;
pub mod properties;

#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "bench")]
pub mod bench;
#[cfg(feature = "metrics")]
pub mod emf;
#[cfg(feature = "kms")]
pub mod kms;

pub use events::{lost_fields, sample_event, sample_events, upstream_fixtures};
pub use properties::{block_on, check_no_panic};

use std::future::Future;

use lambda_runtime::{Context, LambdaEvent};
use serde_json::Value;
use trigger_core::{TriggerError, TriggerEvent};

/// One invocation as the binary runs it (the event's JSON text decoded, directly or
/// through the normalising step, the handler, the answer as JSON text), with the
/// default `Context` as the cargo-lambda template's tests build it; the answer read
/// back as a JSON value.
pub async fn answer<E, F, Fut>(handler: F, event: Value) -> Result<Value, TriggerError>
where
    E: TriggerEvent,
    F: FnOnce(LambdaEvent<E>) -> Fut,
    Fut: Future<Output = Result<E, TriggerError>>,
{
    let text = serde_json::value::to_raw_value(&event).expect("a JSON value is JSON text");
    let answer = trigger_core::answer(handler, LambdaEvent::new(text, Context::default())).await?;
    Ok(serde_json::from_str(answer.get()).expect("an answer is JSON text"))
}
