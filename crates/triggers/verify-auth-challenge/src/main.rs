use passwordless::adapters::{public_key, DynamoChallenges};
use verify_auth_challenge::adapters::{read_secret, SiteVerify};
use verify_auth_challenge::{handler, Config, Services};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(Config::from_env)?;
    let metrics = trigger_core::emf::collector(&config.shared.metrics_namespace)?;
    let sdk = trigger_core::aws::sdk_config(config.shared.budget).await;
    let store = DynamoChallenges::new(aws_sdk_dynamodb::Client::new(&sdk), &config.shared.table);
    // The link key's public half, fetched once: every token is checked against it
    // before anything else is looked up.
    let key = match &config.shared.key_id {
        Some(id) => Some(
            public_key(&aws_sdk_kms::Client::new(&sdk), id)
                .await
                .inspect_err(|e| tracing::error!(error = %e, "refusing to start: the link key"))?,
        ),
        None => None,
    };
    let bot_check = match (&config.captcha_secret_arn, &config.captcha_verify_url) {
        (Some(arn), Some(url)) => {
            let secret = read_secret(&sdk, arn).await.inspect_err(
                |e| tracing::error!(error = %e, "refusing to start: the bot-check secret"),
            )?;
            Some(SiteVerify::new(url, secret, config.shared.budget))
        }
        _ => None,
    };
    let services = Services {
        store: &store,
        public_key: key.as_ref(),
        bot_check: bot_check.as_ref(),
    };
    trigger_core::emf::serve(metrics, |event| handler(&config, &services, event)).await
}
