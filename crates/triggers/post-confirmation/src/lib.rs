#![doc = include_str!("../README.md")]

pub mod adapters;
pub mod config;
pub mod ports;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cognito_admin::{GroupError, GroupMembership};
use lambda_runtime::LambdaEvent;
use mailer::{Mail, MailError, Mailer};
use message_templates::{verified_email, Notice};
use serde_json::{Map, Value};
use tokio::time::{timeout_at, Instant as Deadline};
use trigger_core::events::{
    CognitoEventUserPoolsPostConfirmation, CognitoEventUserPoolsPostConfirmationTriggerSource,
};
use trigger_core::redact::mask_email;
use trigger_core::time::{human_time, rfc3339};
use trigger_core::{Lenient, TriggerError};

pub use config::Config;
use config::MailConfig;
use ports::{Claim, Created, Profile, ProfileStore, Sent, StoreError};

/// The event this trigger takes and returns. One it cannot read is still returned,
/// unchanged: a confirmation is never failed here.
pub type Event = Lenient<CognitoEventUserPoolsPostConfirmation>;

/// What one step came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// An earlier invocation did it (a retry): nothing changed.
    AlreadyDone,
    /// Not for this event (another trigger source, or no verified address to write to).
    NotNeeded,
    /// Not configured.
    Off,
    Failed(StepError),
    OutOfTime,
}

/// Why a step failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Group(#[from] GroupError),
    #[error(transparent)]
    Profile(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error("email not rendered: {0}")]
    Render(String),
    /// The event lacks what the step needs (`sub`, the pool or the user name).
    #[error("the event has no {0}")]
    Missing(&'static str),
}

impl Outcome {
    pub fn failed(&self) -> bool {
        matches!(self, Self::Failed(_) | Self::OutOfTime)
    }
}

/// What one invocation did, for the log, the metrics and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub user_pool_id: String,
    pub trigger_source: String,
    pub group: Outcome,
    pub profile: Outcome,
    pub email: Outcome,
    /// The event could not be read (nothing was done).
    pub unreadable: bool,
}

impl Report {
    /// How many steps failed (an unreadable event counts as one).
    pub fn failures(&self) -> usize {
        usize::from(self.unreadable)
            + [&self.group, &self.profile, &self.email]
                .into_iter()
                .filter(|o| o.failed())
                .count()
    }
}

/// The ports the steps use; each `None` when its feature is off.
#[derive(Debug)]
pub struct Ports<'a, G, P, M> {
    pub groups: Option<&'a G>,
    pub profiles: Option<&'a P>,
    pub mailer: Option<&'a M>,
}

impl<G, P, M> Clone for Ports<'_, G, P, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<G, P, M> Copy for Ports<'_, G, P, M> {}

/// The Lambda handler: runs the steps, counts what happened, and hands the event
/// back. It never returns an error.
pub async fn handler<G: GroupMembership, P: ProfileStore, M: Mailer>(
    config: &Config,
    ports: Ports<'_, G, P, M>,
    event: LambdaEvent<Event>,
) -> Result<Event, TriggerError> {
    let report = confirmation_steps(config, ports, &event.payload, SystemTime::now()).await;
    emit_metrics(&report);
    Ok(event.payload)
}

/// One confirmed user, as the steps see them.
struct Confirmed<'a> {
    event: &'a CognitoEventUserPoolsPostConfirmation,
    sign_up: bool,
    sub: &'a str,
    pool: &'a str,
    username: &'a str,
}

impl Confirmed<'_> {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.event
            .request
            .user_attributes
            .get(name)
            .map(String::as_str)
    }
}

/// The group, the profile (in parallel), then the email; all within the budget.
pub async fn confirmation_steps<G: GroupMembership, P: ProfileStore, M: Mailer>(
    config: &Config,
    ports: Ports<'_, G, P, M>,
    event: &Event,
    now: SystemTime,
) -> Report {
    let started = Instant::now();
    let deadline = Deadline::from_std(started + config.budget);
    let event = match event {
        Lenient::Read(event) => event,
        Lenient::Unreadable { event, error, .. } => return unreadable(event, error),
    };
    let header = &event.cognito_event_user_pools_header;
    let user = Confirmed {
        event,
        sign_up: header.trigger_source
            == Some(CognitoEventUserPoolsPostConfirmationTriggerSource::ConfirmSignUp),
        sub: event
            .request
            .user_attributes
            .get("sub")
            .map_or("", String::as_str),
        pool: header.user_pool_id.as_deref().unwrap_or(""),
        username: header.user_name.as_deref().unwrap_or(""),
    };
    let (group, profile) = tokio::join!(
        join_default_group(config, ports.groups, &user, deadline),
        write_profile(config, ports.profiles, &user, now, deadline),
    );
    let email = send_email(config, ports, &user, now, deadline).await;
    let report = Report {
        user_pool_id: nonempty(user.pool),
        trigger_source: source_name(event),
        group,
        profile,
        email,
        unreadable: false,
    };
    let elapsed_ms = started.elapsed().as_millis() as u64;
    if report.failures() > 0 {
        tracing::error!(sub = %user.sub, source = %report.trigger_source, group = ?report.group, profile = ?report.profile, email = ?report.email, elapsed_ms, "confirmation steps failed; the user stays confirmed");
    } else {
        tracing::info!(sub = %user.sub, source = %report.trigger_source, group = ?report.group, profile = ?report.profile, email = ?report.email, elapsed_ms, "confirmation processed");
    }
    report
}

fn nonempty(text: &str) -> String {
    if text.is_empty() { "unknown" } else { text }.to_owned()
}

fn source_name(event: &CognitoEventUserPoolsPostConfirmation) -> String {
    match event.cognito_event_user_pools_header.trigger_source {
        Some(CognitoEventUserPoolsPostConfirmationTriggerSource::ConfirmSignUp) => {
            "PostConfirmation_ConfirmSignUp"
        }
        Some(CognitoEventUserPoolsPostConfirmationTriggerSource::ConfirmForgotPassword) => {
            "PostConfirmation_ConfirmForgotPassword"
        }
        _ => "unknown",
    }
    .to_owned()
}

fn unreadable(event: &Map<String, Value>, error: &TriggerError) -> Report {
    tracing::error!(error = ?error, "unreadable confirmation event; nothing done, the user stays confirmed");
    let text = |key: &str| nonempty(event.get(key).and_then(Value::as_str).unwrap_or(""));
    Report {
        user_pool_id: text("userPoolId"),
        trigger_source: text("triggerSource"),
        group: Outcome::Off,
        profile: Outcome::Off,
        email: Outcome::Off,
        unreadable: true,
    }
}

/// Runs one call against the deadline, as an outcome.
async fn bounded<T, E: Into<StepError>>(
    deadline: Deadline,
    call: impl std::future::Future<Output = Result<T, E>>,
    done: impl FnOnce(T) -> Outcome,
) -> Outcome {
    match timeout_at(deadline, call).await {
        Ok(Ok(value)) => done(value),
        Ok(Err(e)) => Outcome::Failed(e.into()),
        Err(_) => Outcome::OutOfTime,
    }
}

async fn join_default_group<G: GroupMembership>(
    config: &Config,
    groups: Option<&G>,
    user: &Confirmed<'_>,
    deadline: Deadline,
) -> Outcome {
    let (Some(group), Some(groups)) = (&config.default_group, groups) else {
        return Outcome::Off;
    };
    if !user.sign_up {
        return Outcome::NotNeeded;
    }
    if user.pool.is_empty() || user.username.is_empty() {
        return Outcome::Failed(StepError::Missing("user pool or user name"));
    }
    // Adding a member again is no error and changes nothing: a retry is harmless.
    bounded(
        deadline,
        groups.add_to_group(user.pool, user.username, group),
        |()| Outcome::Done,
    )
    .await
}

async fn write_profile<P: ProfileStore>(
    config: &Config,
    profiles: Option<&P>,
    user: &Confirmed<'_>,
    now: SystemTime,
    deadline: Deadline,
) -> Outcome {
    let Some(profiles) = profiles else {
        return Outcome::Off;
    };
    if !user.sign_up {
        return Outcome::NotNeeded;
    }
    if user.sub.is_empty() {
        return Outcome::Failed(StepError::Missing("sub"));
    }
    let header = &user.event.cognito_event_user_pools_header;
    // How the address was verified, when it was: what linking needs to know.
    let verified = verified_email(|name| user.attribute(name)).map(|email| {
        let by = config.auto_verified.verified_by(&email);
        (email_domains::proof::recorded_form(&email), by)
    });
    let profile = Profile {
        sub: user.sub.to_owned(),
        username: user.username.to_owned(),
        email: user.attribute("email").map(str::to_owned),
        created_at: rfc3339(now),
        trigger_source: source_name(user.event),
        client_id: nonempty(header.caller_context.client_id.as_deref().unwrap_or("")),
        user_pool_id: nonempty(user.pool),
        verified,
    };
    bounded(
        deadline,
        profiles.create(&profile),
        |created| match created {
            Created::Created => Outcome::Done,
            Created::AlreadyThere => Outcome::AlreadyDone,
        },
    )
    .await
}

/// Time kept back from the send for taking the claim back when it fails.
fn release_reserve(budget: Duration) -> Duration {
    (budget / 4).min(Duration::from_millis(250))
}

/// The welcome (sign-up) or the password-changed notice (reset), each claimed in the
/// profile table first so that a retry does not send it again. A send that fails
/// gives the claim back; one that runs out of time keeps it (SES may have taken the
/// mail), so the user gets the email at most once.
async fn send_email<G, P: ProfileStore, M: Mailer>(
    config: &Config,
    ports: Ports<'_, G, P, M>,
    user: &Confirmed<'_>,
    now: SystemTime,
    deadline: Deadline,
) -> Outcome {
    let (Some(settings), Some(profiles), Some(mailer)) =
        (&config.mail, ports.profiles, ports.mailer)
    else {
        return Outcome::Off;
    };
    let (kind, notice) = match user.sign_up {
        true => (Sent::Welcome, Notice::Welcome),
        false if settings.password_notice => (Sent::PasswordChanged, Notice::PasswordChanged),
        false => return Outcome::Off,
    };
    let Some(to) = verified_email(|name| user.attribute(name)) else {
        return Outcome::NotNeeded;
    };
    if user.sub.is_empty() {
        return Outcome::Failed(StepError::Missing("sub"));
    }
    let at = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    match timeout_at(deadline, profiles.claim(user.sub, kind, at)).await {
        Ok(Ok(Claim::Claimed)) => {}
        Ok(Ok(Claim::AlreadySent)) => return Outcome::AlreadyDone,
        Ok(Err(e)) => return Outcome::Failed(e.into()),
        Err(_) => return Outcome::OutOfTime,
    }
    let sent = match email(settings, user, notice, now, &to) {
        Ok(mail) => {
            let send_by = deadline - release_reserve(config.budget);
            bounded(send_by, mailer.send(&mail), |()| Outcome::Done).await
        }
        Err(e) => Outcome::Failed(StepError::Render(e.to_string())),
    };
    if matches!(sent, Outcome::Failed(_)) {
        // Not sent: give the claim back so that a retried invocation may send it.
        let released = timeout_at(deadline, profiles.release(user.sub, kind, at)).await;
        if !matches!(released, Ok(Ok(()))) {
            tracing::error!(sub = %user.sub, email = ?kind, "claim not given back; this email will not be retried");
        }
    }
    if sent.failed() {
        tracing::error!(sub = %user.sub, to = %mask_email(&to), email = ?kind, outcome = ?sent, "email not sent");
    }
    sent
}

/// The notice, in the user's language, with every attribute escaped.
fn email(
    settings: &MailConfig,
    user: &Confirmed<'_>,
    notice: Notice,
    now: SystemTime,
    to: &str,
) -> Result<Mail, message_templates::RenderError> {
    let rendered =
        settings
            .branding
            .notice(|name| user.attribute(name), notice, human_time(now))?;
    Ok(Mail::of(to, rendered))
}

/// Counts the invocation through the `metrics` facade (EMF in Lambda, flushed by
/// `main` after each invocation): confirmations and failed steps, by user pool and
/// trigger source.
pub fn emit_metrics(report: &Report) {
    let labels = [
        ("UserPoolId", report.user_pool_id.clone()),
        ("TriggerSource", report.trigger_source.clone()),
    ];
    metrics::counter!("Confirmations", &labels).increment(1);
    let failures = report.failures() as u64;
    if failures > 0 {
        metrics::counter!("ConfirmationStepFailures", &labels).increment(failures);
    }
}
