//! The texts are compiled at build time into a small renderer of their own (Jinja's
//! `{{ }}`, `{% if %}` and whitespace control). This test holds it to MiniJinja, the
//! engine the texts were written for and rendered with before: every message and
//! notice, in every language, with arbitrary names, codes, links and addresses
//! (markup, quotes, blanks and missing values included) comes out byte for byte as
//! MiniJinja renders it from the same catalogs and layouts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use message_templates::{
    MessageContext, MessageKind, Notice, NoticeContext, RenderedNotice, Renderer,
};
use minijinja::{context, AutoEscape, Environment, Value};
use proptest::prelude::*;

const CATALOGS: [(&str, &str); 4] = [
    ("en", include_str!("../locales/en.toml")),
    ("fr", include_str!("../locales/fr.toml")),
    ("de", include_str!("../locales/de.toml")),
    ("es", include_str!("../locales/es.toml")),
];

/// MiniJinja with every catalog string as `<lang>/<section>/<field>.html` (escaped)
/// and `.txt` (plain), and the three layouts.
fn reference() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| match name.ends_with(".html") {
        true => AutoEscape::Html,
        false => AutoEscape::None,
    });
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in [
        ("email.html", include_str!("../templates/email.html")),
        ("message.txt", include_str!("../templates/message.txt")),
        ("notice.txt", include_str!("../templates/notice.txt")),
    ] {
        env.add_template(name, source).unwrap();
    }
    for (lang, source) in CATALOGS {
        let table: toml::Table = toml::from_str(source).unwrap();
        for (section, fields) in table.iter().filter_map(|(k, v)| Some((k, v.as_table()?))) {
            for (field, text) in fields {
                for ext in ["html", "txt"] {
                    env.add_template_owned(
                        format!("{lang}/{section}/{field}.{ext}"),
                        text.as_str().unwrap().to_owned(),
                    )
                    .unwrap();
                }
            }
        }
    }
    env
}

fn part(env: &Environment<'_>, name: &str, vars: &Value) -> String {
    env.get_template(name).unwrap().render(vars).unwrap()
}

fn greeting(name: Option<&str>) -> &'static str {
    match name.is_some_and(|n| !n.trim().is_empty()) {
        true => "greeting",
        false => "greeting_anonymous",
    }
}

/// A message as MiniJinja renders it: subject, HTML, SMS and the text part.
fn message(
    env: &Environment<'_>,
    lang: &str,
    kind: MessageKind,
    ctx: &MessageContext,
) -> [String; 4] {
    let vars = context! {
        app_name => &ctx.app_name,
        name => ctx.name.clone().unwrap_or_default(),
        code => &ctx.code,
        username => ctx.username.clone().unwrap_or_default(),
        support_email => ctx.support_email.clone().unwrap_or_default(),
    };
    let k = kind.key();
    let p = |name: String| part(env, &name, &vars);
    let safe = |name: String| Value::from_safe_string(p(name));
    let g = greeting(ctx.name.as_deref());
    let has_footer = ctx.support_email.is_some();
    let subject = p(format!("{lang}/{k}/subject.txt"));
    let html = env.get_template("email.html").unwrap().render(context! {
        lang => lang,
        subject => &subject,
        heading => safe(format!("{lang}/{k}/heading.html")),
        greeting => safe(format!("{lang}/common/{g}.html")),
        intro => safe(format!("{lang}/{k}/intro.html")),
        code => &ctx.code,
        link => &ctx.link,
        link_intro => safe(format!("{lang}/common/link_intro.html")),
        link_label => safe(format!("{lang}/common/link_label.html")),
        ignore => safe(format!("{lang}/common/ignore.html")),
        footer => has_footer.then(|| safe(format!("{lang}/common/footer.html"))),
        details => (),
    });
    let text = env.get_template("message.txt").unwrap().render(context! {
        greeting => p(format!("{lang}/common/{g}.txt")),
        intro => p(format!("{lang}/{k}/intro.txt")),
        code => &ctx.code,
        link => &ctx.link,
        link_intro => p(format!("{lang}/common/link_intro.txt")),
        ignore => p(format!("{lang}/common/ignore.txt")),
        footer => has_footer.then(|| p(format!("{lang}/common/footer.txt"))),
    });
    let sms = p(format!("{lang}/{k}/sms.txt"));
    [subject, html.unwrap(), sms, text.unwrap()]
}

/// A notice as MiniJinja renders it.
fn notice(
    env: &Environment<'_>,
    lang: &str,
    notice: Notice,
    ctx: &NoticeContext,
) -> RenderedNotice {
    let vars = context! {
        app_name => &ctx.app_name,
        name => ctx.name.clone().unwrap_or_default(),
        support_email => ctx.support_email.clone().unwrap_or_default(),
        time => &ctx.time,
    };
    let n = notice.key();
    let p = |name: String| part(env, &name, &vars);
    let safe = |name: String| Value::from_safe_string(p(name));
    let g = greeting(ctx.name.as_deref());
    let has_when = env.get_template(&format!("{lang}/{n}/when.txt")).is_ok();
    let has_footer = ctx.support_email.is_some();
    let subject = p(format!("{lang}/{n}/subject.txt"));
    let html = env.get_template("email.html").unwrap().render(context! {
        lang => lang,
        subject => &subject,
        heading => safe(format!("{lang}/{n}/heading.html")),
        code => (),
        link => (),
        greeting => safe(format!("{lang}/common/{g}.html")),
        intro => safe(format!("{lang}/{n}/intro.html")),
        details => has_when.then(|| safe(format!("{lang}/{n}/when.html"))),
        ignore => safe(format!("{lang}/{n}/advice.html")),
        footer => has_footer.then(|| safe(format!("{lang}/common/footer.html"))),
    });
    let text = env.get_template("notice.txt").unwrap().render(context! {
        greeting => p(format!("{lang}/common/{g}.txt")),
        intro => p(format!("{lang}/{n}/intro.txt")),
        when => has_when.then(|| p(format!("{lang}/{n}/when.txt"))),
        advice => p(format!("{lang}/{n}/advice.txt")),
        footer => has_footer.then(|| p(format!("{lang}/common/footer.txt"))),
    });
    RenderedNotice {
        subject,
        html: html.unwrap(),
        text: text.unwrap(),
    }
}

/// Values a user or an operator could put in a message: markup, quotes, slashes,
/// ampersands, blanks, accents, Cognito's placeholders.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("   ".to_owned()),
        Just("{####}".to_owned()),
        "[a-zA-Z0-9 <>&\"'/=?.:#{}éßñ-]{0,24}",
        any::<String>(),
    ]
}

fn message_context() -> impl Strategy<Value = MessageContext> {
    (
        value(),
        proptest::option::of(value()),
        proptest::option::of(value()),
        value(),
        proptest::option::of(value()),
        proptest::option::of(value()),
    )
        .prop_map(
            |(app_name, support_email, name, code, username, link)| MessageContext {
                app_name,
                support_email,
                name,
                code,
                username,
                link,
            },
        )
}

fn notice_context() -> impl Strategy<Value = NoticeContext> {
    (
        value(),
        proptest::option::of(value()),
        proptest::option::of(value()),
        value(),
    )
        .prop_map(|(app_name, support_email, name, time)| NoticeContext {
            app_name,
            support_email,
            name,
            time,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_message_renders_as_minijinja_renders_it(ctx in message_context()) {
        let env = reference();
        let renderer = Renderer::new();
        for (lang, _) in CATALOGS {
            for kind in MessageKind::ALL {
                let [subject, html, sms, text] = message(&env, lang, kind, &ctx);
                let ours = renderer.render(lang, kind, &ctx).unwrap();
                prop_assert_eq!(&ours.subject, &subject);
                prop_assert_eq!(&ours.email_html, &html);
                prop_assert_eq!(&ours.sms, &sms);
                prop_assert_eq!(renderer.render_sms(lang, kind, &ctx).unwrap(), sms);
                let email = renderer.render_email(lang, kind, &ctx).unwrap();
                prop_assert_eq!(email, RenderedNotice { subject, html, text });
            }
        }
    }

    #[test]
    fn every_notice_renders_as_minijinja_renders_it(ctx in notice_context()) {
        let env = reference();
        let renderer = Renderer::new();
        for (lang, _) in CATALOGS {
            for n in Notice::ALL {
                prop_assert_eq!(
                    renderer.render_notice(lang, n, &ctx).unwrap(),
                    notice(&env, lang, n, &ctx)
                );
            }
        }
    }
}

#[test]
fn a_language_not_shipped_is_an_error_not_a_panic() {
    let r = Renderer::new();
    let err = r
        .render("pt", MessageKind::SignUp, &MessageContext::default())
        .unwrap_err();
    assert_eq!(err.to_string(), "no texts in language \"pt\"");
    assert!(r
        .render_notice("", Notice::Welcome, &NoticeContext::default())
        .is_err());
}
