use lambda_runtime::{service_fn, Error, LambdaEvent};
use pre_token_generation::directory::DynamoDirectory;
use pre_token_generation::{handler, Config};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    trigger_core::logging::init_tracing();
    let config =
        Config::from_env().inspect_err(|e| tracing::error!(error = %e, "refusing to start"))?;
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    let sdk = trigger_core::aws::within_budget(loader, config.lookup_budget)
        .load()
        .await;
    let table = config.role_table_name.clone().unwrap_or_default();
    let directory = DynamoDirectory::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    let (config, directory) = (&config, &directory);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handler(config, directory, event).await
    }))
    .await
}
