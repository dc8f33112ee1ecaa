use custom_sms_sender::{handler, Config, SnsTexter};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(Config::from_env)?;
    let started = code_sender::start(&config.settings).await?;
    let sns = aws_sdk_sns::Client::new(&started.sdk);
    let texter = SnsTexter::new(sns, config.sender_id.clone());
    let codes = &started.codes;
    trigger_core::emf::serve(started.metrics, |event| {
        handler(&config, codes, &texter, event)
    })
    .await
}
