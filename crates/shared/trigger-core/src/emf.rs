//! Counting through the `metrics` facade as CloudWatch Embedded Metric Format (feature
//! `metrics`): one JSON document per invocation on stdout, where CloudWatch Logs reads
//! it.

use std::future::Future;

use lambda_runtime::LambdaEvent;
use metrics_cloudwatch_embedded::Collector;

use crate::{TriggerError, TriggerEvent};

/// Installs the process-wide recorder for `namespace`. Counters recorded before the
/// first invocation (bad settings, see [`crate::Problems::report`]) go out with it.
pub fn collector(namespace: &str) -> Result<&'static Collector, lambda_runtime::Error> {
    metrics_cloudwatch_embedded::Builder::new()
        .cloudwatch_namespace(namespace.to_owned())
        .init()
}

/// [`crate::serve`], flushing what each invocation counted once it is answered.
pub async fn serve<E, F, Fut>(
    collector: &'static Collector,
    handler: F,
) -> Result<(), lambda_runtime::Error>
where
    E: TriggerEvent,
    F: Fn(LambdaEvent<E>) -> Fut,
    Fut: Future<Output = Result<E, TriggerError>>,
{
    crate::serve(|event| {
        let answer = handler(event);
        async move {
            let answer = answer.await;
            let _ = collector.flush(std::io::stdout());
            answer
        }
    })
    .await
}
