//! What the test files of this package share.

use account_status::{InMemoryStatuses, StatusDirectory};
use pre_token_generation::ports::RoleDirectory;
use pre_token_generation::{handler, Config, Ports};
use serde_json::Value;
use trigger_core::TriggerError;

/// One invocation as the binary runs it, wired as `main` wires it: the directory only
/// where the configuration reads a table (no account status table).
pub async fn handle<D: RoleDirectory>(
    config: &Config,
    directory: &D,
    event: Value,
) -> Result<Value, TriggerError> {
    handle_with(config, directory, &InMemoryStatuses::default(), event).await
}

/// [`handle`], with the account status table `statuses`.
pub async fn handle_with<D: RoleDirectory, S: StatusDirectory>(
    config: &Config,
    directory: &D,
    statuses: &S,
    event: Value,
) -> Result<Value, TriggerError> {
    let ports = Ports {
        roles: config.role_table().map(|_| directory),
        statuses: config.status_table().map(|_| statuses),
    };
    test_support::answer(|e| handler(config, ports, e), event).await
}
