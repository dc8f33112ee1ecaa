#![doc = include_str!("../README.md")]

use std::time::Instant;

use code_sender::{
    conclude, message_kind, read_code, source_name, within, CodeReader, Delivery, SendError,
    SenderSettings,
};
use lambda_runtime::LambdaEvent;
pub use message_templates::SMS_MAX_CHARS;
use message_templates::{Branding, MessageContext, MessageKind};
use trigger_core::events::CognitoEventUserPoolsCustomSmsSender;
use trigger_core::redact::mask_phone;
use trigger_core::values::is_e164;
use trigger_core::{ConfigError, TriggerError, Vars};
use zeroize::Zeroize;

pub use texter::{SnsTexter, TextError, Texter};

pub type Event = CognitoEventUserPoolsCustomSmsSender;

#[derive(Debug, Clone)]
pub struct Config {
    pub settings: SenderSettings,
    /// `APP_NAME`, `SUPPORT_EMAIL`, `DEFAULT_LOCALE` and the templates.
    pub branding: Branding,
    /// `SMS_SENDER_ID`: 1 to 11 letters and digits, at least one letter (shown as the
    /// sender where the destination country allows it).
    pub sender_id: Option<String>,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let settings = SenderSettings::from_vars(vars)?;
        let branding = Branding::from_vars(vars)?;
        let sender_id = vars.get("SMS_SENDER_ID").map(str::to_owned);
        if sender_id.as_deref().is_some_and(|id| !valid_sender_id(id)) {
            return Err(ConfigError::new(
                "SMS_SENDER_ID",
                "must be 1 to 11 letters and digits, with at least one letter",
            ));
        }
        Ok(Self {
            settings,
            branding,
            sender_id,
        })
    }
}

fn valid_sender_id(id: &str) -> bool {
    (1..=11).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric())
        && id.bytes().any(|b| b.is_ascii_alphabetic())
}

/// The Lambda handler: the event back, with what was sent in `response`, or the
/// reason nothing was.
pub async fn handler<R: CodeReader, T: Texter>(
    config: &Config,
    codes: &R,
    texter: &T,
    event: LambdaEvent<Event>,
) -> Result<Event, TriggerError> {
    let started = Instant::now();
    let mut event = event.payload;
    let header = &event.cognito_event_user_pools_header;
    let source = source_name(&header.trigger_source);
    let outcome = deliver(config, codes, texter, &event, &source).await;
    conclude(header, &source, &mut event.response, started, outcome)?;
    Ok(event)
}

/// Reads the code, writes the text and sends it (`source`: the event's trigger source).
async fn deliver<R: CodeReader, T: Texter>(
    config: &Config,
    codes: &R,
    texter: &T,
    event: &Event,
    source: &str,
) -> Result<Delivery, SendError> {
    let request = &event.request;
    let phone = request
        .attribute("phone_number")
        .map(str::trim)
        .filter(|p| is_e164(p))
        .ok_or(SendError::Missing("phone_number"))?;
    let kind = message_kind(source).ok_or(SendError::Missing("message kind"))?;
    let code = read_code(codes, request.code.as_deref(), config.settings.per_call()).await?;
    let recipient = config.branding.recipient(|name| request.attribute(name));
    let username = kind
        .needs_username()
        .then(|| event.cognito_event_user_pools_header.user_name.clone())
        .flatten();
    let mut text = sms_text(config, &recipient.lang, kind, code.expose(), username)?;
    let sent = within(config.settings.per_call(), "the send", async {
        texter
            .send(phone, &text)
            .await
            .map_err(|e| SendError::Send(e.to_string()))
    })
    .await;
    text.zeroize();
    sent?;
    Ok(Delivery {
        channel: "SMS",
        language: recipient.lang,
        message: kind.key(),
        to: mask_phone(phone),
    })
}

/// The catalog's text for `kind`, or, when that is over [`SMS_MAX_CHARS`] (a long
/// product name or user name), the shortest form that still says it all: the product
/// name cut to fit, then the code (and the user name of an invitation).
pub fn sms_text(
    config: &Config,
    lang: &str,
    kind: MessageKind,
    code: &str,
    username: Option<String>,
) -> Result<String, SendError> {
    let mut ctx = MessageContext {
        app_name: config.branding.app_name.clone(),
        code: code.to_owned(),
        username: username.clone(),
        ..MessageContext::default()
    };
    let rendered = config.branding.renderer.render_sms(lang, kind, &ctx);
    ctx.code.zeroize();
    let mut text = rendered.map_err(|e| SendError::Render(e.to_string()))?;
    if text.chars().count() <= SMS_MAX_CHARS {
        return Ok(text);
    }
    text.zeroize();
    let essential = match username {
        Some(user) => format!("{user} / {code}"),
        None => code.to_owned(),
    };
    let room = SMS_MAX_CHARS.saturating_sub(essential.chars().count() + 2);
    if room == 0 {
        return Err(SendError::Render(format!(
            "no text of {SMS_MAX_CHARS} characters holds this message"
        )));
    }
    let app: String = config.branding.app_name.chars().take(room).collect();
    Ok(format!("{app}: {essential}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_ids_are_letters_and_digits_with_a_letter() {
        assert!(valid_sender_id("AcmeNotes"));
        assert!(!valid_sender_id("123456"));
        assert!(!valid_sender_id("Acme Notes"));
        assert!(!valid_sender_id("AcmeNotesLtd1"));
    }
}
