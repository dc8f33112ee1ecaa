//! What the test files of this package share.

use std::time::SystemTime;

use mailer::Mailer;
use post_authentication::ports::{AlertLedger, LoginRecorder};
use post_authentication::{sign_in_steps, Config, Report};
use serde_json::Value;
use trigger_core::events::decode;

/// The steps of one invocation, with the request id Lambda gives it, at `now`.
pub async fn steps_at<R: LoginRecorder + AlertLedger, M: Mailer>(
    config: &Config,
    recorder: &R,
    mailer: &M,
    event: &Value,
    request_id: &str,
    now: SystemTime,
) -> Report {
    let event = decode(event.clone()).expect("a readable sample event");
    sign_in_steps(
        config,
        Some(recorder),
        Some(mailer),
        &event,
        request_id,
        now,
    )
    .await
}

/// The steps of one invocation, now.
pub async fn steps<R: LoginRecorder + AlertLedger, M: Mailer>(
    config: &Config,
    recorder: &R,
    mailer: &M,
    event: &Value,
    request_id: &str,
) -> Report {
    steps_at(
        config,
        recorder,
        mailer,
        event,
        request_id,
        SystemTime::now(),
    )
    .await
}
