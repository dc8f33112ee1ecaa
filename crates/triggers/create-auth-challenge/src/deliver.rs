//! Where a code or link goes, and sending it: a code by email or text message in
//! the user's language, a link (its token signed by the KMS key) by email.

use mailer::{Mail, Mailer};
use message_templates::{verified_email, MessageContext, MessageKind};
use passwordless::budget::{Deadline, Failure};
use passwordless::link::link_to;
use passwordless::ports::{Pending, Signer};
use passwordless::token::{assemble, signed_part, Claims};
use passwordless::{mask, Method};
use texter::Texter;
use trigger_core::values::is_e164;
use url::Url;
use zeroize::Zeroize;

use crate::{Config, Event, Services};

/// The user's verified address or phone for this method (none for an unknown user
/// or one without), and how the app shows it: one form either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub address: Option<String>,
    pub masked: String,
}

impl Destination {
    pub fn of(config: &Config, event: &Event) -> Self {
        let request = &event.request;
        let user_name = event
            .cognito_event_user_pools_header
            .user_name
            .as_deref()
            .unwrap_or_default();
        let attribute = |name: &str| request.user_attributes.get(name).map(String::as_str);
        let known = !request.user_not_found;
        match config.shared.flow.method {
            Method::SmsCode => {
                let verified = attribute("phone_number_verified").is_some_and(|v| v == "true");
                let phone = attribute("phone_number")
                    .map(str::trim)
                    .filter(|p| is_e164(p));
                let address = phone.filter(|_| known && verified).map(str::to_owned);
                let masked = phone
                    .filter(|_| known)
                    .and_then(mask::phone)
                    .unwrap_or_else(|| mask::stand_in_phone(user_name));
                Self { address, masked }
            }
            Method::EmailCode | Method::MagicLink => {
                let address = verified_email(attribute).filter(|_| known);
                let masked = attribute("email")
                    .filter(|_| known)
                    .and_then(mask::email)
                    .unwrap_or_else(|| mask::stand_in_email(user_name));
                Self { address, masked }
            }
        }
    }
}

/// Sends `secret` (the code, or the link's nonce) to `to`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn deliver<S, G: Signer, M: Mailer, T: Texter>(
    config: &Config,
    services: &Services<'_, S, G, M, T>,
    event: &Event,
    to: &str,
    secret: &str,
    pending: &Pending,
    landing: Option<&Url>,
    deadline: &Deadline,
) -> Result<(), Failure> {
    let attributes = &event.request.user_attributes;
    let recipient = config
        .branding
        .recipient(|name| attributes.get(name).map(String::as_str));
    let mut ctx = MessageContext {
        app_name: config.branding.app_name.clone(),
        support_email: config.branding.support_email.clone(),
        name: recipient.name,
        ..MessageContext::default()
    };
    let renderer = &config.branding.renderer;
    let kind = match config.shared.flow.method {
        Method::MagicLink => {
            let landing = landing.ok_or_else(|| Failure::new("link", "no landing page"))?;
            let header = &event.cognito_event_user_pools_header;
            let claims = Claims {
                user: header.user_name.clone().unwrap_or_default(),
                pool: header.user_pool_id.clone().unwrap_or_default(),
                origin: landing.origin().ascii_serialization(),
                expires: pending.expires,
                nonce: secret.to_owned(),
            };
            let signed = signed_part(&claims).map_err(|e| Failure::new("link", e))?;
            let signer = services
                .signer
                .ok_or_else(|| Failure::new("sign", "no signing key"))?;
            let signature = deadline.run("sign", signer.sign(signed.as_bytes())).await?;
            let token = assemble(&signed, &signature).map_err(|e| Failure::new("sign", e))?;
            ctx.link = Some(link_to(landing, &token));
            MessageKind::SignInLink
        }
        Method::EmailCode | Method::SmsCode => {
            ctx.code = secret.to_owned();
            MessageKind::Authentication
        }
    };
    let sent = match config.shared.flow.method {
        Method::SmsCode => {
            let text = renderer.render_sms(&recipient.lang, kind, &ctx);
            ctx.code.zeroize();
            let mut text = text.map_err(|e| Failure::new("render", e))?;
            let sent = deadline.run("sms", services.texter.send(to, &text)).await;
            text.zeroize();
            sent
        }
        Method::EmailCode | Method::MagicLink => {
            let notice = renderer.render_email(&recipient.lang, kind, &ctx);
            ctx.code.zeroize();
            ctx.link.zeroize();
            let mut mail = Mail::of(to, notice.map_err(|e| Failure::new("render", e))?);
            let sent = deadline.run("email", services.mailer.send(&mail)).await;
            mail.html.zeroize();
            mail.text.zeroize();
            sent
        }
    };
    sent
}
