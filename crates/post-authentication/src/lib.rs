//! Cognito post authentication trigger.
//!
//! Records each sign-in in DynamoDB (a record, the user's summary and a per-day
//! counter, written together and never twice for one request id), emits CloudWatch
//! Embedded Metric Format counters, and emails the user about a sign-in from a new
//! device. Cognito fails the sign-in when this trigger errors, so none of this may:
//! every failure is logged and counted, and the event is returned within the budget.

pub mod config;
pub mod mailer;
pub mod recorder;
pub mod signin;

use std::time::{Instant, SystemTime};

use lambda_runtime::LambdaEvent;
use message_templates::{resolve_locale, AlertContext};
use serde_json::Value;
use trigger_core::redact::mask_email;
use trigger_core::{CognitoEvent, TriggerError};

pub use config::Config;
use mailer::{Mail, Mailer};
use recorder::{LoginRecorder, Recorded};
use signin::{alert_recipient, human_time, new_device_flag, SignIn};

pub const TRIGGER_SOURCE: &str = "PostAuthentication_Authentication";

/// What one invocation did, for metrics and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub user_pool_id: String,
    pub client_id: String,
    pub new_device: bool,
    pub recorded: Option<Recorded>,
    pub alert_sent: bool,
    /// Each best-effort step that failed: `record`, `alert`, `event`.
    pub failures: Vec<&'static str>,
}

/// The Lambda entry point.
pub async fn handler<R: LoginRecorder, M: Mailer>(
    config: &Config,
    recorder: &R,
    mailer: &M,
    event: LambdaEvent<Value>,
) -> Result<Value, TriggerError> {
    let (result, report) = handle(
        config,
        recorder,
        mailer,
        event.payload,
        &event.context.request_id,
        SystemTime::now(),
    )
    .await;
    if let Some(report) = report {
        emit_metrics(&report);
    }
    result
}

/// Counts the invocation through the `metrics` facade (EMF in Lambda): sign-ins,
/// new-device sign-ins and analytics failures, by user pool and app client.
pub fn emit_metrics(report: &Report) {
    let labels = [
        ("UserPoolId", report.user_pool_id.clone()),
        ("ClientId", report.client_id.clone()),
    ];
    metrics::counter!("SignIns", &labels).increment(1);
    if report.new_device {
        metrics::counter!("NewDeviceSignIns", &labels).increment(1);
    }
    if !report.failures.is_empty() {
        metrics::counter!("AnalyticsFailures", &labels).increment(report.failures.len() as u64);
    }
}

/// Handles one event. The report is `None` when the event is not a sign-in at all.
pub async fn handle<R: LoginRecorder, M: Mailer>(
    config: &Config,
    recorder: &R,
    mailer: &M,
    payload: Value,
    request_id: &str,
    now: SystemTime,
) -> (Result<Value, TriggerError>, Option<Report>) {
    let started = Instant::now();
    let deadline = tokio::time::Instant::from_std(started + config.budget);
    let event = match CognitoEvent::from_value(payload) {
        Ok(e) => e,
        Err(e) => return (Err(e), None),
    };
    match event.trigger_source() {
        Ok(TRIGGER_SOURCE) => {}
        Ok(other) => return (Err(TriggerError::unsupported_source(other)), None),
        Err(e) => return (Err(e), None),
    }
    let mut report = Report {
        user_pool_id: event.user_pool_id().unwrap_or("unknown").to_owned(),
        client_id: event
            .client_id()
            .filter(|c| !c.is_empty())
            .unwrap_or("unknown")
            .to_owned(),
        new_device: new_device_flag(event.request_field("newDeviceUsed")),
        ..Report::default()
    };
    let attributes = match event.request_map("userAttributes") {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = ?e, "unreadable userAttributes; sign-in not recorded");
            report.failures.push("event");
            return (Ok(event.into_value()), Some(report));
        }
    };
    let sub = attributes.get("sub").cloned().unwrap_or_default();
    let sign_in = SignIn {
        request_id: request_id.to_owned(),
        sub: sub.clone(),
        user_pool_id: report.user_pool_id.clone(),
        client_id: report.client_id.clone(),
        new_device: report.new_device,
        trigger_source: TRIGGER_SOURCE.to_owned(),
        at: now,
    };

    if sub.is_empty() {
        tracing::error!("event has no sub; sign-in not recorded");
        report.failures.push("event");
    } else {
        match tokio::time::timeout_at(deadline, recorder.record(&sign_in)).await {
            Ok(Ok(outcome)) => report.recorded = Some(outcome),
            Ok(Err(e)) => {
                tracing::error!(sub = %sub, error = %e, "sign-in not recorded");
                report.failures.push("record");
            }
            Err(_) => {
                tracing::error!(sub = %sub, budget_ms = config.budget.as_millis() as u64, "sign-in not recorded: budget spent");
                report.failures.push("record");
            }
        }
    }

    // A replayed invocation was alerted the first time.
    let replay = report.recorded == Some(Recorded::AlreadyCounted);
    if let (Some(alert), Some(to), false) = (
        &config.alert,
        alert_recipient(&attributes, report.new_device),
        replay,
    ) {
        let lang = resolve_locale(
            attributes.get("locale").map(String::as_str),
            &alert.default_locale,
            |l| alert.renderer.has_language(l),
        );
        let name = ["given_name", "name"]
            .iter()
            .filter_map(|k| attributes.get(*k))
            .map(|n| n.trim())
            .find(|n| !n.is_empty())
            .map(str::to_owned);
        let ctx = AlertContext {
            app_name: alert.app_name.clone(),
            support_email: alert.support_email.clone(),
            name,
            time: human_time(now),
        };
        match alert.renderer.render_alert(&lang, &ctx) {
            Ok(rendered) => {
                let mail = Mail {
                    to: to.clone(),
                    subject: rendered.subject,
                    html: rendered.html,
                    text: rendered.text,
                };
                match tokio::time::timeout_at(deadline, mailer.send(&mail)).await {
                    Ok(Ok(())) => report.alert_sent = true,
                    Ok(Err(e)) => {
                        tracing::error!(sub = %sub, to = %mask_email(&to), error = %e, "new-device alert not sent");
                        report.failures.push("alert");
                    }
                    Err(_) => {
                        tracing::error!(sub = %sub, to = %mask_email(&to), "new-device alert not sent: budget spent");
                        report.failures.push("alert");
                    }
                }
            }
            Err(e) => {
                tracing::error!(sub = %sub, error = %e, "new-device alert not rendered");
                report.failures.push("alert");
            }
        }
    }
    tracing::info!(
        sub = %sub,
        client_id = %report.client_id,
        new_device = report.new_device,
        recorded = ?report.recorded,
        alert_sent = report.alert_sent,
        failures = ?report.failures,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "sign-in processed"
    );
    (Ok(event.into_value()), Some(report))
}
