//! Keeping AWS SDK calls inside a trigger's time budget (feature `aws`).

use std::time::Duration;

/// SDK settings that keep one call inside `budget`: a connect timeout and a
/// per-attempt timeout of half the budget, a whole-operation timeout of the budget,
/// and two attempts at most, the second after a pause of at most a quarter of the
/// budget (the SDK's default pause can reach a second, past a whole budget: the
/// second attempt never came, and a refused connection ended as a timeout, telling
/// nobody that nothing was written). Callers still cut the call off at the budget.
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
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(2)
                .with_max_backoff(budget / 4),
        )
}

/// The AWS settings of the environment (credentials, region, endpoint) with every
/// call bounded by `budget` ([`within_budget`]): what a trigger builds its clients from.
pub async fn sdk_config(budget: Duration) -> aws_config::SdkConfig {
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    within_budget(loader, budget).load().await
}

/// The key a warm-up reads: no user has it.
pub const WARM_UP_KEY: &str = "warm-up (no such key)";

/// How long a trigger may spend at init warming its connection: `WARM_UP_MS`
/// (default 1000, at most 5000; `0` turns the warm-up off). A bad value keeps the
/// default and is logged, since a warm-up is never worth refusing to start over.
pub fn warm_up_limit(vars: &crate::Vars) -> Option<Duration> {
    const DEFAULT: Duration = Duration::from_millis(1000);
    let limit = vars
        .millis("WARM_UP_MS", DEFAULT, 0..=5000)
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "WARM_UP_MS ignored: warming up within 1000 ms");
            DEFAULT
        });
    (!limit.is_zero()).then_some(limit)
}

/// Makes `call`, the trigger's own lookup of [`WARM_UP_KEY`] (a key no user has),
/// during init, so that the first invocation after a cold start does not pay for
/// the TLS handshake, the connection and the credentials: on Lambda these cost
/// hundreds of milliseconds at small memory sizes, against a lookup budget of 1000.
/// Cut off at `WARM_UP_MS` ([`warm_up_limit`]), so init never hangs; whatever the
/// call answers is ignored (a failure only means the first invocation pays instead).
pub async fn warm_up<T>(what: &str, call: impl std::future::Future<Output = T>) {
    warm_up_within(what, warm_up_limit(&crate::Vars::from_env()), call).await;
}

/// [`warm_up`] with the limit given.
pub async fn warm_up_within<T>(
    what: &str,
    limit: Option<Duration>,
    call: impl std::future::Future<Output = T>,
) {
    let Some(limit) = limit else {
        return;
    };
    let started = std::time::Instant::now();
    let finished = tokio::time::timeout(limit, call).await.is_ok();
    tracing::debug!(
        what,
        finished,
        took_ms = started.elapsed().as_millis() as u64,
        "warm-up at init"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vars;

    #[test]
    fn the_warm_up_limit_is_read_and_bounded() {
        let limit = |v: &str| warm_up_limit(&Vars::from_pairs([("WARM_UP_MS", v)]));
        assert_eq!(
            warm_up_limit(&Vars::default()),
            Some(Duration::from_millis(1000))
        );
        assert_eq!(limit("250"), Some(Duration::from_millis(250)));
        assert_eq!(limit("0"), None, "0 turns it off");
        assert_eq!(
            limit("9000"),
            Some(Duration::from_millis(1000)),
            "out of range: the default"
        );
        assert_eq!(limit("soon"), Some(Duration::from_millis(1000)));
    }

    #[tokio::test]
    async fn a_warm_up_that_hangs_is_cut_off_at_its_limit() {
        let started = std::time::Instant::now();
        warm_up_within(
            "hanging",
            Some(Duration::from_millis(50)),
            std::future::pending::<()>(),
        )
        .await;
        assert!(started.elapsed() < Duration::from_millis(500));
        let mut ran = false;
        warm_up_within("off", None, async { ran = true }).await;
        assert!(!ran, "a warm-up that is off makes no call");
    }
}
