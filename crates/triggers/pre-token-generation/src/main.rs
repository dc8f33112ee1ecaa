use account_status::{DynamoStatuses, StatusDirectory};
use pre_token_generation::adapters::DynamoDirectory;
use pre_token_generation::ports::{LookupKey, RoleDirectory};
use pre_token_generation::{handler, Config, Ports};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(Config::from_env)?;
    let metrics = trigger_core::emf::collector(&config.metrics_namespace)?;
    // No SDK client when the roles come from groups only and no status is checked.
    let sdk = match config.role_table().or(config.status_table()) {
        Some(_) => Some(trigger_core::aws::sdk_config(config.lookup_budget).await),
        None => None,
    };
    let dynamodb = sdk.as_ref().map(aws_sdk_dynamodb::Client::new);
    let roles = config
        .role_table()
        .zip(dynamodb.clone())
        .map(|(table, client)| DynamoDirectory::new(client, table));
    let statuses = config
        .status_table()
        .zip(dynamodb)
        .map(|(table, client)| DynamoStatuses::new(client, table));
    let key = trigger_core::aws::WARM_UP_KEY;
    trigger_core::aws::warm_up("role and status tables", async {
        if let Some(roles) = &roles {
            let _ = roles.lookup(LookupKey::User(key)).await;
        }
        if let Some(statuses) = &statuses {
            let _ = statuses.status_of(key).await;
        }
    })
    .await;
    let ports = Ports {
        roles: roles.as_ref(),
        statuses: statuses.as_ref(),
    };
    trigger_core::emf::serve(metrics, |event| handler(&config, ports, event)).await
}
