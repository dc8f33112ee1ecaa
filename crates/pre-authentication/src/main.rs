use cognito_admin::CognitoGroups;
use pre_authentication::status::DynamoStatuses;
use pre_authentication::{handler, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(&[], Config::from_env)?;
    let metrics = metrics_cloudwatch_embedded::Builder::new()
        .cloudwatch_namespace(config.metrics_namespace.clone())
        .init()?;
    // No SDK client unless a rule reads the table or the groups.
    let sdk = match config.status_table.is_some() || config.reads_groups() {
        false => None,
        true => {
            let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
            Some(
                trigger_core::aws::within_budget(loader, config.budget)
                    .load()
                    .await,
            )
        }
    };
    let statuses = config
        .status_table
        .as_ref()
        .zip(sdk.as_ref())
        .map(|(table, sdk)| DynamoStatuses::new(aws_sdk_dynamodb::Client::new(sdk), table));
    let groups = sdk
        .as_ref()
        .filter(|_| config.reads_groups())
        .map(|sdk| CognitoGroups::new(aws_sdk_cognitoidentityprovider::Client::new(sdk)));
    trigger_core::serve(|event| async {
        let answer = handler(&config, statuses.as_ref(), groups.as_ref(), event).await;
        // One EMF document per invocation, on stdout where CloudWatch Logs reads it.
        let _ = metrics.flush(std::io::stdout());
        answer
    })
    .await
}
