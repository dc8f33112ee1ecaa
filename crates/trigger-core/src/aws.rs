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

/// The AWS settings of the environment (credentials, region, endpoint) with every
/// call bounded by `budget` ([`within_budget`]): what a trigger builds its clients from.
pub async fn sdk_config(budget: Duration) -> aws_config::SdkConfig {
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    within_budget(loader, budget).load().await
}
