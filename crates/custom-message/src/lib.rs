//! Cognito custom message trigger.
//!
//! Writes the email (subject and HTML body) and the SMS for every `CustomMessage_*`
//! source in the user's language, from templates compiled into the binary. A
//! message that would break one of Cognito's rules (placeholders, lengths) is not
//! sent: the response fields stay `null` and Cognito sends the pool's own message.
//! This trigger never fails the user's action because of its own rendering.

pub mod rules;

use std::sync::Arc;

use lambda_runtime::LambdaEvent;
use serde_json::{Map, Value};
use trigger_core::{CognitoEvent, ConfigError, TriggerError, Vars};

use message_templates::resolve_locale;
pub use message_templates::{kind, render};
use message_templates::{MessageContext, MessageKind, Renderer};
use rules::{check_email, check_sms, valid_verify_url, verify_link};

/// The function's configuration, read once at start-up, with the compiled templates.
#[derive(Debug, Clone)]
pub struct Config {
    pub app_name: String,
    pub support_email: Option<String>,
    pub verify_url: Option<String>,
    pub default_locale: String,
    /// Write `emailSubject`/`emailMessage`. Switch off when the pool sends email with
    /// Cognito's default account, which does not take them.
    pub customize_email: bool,
    pub renderer: Arc<Renderer>,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let renderer = Renderer::new().map_err(|e| ConfigError::new("templates", e.to_string()))?;
        let app_name = vars.required("APP_NAME")?;
        if app_name.chars().count() > 60 || app_name.chars().any(char::is_control) {
            return Err(ConfigError::new(
                "APP_NAME",
                "must be at most 60 characters on one line",
            ));
        }
        let support_email = vars.get("SUPPORT_EMAIL").map(str::to_owned);
        if support_email.as_deref().is_some_and(|e| !e.contains('@')) {
            return Err(ConfigError::new(
                "SUPPORT_EMAIL",
                "must be an email address",
            ));
        }
        let verify_url = vars.get("VERIFY_URL").map(str::to_owned);
        if verify_url.as_deref().is_some_and(|u| !valid_verify_url(u)) {
            return Err(ConfigError::new(
                "VERIFY_URL",
                "must be an absolute http(s) URL without spaces, quotes or a #fragment",
            ));
        }
        let default_locale = vars.string_or("DEFAULT_LOCALE", "en").to_ascii_lowercase();
        if !renderer.has_language(&default_locale) {
            let shipped: Vec<_> = renderer.languages().collect();
            return Err(ConfigError::new(
                "DEFAULT_LOCALE",
                format!(
                    "{default_locale:?} is not shipped; use one of {}",
                    shipped.join(", ")
                ),
            ));
        }
        Ok(Self {
            app_name,
            support_email,
            verify_url,
            default_locale,
            customize_email: vars.flag("CUSTOMIZE_EMAIL", true)?,
            renderer: Arc::new(renderer),
        })
    }
}

/// The Lambda entry point: the whole event back, with `response` filled in.
pub async fn handler(config: &Config, event: LambdaEvent<Value>) -> Result<Value, TriggerError> {
    handle(config, event.payload)
}

/// What goes into the response: `None` leaves Cognito's own message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub email_subject: Option<String>,
    pub email_message: Option<String>,
    pub sms_message: Option<String>,
}

/// Translates between the event and the templates.
pub fn handle(config: &Config, payload: Value) -> Result<Value, TriggerError> {
    let mut event = CognitoEvent::from_value(payload)?;
    let source = event.trigger_source()?.to_owned();
    let outcome = match MessageKind::from_trigger_source(&source) {
        Some(kind) => compose(config, &event, kind)?,
        None if source.starts_with("CustomMessage_") => {
            // A message kind Cognito added after this build: its own text is the safe choice.
            tracing::warn!(trigger_source = %source, "unknown message kind; leaving Cognito's default message");
            Outcome::default()
        }
        None => return Err(TriggerError::unsupported_source(&source)),
    };
    let text = |v: Option<String>| v.map_or(Value::Null, Value::String);
    let mut response = Map::new();
    response.insert("smsMessage".into(), text(outcome.sms_message));
    response.insert("emailMessage".into(), text(outcome.email_message));
    response.insert("emailSubject".into(), text(outcome.email_subject));
    event.set_response(response);
    Ok(event.into_value())
}

fn compose(
    config: &Config,
    event: &CognitoEvent,
    kind: MessageKind,
) -> Result<Outcome, TriggerError> {
    let attributes = event.request_map("userAttributes")?;
    let sub = attributes.get("sub").map(String::as_str);
    let source = kind.trigger_source();
    let Some(code) = event.request_str("codeParameter") else {
        tracing::warn!(
            trigger_source = source,
            sub,
            "no codeParameter in the event; leaving Cognito's default message"
        );
        return Ok(Outcome::default());
    };
    let username = event.request_str("usernameParameter");
    let mut placeholders = vec![code];
    if kind.needs_username() {
        let Some(username) = username else {
            tracing::warn!(
                trigger_source = source,
                sub,
                "no usernameParameter in the event; leaving Cognito's default message"
            );
            return Ok(Outcome::default());
        };
        placeholders.push(username);
    }
    let lang = resolve_locale(
        attributes.get("locale").map(String::as_str),
        &config.default_locale,
        |tag| config.renderer.has_language(tag),
    );
    let name = ["given_name", "name"]
        .iter()
        .filter_map(|key| attributes.get(*key))
        .map(|n| n.trim())
        .find(|n| !n.is_empty())
        .map(str::to_owned);
    let link = match (&config.verify_url, event.user_name()) {
        (Some(base), Some(user_name)) if kind.carries_link() => {
            Some(verify_link(base, user_name, code))
        }
        _ => None,
    };
    let ctx = MessageContext {
        app_name: config.app_name.clone(),
        support_email: config.support_email.clone(),
        name,
        code: code.to_owned(),
        username: username
            .filter(|_| kind.needs_username())
            .map(str::to_owned),
        link,
    };
    let rendered = match config.renderer.render(&lang, kind, &ctx) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(trigger_source = source, sub, lang = %lang, error = %e, "template failed; leaving Cognito's default message");
            return Ok(Outcome::default());
        }
    };
    let mut outcome = Outcome::default();
    match check_sms(&rendered, &placeholders) {
        Ok(()) => outcome.sms_message = Some(rendered.sms.clone()),
        Err(problem) => {
            tracing::warn!(trigger_source = source, sub, lang = %lang, problem = %problem, "SMS left to Cognito's default");
        }
    }
    if config.customize_email {
        match check_email(&rendered, &placeholders) {
            Ok(()) => {
                outcome.email_subject = Some(rendered.subject);
                outcome.email_message = Some(rendered.email_html);
            }
            Err(problem) => {
                tracing::warn!(trigger_source = source, sub, lang = %lang, problem = %problem, "email left to Cognito's default");
            }
        }
    }
    tracing::info!(
        trigger_source = source,
        sub,
        lang = %lang,
        email = outcome.email_message.is_some(),
        sms = outcome.sms_message.is_some(),
        "message rendered"
    );
    Ok(outcome)
}
