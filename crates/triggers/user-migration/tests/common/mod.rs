//! What the test files of this package share.

use serde_json::Value;
use trigger_core::TriggerError;
use user_migration::ports::LegacyUserStore;
use user_migration::{handler, Config};

/// One invocation as the binary runs it.
pub async fn handle<S: LegacyUserStore>(
    config: &Config,
    store: &S,
    event: Value,
) -> Result<Value, TriggerError> {
    test_support::answer(|e| handler(config, store, e), event).await
}
