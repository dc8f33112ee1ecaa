use create_auth_challenge::{handler, Config, Services};
use mailer::SesMailer;
use passwordless::adapters::{DynamoChallenges, KmsSigner};
use texter::SnsTexter;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(Config::from_env)?;
    let metrics = trigger_core::emf::collector(&config.shared.metrics_namespace)?;
    let sdk = trigger_core::aws::sdk_config(config.shared.budget).await;
    let store = DynamoChallenges::new(aws_sdk_dynamodb::Client::new(&sdk), &config.shared.table);
    let signer = config
        .shared
        .key_id
        .as_ref()
        .map(|key| KmsSigner::new(aws_sdk_kms::Client::new(&sdk), key));
    let mailer = SesMailer::new(
        aws_sdk_ses::Client::new(&sdk),
        config.from.clone().unwrap_or_default(),
    );
    let texter = SnsTexter::new(aws_sdk_sns::Client::new(&sdk), config.sms_sender_id.clone());
    let key = trigger_core::aws::WARM_UP_KEY;
    trigger_core::aws::warm_up(
        "challenge table",
        passwordless::ports::ChallengeStore::pending(&store, key),
    )
    .await;
    let services = Services {
        store: &store,
        signer: signer.as_ref(),
        mailer: &mailer,
        texter: &texter,
    };
    trigger_core::emf::serve(metrics, |event| handler(&config, &services, event)).await
}
