use mailer::SesMailer;
use post_authentication::adapters::DynamoRecorder;
use post_authentication::{handler, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    // Never refuses to start: a bad setting switches its feature off (see Config).
    let config = trigger_core::start(|| Ok(Config::from_env()))?;
    let metrics = trigger_core::emf::collector(&config.metrics_namespace)?;
    config.problems.report();
    let sdk = match (&config.analytics, &config.alert) {
        (None, None) => None,
        _ => Some(trigger_core::aws::sdk_config(config.budget).await),
    };
    let recorder = config.analytics.as_ref().zip(sdk.as_ref()).map(|(a, sdk)| {
        DynamoRecorder::new(
            aws_sdk_dynamodb::Client::new(sdk),
            &a.table_name,
            a.retention_days,
        )
        .with_day_shards(a.day_shards)
    });
    let mailer = config
        .alert
        .as_ref()
        .zip(sdk.as_ref())
        .map(|(a, sdk)| SesMailer::new(aws_sdk_ses::Client::new(sdk), &a.from));
    trigger_core::emf::serve(metrics, |event| {
        handler(&config, recorder.as_ref(), mailer.as_ref(), event)
    })
    .await
}
