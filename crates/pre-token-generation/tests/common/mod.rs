//! What the test files of this package share.

use pre_token_generation::directory::RoleDirectory;
use pre_token_generation::{handler, Config};
use serde_json::Value;
use trigger_core::TriggerError;

/// One invocation as the binary runs it, wired as `main` wires it: the directory only
/// where the configuration reads a table.
pub async fn handle<D: RoleDirectory>(
    config: &Config,
    directory: &D,
    event: Value,
) -> Result<Value, TriggerError> {
    let directory = config.role_table().map(|_| directory);
    test_support::answer(|e| handler(config, directory, e), event).await
}
