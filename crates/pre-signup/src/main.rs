use lambda_runtime::{service_fn, Error, LambdaEvent};
use pre_signup::{handler, Config};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    trigger_core::logging::init_tracing();
    let config =
        Config::from_env().inspect_err(|e| tracing::error!(error = %e, "refusing to start"))?;
    let config = &config;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handler(config, event).await
    }))
    .await
}
