//! The steps both senders take around their own message: read the code within the
//! budget, send within the budget, then log, count and answer what happened.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Map, Value};
use trigger_core::events::CognitoEventUserPoolsHeader;
use trigger_core::TriggerError;

use crate::{Code, CodeReader, SendError};

/// A message that went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `EMAIL` or `SMS`.
    pub channel: &'static str,
    /// The shipped language it was written in.
    pub language: String,
    /// The catalog section it was written from (`sign_up`, `risky_sign_in`, ...).
    pub message: &'static str,
    /// Where it went, masked for the log (`m***@example.com`, `+*********4567`).
    pub to: String,
}

/// The name Cognito gives a trigger source (`CustomEmailSender_SignUp`, ...).
pub fn source_name<S: Serialize>(source: &S) -> String {
    match serde_json::to_value(source) {
        Ok(Value::String(name)) => name,
        _ => String::new(),
    }
}

/// `future` cut off at `budget`: `OutOfTime(what)` when it does not finish.
pub async fn within<T>(
    budget: Duration,
    what: &'static str,
    future: impl Future<Output = Result<T, SendError>>,
) -> Result<T, SendError> {
    let started = Instant::now();
    tokio::time::timeout(budget, future)
        .await
        .map_err(|_| SendError::OutOfTime(what, started.elapsed()))?
}

/// The code of the request (`request.code`), decrypted within `budget` (its KMS
/// calls are each bounded by the KMS client's timeouts too; past the budget the
/// decryption is given up, and its thread ends with those timeouts).
pub async fn read_code<R: CodeReader>(
    codes: &R,
    ciphertext: Option<&str>,
    budget: Duration,
) -> Result<Code, SendError> {
    let ciphertext = ciphertext
        .filter(|c| !c.trim().is_empty())
        .ok_or(SendError::Missing("code"))?;
    within(budget, "the decryption", async {
        Ok(codes.read(ciphertext).await?)
    })
    .await
}

/// Logs and counts one invocation's outcome (`trigger_source`: [`source_name`] of the
/// header's) and turns it into the answer: on success `response` says what went out (Cognito ignores it; `make invoke-*` and the sample
/// answers show it), on failure the error fails the invocation.
///
/// Nothing here can fail once the message went out, so a retried event never sends
/// the code twice because of a step after the send.
pub fn conclude<S>(
    header: &CognitoEventUserPoolsHeader<S>,
    trigger_source: &str,
    response: &mut Map<String, Value>,
    started: Instant,
    outcome: Result<Delivery, SendError>,
) -> Result<(), TriggerError> {
    let labels = [
        (
            "UserPoolId",
            header.user_pool_id.clone().unwrap_or_default(),
        ),
        ("TriggerSource", trigger_source.to_owned()),
    ];
    let ms = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(delivery) => {
            metrics::counter!("MessagesSent", &labels).increment(1);
            tracing::info!(
                trigger_source,
                channel = delivery.channel,
                to = %delivery.to,
                language = %delivery.language,
                message = delivery.message,
                ms,
                "message sent"
            );
            response.insert(
                "delivered".into(),
                json!({"channel": delivery.channel, "language": delivery.language, "message": delivery.message}),
            );
            Ok(())
        }
        Err(error) => {
            let reason = error.reason();
            let mut labels = labels.to_vec();
            labels.push(("Reason", reason.to_owned()));
            metrics::counter!("SendFailures", &labels).increment(1);
            tracing::warn!(trigger_source, failure = reason, ms, "message not sent");
            Err(error.into())
        }
    }
}
