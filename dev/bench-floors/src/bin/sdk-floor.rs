//! The echo floor plus what every SDK trigger does at init: load the AWS
//! configuration (credentials, region, timeouts) and build a DynamoDB client. `make
//! bench-cold` measures each SDK trigger against it.

use std::time::Duration;

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let sdk = trigger_core::aws::sdk_config(Duration::from_secs(1)).await;
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        // Held, as a trigger holds its client, but not called.
        let _held = &client;
        async move { Ok::<Value, Error>(event.payload) }
    }))
    .await
}
