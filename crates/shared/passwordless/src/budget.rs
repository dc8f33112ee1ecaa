//! `CUSTOM_AUTH_BUDGET_MS`: one time budget for every remote call of an invocation
//! (the table, KMS, SES, SNS, the bot-check provider), and what happens past it or
//! on any failure: logged, counted, and the sign-in fails closed with Cognito's
//! generic sentence.

use std::future::Future;
use std::time::{Duration, Instant};

use trigger_core::{ErrorKind, TriggerError};

/// The default budget, and the range a setting may take.
pub const DEFAULT_BUDGET: Duration = Duration::from_millis(2000);
pub const BUDGET_RANGE_MS: std::ops::RangeInclusive<u64> = 100..=10_000;

/// A remote step that failed or ran out of time. Its detail never holds a code, a
/// token or a secret (the callers' errors are the SDK's and the provider's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What failed: `table`, `sign`, `email`, `sms`, `bot-check`.
    pub stage: &'static str,
    pub detail: String,
}

impl Failure {
    pub fn new(stage: &'static str, detail: impl std::fmt::Display) -> Self {
        Self {
            stage,
            detail: detail.to_string(),
        }
    }

    /// Counted (`PasswordlessFailures`, by function and stage) and turned into the
    /// error Cognito answers with its generic sentence; the detail goes to the log
    /// once, through `trigger_core::error::diagnose`.
    pub fn into_error(self, function: &'static str) -> TriggerError {
        metrics::counter!(
            "PasswordlessFailures",
            "function" => function,
            "stage" => self.stage
        )
        .increment(1);
        TriggerError::internal(
            ErrorKind::LookupFailed,
            format!("{}: {}", self.stage, self.detail),
        )
    }
}

/// The invocation's deadline.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
}

impl Deadline {
    pub fn after(budget: Duration) -> Self {
        Self {
            at: Instant::now() + budget,
        }
    }

    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// `call` cut off at the deadline.
    pub async fn run<T, E: std::fmt::Display>(
        &self,
        stage: &'static str,
        call: impl Future<Output = Result<T, E>>,
    ) -> Result<T, Failure> {
        match tokio::time::timeout(self.remaining(), call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(Failure::new(stage, e)),
            Err(_) => Err(Failure::new(
                stage,
                "no answer within CUSTOM_AUTH_BUDGET_MS",
            )),
        }
    }
}

/// Waits until `floor` has passed since `started`: the answers that may or may not
/// have sent something take the same time either way.
pub async fn pad_to(started: Instant, floor: Duration) {
    let left = floor.saturating_sub(started.elapsed());
    if !left.is_zero() {
        tokio::time::sleep(left).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_past_the_deadline_is_cut_off() {
        let deadline = Deadline::after(Duration::from_millis(50));
        let started = Instant::now();
        let out = deadline
            .run("table", std::future::pending::<Result<(), String>>())
            .await;
        assert_eq!(out.unwrap_err().stage, "table");
        assert!(started.elapsed() < Duration::from_millis(500));
        let failed = deadline
            .run("sign", async { Err::<(), _>("refused") })
            .await;
        assert_eq!(failed.unwrap_err().detail, "refused");
    }

    #[tokio::test]
    async fn padding_waits_only_for_what_is_left() {
        let started = Instant::now();
        pad_to(started, Duration::from_millis(60)).await;
        assert!(started.elapsed() >= Duration::from_millis(60));
        let late = Instant::now() - Duration::from_millis(100);
        let before = Instant::now();
        pad_to(late, Duration::from_millis(60)).await;
        assert!(before.elapsed() < Duration::from_millis(20));
    }
}
