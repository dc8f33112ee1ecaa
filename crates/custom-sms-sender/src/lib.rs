//! Cognito custom SMS sender trigger.
//!
//! Cognito hands this function every text message it would have sent (sign-up,
//! resend, forgotten password, changed or verified number, invitation, sign-in code)
//! with the code encrypted under the pool's KMS key. It decrypts the code (the AWS
//! Encryption SDK, a strict KMS keyring), writes the text in the user's language from
//! the same catalogs as custom-message, within 140 characters, and sends it to the
//! user's `phone_number` through SNS.
//!
//! Cognito sends nothing itself here, so a text that cannot be sent fails the
//! invocation (Lambda retries the asynchronous event twice); nothing after the send
//! can fail, so a retry never sends a code twice.

pub mod texts;

use std::time::Instant;

use code_sender::{
    conclude, message_kind, read_code, source_name, within, CodeReader, Delivery, SendError,
    SenderSettings,
};
use lambda_runtime::LambdaEvent;
use message_templates::{Branding, MessageContext, MessageKind};
use trigger_core::events::CognitoEventUserPoolsCustomSmsSender;
use trigger_core::values::is_e164;
use trigger_core::{ConfigError, TriggerError, Vars};
use zeroize::Zeroize;

pub use texts::{InMemoryTexter, SnsTexter, TextError, Texter};

pub type Event = CognitoEventUserPoolsCustomSmsSender;

/// The longest text this trigger sends, in characters.
pub const MAX_SMS_CHARS: usize = 140;

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
    let outcome = deliver(config, codes, texter, &event).await;
    let header = &event.cognito_event_user_pools_header;
    conclude(header, &mut event.response, started, outcome)?;
    Ok(event)
}

/// Reads the code, writes the text and sends it.
pub async fn deliver<R: CodeReader, T: Texter>(
    config: &Config,
    codes: &R,
    texter: &T,
    event: &Event,
) -> Result<Delivery, SendError> {
    let attributes = &event.request.user_attributes;
    let phone = attributes
        .get("phone_number")
        .map(|p| p.trim())
        .filter(|p| is_e164(p))
        .ok_or(SendError::Missing("phone_number"))?;
    let source = source_name(&event.cognito_event_user_pools_header.trigger_source);
    let kind = message_kind(&source).ok_or(SendError::Missing("message kind"))?;
    let code = read_code(codes, event.request.code.as_deref()).await?;
    let recipient = config
        .branding
        .recipient(|name| attributes.get(name).map(String::as_str));
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

/// The catalog's text for `kind`, or, when that is over [`MAX_SMS_CHARS`] (a long
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
    let rendered = config.branding.renderer.render(lang, kind, &ctx);
    ctx.code.zeroize();
    let mut rendered = rendered.map_err(|e| SendError::Render(e.to_string()))?;
    rendered.email_html.zeroize();
    rendered.email_text.zeroize();
    if rendered.sms.chars().count() <= MAX_SMS_CHARS {
        return Ok(rendered.sms);
    }
    rendered.sms.zeroize();
    let essential = match username {
        Some(user) => format!("{user} / {code}"),
        None => code.to_owned(),
    };
    let room = MAX_SMS_CHARS.saturating_sub(essential.chars().count() + 2);
    if room == 0 {
        return Err(SendError::Render(format!(
            "no text of {MAX_SMS_CHARS} characters holds this message"
        )));
    }
    let app: String = config.branding.app_name.chars().take(room).collect();
    Ok(format!("{app}: {essential}"))
}

/// `+*********4567`: the last four digits, for the log.
pub fn mask_phone(phone: &str) -> String {
    let digits = phone.chars().count();
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| if i == 0 || i + 4 >= digits { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_ids_and_masks() {
        assert!(valid_sender_id("AcmeNotes"));
        assert!(!valid_sender_id("123456"));
        assert!(!valid_sender_id("Acme Notes"));
        assert!(!valid_sender_id("AcmeNotesLtd1"));
        assert_eq!(mask_phone("+14155550123"), "+*******0123");
    }
}
