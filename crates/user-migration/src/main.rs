use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;
use user_migration::store::DynamoStore;
use user_migration::{handler, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // The runtime logs each raw event at TRACE, and this event holds a password:
    // its logs are capped whatever RUST_LOG says.
    trigger_core::logging::init_tracing_capped(user_migration::LOG_CAPS);
    let config =
        Config::from_env().inspect_err(|e| tracing::error!(error = %e, "refusing to start"))?;
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    let sdk = trigger_core::aws::within_budget(loader, config.store_budget)
        .load()
        .await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name);
    let (config, store) = (&config, &store);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handler(config, store, event).await
    }))
    .await
}
