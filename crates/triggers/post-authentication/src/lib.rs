#![doc = include_str!("../README.md")]

pub mod adapters;
pub mod config;
pub mod ports;
pub mod signin;

use std::time::{Duration, Instant, SystemTime};

use lambda_runtime::LambdaEvent;
use mailer::{Mail, MailError, Mailer};
use message_templates::Notice;
use serde_json::{Map, Value};
use tokio::time::{timeout_at, Instant as Deadline};
use trigger_core::events::CognitoEventUserPoolsPostAuthentication;
use trigger_core::redact::mask_email;
use trigger_core::{Lenient, TriggerError};

use config::AlertConfig;
pub use config::Config;
use ports::{AlertClaim, AlertLedger, LoginRecorder, RecordError, Recorded};
use signin::{alert_recipient, human_time, SignIn};

pub const TRIGGER_SOURCE: &str = "PostAuthentication_Authentication";

/// The event this trigger takes and returns. One it cannot read is still returned,
/// unchanged: a sign-in is never failed here.
pub type Event = Lenient<CognitoEventUserPoolsPostAuthentication>;

/// What recording the sign-in came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recording {
    Counted,
    /// The write failed or ran out of time, yet a read found the record: the table
    /// applied it and its answer was lost. Counted, not a failure.
    CountedLate,
    /// The write got no answer within the budget (it may still be applied: a request
    /// on its way is not called back) and no read found it: the table may hold the
    /// sign-in or not (`AnalyticsUnconfirmed`, not a failure).
    Unconfirmed,
    /// This request id was counted before: nothing changed.
    AlreadyCounted,
    /// No analytics table is configured.
    Off,
    /// The event names no `sub` to count the sign-in for.
    NoSub,
    /// The table refused the write or could not be reached: nothing was written.
    Failed(RecordError),
}

/// What the new-device alert came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alerting {
    Sent,
    /// Not a new device, or no verified address to write to.
    NotNeeded,
    /// No alert sender is configured.
    Off,
    /// A replay of an invocation that claimed the alert the first time.
    Replay,
    RenderFailed(String),
    Failed(MailError),
    OutOfTime,
}

/// A step that failed (counted in `AnalyticsFailures`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The event could not be read.
    Event,
    Record,
    Alert,
}

/// What one invocation did, for the log, the metrics and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub user_pool_id: String,
    pub client_id: String,
    pub new_device: bool,
    pub recording: Recording,
    pub alerting: Alerting,
    pub unreadable: bool,
}

impl Report {
    /// A replay of a request id counted before: not a sign-in of its own.
    pub fn is_replay(&self) -> bool {
        self.recording == Recording::AlreadyCounted
    }

    /// The steps that failed.
    pub fn failures(&self) -> Vec<Step> {
        let mut failed = Vec::new();
        if self.unreadable || self.recording == Recording::NoSub {
            failed.push(Step::Event);
        }
        if matches!(self.recording, Recording::Failed(_)) {
            failed.push(Step::Record);
        }
        if matches!(
            self.alerting,
            Alerting::Failed(_) | Alerting::OutOfTime | Alerting::RenderFailed(_)
        ) {
            failed.push(Step::Alert);
        }
        failed
    }
}

/// The Lambda handler: runs the steps, counts what happened, and hands the event
/// back. It never returns an error.
pub async fn handler<R: LoginRecorder + AlertLedger, M: Mailer>(
    config: &Config,
    recorder: Option<&R>,
    mailer: Option<&M>,
    event: LambdaEvent<Event>,
) -> Result<Event, TriggerError> {
    let LambdaEvent { payload, context } = event;
    let report = sign_in_steps(
        config,
        recorder,
        mailer,
        &payload,
        &context.request_id,
        SystemTime::now(),
    )
    .await;
    emit_metrics(&report);
    Ok(payload)
}

/// Records the sign-in and, side by side, sends the new-device alert, each within
/// the budget: a slow table does not use up the alert's time.
pub async fn sign_in_steps<R: LoginRecorder + AlertLedger, M: Mailer>(
    config: &Config,
    recorder: Option<&R>,
    mailer: Option<&M>,
    event: &Event,
    request_id: &str,
    now: SystemTime,
) -> Report {
    let started = Instant::now();
    let deadline = Deadline::from_std(started + config.budget);
    let event = match event {
        Lenient::Read(event) => event,
        Lenient::Unreadable { event, error, .. } => return unreadable(event, error),
    };
    let sign_in = SignIn::of(event, request_id, now);
    let (recording, alerting) = tokio::join!(
        record(config, recorder, &sign_in, deadline),
        alert(config, mailer, recorder, event, &sign_in, deadline),
    );
    let report = Report {
        user_pool_id: sign_in.user_pool_id,
        client_id: sign_in.client_id,
        new_device: sign_in.new_device,
        recording,
        alerting,
        unreadable: false,
    };
    tracing::info!(
        sub = %sign_in.sub,
        client_id = %report.client_id,
        new_device = report.new_device,
        recording = ?report.recording,
        alerting = ?report.alerting,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "sign-in processed"
    );
    report
}

fn unreadable(event: &Map<String, Value>, error: &TriggerError) -> Report {
    let text = |key: &str| {
        event
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned()
    };
    tracing::error!(error = ?error, "unreadable sign-in event; not recorded, the sign-in goes on");
    Report {
        user_pool_id: text("userPoolId"),
        client_id: event
            .get("callerContext")
            .and_then(|c| c.get("clientId"))
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned(),
        new_device: false,
        recording: Recording::Off,
        alerting: Alerting::Off,
        unreadable: true,
    }
}

/// Time kept at the end of the budget for reading back a write that failed or ran
/// out of time: a fifth of the budget, at most 200 ms.
pub fn verify_reserve(budget: Duration) -> Duration {
    (budget / 5).min(Duration::from_millis(200))
}

/// The share of the budget within which the alert must be claimed, so that a slow
/// table leaves the send its time: a quarter.
pub fn claim_share(budget: Duration) -> Duration {
    budget / 4
}

async fn record<R: LoginRecorder>(
    config: &Config,
    recorder: Option<&R>,
    sign_in: &SignIn,
    deadline: Deadline,
) -> Recording {
    let Some(recorder) = recorder else {
        return Recording::Off;
    };
    if sign_in.sub.is_empty() {
        tracing::error!("event has no sub; sign-in not recorded");
        return Recording::NoSub;
    }
    let write_by = deadline - verify_reserve(config.budget);
    match timeout_at(write_by, recorder.record(sign_in)).await {
        Ok(Ok(Recorded::Counted)) => return Recording::Counted,
        Ok(Ok(Recorded::AlreadyCounted)) => return Recording::AlreadyCounted,
        Ok(Err(RecordError::Uncertain(_))) | Err(_) => {}
        Ok(Err(e)) => return logged(config, sign_in, Recording::Failed(e)),
    }
    // No answer to the write: the table may have applied it all the same (a slow
    // partition, a lost answer), or may still apply it. Only a refusal is a loss.
    let outcome = match timeout_at(deadline, recorder.was_recorded(sign_in)).await {
        Ok(Ok(true)) => Recording::CountedLate,
        _ => Recording::Unconfirmed,
    };
    logged(config, sign_in, outcome)
}

/// Logs a recording that is not a plain success (a refusal, a late or an unconfirmed
/// write), and hands it back.
fn logged(config: &Config, sign_in: &SignIn, outcome: Recording) -> Recording {
    match &outcome {
        Recording::Failed(e) => {
            tracing::error!(sub = %sign_in.sub, error = %e, "sign-in not recorded")
        }
        Recording::Unconfirmed => tracing::warn!(
            sub = %sign_in.sub,
            budget_ms = config.budget.as_millis() as u64,
            "sign-in written without an answer within the budget; the table may hold it"
        ),
        Recording::CountedLate => tracing::info!(
            sub = %sign_in.sub,
            "sign-in recorded, its answer late; read back"
        ),
        _ => {}
    }
    outcome
}

async fn alert<M: Mailer, L: AlertLedger>(
    config: &Config,
    mailer: Option<&M>,
    ledger: Option<&L>,
    event: &CognitoEventUserPoolsPostAuthentication,
    sign_in: &SignIn,
    deadline: Deadline,
) -> Alerting {
    let (Some(settings), Some(mailer)) = (&config.alert, mailer) else {
        return Alerting::Off;
    };
    let attributes = &event.request.user_attributes;
    let Some(to) = alert_recipient(attributes, sign_in.new_device) else {
        return Alerting::NotNeeded;
    };
    // Claimed first, within its share of the budget, so that a replay of this request
    // id sends nothing. A claim that cannot be made does not stop the alert: a
    // security notice sent twice is better than one never sent.
    let claim_by = deadline.min(Deadline::now() + claim_share(config.budget));
    let claimed = match ledger.filter(|_| !sign_in.sub.is_empty()) {
        None => false,
        Some(ledger) => match timeout_at(claim_by, ledger.claim_alert(sign_in)).await {
            Ok(Ok(AlertClaim::Claimed)) => true,
            Ok(Ok(AlertClaim::AlreadyClaimed)) => return Alerting::Replay,
            Ok(Err(e)) => {
                tracing::warn!(sub = %sign_in.sub, error = %e, "new-device alert not claimed; sending it unclaimed");
                false
            }
            Err(_) => {
                tracing::warn!(sub = %sign_in.sub, "new-device alert not claimed in its share of the budget; sending it unclaimed");
                false
            }
        },
    };
    let mail = match alert_mail(settings, attributes, &to, sign_in) {
        Ok(mail) => mail,
        Err(e) => {
            tracing::error!(sub = %sign_in.sub, error = %e, "new-device alert not rendered");
            return Alerting::RenderFailed(e.to_string());
        }
    };
    let outcome = match timeout_at(deadline, mailer.send(&mail)).await {
        Ok(Ok(())) => Alerting::Sent,
        Ok(Err(e)) => Alerting::Failed(e),
        Err(_) => Alerting::OutOfTime,
    };
    if let (true, Alerting::Failed(_), Some(ledger)) = (claimed, &outcome, ledger) {
        // Not sent: a replay may send it. (One that ran out of time keeps its claim:
        // SES may have taken the mail.)
        let _ = timeout_at(deadline, ledger.release_alert(sign_in)).await;
    }
    if outcome != Alerting::Sent {
        tracing::error!(sub = %sign_in.sub, to = %mask_email(&to), outcome = ?outcome, "new-device alert not sent");
    }
    outcome
}

/// The alert, in the user's language, with every attribute escaped.
fn alert_mail(
    settings: &AlertConfig,
    attributes: &std::collections::HashMap<String, String>,
    to: &str,
    sign_in: &SignIn,
) -> Result<Mail, message_templates::RenderError> {
    let rendered = settings.branding.notice(
        |name| attributes.get(name).map(String::as_str),
        Notice::NewSignIn,
        human_time(sign_in.at),
    )?;
    Ok(Mail::of(to, rendered))
}

/// Counts the invocation through the `metrics` facade (EMF in Lambda, flushed by
/// `main` after each invocation): sign-ins, new-device sign-ins and failed steps, by
/// user pool and app client.
pub fn emit_metrics(report: &Report) {
    let labels = [
        ("UserPoolId", report.user_pool_id.clone()),
        ("ClientId", report.client_id.clone()),
    ];
    // A replayed request id was counted when it first ran.
    if !report.is_replay() {
        metrics::counter!("SignIns", &labels).increment(1);
        if report.new_device {
            metrics::counter!("NewDeviceSignIns", &labels).increment(1);
        }
    }
    let failures = report.failures().len() as u64;
    if failures > 0 {
        metrics::counter!("AnalyticsFailures", &labels).increment(failures);
    }
    if report.recording == Recording::Unconfirmed {
        metrics::counter!("AnalyticsUnconfirmed", &labels).increment(1);
    }
}
