use pre_token_generation::directory::{LookupKey, RoleDirectory};
use pre_token_generation::dynamodb::DynamoDirectory;
use pre_token_generation::{handler, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(Config::from_env)?;
    // No SDK client when the roles come from groups only.
    let directory = match config.role_table() {
        Some(table) => {
            let sdk = trigger_core::aws::sdk_config(config.lookup_budget).await;
            let directory = DynamoDirectory::new(aws_sdk_dynamodb::Client::new(&sdk), table);
            let key = LookupKey::User(trigger_core::aws::WARM_UP_KEY);
            trigger_core::aws::warm_up("role table", directory.lookup(key)).await;
            Some(directory)
        }
        None => None,
    };
    trigger_core::serve(|event| handler(&config, directory.as_ref(), event)).await
}
