use cognito_admin::CognitoGroups;
use mailer::SesMailer;
use post_confirmation::adapters::DynamoProfiles;
use post_confirmation::{handler, Config, Ports};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    // Never refuses to start: a bad setting switches its feature off (see Config).
    let config = trigger_core::start(|| Ok(Config::from_env()))?;
    let metrics = trigger_core::emf::collector(&config.metrics_namespace)?;
    config.problems.report();
    let sdk = match config.calls_aws() {
        false => None,
        true => Some(trigger_core::aws::sdk_config(config.budget).await),
    };
    let groups = sdk
        .as_ref()
        .filter(|_| config.default_group.is_some())
        .map(|sdk| CognitoGroups::new(aws_sdk_cognitoidentityprovider::Client::new(sdk)));
    let profiles = config
        .profile_table
        .as_ref()
        .zip(sdk.as_ref())
        .map(|(table, sdk)| DynamoProfiles::new(aws_sdk_dynamodb::Client::new(sdk), table));
    let mailer = config
        .mail
        .as_ref()
        .zip(sdk.as_ref())
        .map(|(mail, sdk)| SesMailer::new(aws_sdk_ses::Client::new(sdk), &mail.from));
    let ports = Ports {
        groups: groups.as_ref(),
        profiles: profiles.as_ref(),
        mailer: mailer.as_ref(),
    };
    trigger_core::emf::serve(metrics, |event| handler(&config, ports, event)).await
}
