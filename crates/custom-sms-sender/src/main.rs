use custom_sms_sender::{handler, Config, SnsTexter};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(&[], Config::from_env)?;
    let metrics = trigger_core::emf::collector(&config.settings.metrics_namespace)?;
    let (sdk, codes) = code_sender::connect(&config.settings)
        .await
        .inspect_err(|e| tracing::error!(error = %e, "refusing to start"))?;
    let texter = SnsTexter::new(aws_sdk_sns::Client::new(&sdk), config.sender_id.clone());
    trigger_core::emf::serve(metrics, |event| handler(&config, &codes, &texter, event)).await
}
