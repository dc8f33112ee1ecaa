use post_authentication::mailer::SesMailer;
use post_authentication::recorder::DynamoRecorder;
use post_authentication::{handler, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(&[], Config::from_env)?;
    let metrics = metrics_cloudwatch_embedded::Builder::new()
        .cloudwatch_namespace(config.metrics_namespace.clone())
        .init()?;
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    let sdk = trigger_core::aws::within_budget(loader, config.budget)
        .load()
        .await;
    let recorder = DynamoRecorder::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        &config.table_name,
        config.retention_days,
    );
    let from = config
        .alert
        .as_ref()
        .map(|a| a.from.clone())
        .unwrap_or_default();
    let mailer = SesMailer::new(aws_sdk_ses::Client::new(&sdk), from);
    trigger_core::serve(|event| async {
        let result = handler(&config, &recorder, &mailer, event).await;
        // One EMF document per invocation, on stdout where CloudWatch Logs reads it.
        let _ = metrics.flush(std::io::stdout());
        result
    })
    .await
}
