#![doc = include_str!("../README.md")]

pub mod rules;

use lambda_runtime::LambdaEvent;
use serde_json::{json, Map, Value};
use trigger_core::events::{
    CognitoEventUserPoolsCustomMessage,
    CognitoEventUserPoolsCustomMessageTriggerSource as TriggerSource,
};
use trigger_core::{ConfigError, ErrorKind, Lenient, TriggerError, Vars};

pub use message_templates::{kind, render};
use message_templates::{Branding, MessageContext, MessageKind, Rendered};
use rules::{check_email, check_sms, valid_verify_url, verify_link};

/// The function's configuration, read once at start-up, with the compiled templates.
#[derive(Debug, Clone)]
pub struct Config {
    /// `APP_NAME`, `SUPPORT_EMAIL`, `DEFAULT_LOCALE` and the templates.
    pub branding: Branding,
    pub verify_url: Option<String>,
    /// Write `emailSubject`/`emailMessage`. Switch off when the pool sends email with
    /// Cognito's default account, which does not take them.
    pub customize_email: bool,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let branding = Branding::from_vars(vars)?;
        let verify_url = vars.get("VERIFY_URL").map(str::to_owned);
        if verify_url.as_deref().is_some_and(|u| !valid_verify_url(u)) {
            return Err(ConfigError::new(
                "VERIFY_URL",
                "must be an absolute http(s) URL without spaces, quotes or a #fragment",
            ));
        }
        Ok(Self {
            branding,
            verify_url,
            customize_email: vars.flag("CUSTOMIZE_EMAIL", true)?,
        })
    }
}

/// The event this trigger takes and returns. A `CustomMessage_*` source newer than
/// this build arrives unreadable and is left to Cognito's own message.
pub type Event = Lenient<CognitoEventUserPoolsCustomMessage>;

/// What goes into the response: `None` leaves Cognito's own message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub email_subject: Option<String>,
    pub email_message: Option<String>,
    pub sms_message: Option<String>,
}

/// The Lambda handler: the whole event back with the message in `response`.
pub async fn handler(config: &Config, event: LambdaEvent<Event>) -> Result<Event, TriggerError> {
    let mut event = match event.payload {
        Lenient::Read(event) => event,
        Lenient::Unreadable { event, error, .. } => return leave_to_cognito(event, error),
    };
    let kind = message_kind(
        event
            .cognito_event_user_pools_header
            .trigger_source
            .as_ref(),
    )?;
    let outcome = match message_context(config, &event, kind) {
        Ok(ctx) => compose(config, kind, &ctx),
        Err(missing) => {
            tracing::warn!(
                trigger_source = kind.trigger_source(),
                sub = sub(&event),
                "no {missing} in the event; leaving Cognito's default message"
            );
            Outcome::default()
        }
    };
    let response = &mut event.response;
    response.email_subject = outcome.email_subject;
    response.email_message = outcome.email_message;
    response.sms_message = outcome.sms_message;
    Ok(Lenient::Read(event))
}

/// A message kind Cognito added after this build: its own text is the safe choice.
/// Anything else this build cannot read is an error.
fn leave_to_cognito(
    mut event: Map<String, Value>,
    error: TriggerError,
) -> Result<Event, TriggerError> {
    if error.kind() != Some(ErrorKind::UnsupportedTriggerSource) {
        return Err(error);
    }
    let source = event
        .get("triggerSource")
        .and_then(Value::as_str)
        .unwrap_or_default();
    tracing::warn!(trigger_source = %source, "unknown message kind; leaving Cognito's default message");
    event.insert(
        "response".into(),
        json!({"smsMessage": null, "emailMessage": null, "emailSubject": null}),
    );
    Ok(Lenient::Unreadable {
        event,
        error,
        verbatim: None,
    })
}

fn message_kind(source: Option<&TriggerSource>) -> Result<MessageKind, TriggerError> {
    Ok(match source {
        Some(TriggerSource::SignUp) => MessageKind::SignUp,
        Some(TriggerSource::AdminCreateUser) => MessageKind::AdminCreateUser,
        Some(TriggerSource::ResendCode) => MessageKind::ResendCode,
        Some(TriggerSource::ForgotPassword) => MessageKind::ForgotPassword,
        Some(TriggerSource::UpdateUserAttribute) => MessageKind::UpdateUserAttribute,
        Some(TriggerSource::VerifyUserAttribute) => MessageKind::VerifyUserAttribute,
        Some(TriggerSource::Authentication) => MessageKind::Authentication,
        Some(other) => return Err(TriggerError::unsupported_source(&format!("{other:?}"))),
        None => return Err(TriggerError::malformed("event has no triggerSource")),
    })
}

/// A text attribute of the user (other JSON values are not text).
fn attribute<'a>(event: &'a CognitoEventUserPoolsCustomMessage, name: &str) -> Option<&'a str> {
    event
        .request
        .user_attributes
        .get(name)
        .and_then(Value::as_str)
}

fn sub(event: &CognitoEventUserPoolsCustomMessage) -> Option<&str> {
    attribute(event, "sub")
}

/// What one message is rendered from, and the placeholders it must keep.
#[derive(Debug, Clone)]
pub struct Context {
    pub lang: String,
    pub message: MessageContext,
    pub placeholders: Vec<String>,
    pub sub: Option<String>,
}

/// The message context of an event, or the name of the request field it lacks.
pub fn message_context(
    config: &Config,
    event: &CognitoEventUserPoolsCustomMessage,
    kind: MessageKind,
) -> Result<Context, &'static str> {
    let request = &event.request;
    let code = request.code_parameter.as_deref().ok_or("codeParameter")?;
    let username = match kind.needs_username() {
        true => Some(
            request
                .username_parameter
                .as_deref()
                .ok_or("usernameParameter")?,
        ),
        false => None,
    };
    let recipient = config.branding.recipient(|name| attribute(event, name));
    let user_name = event.cognito_event_user_pools_header.user_name.as_deref();
    let link = match (&config.verify_url, user_name) {
        (Some(base), Some(user_name)) if kind.carries_link() => {
            Some(verify_link(base, user_name, code))
        }
        _ => None,
    };
    Ok(Context {
        lang: recipient.lang,
        message: MessageContext {
            app_name: config.branding.app_name.clone(),
            support_email: config.branding.support_email.clone(),
            name: recipient.name,
            code: code.to_owned(),
            username: username.map(str::to_owned),
            link,
        },
        placeholders: [Some(code), username]
            .into_iter()
            .flatten()
            .map(str::to_owned)
            .collect(),
        sub: sub(event).map(str::to_owned),
    })
}

/// Renders the message and keeps each part only if it passes Cognito's rules.
pub fn compose(config: &Config, kind: MessageKind, ctx: &Context) -> Outcome {
    let source = kind.trigger_source();
    let (lang, sub) = (ctx.lang.as_str(), ctx.sub.as_deref());
    let rendered = match config.branding.renderer.render(lang, kind, &ctx.message) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(trigger_source = source, sub, lang, error = %e, "template failed; leaving Cognito's default message");
            return Outcome::default();
        }
    };
    let placeholders: Vec<&str> = ctx.placeholders.iter().map(String::as_str).collect();
    let mut outcome = Outcome::default();
    let sms = check_sms(&rendered, &placeholders);
    let email = match config.customize_email {
        true => Some(check_email(&rendered, &placeholders)),
        false => None,
    };
    let Rendered {
        subject,
        email_html,
        sms: sms_text,
    } = rendered;
    match sms {
        Ok(()) => outcome.sms_message = Some(sms_text),
        Err(problem) => {
            tracing::warn!(trigger_source = source, sub, lang, problem = %problem, "SMS left to Cognito's default");
        }
    }
    match email {
        Some(Ok(())) => {
            outcome.email_subject = Some(subject);
            outcome.email_message = Some(email_html);
        }
        Some(Err(problem)) => {
            tracing::warn!(trigger_source = source, sub, lang, problem = %problem, "email left to Cognito's default");
        }
        None => {}
    }
    tracing::info!(
        trigger_source = source,
        sub,
        lang,
        email = outcome.email_message.is_some(),
        sms = outcome.sms_message.is_some(),
        "message rendered"
    );
    outcome
}
