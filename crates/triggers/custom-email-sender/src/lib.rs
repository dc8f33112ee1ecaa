#![doc = include_str!("../README.md")]

use std::time::{Instant, SystemTime};

use code_sender::{
    conclude, message_kind, read_code, source_name, within, CodeReader, Delivery, SendError,
    SenderSettings,
};
use lambda_runtime::LambdaEvent;
use mailer::{Mail, Mailer};
use message_templates::{MessageContext, MessageKind, Notice, Sender};
use trigger_core::events::CognitoEventUserPoolsCustomEmailSender;
use trigger_core::redact::mask_email;
use trigger_core::time::human_time;
use trigger_core::values::looks_like_address;
use trigger_core::{ConfigError, TriggerError, Vars};
use zeroize::Zeroize;

pub type Event = CognitoEventUserPoolsCustomEmailSender;

/// The function's configuration, read once at start.
#[derive(Debug, Clone)]
pub struct Config {
    pub settings: SenderSettings,
    /// `EMAIL_FROM_ADDRESS` (an SES identity), with `APP_NAME`, `SUPPORT_EMAIL`,
    /// `DEFAULT_LOCALE` and the templates.
    pub sender: Sender,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    /// Refuses a start that could send nothing: no key, no sender, bad branding.
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let settings = SenderSettings::from_vars(vars)?;
        let sender = Sender::from_vars(vars, "EMAIL_FROM_ADDRESS", "no email can be sent")?
            .ok_or_else(|| {
                ConfigError::new(
                    "EMAIL_FROM_ADDRESS",
                    "must be set: the SES identity the emails come from",
                )
            })?;
        Ok(Self { settings, sender })
    }
}

/// The Lambda handler: the event back, with what was sent in `response`, or the
/// reason nothing was.
pub async fn handler<R: CodeReader, M: Mailer>(
    config: &Config,
    codes: &R,
    mailer: &M,
    event: LambdaEvent<Event>,
) -> Result<Event, TriggerError> {
    let started = Instant::now();
    let mut event = event.payload;
    let header = &event.cognito_event_user_pools_header;
    let source = source_name(&header.trigger_source);
    let outcome = deliver(config, codes, mailer, &event, &source).await;
    conclude(header, &source, &mut event.response, started, outcome)?;
    Ok(event)
}

/// Reads the code, writes the message and sends it (`source`: the event's trigger
/// source).
async fn deliver<R: CodeReader, M: Mailer>(
    config: &Config,
    codes: &R,
    mailer: &M,
    event: &Event,
    source: &str,
) -> Result<Delivery, SendError> {
    let to = event
        .request
        .attribute("email")
        .map(str::trim)
        .filter(|e| looks_like_address(e))
        .ok_or(SendError::Missing("email"))?;
    let (mut mail, language, message) = match message_kind(source) {
        Some(kind) => {
            let budget = config.settings.per_call();
            let code = read_code(codes, event.request.code.as_deref(), budget).await?;
            code_mail(config, event, kind, code.expose(), to)?
        }
        None => risky_sign_in_mail(config, event, to)?,
    };
    let sent = within(config.settings.per_call(), "the send", async {
        mailer
            .send(&mail)
            .await
            .map_err(|e| SendError::Send(e.to_string()))
    })
    .await;
    // The message held the code: it goes with it.
    mail.html.zeroize();
    mail.text.zeroize();
    sent?;
    Ok(Delivery {
        channel: "EMAIL",
        language,
        message,
        to: mask_email(to),
    })
}

/// A message carrying a code (or, for an invitation, the temporary password).
fn code_mail(
    config: &Config,
    event: &Event,
    kind: MessageKind,
    code: &str,
    to: &str,
) -> Result<(Mail, String, &'static str), SendError> {
    let branding = &config.sender.branding;
    let recipient = branding.recipient(|name| event.request.attribute(name));
    let mut ctx = MessageContext {
        app_name: branding.app_name.clone(),
        support_email: branding.support_email.clone(),
        name: recipient.name,
        code: code.to_owned(),
        username: kind
            .needs_username()
            .then(|| invitation_username(event))
            .flatten(),
        link: None,
    };
    let rendered = branding.renderer.render_email(&recipient.lang, kind, &ctx);
    ctx.code.zeroize();
    let rendered = rendered.map_err(|e| SendError::Render(e.to_string()))?;
    Ok((Mail::of(to, rendered), recipient.lang, kind.key()))
}

/// The name an invited user signs in with: the event's user name, or their email
/// where the user name is the pool's internal id (email as username).
fn invitation_username(event: &Event) -> Option<String> {
    let user_name = event.cognito_event_user_pools_header.user_name.as_deref();
    match (user_name, event.request.attribute("email")) {
        (Some(name), Some(email)) if looks_like_internal_id(name) => Some(email.to_owned()),
        (Some(name), _) => Some(name.to_owned()),
        (None, email) => email.map(str::to_owned),
    }
}

/// A UUID, as Cognito gives users of pools that sign in with their email.
fn looks_like_internal_id(name: &str) -> bool {
    name.len() == 36
        && name.char_indices().all(|(i, c)| {
            matches!(i, 8 | 13 | 18 | 23) == (c == '-') && (c == '-' || c.is_ascii_hexdigit())
        })
}

/// Threat protection's notice of a risky sign-in: no code; when and from where.
fn risky_sign_in_mail(
    config: &Config,
    event: &Event,
    to: &str,
) -> Result<(Mail, String, &'static str), SendError> {
    let attribute = |name: &str| event.request.attribute(name);
    let branding = &config.sender.branding;
    let lang = branding.recipient(attribute).lang;
    let notice = branding
        .notice(attribute, Notice::RiskySignIn, when_and_where(event))
        .map_err(|e| SendError::Render(e.to_string()))?;
    Ok((Mail::of(to, notice), lang, Notice::RiskySignIn.key()))
}

/// `LOGIN_TIME, IP_ADDRESS (CITY, COUNTRY)` of an account-takeover notification, with
/// what it has of them (the time of this invocation when it has no `LOGIN_TIME`).
pub fn when_and_where(event: &Event) -> String {
    let attribute = |name: &str| {
        event
            .request
            .attribute(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let when = attribute("LOGIN_TIME")
        .map(str::to_owned)
        .unwrap_or_else(|| human_time(SystemTime::now()));
    let place: Vec<&str> = ["CITY", "COUNTRY"]
        .into_iter()
        .filter_map(attribute)
        .collect();
    match (attribute("IP_ADDRESS"), place.is_empty()) {
        (Some(ip), false) => format!("{when}, {ip} ({})", place.join(", ")),
        (Some(ip), true) => format!("{when}, {ip}"),
        (None, false) => format!("{when}, {}", place.join(", ")),
        (None, true) => when,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_ids_are_told_from_user_names() {
        assert!(looks_like_internal_id(
            "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1"
        ));
        assert!(!looks_like_internal_id("maria.garcia"));
        assert!(!looks_like_internal_id(
            "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1x"
        ));
        assert!(!looks_like_internal_id(
            "7c1e5d0a13b9f14e6219a2d161f0c8b4e7a1"
        ));
    }
}
