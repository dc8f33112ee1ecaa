use mailer::SesMailer;
use post_authentication::recorder::DynamoRecorder;
use post_authentication::{handler, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    // Never refuses to start: a bad setting switches its feature off (see Config).
    let config = trigger_core::start(&[], || Ok(Config::from_env()))?;
    let metrics = metrics_cloudwatch_embedded::Builder::new()
        .cloudwatch_namespace(config.metrics_namespace.clone())
        .init()?;
    config.problems.report();
    let sdk = match (&config.analytics, &config.alert) {
        (None, None) => None,
        _ => {
            let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
            Some(
                trigger_core::aws::within_budget(loader, config.budget)
                    .load()
                    .await,
            )
        }
    };
    let recorder = config.analytics.as_ref().zip(sdk.as_ref()).map(|(a, sdk)| {
        DynamoRecorder::new(
            aws_sdk_dynamodb::Client::new(sdk),
            &a.table_name,
            a.retention_days,
        )
    });
    let mailer = config
        .alert
        .as_ref()
        .zip(sdk.as_ref())
        .map(|(a, sdk)| SesMailer::new(aws_sdk_ses::Client::new(sdk), &a.from));
    trigger_core::serve(|event| async {
        let answer = handler(&config, recorder.as_ref(), mailer.as_ref(), event).await;
        // One EMF document per invocation, on stdout where CloudWatch Logs reads it.
        let _ = metrics.flush(std::io::stdout());
        answer
    })
    .await
}
