use user_migration::store::DynamoStore;
use user_migration::{handler, Config, LOG_CAPS};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    // The runtime logs each raw event at TRACE, and this event holds a password: its
    // logs are capped whatever RUST_LOG says.
    let config = trigger_core::start(LOG_CAPS, Config::from_env)?;
    let sdk = trigger_core::aws::sdk_config(config.store_budget).await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name);
    let limit = trigger_core::aws::warm_up_limit(&trigger_core::Vars::from_env());
    trigger_core::aws::warm_up("legacy table", limit, store.warm_up()).await;
    trigger_core::serve(|event| handler(&config, &store, event)).await
}
