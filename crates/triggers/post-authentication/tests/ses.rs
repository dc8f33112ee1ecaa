#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The new-device alert through the SES mailer to a server speaking the SES protocol
//! (moto, started by `make test`): what the user receives, escaped.

use std::time::{Duration, SystemTime};

use mailer::SesMailer;
use post_authentication::ports::InMemoryRecorder;
use post_authentication::{sign_in_steps, Alerting, Config};
use test_support::aws::{moto_endpoint, sdk_config_for, sent_mail, unique_name};
use test_support::sample_event;
use trigger_core::events::decode;
use trigger_core::Vars;

const FROM: &str = "security@acme.example";

#[tokio::test]
async fn the_alert_email_reaches_the_ses_server_escaped() {
    let endpoint = moto_endpoint();
    let ses = aws_sdk_ses::Client::new(&sdk_config_for(&endpoint, Duration::from_secs(2)).await);
    ses.verify_email_identity()
        .email_address(FROM)
        .send()
        .await
        .unwrap();
    let config = Config::from_vars(&Vars::from_pairs([
        ("ALERT_FROM_ADDRESS", FROM),
        ("APP_NAME", "Acme <Notes>"),
        ("ANALYTICS_BUDGET_MS", "2000"),
    ]));
    let mut event = sample_event(
        "post-authentication",
        "PostAuthentication_Authentication-new-device.json",
    );
    event["request"]["userAttributes"]["given_name"] = "<script>alert('x')</script>".into();
    let to = format!("{}@example.de", unique_name("lukas"));
    event["request"]["userAttributes"]["email"] = to.clone().into();
    let event = decode(event).unwrap();
    let mailer = SesMailer::new(ses, FROM);
    let report = sign_in_steps(
        &config,
        Some(&InMemoryRecorder::default()),
        Some(&mailer),
        &event,
        "alert-1",
        SystemTime::now(),
    )
    .await;
    assert_eq!(report.alerting, Alerting::Sent);

    let mine: Vec<_> = sent_mail(&endpoint, &to);
    assert_eq!(mine.len(), 1, "one alert to {to}");
    assert_eq!(mine[0].from, FROM);
    assert!(
        mine[0].body.contains("&lt;script&gt;"),
        "the name is escaped"
    );
    assert!(!mine[0].body.contains("<script>"));
    assert!(
        mine[0].body.contains("Acme &lt;Notes&gt;"),
        "the app name is escaped too"
    );
    assert!(mine[0].subject.contains("Neue Anmeldung"));
}
