//! Rendering messages from the per-language catalogs in `locales/` and the layouts
//! in `templates/`, both compiled into the binary by build.rs (`src/syntax.rs` holds
//! the template language): a message walks static data and writes one string,
//! with nothing parsed or loaded when a function starts.
//!
//! The strings that end up in the HTML email are rendered with HTML escaping, so a
//! user attribute such as a name can never add markup; the subject, the text parts
//! and the SMS are plain text.

use crate::kind::MessageKind;
use crate::syntax::Var;

/// One piece of a compiled template.
#[derive(Debug)]
enum Node {
    Text(&'static str),
    Var(Var),
    If(Var, &'static [Node]),
}

/// One language's texts, compiled.
#[derive(Debug)]
struct Catalog {
    #[allow(dead_code)]
    language: &'static str,
    common: Common,
    sign_up: Texts,
    admin_create_user: Texts,
    resend_code: Texts,
    forgot_password: Texts,
    update_user_attribute: Texts,
    verify_user_attribute: Texts,
    authentication: Texts,
    sign_in_link: Texts,
    new_sign_in: NoticeTexts,
    welcome: NoticeTexts,
    password_changed: NoticeTexts,
    risky_sign_in: NoticeTexts,
}

#[derive(Debug)]
struct Common {
    greeting: &'static [Node],
    greeting_anonymous: &'static [Node],
    ignore: &'static [Node],
    footer: &'static [Node],
    link_intro: &'static [Node],
    link_label: &'static [Node],
}

#[derive(Debug)]
struct Texts {
    subject: &'static [Node],
    heading: &'static [Node],
    intro: &'static [Node],
    sms: &'static [Node],
    /// Instead of `[common]`'s, for a message whose link is not the one-click
    /// confirmation.
    link_intro: Option<&'static [Node]>,
    link_label: Option<&'static [Node]>,
}

#[derive(Debug)]
struct NoticeTexts {
    subject: &'static [Node],
    heading: &'static [Node],
    intro: &'static [Node],
    advice: &'static [Node],
    when: Option<&'static [Node]>,
}

// EMAIL_HTML, MESSAGE_TEXT, NOTICE_TEXT and CATALOGS, written by build.rs.
include!(concat!(env!("OUT_DIR"), "/compiled.rs"));

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
            MessageKind::SignInLink => &self.sign_in_link,
        }
    }
}

/// A message could not be written. The build checks every template against what
/// its renderer sets, so the second can only mean a bug in this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("no texts in language {0:?}")]
    Language(String),
    #[error("a template mentions {0}, which this message does not set")]
    Unset(&'static str),
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
#[derive(Debug, Clone, Copy, Default)]
pub struct Renderer;

impl Renderer {
    pub fn new() -> Self {
        Self
    }

    /// The language tags shipped.
    pub fn languages(&self) -> impl Iterator<Item = &'static str> {
        CATALOGS.iter().map(|(lang, _)| *lang)
    }

    pub fn has_language(&self, lang: &str) -> bool {
        CATALOGS.iter().any(|(l, _)| *l == lang)
    }

    fn catalog(&self, lang: &str) -> Result<&'static Catalog, RenderError> {
        CATALOGS
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, c)| c)
            .ok_or_else(|| RenderError::Language(lang.to_owned()))
    }

    /// Renders one message in one shipped language: what custom-message hands Cognito.
    pub fn render(
        &self,
        lang: &str,
        kind: MessageKind,
        ctx: &MessageContext,
    ) -> Result<Rendered, RenderError> {
        let catalog = self.catalog(lang)?;
        let vars = message_values(ctx);
        let (subject, email_html) = email_html(lang, catalog, kind, ctx, &vars)?;
        Ok(Rendered {
            subject,
            email_html,
            sms: render(catalog.texts(kind).sms, &vars, Mode::Text)?,
        })
    }

    /// One message as an email with a plain-text part too, for a sender that sends
    /// it itself (the SMS is not rendered).
    pub fn render_email(
        &self,
        lang: &str,
        kind: MessageKind,
        ctx: &MessageContext,
    ) -> Result<RenderedNotice, RenderError> {
        let catalog = self.catalog(lang)?;
        let vars = message_values(ctx);
        let (subject, html) = email_html(lang, catalog, kind, ctx, &vars)?;
        let c = &catalog.common;
        let part = |nodes| Value::Part(nodes, &vars);
        let layout = Values::default()
            .with(Var::Greeting, part(greeting(c, ctx.name.as_deref())))
            .with(Var::Intro, part(catalog.texts(kind).intro))
            .with(Var::Code, Value::Text(&ctx.code))
            .with(Var::Link, Value::text(ctx.link.as_deref()))
            .with(
                Var::LinkIntro,
                part(catalog.texts(kind).link_intro.unwrap_or(c.link_intro)),
            )
            .with(Var::Ignore, part(c.ignore))
            .with(Var::Footer, footer(c, ctx.support_email.as_deref(), &vars));
        Ok(RenderedNotice {
            subject,
            html,
            text: render(MESSAGE_TEXT, &layout, Mode::Text)?,
        })
    }

    /// One message's SMS alone (the email is not rendered).
    pub fn render_sms(
        &self,
        lang: &str,
        kind: MessageKind,
        ctx: &MessageContext,
    ) -> Result<String, RenderError> {
        let sms = self.catalog(lang)?.texts(kind).sms;
        render(sms, &message_values(ctx), Mode::Text)
    }

    /// Renders one notice in one shipped language.
    pub fn render_notice(
        &self,
        lang: &str,
        notice: Notice,
        ctx: &NoticeContext,
    ) -> Result<RenderedNotice, RenderError> {
        let catalog = self.catalog(lang)?;
        let (c, t) = (&catalog.common, catalog.notice(notice));
        let vars = recipient_values(
            &ctx.app_name,
            ctx.name.as_deref(),
            ctx.support_email.as_deref(),
        )
        .with(Var::Time, Value::Text(&ctx.time));
        let subject = render(t.subject, &vars, Mode::Text)?;
        let part = |nodes| Value::Part(nodes, &vars);
        let when = t.when.map_or(Value::None, part);
        let footer = footer(c, ctx.support_email.as_deref(), &vars);
        let greeting = part(greeting(c, ctx.name.as_deref()));
        let html = Values::default()
            .with(Var::Lang, Value::Text(lang))
            .with(Var::Subject, Value::Text(&subject))
            .with(Var::Heading, part(t.heading))
            .with(Var::Code, Value::None)
            .with(Var::Link, Value::None)
            .with(Var::LinkIntro, Value::None)
            .with(Var::LinkLabel, Value::None)
            .with(Var::Greeting, greeting)
            .with(Var::Intro, part(t.intro))
            .with(Var::Details, when)
            .with(Var::Ignore, part(t.advice))
            .with(Var::Footer, footer);
        let text = Values::default()
            .with(Var::Greeting, greeting)
            .with(Var::Intro, part(t.intro))
            .with(Var::When, when)
            .with(Var::Advice, part(t.advice))
            .with(Var::Footer, footer);
        Ok(RenderedNotice {
            html: render(EMAIL_HTML, &html, Mode::Html)?,
            text: render(NOTICE_TEXT, &text, Mode::Text)?,
            subject,
        })
    }
}

/// What a message's catalog strings may mention.
fn message_values(ctx: &MessageContext) -> Values<'_> {
    recipient_values(
        &ctx.app_name,
        ctx.name.as_deref(),
        ctx.support_email.as_deref(),
    )
    .with(Var::Code, Value::Text(&ctx.code))
    .with(
        Var::Username,
        Value::Text(ctx.username.as_deref().unwrap_or_default()),
    )
}

/// What every catalog string may mention (the common strings only these): the
/// product, the user's name and the support address, blank when missing.
fn recipient_values<'a>(
    app_name: &'a str,
    name: Option<&'a str>,
    support_email: Option<&'a str>,
) -> Values<'a> {
    Values::default()
        .with(Var::AppName, Value::Text(app_name))
        .with(Var::Name, Value::Text(name.unwrap_or_default()))
        .with(
            Var::SupportEmail,
            Value::Text(support_email.unwrap_or_default()),
        )
}

/// The subject and the HTML body of one message, from its language's catalog and
/// the values its strings may mention.
fn email_html(
    lang: &str,
    catalog: &Catalog,
    kind: MessageKind,
    ctx: &MessageContext,
    vars: &Values<'_>,
) -> Result<(String, String), RenderError> {
    let (c, t) = (&catalog.common, catalog.texts(kind));
    let subject = render(t.subject, vars, Mode::Text)?;
    let part = |nodes| Value::Part(nodes, vars);
    let layout = Values::default()
        .with(Var::Lang, Value::Text(lang))
        .with(Var::Subject, Value::Text(&subject))
        .with(Var::Heading, part(t.heading))
        .with(Var::Greeting, part(greeting(c, ctx.name.as_deref())))
        .with(Var::Intro, part(t.intro))
        .with(Var::Code, Value::Text(&ctx.code))
        .with(Var::Details, Value::None)
        .with(Var::Link, Value::text(ctx.link.as_deref()))
        .with(Var::LinkIntro, part(t.link_intro.unwrap_or(c.link_intro)))
        .with(Var::LinkLabel, part(t.link_label.unwrap_or(c.link_label)))
        .with(Var::Ignore, part(c.ignore))
        .with(Var::Footer, footer(c, ctx.support_email.as_deref(), vars));
    let html = render(EMAIL_HTML, &layout, Mode::Html)?;
    Ok((subject, html))
}

/// The common greeting for a name (a blank one greets nobody by name).
fn greeting(common: &Common, name: Option<&str>) -> &'static [Node] {
    match name.is_some_and(|n| !n.trim().is_empty()) {
        true => common.greeting,
        false => common.greeting_anonymous,
    }
}

/// The footer, only when there is a support address to give.
fn footer<'a>(common: &Common, support_email: Option<&str>, vars: &'a Values<'a>) -> Value<'a> {
    match support_email {
        Some(_) => Value::Part(common.footer, vars),
        None => Value::None,
    }
}

/// What a variable holds while a template is written.
#[derive(Debug, Clone, Copy, Default)]
enum Value<'a> {
    /// Not set: a template mentioning it is a bug ([`RenderError::Unset`]).
    #[default]
    Unset,
    /// Set to nothing: writes nothing, and an `if` on it skips its body.
    None,
    /// A text, escaped in HTML.
    Text(&'a str),
    /// A catalog string, written in place with its own values, in the same mode.
    Part(&'static [Node], &'a Values<'a>),
}

impl<'a> Value<'a> {
    fn text(text: Option<&'a str>) -> Self {
        text.map_or(Value::None, Value::Text)
    }
}

/// The value of every variable, by [`Var`].
#[derive(Debug, Clone, Copy, Default)]
struct Values<'a>([Value<'a>; Var::COUNT]);

impl<'a> Values<'a> {
    fn with(mut self, var: Var, value: Value<'a>) -> Self {
        self.0[var as usize] = value;
        self
    }

    fn get(&self, var: Var) -> Result<Value<'a>, RenderError> {
        match self.0[var as usize] {
            Value::Unset => Err(RenderError::Unset(var.name())),
            value => Ok(value),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    Html,
}

fn render(nodes: &[Node], values: &Values<'_>, mode: Mode) -> Result<String, RenderError> {
    let mut out = String::with_capacity(match mode {
        Mode::Html => 4096,
        Mode::Text => 256,
    });
    write(nodes, values, mode, &mut out)?;
    Ok(out)
}

fn write(
    nodes: &[Node],
    values: &Values<'_>,
    mode: Mode,
    out: &mut String,
) -> Result<(), RenderError> {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Var(var) => match values.get(*var)? {
                Value::Unset | Value::None => {}
                Value::Text(text) if mode == Mode::Html => escape_html(text, out),
                Value::Text(text) => out.push_str(text),
                Value::Part(part, own) => write(part, own, mode, out)?,
            },
            Node::If(var, body) => {
                let shown = match values.get(*var)? {
                    Value::Unset | Value::None => false,
                    Value::Text(text) => !text.is_empty(),
                    Value::Part(part, _) => !part.is_empty(),
                };
                if shown {
                    write(body, values, mode, out)?;
                }
            }
        }
    }
    Ok(())
}

/// Writes `text` with the characters that mean something in HTML (and `/`, which
/// ends a tag or a URL part) written as entities.
fn escape_html(text: &str, out: &mut String) {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            b'/' => "&#x2f;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&text[start..]);
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
        let r = Renderer::new();
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
        let r = Renderer::new();
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
        let r = Renderer::new();
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
        let r = Renderer::new();
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
        let r = Renderer::new();
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
        let r = Renderer::new();
        let a = r
            .render_notice("en", Notice::NewSignIn, &alert_ctx("<b>Eve</b>"))
            .unwrap();
        assert!(!a.html.contains("<b>Eve"));
        assert!(a.html.contains("&lt;b&gt;Eve"));
        assert!(a.text.contains("<b>Eve</b>"));
    }

    #[test]
    fn the_risky_sign_in_notice_says_when_and_from_where_in_every_language() {
        let r = Renderer::new();
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
        let r = Renderer::new();
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
