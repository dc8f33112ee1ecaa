//! Keeping AWS SDK calls inside a trigger's time budget (feature `aws`).

use std::time::Duration;

/// SDK settings that keep one call inside `budget`: a connect timeout and a
/// per-attempt timeout of half the budget, a whole-operation timeout of the budget,
/// and two attempts at most. Callers still cut the call off at the budget.
pub fn within_budget(
    loader: aws_config::ConfigLoader,
    budget: Duration,
) -> aws_config::ConfigLoader {
    use aws_config::retry::RetryConfig;
    use aws_config::timeout::TimeoutConfig;
    loader
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(budget / 2)
                .operation_attempt_timeout(budget / 2)
                .operation_timeout(budget)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(2))
}

/// `2026-11-22T09:15:04Z`: the time format the tables of this project store.
pub fn rfc3339(at: std::time::SystemTime) -> String {
    aws_smithy_types::DateTime::from(at)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn times_are_rfc3339_utc() {
        let at = UNIX_EPOCH + Duration::from_secs(1_795_338_904);
        assert_eq!(super::rfc3339(at), "2026-11-22T09:15:04Z");
    }
}
