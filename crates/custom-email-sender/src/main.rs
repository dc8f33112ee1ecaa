use custom_email_sender::{handler, Config};
use mailer::SesMailer;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(&[], Config::from_env)?;
    let metrics = trigger_core::emf::collector(&config.settings.metrics_namespace)?;
    let (sdk, codes) = code_sender::connect(&config.settings)
        .await
        .inspect_err(|e| tracing::error!(error = %e, "refusing to start"))?;
    let mailer = SesMailer::new(aws_sdk_ses::Client::new(&sdk), &config.sender.from);
    trigger_core::emf::serve(metrics, |event| handler(&config, &codes, &mailer, event)).await
}
