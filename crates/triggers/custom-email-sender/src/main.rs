use custom_email_sender::{handler, Config};
use mailer::SesMailer;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(Config::from_env)?;
    let started = code_sender::start(&config.settings).await?;
    let mailer = SesMailer::new(aws_sdk_ses::Client::new(&started.sdk), &config.sender.from);
    let codes = &started.codes;
    trigger_core::emf::serve(started.metrics, |event| {
        handler(&config, codes, &mailer, event)
    })
    .await
}
