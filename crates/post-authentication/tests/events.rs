#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The handler against every sample event in `events/post-authentication/`, with
//! in-memory ports.

use std::time::{Duration, Instant, SystemTime};

use post_authentication::mailer::{InMemoryMailer, Mail, Mailer};
use post_authentication::recorder::{InMemoryRecorder, LoginRecorder, RecordError, Recorded};
use post_authentication::signin::SignIn;
use post_authentication::{handle, Config};
use trigger_core::testing::{sample_event, sample_events};
use trigger_core::Vars;

fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        ("ANALYTICS_TABLE_NAME", "analytics"),
        ("ALERT_FROM_ADDRESS", "security@acme.example"),
        ("APP_NAME", "Acme Notes"),
        ("SUPPORT_EMAIL", "support@acme.example"),
        ("ANALYTICS_BUDGET_MS", "300"),
    ];
    vars.extend_from_slice(extra);
    Config::from_vars(&Vars::from_pairs(vars)).unwrap()
}

/// Lukas's sign-in from a new device (German locale, verified email).
fn new_device_event() -> serde_json::Value {
    sample_event(
        "post-authentication",
        "PostAuthentication_Authentication-new-device.json",
    )
}

#[tokio::test]
async fn every_sample_event_is_counted_and_returned_unchanged() {
    let config = config(&[]);
    for (i, (file, event)) in sample_events("post-authentication").into_iter().enumerate() {
        let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
        let (result, report) = handle(
            &config,
            &recorder,
            &mailer,
            event.clone(),
            &format!("req-{i}"),
            SystemTime::now(),
        )
        .await;
        assert_eq!(
            result.unwrap(),
            event,
            "{file}: the event comes back as it was"
        );
        let report = report.unwrap();
        assert_eq!(report.recorded, Some(Recorded::Counted), "{file}");
        assert!(report.failures.is_empty(), "{file}: {:?}", report.failures);
        let sub = event["request"]["userAttributes"]["sub"].as_str().unwrap();
        assert_eq!(recorder.summary(sub).unwrap().sign_in_count, 1, "{file}");
        let new_device = file.contains("new-device");
        assert_eq!(report.new_device, new_device, "{file}");
        assert_eq!(
            mailer.sent.lock().unwrap().len(),
            usize::from(new_device),
            "{file}: alert only for a new device"
        );
    }
}

#[tokio::test]
async fn the_new_device_alert_is_localized_and_addressed_to_the_user() {
    let event = new_device_event();
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    let (result, report) = handle(
        &config(&[]),
        &recorder,
        &mailer,
        event,
        "req-1",
        SystemTime::now(),
    )
    .await;
    assert!(result.is_ok());
    assert!(report.unwrap().alert_sent);
    let sent = mailer.sent.lock().unwrap();
    assert_eq!(sent[0].to, "lukas.schmidt@example.de");
    assert!(
        sent[0].subject.contains("Neue Anmeldung"),
        "{}",
        sent[0].subject
    );
    assert!(sent[0].html.contains("<html lang=\"de\">"));
    assert!(sent[0].text.contains("Lukas"));
}

#[tokio::test]
async fn a_replayed_request_is_neither_counted_nor_alerted_twice() {
    let event = new_device_event();
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    let config = config(&[]);
    for _ in 0..3 {
        let (result, _) = handle(
            &config,
            &recorder,
            &mailer,
            event.clone(),
            "same-request",
            SystemTime::now(),
        )
        .await;
        assert!(result.is_ok());
    }
    assert_eq!(
        recorder
            .summary("3a9d2b61-7e04-4c58-b1f3-8d6e0a2c4b97")
            .unwrap()
            .sign_in_count,
        1
    );
    assert_eq!(mailer.sent.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn failures_are_counted_but_never_fail_the_sign_in() {
    let event = new_device_event();
    let recorder = InMemoryRecorder::failing("ResourceNotFoundException: table missing");
    let mailer = InMemoryMailer {
        outage: Some("MessageRejected: Email address is not verified".into()),
        ..Default::default()
    };
    let (result, report) = handle(
        &config(&[]),
        &recorder,
        &mailer,
        event.clone(),
        "req-1",
        SystemTime::now(),
    )
    .await;
    assert_eq!(result.unwrap(), event);
    assert_eq!(report.unwrap().failures, vec!["record", "alert"]);
}

struct Stuck;

impl LoginRecorder for Stuck {
    async fn record(&self, _: &SignIn) -> Result<Recorded, RecordError> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(Recorded::Counted)
    }
}

impl Mailer for Stuck {
    async fn send(&self, _: &Mail) -> Result<(), String> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(())
    }
}

#[tokio::test]
async fn a_stuck_table_and_mail_server_cost_at_most_the_budget() {
    let event = new_device_event();
    let config = config(&[]);
    let started = Instant::now();
    let (result, report) = handle(
        &config,
        &Stuck,
        &Stuck,
        event.clone(),
        "req-1",
        SystemTime::now(),
    )
    .await;
    let took = started.elapsed();
    assert_eq!(result.unwrap(), event);
    assert_eq!(report.unwrap().failures, vec!["record", "alert"]);
    assert!(
        took < config.budget + Duration::from_millis(200),
        "took {took:?}"
    );
}

#[tokio::test]
async fn no_alert_without_a_sender_or_a_verified_address() {
    let mut event = new_device_event();
    let no_alerts =
        Config::from_vars(&Vars::from_pairs([("ANALYTICS_TABLE_NAME", "analytics")])).unwrap();
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    let _ = handle(
        &no_alerts,
        &recorder,
        &mailer,
        event.clone(),
        "req-1",
        SystemTime::now(),
    )
    .await;
    assert!(mailer.sent.lock().unwrap().is_empty());
    event["request"]["userAttributes"]["email_verified"] = "false".into();
    let _ = handle(
        &config(&[]),
        &recorder,
        &mailer,
        event,
        "req-2",
        SystemTime::now(),
    )
    .await;
    assert!(mailer.sent.lock().unwrap().is_empty());
}

#[tokio::test]
async fn odd_events() {
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    let config = config(&[]);
    // Another trigger's event: a clear error, no report.
    let mut event = sample_event(
        "post-authentication",
        "PostAuthentication_Authentication.json",
    );
    event["triggerSource"] = "PreAuthentication_Authentication".into();
    let (result, report) = handle(&config, &recorder, &mailer, event, "r", SystemTime::now()).await;
    assert_eq!(result.unwrap_err().error_type(), "UnsupportedTriggerSource");
    assert!(report.is_none());
    // A sign-in event with unreadable attributes still lets the user in.
    let mut event = sample_event(
        "post-authentication",
        "PostAuthentication_Authentication.json",
    );
    event["request"]["userAttributes"] = serde_json::json!(["sub"]);
    let (result, report) = handle(
        &config,
        &recorder,
        &mailer,
        event.clone(),
        "r",
        SystemTime::now(),
    )
    .await;
    assert_eq!(result.unwrap(), event);
    assert_eq!(report.unwrap().failures, vec!["event"]);
}
