use lambda_runtime::{service_fn, Error, LambdaEvent};
use post_authentication::mailer::SesMailer;
use post_authentication::recorder::DynamoRecorder;
use post_authentication::{handler, Config};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    trigger_core::logging::init_tracing();
    let config =
        Config::from_env().inspect_err(|e| tracing::error!(error = %e, "refusing to start"))?;
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
    let (config, recorder, mailer) = (&config, &recorder, &mailer);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let result = handler(config, recorder, mailer, event).await;
        // One EMF document per invocation, on stdout where CloudWatch Logs reads it.
        let _ = metrics.flush(std::io::stdout());
        result
    }))
    .await
}
