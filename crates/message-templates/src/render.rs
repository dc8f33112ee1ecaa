//! Rendering messages from the per-language catalogs in `locales/` and the HTML
//! layout in `templates/`, both compiled into the binary.
//!
//! Every catalog string is a MiniJinja template. The strings that end up in the
//! HTML email are rendered with HTML auto-escaping, so a user attribute such as a
//! name can never add markup; the subject and the SMS are plain text.

use minijinja::{context, AutoEscape, Environment, Value};
use serde::Deserialize;

use crate::kind::MessageKind;

/// The shipped languages: (language tag, catalog source).
pub const CATALOGS: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en.toml")),
    ("fr", include_str!("../locales/fr.toml")),
    ("de", include_str!("../locales/de.toml")),
    ("es", include_str!("../locales/es.toml")),
];

const LAYOUT: &str = include_str!("../templates/email.html");
const NOTICE_TEXT: &str = include_str!("../templates/notice.txt");
const MESSAGE_TEXT: &str = include_str!("../templates/message.txt");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalog {
    #[allow(dead_code)]
    language: String,
    common: Common,
    sign_up: Texts,
    admin_create_user: Texts,
    resend_code: Texts,
    forgot_password: Texts,
    update_user_attribute: Texts,
    verify_user_attribute: Texts,
    authentication: Texts,
    new_sign_in: NoticeTexts,
    welcome: NoticeTexts,
    password_changed: NoticeTexts,
    risky_sign_in: NoticeTexts,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Common {
    greeting: String,
    greeting_anonymous: String,
    ignore: String,
    footer: String,
    link_intro: String,
    link_label: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Texts {
    subject: String,
    heading: String,
    intro: String,
    sms: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeTexts {
    subject: String,
    heading: String,
    intro: String,
    #[serde(default)]
    when: Option<String>,
    advice: String,
}

/// A message this project writes and sends itself (not one of Cognito's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notice {
    /// A sign-in from a new device (post-authentication).
    NewSignIn,
    /// The account is confirmed (post-confirmation).
    Welcome,
    /// The password was just reset (post-confirmation).
    PasswordChanged,
    /// Threat protection stepped in at a sign-in (the custom email sender's
    /// account-takeover notification).
    RiskySignIn,
}

impl Notice {
    pub const ALL: [Notice; 4] = [
        Self::NewSignIn,
        Self::Welcome,
        Self::PasswordChanged,
        Self::RiskySignIn,
    ];

    /// The section of a locale catalog holding this notice's texts.
    pub fn key(self) -> &'static str {
        match self {
            Self::NewSignIn => "new_sign_in",
            Self::Welcome => "welcome",
            Self::PasswordChanged => "password_changed",
            Self::RiskySignIn => "risky_sign_in",
        }
    }
}

impl Catalog {
    fn notice(&self, notice: Notice) -> &NoticeTexts {
        match notice {
            Notice::NewSignIn => &self.new_sign_in,
            Notice::Welcome => &self.welcome,
            Notice::PasswordChanged => &self.password_changed,
            Notice::RiskySignIn => &self.risky_sign_in,
        }
    }

    fn texts(&self, kind: MessageKind) -> &Texts {
        match kind {
            MessageKind::SignUp => &self.sign_up,
            MessageKind::AdminCreateUser => &self.admin_create_user,
            MessageKind::ResendCode => &self.resend_code,
            MessageKind::ForgotPassword => &self.forgot_password,
            MessageKind::UpdateUserAttribute => &self.update_user_attribute,
            MessageKind::VerifyUserAttribute => &self.verify_user_attribute,
            MessageKind::Authentication => &self.authentication,
        }
    }
}

/// A catalog or the layout could not be loaded: the function refuses to start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("locale catalog {lang}: {reason}")]
    Catalog { lang: String, reason: String },
    #[error("template {name}: {source}")]
    Template {
        name: String,
        source: minijinja::Error,
    },
}

/// What a message may mention. Every value is escaped where it lands in HTML.
#[derive(Debug, Clone, Default)]
pub struct MessageContext {
    pub app_name: String,
    pub support_email: Option<String>,
    /// The user's name (`given_name`, else `name`), if any.
    pub name: Option<String>,
    /// Cognito's code placeholder (`{####}`).
    pub code: String,
    /// Cognito's username placeholder (`{username}`), AdminCreateUser only.
    pub username: Option<String>,
    /// The one-click verification link, when configured for this message.
    pub link: Option<String>,
}

/// What a notice may mention. Every value is escaped in the HTML part.
#[derive(Debug, Clone, Default)]
pub struct NoticeContext {
    pub app_name: String,
    pub support_email: Option<String>,
    pub name: Option<String>,
    /// When the sign-in happened, already formatted (e.g. `2026-11-22 09:15 UTC`).
    pub time: String,
}

/// A rendered email: subject, HTML body and plain-text body (a notice, or a message
/// its sender sends itself, [`Renderer::render_email`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedNotice {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// One rendered message: email subject, email HTML body and SMS text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub email_html: String,
    pub sms: String,
}

/// The compiled templates of every shipped language.
#[derive(Debug)]
pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    /// Parses every catalog and compiles every template once.
    pub fn new() -> Result<Self, SetupError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        add(&mut env, "email.html".to_owned(), LAYOUT.to_owned())?;
        add(&mut env, "notice.txt".to_owned(), NOTICE_TEXT.to_owned())?;
        add(&mut env, "message.txt".to_owned(), MESSAGE_TEXT.to_owned())?;
        for (lang, source) in CATALOGS {
            let catalog: Catalog = toml::from_str(source).map_err(|e| SetupError::Catalog {
                lang: (*lang).to_owned(),
                reason: e.to_string(),
            })?;
            add_catalog(&mut env, lang, &catalog)?;
        }
        Ok(Self { env })
    }

    /// The language tags shipped.
    pub fn languages(&self) -> impl Iterator<Item = &'static str> {
        CATALOGS.iter().map(|(lang, _)| *lang)
    }

    pub fn has_language(&self, lang: &str) -> bool {
        CATALOGS.iter().any(|(l, _)| *l == lang)
    }

    /// Renders one message in one shipped language: what custom-message hands Cognito.
    pub fn render(
        &self,
        lang: &str,
        kind: MessageKind,
        ctx: &MessageContext,
    ) -> Result<Rendered, minijinja::Error> {
        let (subject, email_html) = self.email_html(lang, kind, ctx)?;
        Ok(Rendered {
            subject,
            email_html,
            sms: self.render_sms(lang, kind, ctx)?,
        })
    }

    /// One message as an email with a plain-text part too, for a sender that sends
    /// it itself (the SMS is not rendered).
    pub fn render_email(
        &self,
        lang: &str,
        kind: MessageKind,
        ctx: &MessageContext,
    ) -> Result<RenderedNotice, minijinja::Error> {
        let (subject, html) = self.email_html(lang, kind, ctx)?;
        let vars = message_vars(ctx);
        let part = |name: String| self.part(&name, &vars);
        let text = self.env.get_template("message.txt")?.render(context! {
            greeting => part(format!("{lang}/common/{}.txt", greeting_for(ctx.name.as_deref())))?,
            intro => part(format!("{lang}/{}/intro.txt", kind.key()))?,
            code => &ctx.code,
            link => &ctx.link,
            link_intro => part(format!("{lang}/common/link_intro.txt"))?,
            ignore => part(format!("{lang}/common/ignore.txt"))?,
            footer => ctx.support_email.as_ref().map(|_| part(format!("{lang}/common/footer.txt"))).transpose()?,
        })?;
        Ok(RenderedNotice {
            subject,
            html,
            text,
        })
    }

    /// One message's SMS alone (the email is not rendered).
    pub fn render_sms(
        &self,
        lang: &str,
        kind: MessageKind,
        ctx: &MessageContext,
    ) -> Result<String, minijinja::Error> {
        self.part(
            &format!("{lang}/{}/sms.txt", kind.key()),
            &message_vars(ctx),
        )
    }

    /// The subject and the HTML body of one message.
    fn email_html(
        &self,
        lang: &str,
        kind: MessageKind,
        ctx: &MessageContext,
    ) -> Result<(String, String), minijinja::Error> {
        let vars = message_vars(ctx);
        let part = |name: String| self.part(&name, &vars);
        // Already escaped for HTML by their own templates: pass them on as safe.
        let safe = |name: String| part(name).map(Value::from_safe_string);
        let k = kind.key();
        let subject = part(format!("{lang}/{k}/subject.txt"))?;
        let greeting = greeting_for(ctx.name.as_deref());
        let footer = ctx
            .support_email
            .as_ref()
            .map(|_| safe(format!("{lang}/common/footer.html")))
            .transpose()?;
        let email_html = self.env.get_template("email.html")?.render(context! {
            lang => lang,
            subject => &subject,
            heading => safe(format!("{lang}/{k}/heading.html"))?,
            greeting => safe(format!("{lang}/common/{greeting}.html"))?,
            intro => safe(format!("{lang}/{k}/intro.html"))?,
            code => &ctx.code,
            link => &ctx.link,
            link_intro => safe(format!("{lang}/common/link_intro.html"))?,
            link_label => safe(format!("{lang}/common/link_label.html"))?,
            ignore => safe(format!("{lang}/common/ignore.html"))?,
            footer => footer,
            details => (),
        })?;
        Ok((subject, email_html))
    }

    /// One catalog string rendered with `vars`.
    fn part(&self, name: &str, vars: &Value) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(vars)
    }
}

/// What a message's catalog strings may mention.
fn message_vars(ctx: &MessageContext) -> Value {
    context! {
        app_name => &ctx.app_name,
        name => ctx.name.clone().unwrap_or_default(),
        code => &ctx.code,
        username => ctx.username.clone().unwrap_or_default(),
        support_email => ctx.support_email.clone().unwrap_or_default(),
    }
}

impl Renderer {
    /// Renders one notice in one shipped language.
    pub fn render_notice(
        &self,
        lang: &str,
        notice: Notice,
        ctx: &NoticeContext,
    ) -> Result<RenderedNotice, minijinja::Error> {
        let n = notice.key();
        let vars = context! {
            app_name => &ctx.app_name,
            name => ctx.name.clone().unwrap_or_default(),
            support_email => ctx.support_email.clone().unwrap_or_default(),
            time => &ctx.time,
        };
        let part = |name: String| -> Result<String, minijinja::Error> {
            self.env.get_template(&name)?.render(&vars)
        };
        let safe = |name: String| part(name).map(Value::from_safe_string);
        let greeting = greeting_for(ctx.name.as_deref());
        let subject = part(format!("{lang}/{n}/subject.txt"))?;
        let has_when = self
            .env
            .get_template(&format!("{lang}/{n}/when.txt"))
            .is_ok();
        let when = |ext: &str| -> Result<Option<String>, minijinja::Error> {
            has_when
                .then(|| part(format!("{lang}/{n}/when.{ext}")))
                .transpose()
        };
        let html = self.env.get_template("email.html")?.render(context! {
            lang => lang,
            subject => &subject,
            heading => safe(format!("{lang}/{n}/heading.html"))?,
            code => (),
            link => (),
            greeting => safe(format!("{lang}/common/{greeting}.html"))?,
            intro => safe(format!("{lang}/{n}/intro.html"))?,
            details => when("html")?.map(Value::from_safe_string),
            ignore => safe(format!("{lang}/{n}/advice.html"))?,
            footer => ctx.support_email.as_ref().map(|_| safe(format!("{lang}/common/footer.html"))).transpose()?,
        })?;
        let text = self.env.get_template("notice.txt")?.render(context! {
            greeting => part(format!("{lang}/common/{greeting}.txt"))?,
            intro => part(format!("{lang}/{n}/intro.txt"))?,
            when => when("txt")?,
            advice => part(format!("{lang}/{n}/advice.txt"))?,
            footer => ctx.support_email.as_ref().map(|_| part(format!("{lang}/common/footer.txt"))).transpose()?,
        })?;
        Ok(RenderedNotice {
            subject,
            html,
            text,
        })
    }
}

/// The common greeting for a name (a blank one greets nobody by name).
fn greeting_for(name: Option<&str>) -> &'static str {
    match name.is_some_and(|n| !n.trim().is_empty()) {
        true => "greeting",
        false => "greeting_anonymous",
    }
}

/// Every string of one language's catalog as a template: `<lang>/<section>/<field>`,
/// `.html` (escaped) where it lands in the email, `.txt` where it is plain text.
fn add_catalog(
    env: &mut Environment<'static>,
    lang: &str,
    catalog: &Catalog,
) -> Result<(), SetupError> {
    let c = &catalog.common;
    let mut both: Vec<(&str, &str, &String)> = vec![
        ("common", "greeting", &c.greeting),
        ("common", "greeting_anonymous", &c.greeting_anonymous),
        ("common", "ignore", &c.ignore),
        ("common", "footer", &c.footer),
        ("common", "link_intro", &c.link_intro),
        ("common", "link_label", &c.link_label),
    ];
    for notice in Notice::ALL {
        let t = catalog.notice(notice);
        let n = notice.key();
        both.extend([
            (n, "subject", &t.subject),
            (n, "heading", &t.heading),
            (n, "intro", &t.intro),
            (n, "advice", &t.advice),
        ]);
        if let Some(when) = &t.when {
            both.push((n, "when", when));
        }
    }
    for (section, field, text) in both {
        add(env, format!("{lang}/{section}/{field}.html"), text.clone())?;
        add(env, format!("{lang}/{section}/{field}.txt"), text.clone())?;
    }
    for kind in MessageKind::ALL {
        let t = catalog.texts(kind);
        let k = kind.key();
        add(env, format!("{lang}/{k}/subject.txt"), t.subject.clone())?;
        add(env, format!("{lang}/{k}/heading.html"), t.heading.clone())?;
        add(env, format!("{lang}/{k}/intro.html"), t.intro.clone())?;
        add(env, format!("{lang}/{k}/intro.txt"), t.intro.clone())?;
        add(env, format!("{lang}/{k}/sms.txt"), t.sms.clone())?;
    }
    Ok(())
}

fn add(env: &mut Environment<'static>, name: String, source: String) -> Result<(), SetupError> {
    env.add_template_owned(name.clone(), source)
        .map_err(|source| SetupError::Template { name, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> MessageContext {
        MessageContext {
            app_name: "Acme Notes".into(),
            support_email: Some("help@acme.example".into()),
            name: Some("Zoë".into()),
            code: "{####}".into(),
            username: Some("{username}".into()),
            link: Some("https://acme.example/verify?username=zoe&code={####}".into()),
        }
    }

    #[test]
    fn every_language_renders_every_message() {
        let r = Renderer::new().unwrap();
        for lang in r.languages() {
            for kind in MessageKind::ALL {
                let m = r.render(lang, kind, &ctx()).unwrap();
                assert!(m.email_html.contains("{####}"), "{lang} {kind:?}");
                assert!(m.sms.contains("{####}"), "{lang} {kind:?}");
                assert!(m.subject.contains("Acme Notes"), "{lang} {kind:?}");
                assert!(m.email_html.contains(&format!("<html lang=\"{lang}\">")));
                assert!(
                    m.email_html.contains("Zoë"),
                    "{lang} {kind:?}: greeting by name"
                );
                assert!(m.email_html.contains("help@acme.example"), "{lang}: footer");
                // A sender's email: the same, with a text part that says it without markup.
                let e = r.render_email(lang, kind, &ctx()).unwrap();
                assert_eq!((&e.subject, &e.html), (&m.subject, &m.email_html));
                assert!(
                    e.text.contains("{####}") && e.text.contains("Zoë"),
                    "{lang} {kind:?}: {}",
                    e.text
                );
                assert!(!e.text.contains('<'), "{lang} {kind:?}: markup in text");
                assert!(e.text.contains("help@acme.example"), "{lang}: footer");
                assert_eq!(r.render_sms(lang, kind, &ctx()).unwrap(), m.sms);
                if kind.needs_username() {
                    assert!(m.email_html.contains("{username}") && m.sms.contains("{username}"));
                }
            }
        }
    }

    #[test]
    fn other_languages_are_really_translated() {
        let r = Renderer::new().unwrap();
        for lang in ["fr", "de", "es"] {
            for kind in MessageKind::ALL {
                let en = r.render("en", kind, &ctx()).unwrap();
                let other = r.render(lang, kind, &ctx()).unwrap();
                assert_ne!(en.subject, other.subject, "{lang} {kind:?} subject");
                assert_ne!(en.sms, other.sms, "{lang} {kind:?} sms");
                assert_ne!(en.email_html, other.email_html, "{lang} {kind:?} email");
            }
        }
    }

    #[test]
    fn names_are_escaped_in_html_and_the_link_only_with_one() {
        let r = Renderer::new().unwrap();
        let mut c = ctx();
        c.name = Some("<img src=x onerror=alert(1)>\"Bob\" & 'Co'".into());
        c.link = None;
        let m = r.render("en", MessageKind::SignUp, &c).unwrap();
        assert!(!m.email_html.contains("<img"));
        assert!(m.email_html.contains("&lt;img"));
        assert!(!m.email_html.contains("href="));
        c.link = Some("https://acme.example/v?username=a&code={####}".into());
        let m = r.render("en", MessageKind::SignUp, &c).unwrap();
        assert!(m
            .email_html
            .contains("href=\"https:&#x2f;&#x2f;acme.example&#x2f;v?username=a&amp;code={####}\""));
    }

    #[test]
    fn without_a_name_or_support_address_the_text_still_reads() {
        let r = Renderer::new().unwrap();
        let mut c = ctx();
        c.name = Some("   ".into());
        c.support_email = None;
        let m = r.render("en", MessageKind::ForgotPassword, &c).unwrap();
        assert!(m
            .email_html
            .contains("<p style=\"margin:0 0 12px;\">Hello,</p>"));
        assert!(!m.email_html.contains("Questions?"));
    }

    fn alert_ctx(name: &str) -> NoticeContext {
        NoticeContext {
            app_name: "Acme Notes".into(),
            support_email: Some("help@acme.example".into()),
            name: Some(name.into()),
            time: "2026-11-22 09:15 UTC".into(),
        }
    }

    #[test]
    fn the_new_device_alert_renders_in_every_language() {
        let r = Renderer::new().unwrap();
        let en = r
            .render_notice("en", Notice::NewSignIn, &alert_ctx("Zoë"))
            .unwrap();
        for lang in r.languages() {
            let a = r
                .render_notice(lang, Notice::NewSignIn, &alert_ctx("Zoë"))
                .unwrap();
            assert!(a.subject.contains("Acme Notes"), "{lang}");
            assert!(
                a.html.contains("2026-11-22 09:15 UTC") && a.text.contains("2026-11-22 09:15 UTC"),
                "{lang}"
            );
            assert!(a.html.contains("Zoë") && a.text.contains("Zoë"), "{lang}");
            assert!(a.text.contains("help@acme.example"), "{lang}");
            assert!(!a.text.contains('<'), "{lang}: the text part has no markup");
            assert!(
                !a.html.contains("letter-spacing"),
                "{lang}: no code block in an alert"
            );
            if lang != "en" {
                assert_ne!(a.subject, en.subject);
                assert_ne!(a.text, en.text);
            }
        }
    }

    #[test]
    fn alert_names_are_escaped_in_html_and_verbatim_in_text() {
        let r = Renderer::new().unwrap();
        let a = r
            .render_notice("en", Notice::NewSignIn, &alert_ctx("<b>Eve</b>"))
            .unwrap();
        assert!(!a.html.contains("<b>Eve"));
        assert!(a.html.contains("&lt;b&gt;Eve"));
        assert!(a.text.contains("<b>Eve</b>"));
    }

    #[test]
    fn the_risky_sign_in_notice_says_when_and_from_where_in_every_language() {
        let r = Renderer::new().unwrap();
        let mut c = alert_ctx("Zoë");
        c.time = "2026-11-22 09:15 UTC, 203.0.113.7 (Lisbon, Portugal)".into();
        let en = r.render_notice("en", Notice::RiskySignIn, &c).unwrap();
        for lang in r.languages() {
            let n = r.render_notice(lang, Notice::RiskySignIn, &c).unwrap();
            assert!(n.text.contains("203.0.113.7 (Lisbon, Portugal)"), "{lang}");
            assert!(n.html.contains("203.0.113.7 (Lisbon, Portugal)"), "{lang}");
            assert!(n.subject.contains("Acme Notes"), "{lang}");
            if lang != "en" {
                assert_ne!(n.subject, en.subject, "{lang}");
            }
        }
    }

    #[test]
    fn the_welcome_and_password_notices_render_in_every_language() {
        let r = Renderer::new().unwrap();
        for notice in [Notice::Welcome, Notice::PasswordChanged] {
            let en = r.render_notice("en", notice, &alert_ctx("Zoë")).unwrap();
            for lang in r.languages() {
                let n = r.render_notice(lang, notice, &alert_ctx("Zoë")).unwrap();
                assert!(n.subject.contains("Acme Notes"), "{lang} {notice:?}");
                assert!(
                    n.html.contains("Zoë") && n.text.contains("Zoë"),
                    "{lang} {notice:?}"
                );
                assert!(
                    n.html.contains(&format!("<html lang=\"{lang}\">")),
                    "{lang} {notice:?}"
                );
                // Only the password notice says when it happened.
                let when = notice == Notice::PasswordChanged;
                assert_eq!(
                    n.text.contains("2026-11-22 09:15 UTC"),
                    when,
                    "{lang} {notice:?}"
                );
                assert_eq!(
                    n.html.contains("2026-11-22 09:15 UTC"),
                    when,
                    "{lang} {notice:?}"
                );
                if lang != "en" {
                    assert_ne!(n.subject, en.subject, "{lang} {notice:?}");
                    assert_ne!(n.text, en.text, "{lang} {notice:?}");
                }
            }
        }
        let evil = r
            .render_notice("fr", Notice::Welcome, &alert_ctx("<i>Ève</i>"))
            .unwrap();
        assert!(evil.html.contains("&lt;i&gt;Ève") && !evil.html.contains("<i>Ève"));
    }
}
