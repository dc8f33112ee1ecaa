#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The handler against every sample event in `events/post-confirmation/`, with
//! in-memory ports: what each step does, that a retry does nothing more, and that a
//! failing step never fails the confirmation.

mod common;
use common::{config, handle, ports, steps, POOL};

use std::time::{Duration, Instant, SystemTime};

use cognito_admin::{GroupError, GroupMembership, InMemoryGroups};
use mailer::{InMemoryMailer, Mail, MailError, Mailer};
use post_confirmation::ports::{InMemoryProfiles, Sent, PASSWORD_NOTICE_WINDOW_MS};
use post_confirmation::{confirmation_steps, Outcome, StepError};
use serde_json::{json, Value};
use test_support::{lost_fields, sample_event, sample_events};
use trigger_core::events::decode;

const MARIA: &str = "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1";

/// A pool holding the users of every sample event and the default group (the
/// cognito-local sample's pool is another one, so its group step fails, counted).
fn pool_of_samples() -> InMemoryGroups {
    let users: Vec<String> = sample_events("post-confirmation")
        .iter()
        .map(|(_, e)| e["userName"].as_str().unwrap().to_owned())
        .collect();
    let users: Vec<&str> = users.iter().map(String::as_str).collect();
    InMemoryGroups::with(POOL, &users, &["readers"])
}

fn sign_up() -> Value {
    sample_event("post-confirmation", "PostConfirmation_ConfirmSignUp.json")
}

fn forgot_password() -> Value {
    sample_event(
        "post-confirmation",
        "PostConfirmation_ConfirmForgotPassword.json",
    )
}

#[tokio::test]
async fn every_sample_event_is_answered_unchanged() {
    let config = config(&[]);
    for (file, event) in sample_events("post-confirmation") {
        let (profiles, mailer) = (InMemoryProfiles::default(), InMemoryMailer::default());
        let groups = pool_of_samples();
        let out = handle(&config, ports(&groups, &profiles, &mailer), event.clone())
            .await
            .unwrap();
        assert_eq!(out["response"], json!({}), "{file}");
        assert!(
            lost_fields(&event, &out).is_empty(),
            "{file}: the event comes back whole"
        );
    }
}

#[tokio::test]
async fn a_confirmed_sign_up_joins_the_group_gets_a_profile_and_one_welcome() {
    let config = config(&[]);
    let groups = InMemoryGroups::with(POOL, &[MARIA], &["readers"]);
    let (profiles, mailer) = (InMemoryProfiles::default(), InMemoryMailer::default());
    let report = steps(&config, ports(&groups, &profiles, &mailer), &sign_up()).await;
    assert_eq!(
        (&report.group, &report.profile, &report.email),
        (&Outcome::Done, &Outcome::Done, &Outcome::Done)
    );
    assert_eq!(report.trigger_source, "PostConfirmation_ConfirmSignUp");
    assert_eq!(
        groups.groups_of(POOL, MARIA).await.unwrap(),
        vec!["readers"]
    );
    let row = profiles.row(MARIA).unwrap();
    let profile = row.profile.unwrap();
    assert_eq!(profile.email.as_deref(), Some("maria.garcia@example.com"));
    assert_eq!(profile.client_id, "4n7mc0rcbsjvh1ou3e5q8nt2lf");
    assert_eq!(profile.user_pool_id, POOL);
    assert_eq!(profile.trigger_source, "PostConfirmation_ConfirmSignUp");
    assert!(row.marks.contains_key(Sent::Welcome.attribute()));
    let sent = mailer.sent();
    assert_eq!(sent.len(), 1);
    // In María's language, greeting her by name, with the product's name.
    assert_eq!(sent[0].to, "maria.garcia@example.com");
    assert!(
        sent[0].subject.contains("Acme Notes"),
        "{}",
        sent[0].subject
    );
    assert!(sent[0].text.contains("María"), "{}", sent[0].text);
    assert!(sent[0].html.contains("lang=\"es\""));

    // Cognito retries on timeout: the second run adds nothing and sends nothing.
    let again = steps(&config, ports(&groups, &profiles, &mailer), &sign_up()).await;
    assert_eq!(again.profile, Outcome::AlreadyDone);
    assert_eq!(again.email, Outcome::AlreadyDone);
    assert_eq!(
        again.group,
        Outcome::Done,
        "adding a member again is a no-op"
    );
    assert_eq!(
        groups.groups_of(POOL, MARIA).await.unwrap(),
        vec!["readers"]
    );
    assert_eq!(mailer.sent().len(), 1);
    assert_eq!(
        profiles.row(MARIA).unwrap().profile.unwrap().created_at,
        profile.created_at
    );
}

#[tokio::test]
async fn attributes_are_escaped_in_the_welcome() {
    let config = config(&[]);
    let groups = InMemoryGroups::with(POOL, &[MARIA], &["readers"]);
    let (profiles, mailer) = (InMemoryProfiles::default(), InMemoryMailer::default());
    let mut event = sign_up();
    event["request"]["userAttributes"]["given_name"] = "<script>alert(1)</script>".into();
    steps(&config, ports(&groups, &profiles, &mailer), &event).await;
    let html = &mailer.sent()[0].html;
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
}

#[tokio::test]
async fn no_welcome_to_an_address_nobody_verified() {
    let config = config(&[]);
    let event = sample_event(
        "post-confirmation",
        "PostConfirmation_ConfirmSignUp-phone.json",
    );
    let user = event["userName"].as_str().unwrap().to_owned();
    let groups = InMemoryGroups::with(POOL, &[&user], &["readers"]);
    let (profiles, mailer) = (InMemoryProfiles::default(), InMemoryMailer::default());
    let report = steps(&config, ports(&groups, &profiles, &mailer), &event).await;
    assert_eq!(report.email, Outcome::NotNeeded);
    assert_eq!(report.group, Outcome::Done);
    assert_eq!(report.profile, Outcome::Done);
    assert!(mailer.sent().is_empty());
}

/// What the profile row of `event`'s user records of their verified address.
async fn verified(
    config: &post_confirmation::Config,
    event: Value,
) -> Option<(String, post_confirmation::config::VerifiedBy)> {
    let user = event["userName"].as_str().unwrap().to_owned();
    let sub = event["request"]["userAttributes"]["sub"]
        .as_str()
        .unwrap()
        .to_owned();
    let groups = InMemoryGroups::with(POOL, &[&user], &["readers"]);
    let (profiles, mailer) = (InMemoryProfiles::default(), InMemoryMailer::default());
    steps(config, ports(&groups, &profiles, &mailer), &event).await;
    profiles.row(&sub).unwrap().profile.unwrap().verified
}

#[tokio::test]
async fn the_profile_records_how_the_address_was_verified() {
    use post_confirmation::config::VerifiedBy;
    // Confirmed with the code sent to the address: proven.
    assert_eq!(
        verified(&config(&[]), sign_up()).await,
        Some(("maria.garcia@example.com".to_owned(), VerifiedBy::Code))
    );
    // Confirmed by SMS, the address unverified: nothing to record.
    let phone = sample_event(
        "post-confirmation",
        "PostConfirmation_ConfirmSignUp-phone.json",
    );
    assert_eq!(verified(&config(&[]), phone).await, None);
    // pre-signup verified addresses at its domains without a code: recorded as such.
    let auto = config(&[
        ("AUTO_CONFIRM_EMAIL_DOMAINS", "example.com"),
        ("AUTO_CONFIRM_VERIFIES_EMAIL", "true"),
    ]);
    assert_eq!(
        verified(&auto, sign_up()).await,
        Some(("maria.garcia@example.com".to_owned(), VerifiedBy::PreSignUp))
    );
    // Auto-confirming alone verifies nothing, so a verified address there was proven.
    let confirm_only = config(&[("AUTO_CONFIRM_EMAIL_DOMAINS", "example.com")]);
    assert_eq!(
        verified(&confirm_only, sign_up()).await.map(|(_, by)| by),
        Some(VerifiedBy::Code)
    );
}

#[tokio::test]
async fn a_reset_password_is_told_once_and_changes_nothing_else() {
    let config = config(&[]);
    let lukas = "3a9d2b61-7e04-4c58-b1f3-8d6e0a2c4b97";
    let groups = InMemoryGroups::with(POOL, &[lukas], &["readers"]);
    let (profiles, mailer) = (InMemoryProfiles::default(), InMemoryMailer::default());
    let event = decode(forgot_password()).unwrap();
    let now = SystemTime::now();
    let report = confirmation_steps(&config, ports(&groups, &profiles, &mailer), &event, now).await;
    assert_eq!(report.email, Outcome::Done);
    assert_eq!(report.group, Outcome::NotNeeded);
    assert_eq!(report.profile, Outcome::NotNeeded);
    assert!(groups.groups_of(POOL, lukas).await.unwrap().is_empty());
    let sent = mailer.sent();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].html.contains("lang=\"de\""),
        "de-DE is written in German"
    );
    assert!(sent[0].text.contains("Lukas"));
    // A retry seconds later sends nothing; the next reset, past the window, does.
    let retry = confirmation_steps(
        &config,
        ports(&groups, &profiles, &mailer),
        &event,
        now + Duration::from_secs(20),
    )
    .await;
    assert_eq!(retry.email, Outcome::AlreadyDone);
    let later = now + Duration::from_millis(PASSWORD_NOTICE_WINDOW_MS);
    let next = confirmation_steps(&config, ports(&groups, &profiles, &mailer), &event, later).await;
    assert_eq!(next.email, Outcome::Done);
    assert_eq!(mailer.sent().len(), 2);
    // Switched off, no notice.
    let quiet = config_without_notice();
    let (profiles, mailer) = (InMemoryProfiles::default(), InMemoryMailer::default());
    let report = confirmation_steps(&quiet, ports(&groups, &profiles, &mailer), &event, now).await;
    assert_eq!(report.email, Outcome::Off);
    assert!(mailer.sent().is_empty());
}

fn config_without_notice() -> post_confirmation::Config {
    config(&[("PASSWORD_CHANGED_NOTICE", "false")])
}

/// A mailer that fails the first `n` sends.
#[derive(Debug, Default)]
struct Flaky {
    fail_first: usize,
    calls: std::sync::atomic::AtomicUsize,
    inner: InMemoryMailer,
}

impl Mailer for Flaky {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let n = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n < self.fail_first {
            return Err(MailError::Send("throttled".into()));
        }
        self.inner.send(mail).await
    }
}

#[tokio::test]
async fn a_failed_send_gives_the_claim_back_so_the_retry_sends_it() {
    let config = config(&[]);
    let groups = InMemoryGroups::with(POOL, &[MARIA], &["readers"]);
    let profiles = InMemoryProfiles::default();
    let mailer = Flaky {
        fail_first: 1,
        ..Flaky::default()
    };
    let first = steps(&config, ports(&groups, &profiles, &mailer), &sign_up()).await;
    assert!(
        matches!(first.email, Outcome::Failed(_)),
        "{:?}",
        first.email
    );
    assert_eq!(first.failures(), 1);
    assert!(!profiles
        .row(MARIA)
        .unwrap()
        .marks
        .contains_key("welcome_sent_at"));
    let retry = steps(&config, ports(&groups, &profiles, &mailer), &sign_up()).await;
    assert_eq!(retry.email, Outcome::Done);
    assert_eq!(mailer.inner.sent().len(), 1);
}

/// A mailer that never answers.
struct Hanging;

impl Mailer for Hanging {
    async fn send(&self, _: &Mail) -> Result<(), MailError> {
        std::future::pending().await
    }
}

#[tokio::test]
async fn a_send_that_runs_out_of_time_keeps_the_claim_and_the_budget() {
    let config = config(&[("POST_CONFIRMATION_BUDGET_MS", "300")]);
    let groups = InMemoryGroups::with(POOL, &[MARIA], &["readers"]);
    let profiles = InMemoryProfiles::default();
    let started = Instant::now();
    let report = steps(&config, ports(&groups, &profiles, &Hanging), &sign_up()).await;
    let took = started.elapsed();
    assert_eq!(report.email, Outcome::OutOfTime);
    assert!(took < Duration::from_millis(400), "took {took:?}");
    // SES may have taken it: at most once, so the mark stays.
    assert!(profiles
        .row(MARIA)
        .unwrap()
        .marks
        .contains_key("welcome_sent_at"));
}

#[tokio::test]
async fn failing_ports_are_counted_and_the_event_still_returns() {
    let config = config(&[]);
    let groups = InMemoryGroups::failing("connection refused");
    let profiles = InMemoryProfiles::failing("connection refused");
    let mailer = InMemoryMailer::failing("refused");
    let report = steps(&config, ports(&groups, &profiles, &mailer), &sign_up()).await;
    assert!(matches!(report.group, Outcome::Failed(_)));
    assert!(matches!(report.profile, Outcome::Failed(_)));
    // No claim could be taken, so no send was tried.
    assert!(
        matches!(report.email, Outcome::Failed(StepError::Profile(_))),
        "{:?}",
        report.email
    );
    assert_eq!(report.failures(), 3);
    let out = handle(&config, ports(&groups, &profiles, &mailer), sign_up())
        .await
        .unwrap();
    assert!(lost_fields(&sign_up(), &out).is_empty());
    // A default group the pool does not have is a failure too, named as such.
    let groups = InMemoryGroups::with(POOL, &[MARIA], &["staff"]);
    let (profiles, mailer) = (InMemoryProfiles::default(), InMemoryMailer::default());
    let report = steps(&config, ports(&groups, &profiles, &mailer), &sign_up()).await;
    assert_eq!(
        report.group,
        Outcome::Failed(StepError::Group(GroupError::GroupNotFound))
    );
    assert_eq!(report.email, Outcome::Done, "the other steps go on");
}

#[tokio::test]
async fn an_unreadable_event_is_returned_unchanged_and_counted() {
    let config = config(&[]);
    let groups = InMemoryGroups::with(POOL, &[MARIA], &["readers"]);
    let (profiles, mailer) = (InMemoryProfiles::default(), InMemoryMailer::default());
    let mut event = sign_up();
    event["request"]["userAttributes"] = json!(["not", "a", "map"]);
    let out = handle(&config, ports(&groups, &profiles, &mailer), event.clone())
        .await
        .unwrap();
    assert_eq!(out, event);
    assert!(mailer.sent().is_empty());
    let lenient = decode(event).unwrap();
    let report = confirmation_steps(
        &config,
        ports(&groups, &profiles, &mailer),
        &lenient,
        SystemTime::now(),
    )
    .await;
    assert!(report.unreadable);
    assert_eq!(report.failures(), 1);
    assert_eq!(report.trigger_source, "PostConfirmation_ConfirmSignUp");
}

#[tokio::test]
async fn an_event_nested_deeper_than_a_json_value_holds_is_returned_as_it_came() {
    // serde_json reads no value nested 128 levels or more; the runtime hands the text
    // over all the same, and the confirmation must not fail over it.
    let text = sign_up().to_string().replacen(
        "\"request\":{",
        &format!(
            "\"request\":{{\"deep\":{}{},",
            "[".repeat(200),
            "]".repeat(200)
        ),
        1,
    );
    let config = config(&[]);
    let groups = InMemoryGroups::with(POOL, &[MARIA], &["readers"]);
    let (profiles, mailer) = (InMemoryProfiles::default(), InMemoryMailer::default());
    let raw = serde_json::value::RawValue::from_string(text.clone()).unwrap();
    let answer = trigger_core::answer(
        |e| post_confirmation::handler(&config, ports(&groups, &profiles, &mailer), e),
        lambda_runtime::LambdaEvent::new(raw, lambda_runtime::Context::default()),
    )
    .await
    .unwrap();
    assert_eq!(answer.get(), text, "the answer is the event, unchanged");
    assert!(mailer.sent().is_empty());
}
