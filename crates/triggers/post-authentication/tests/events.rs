#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The handler against every sample event in `events/post-authentication/`, with
//! in-memory ports.

mod common;
use common::steps;

use std::time::{Duration, Instant};

use mailer::{InMemoryMailer, Mail, MailError, Mailer};
use post_authentication::ports::{
    AlertClaim, AlertLedger, InMemoryRecorder, LoginRecorder, RecordError, Recorded,
};
use post_authentication::signin::SignIn;
use post_authentication::{handler, Alerting, Config, Recording, Step};
use serde_json::Value;
use test_support::{lost_fields, sample_event, sample_events, upstream_fixtures};
use trigger_core::{TriggerError, Vars};

fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        ("ANALYTICS_TABLE_NAME", "analytics"),
        ("ALERT_FROM_ADDRESS", "security@acme.example"),
        ("APP_NAME", "Acme Notes"),
        ("SUPPORT_EMAIL", "support@acme.example"),
        ("ANALYTICS_BUDGET_MS", "300"),
    ];
    vars.extend_from_slice(extra);
    let config = Config::from_vars(&Vars::from_pairs(vars));
    assert!(config.problems.0.is_empty(), "{:?}", config.problems);
    config
}

/// The whole invocation as Lambda runs it.
async fn handle<R: LoginRecorder + AlertLedger, M: Mailer>(
    config: &Config,
    recorder: &R,
    mailer: &M,
    event: Value,
) -> Result<Value, TriggerError> {
    test_support::answer(|e| handler(config, Some(recorder), Some(mailer), e), event).await
}

/// Lukas's sign-in from a new device (German locale, verified email).
fn new_device_event() -> Value {
    sample_event(
        "post-authentication",
        "PostAuthentication_Authentication-new-device.json",
    )
}

#[tokio::test]
async fn every_sample_event_is_counted_and_returned_whole() {
    let config = config(&[]);
    for (i, (file, event)) in sample_events("post-authentication").into_iter().enumerate() {
        let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
        let out = handle(&config, &recorder, &mailer, event.clone())
            .await
            .unwrap();
        assert_eq!(out["response"], serde_json::json!({}), "{file}");
        assert!(
            lost_fields(&event, &out).is_empty(),
            "{file}: the event comes back whole"
        );
        // The steps, for their report (a fresh recorder: the handler's run above used
        // Lambda's empty test request id).
        let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
        let report = steps(&config, &recorder, &mailer, &event, &format!("req-{i}")).await;
        assert_eq!(report.recording, Recording::Counted, "{file}");
        assert!(
            report.failures().is_empty(),
            "{file}: {:?}",
            report.failures()
        );
        let sub = event["request"]["userAttributes"]["sub"].as_str().unwrap();
        assert_eq!(recorder.summary(sub).unwrap().sign_in_count, 1, "{file}");
        let new_device = file.contains("new-device");
        assert_eq!(report.new_device, new_device, "{file}");
        assert_eq!(
            mailer.sent().len(),
            usize::from(new_device),
            "{file}: alert only for a new device"
        );
    }
}

#[tokio::test]
async fn the_aws_lambda_events_fixture_is_returned_whole() {
    for (name, event) in upstream_fixtures("postauthentication") {
        let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
        let out = handle(&config(&[]), &recorder, &mailer, event.clone())
            .await
            .unwrap();
        assert!(lost_fields(&event, &out).is_empty(), "{name}");
    }
}

#[tokio::test]
async fn the_new_device_alert_is_localized_and_addressed_to_the_user() {
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    let report = steps(
        &config(&[]),
        &recorder,
        &mailer,
        &new_device_event(),
        "req-1",
    )
    .await;
    assert_eq!(report.alerting, Alerting::Sent);
    let sent = mailer.sent();
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
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let report = steps(&config, &recorder, &mailer, &event, "same-request").await;
        outcomes.push((report.recording, report.alerting));
    }
    assert_eq!(
        recorder
            .summary("3a9d2b61-7e04-4c58-b1f3-8d6e0a2c4b97")
            .unwrap()
            .sign_in_count,
        1
    );
    assert_eq!(mailer.sent().len(), 1);
    assert_eq!(outcomes[2], (Recording::AlreadyCounted, Alerting::Replay));
}

#[tokio::test]
async fn failures_are_counted_but_never_fail_the_sign_in() {
    let event = new_device_event();
    let recorder = InMemoryRecorder::failing("ResourceNotFoundException: table missing");
    let mailer = InMemoryMailer::failing("MessageRejected: Email address is not verified");
    let out = handle(&config(&[]), &recorder, &mailer, event.clone())
        .await
        .unwrap();
    assert!(lost_fields(&event, &out).is_empty());
    let report = steps(&config(&[]), &recorder, &mailer, &event, "req-1").await;
    assert_eq!(report.failures(), vec![Step::Record, Step::Alert]);
    assert!(matches!(
        report.alerting,
        Alerting::Failed(MailError::Send(_))
    ));
}

struct Stuck;

impl LoginRecorder for Stuck {
    async fn record(&self, _: &SignIn) -> Result<Recorded, RecordError> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(Recorded::Counted)
    }

    async fn was_recorded(&self, _: &SignIn) -> Result<bool, RecordError> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(false)
    }
}

impl AlertLedger for Stuck {
    async fn claim_alert(&self, _: &SignIn) -> Result<AlertClaim, RecordError> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(AlertClaim::Claimed)
    }

    async fn release_alert(&self, _: &SignIn) -> Result<(), RecordError> {
        Ok(())
    }
}

impl Mailer for Stuck {
    async fn send(&self, _: &Mail) -> Result<(), MailError> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(())
    }
}

#[tokio::test]
async fn a_stuck_table_and_mail_server_cost_at_most_the_budget() {
    let event = new_device_event();
    let config = config(&[]);
    let started = Instant::now();
    let out = handle(&config, &Stuck, &Stuck, event.clone())
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(lost_fields(&event, &out).is_empty());
    assert!(
        took < config.budget + Duration::from_millis(200),
        "took {took:?}"
    );
    let report = steps(&config, &Stuck, &Stuck, &event, "req-1").await;
    assert_eq!(
        (&report.recording, &report.alerting),
        (&Recording::Unconfirmed, &Alerting::OutOfTime),
        "no answer to the write nor to the read-back: whether it is there is unknown"
    );
    assert_eq!(report.failures(), vec![Step::Alert]);
}

#[tokio::test]
async fn no_alert_without_a_sender() {
    let no_alerts = Config::from_vars(&Vars::from_pairs([("ANALYTICS_TABLE_NAME", "analytics")]));
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    let report = steps(&no_alerts, &recorder, &mailer, &new_device_event(), "req-1").await;
    assert_eq!(report.alerting, Alerting::Off);
    assert!(mailer.sent().is_empty());
}

#[tokio::test]
async fn no_alert_to_an_unverified_address() {
    let mut event = new_device_event();
    event["request"]["userAttributes"]["email_verified"] = "false".into();
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    let report = steps(&config(&[]), &recorder, &mailer, &event, "req-2").await;
    assert_eq!(report.alerting, Alerting::NotNeeded);
    assert!(mailer.sent().is_empty());
}

#[tokio::test]
async fn a_bad_alert_setting_leaves_analytics_on_and_the_sign_in_through() {
    // APP_NAME missing: the alert is off and the problem is counted; nothing else stops.
    let config = Config::from_vars(&Vars::from_pairs([
        ("ANALYTICS_TABLE_NAME", "analytics"),
        ("ALERT_FROM_ADDRESS", "security@acme.example"),
    ]));
    assert_eq!(config.problems.0[0].var, "APP_NAME");
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    let report = steps(&config, &recorder, &mailer, &new_device_event(), "req-1").await;
    assert_eq!(
        (report.recording, report.alerting),
        (Recording::Counted, Alerting::Off)
    );
}

#[tokio::test]
async fn another_triggers_event_is_a_clear_error() {
    let mut event = sample_event(
        "post-authentication",
        "PostAuthentication_Authentication.json",
    );
    event["triggerSource"] = "PreAuthentication_Authentication".into();
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    let err = handle(&config(&[]), &recorder, &mailer, event)
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "UnsupportedTriggerSource");
}

#[tokio::test]
async fn a_sign_in_with_unreadable_attributes_still_lets_the_user_in() {
    let mut event = sample_event(
        "post-authentication",
        "PostAuthentication_Authentication.json",
    );
    event["request"]["userAttributes"] = serde_json::json!(["sub"]);
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    let out = handle(&config(&[]), &recorder, &mailer, event.clone())
        .await
        .unwrap();
    assert_eq!(out, event);
    let report = steps(&config(&[]), &recorder, &mailer, &event, "r").await;
    assert_eq!(report.failures(), vec![Step::Event]);
}

/// A table as slow as DynamoDB under a throttled partition: every call hangs.
#[tokio::test]
async fn the_new_device_alert_goes_out_while_a_slow_table_eats_the_budget() {
    let event = new_device_event();
    let config = config(&[]);
    let mailer = InMemoryMailer::default();
    let started = Instant::now();
    let report = steps(&config, &Stuck, &mailer, &event, "req-1").await;
    assert!(started.elapsed() < config.budget + Duration::from_millis(200));
    assert_eq!(report.alerting, Alerting::Sent, "{report:?}");
    assert_eq!(mailer.sent().len(), 1);
    assert_eq!(report.recording, Recording::Unconfirmed);
}

/// A table in memory with a quirk of a real one.
#[derive(Debug, Default)]
struct Quirky {
    inner: InMemoryRecorder,
    quirk: Quirk,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Quirk {
    /// What DynamoDB answers a transaction repeated with the same idempotency token
    /// within ten minutes: success, whether it applied it or not.
    #[default]
    SaysCountedEveryTime,
    /// It applies the write, then answers after the budget (a partition under
    /// load): the sign-in is in the table, only its answer was late.
    AnswersLate,
}

impl LoginRecorder for Quirky {
    async fn record(&self, s: &SignIn) -> Result<Recorded, RecordError> {
        let applied = self.inner.record(s).await;
        match self.quirk {
            Quirk::SaysCountedEveryTime => applied.map(|_| Recorded::Counted),
            Quirk::AnswersLate => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                applied
            }
        }
    }

    async fn was_recorded(&self, s: &SignIn) -> Result<bool, RecordError> {
        self.inner.was_recorded(s).await
    }
}

impl AlertLedger for Quirky {
    async fn claim_alert(&self, s: &SignIn) -> Result<AlertClaim, RecordError> {
        self.inner.claim_alert(s).await
    }

    async fn release_alert(&self, s: &SignIn) -> Result<(), RecordError> {
        self.inner.release_alert(s).await
    }
}

#[tokio::test]
async fn a_replay_the_table_reports_as_new_still_sends_one_alert() {
    let event = new_device_event();
    let (recorder, mailer) = (Quirky::default(), InMemoryMailer::default());
    let config = config(&[]);
    let first = steps(&config, &recorder, &mailer, &event, "same-request").await;
    let replay = steps(&config, &recorder, &mailer, &event, "same-request").await;
    assert_eq!(first.alerting, Alerting::Sent);
    assert_eq!(replay.alerting, Alerting::Replay);
    assert_eq!(mailer.sent().len(), 1, "one alert for one sign-in");
}

#[tokio::test]
async fn a_failed_send_gives_the_alert_claim_back_for_a_replay() {
    let event = new_device_event();
    let recorder = InMemoryRecorder::default();
    let config = config(&[]);
    let down = InMemoryMailer::failing("Throttling: Maximum sending rate exceeded");
    let first = steps(&config, &recorder, &down, &event, "req-7").await;
    assert!(matches!(first.alerting, Alerting::Failed(_)));
    let mailer = InMemoryMailer::default();
    let replay = steps(&config, &recorder, &mailer, &event, "req-7").await;
    assert_eq!(
        replay.alerting,
        Alerting::Sent,
        "the replay sends what failed"
    );
    assert_eq!(replay.recording, Recording::AlreadyCounted);
}

#[tokio::test]
async fn a_sign_in_the_table_holds_is_not_counted_as_lost() {
    let event = new_device_event();
    let late = Quirky {
        quirk: Quirk::AnswersLate,
        ..Quirky::default()
    };
    let mailer = InMemoryMailer::default();
    let config = config(&[]);
    let started = Instant::now();
    let report = steps(&config, &late, &mailer, &event, "req-9").await;
    assert!(started.elapsed() < config.budget + Duration::from_millis(200));
    assert_eq!(report.recording, Recording::CountedLate);
    assert!(report.failures().is_empty(), "{:?}", report.failures());
    // One it refused is a loss; one it never answered about is unknown.
    let refused = InMemoryRecorder::failing("ValidationException: bad key");
    let report = steps(&config, &refused, &mailer, &event, "req-10").await;
    assert_eq!(report.failures(), vec![Step::Record]);
    let report = steps(&config, &Stuck, &mailer, &event, "req-11").await;
    assert_eq!(report.recording, Recording::Unconfirmed);
    assert!(report.failures().is_empty());
}

#[tokio::test]
async fn a_sign_in_nested_deeper_than_a_json_value_holds_still_lets_the_user_in() {
    let event = sample_event(
        "post-authentication",
        "PostAuthentication_Authentication.json",
    );
    let text = event.to_string().replacen(
        "\"request\":{",
        &format!(
            "\"request\":{{\"deep\":{}{},",
            "[".repeat(128),
            "]".repeat(128)
        ),
        1,
    );
    let (recorder, mailer) = (InMemoryRecorder::default(), InMemoryMailer::default());
    let config = config(&[]);
    let raw = serde_json::value::RawValue::from_string(text.clone()).unwrap();
    let answer = trigger_core::answer(
        |e| handler(&config, Some(&recorder), Some(&mailer), e),
        lambda_runtime::LambdaEvent::new(raw, lambda_runtime::Context::default()),
    )
    .await
    .unwrap();
    assert_eq!(answer.get(), text, "the answer is the event, unchanged");
}
