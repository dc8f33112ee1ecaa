#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use code_sender::CodeReader;
use custom_sms_sender::{handler, Config, Event, Texter};
use serde_json::Value;
use test_support::kms::SAMPLE_KEY_ARN;
use trigger_core::{TriggerError, Vars};

/// The configuration of the tests, with `extra` variables over it.
pub fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        ("KMS_KEY_ARN", SAMPLE_KEY_ARN),
        ("APP_NAME", "Acme Notes"),
        ("SMS_SENDER_ID", "AcmeNotes"),
    ];
    vars.extend_from_slice(extra);
    Config::from_vars(&Vars::from_pairs(vars)).expect("test configuration")
}

/// One invocation, as Lambda makes it: JSON in, JSON (or the error) out.
pub async fn handle<R: CodeReader, T: Texter>(
    config: &Config,
    codes: &R,
    texter: &T,
    event: Value,
) -> Result<Value, TriggerError> {
    test_support::answer(
        |e: lambda_runtime::LambdaEvent<Event>| handler(config, codes, texter, e),
        event,
    )
    .await
}
