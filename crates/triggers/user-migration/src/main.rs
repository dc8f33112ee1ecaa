use std::time::Duration;

use user_migration::adapters::DynamoStore;
use user_migration::ports::LegacyUserStore;
use user_migration::{handler, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    // The runtime logs each raw event at TRACE, and this event holds a password:
    // start caps its logs (and the SDK's) whatever RUST_LOG says.
    let config = trigger_core::start(Config::from_env)?;
    // An unknown user is answered after verifying DUMMY_HASH: it must verify, and
    // cost what most legacy users' hashes cost.
    let dummy_took = config
        .check_dummy()
        .inspect_err(|e| tracing::error!(error = %e, "refusing to start"))?;
    let sdk = trigger_core::aws::sdk_config(config.store_budget).await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name);
    // The hash profile legacy-import recorded, read during init (which also warms
    // the connection): a table that does not answer in time leaves it unchecked.
    let limit = trigger_core::aws::warm_up_limit(&trigger_core::Vars::from_env())
        .unwrap_or(Duration::from_millis(1000));
    match tokio::time::timeout(limit, store.hash_profile()).await {
        Ok(Ok(profile)) => {
            config
                .check_dummy_against(profile.as_deref())
                .inspect_err(|e| tracing::error!(error = %e, "refusing to start"))?;
            tracing::info!(store_profile = ?profile, dummy_ms = dummy_took.as_millis() as u64, "dummy hash checked");
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "hash profile not read; DUMMY_HASH's cost unchecked")
        }
        Err(_) => tracing::warn!("hash profile not read in time; DUMMY_HASH's cost unchecked"),
    }
    trigger_core::serve(|event| handler(&config, &store, event)).await
}
