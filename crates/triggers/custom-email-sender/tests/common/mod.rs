#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use code_sender::CodeReader;
use custom_email_sender::{handler, Config, Event};
use mailer::Mailer;
use serde_json::Value;
use test_support::kms::SAMPLE_KEY_ARN;
use trigger_core::{TriggerError, Vars};

pub const FROM: &str = "Acme Notes <no-reply@acme.example>";

/// The configuration of the tests, with `extra` variables over it.
pub fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        ("KMS_KEY_ARN", SAMPLE_KEY_ARN),
        ("EMAIL_FROM_ADDRESS", FROM),
        ("APP_NAME", "Acme Notes"),
        ("SUPPORT_EMAIL", "support@acme.example"),
    ];
    vars.extend_from_slice(extra);
    Config::from_vars(&Vars::from_pairs(vars)).expect("test configuration")
}

/// One invocation, as Lambda makes it: JSON in, JSON (or the error) out.
pub async fn handle<R: CodeReader, M: Mailer>(
    config: &Config,
    codes: &R,
    mailer: &M,
    event: Value,
) -> Result<Value, TriggerError> {
    test_support::answer(
        |e: lambda_runtime::LambdaEvent<Event>| handler(config, codes, mailer, e),
        event,
    )
    .await
}
