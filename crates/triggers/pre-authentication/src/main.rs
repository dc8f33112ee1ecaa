use cognito_admin::CognitoGroups;
use pre_authentication::status::{DynamoStatuses, StatusDirectory};
use pre_authentication::{handler, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(Config::from_env)?;
    let metrics = trigger_core::emf::collector(&config.metrics_namespace)?;
    // No SDK client unless a rule reads the table or the groups.
    let sdk = match config.status_table.is_some() || config.reads_groups() {
        false => None,
        true => Some(trigger_core::aws::sdk_config(config.budget).await),
    };
    let statuses = config
        .status_table
        .as_ref()
        .zip(sdk.as_ref())
        .map(|(table, sdk)| DynamoStatuses::new(aws_sdk_dynamodb::Client::new(sdk), table));
    if let Some(statuses) = &statuses {
        let key = trigger_core::aws::WARM_UP_KEY;
        trigger_core::aws::warm_up("status table", statuses.status_of(key)).await;
    }
    let groups = sdk
        .as_ref()
        .filter(|_| config.reads_groups())
        .map(|sdk| CognitoGroups::new(aws_sdk_cognitoidentityprovider::Client::new(sdk)));
    trigger_core::emf::serve(metrics, |event| {
        handler(&config, statuses.as_ref(), groups.as_ref(), event)
    })
    .await
}
