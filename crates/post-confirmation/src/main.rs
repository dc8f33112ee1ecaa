use cognito_admin::CognitoGroups;
use mailer::SesMailer;
use post_confirmation::profile::DynamoProfiles;
use post_confirmation::{handler, Config, Ports};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    // Never refuses to start: a bad setting switches its feature off (see Config).
    let config = trigger_core::start(&[], || Ok(Config::from_env()))?;
    let metrics = metrics_cloudwatch_embedded::Builder::new()
        .cloudwatch_namespace(config.metrics_namespace.clone())
        .init()?;
    config.problems.report();
    let sdk = match config.calls_aws() {
        false => None,
        true => {
            let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
            Some(
                trigger_core::aws::within_budget(loader, config.budget)
                    .load()
                    .await,
            )
        }
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
    trigger_core::serve(|event| async {
        let answer = handler(&config, ports, event).await;
        // One EMF document per invocation, on stdout where CloudWatch Logs reads it.
        let _ = metrics.flush(std::io::stdout());
        answer
    })
    .await
}
