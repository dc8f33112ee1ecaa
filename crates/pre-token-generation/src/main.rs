use pre_token_generation::directory::DynamoDirectory;
use pre_token_generation::{handler, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(&[], Config::from_env)?;
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    let sdk = trigger_core::aws::within_budget(loader, config.lookup_budget)
        .load()
        .await;
    let table = config.role_table_name.clone().unwrap_or_default();
    let directory = DynamoDirectory::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    trigger_core::serve(|event| handler(&config, &directory, event)).await
}
