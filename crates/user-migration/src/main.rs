use user_migration::store::{DynamoStore, LegacyUserStore};
use user_migration::{handler, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    // The runtime logs each raw event at TRACE, and this event holds a password:
    // start caps its logs (and the SDK's) whatever RUST_LOG says.
    let config = trigger_core::start(Config::from_env)?;
    let sdk = trigger_core::aws::sdk_config(config.store_budget).await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name);
    let key = trigger_core::aws::WARM_UP_KEY;
    trigger_core::aws::warm_up("legacy table", store.find(key)).await;
    trigger_core::serve(|event| handler(&config, &store, event)).await
}
