//! What every message shows of the product, validated once for every trigger that
//! writes to users, and who a message is for.

pub use trigger_core::values::looks_like_address;
use trigger_core::{ConfigError, Vars};

use crate::language::resolve_locale;
use crate::render::{Notice, NoticeContext, RenderedNotice, Renderer};

/// The product name, the support address and the default language, as the messages
/// show them (`APP_NAME`, `SUPPORT_EMAIL`, `DEFAULT_LOCALE`), with the compiled
/// templates.
#[derive(Debug, Clone)]
pub struct Branding {
    pub app_name: String,
    pub support_email: Option<String>,
    pub default_locale: String,
    pub renderer: Renderer,
}

impl Branding {
    /// Reads and checks the three variables: `APP_NAME` set, at most 60 characters on
    /// one line; `SUPPORT_EMAIL` an address when set; `DEFAULT_LOCALE` (default `en`)
    /// a shipped language.
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let renderer = Renderer::new();
        let app_name = vars.required("APP_NAME")?;
        if app_name.chars().count() > 60 || app_name.chars().any(char::is_control) {
            return Err(ConfigError::new(
                "APP_NAME",
                "must be at most 60 characters on one line",
            ));
        }
        let support_email = vars.address("SUPPORT_EMAIL")?;
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
            default_locale,
            renderer,
        })
    }

    /// Who a message is for, from the user's attributes (`attribute(name)` gives the
    /// text of one): the name to greet and the shipped language to write in.
    pub fn recipient<'a>(&self, attribute: impl Fn(&str) -> Option<&'a str>) -> Recipient {
        let name = ["given_name", "name"]
            .into_iter()
            .filter_map(&attribute)
            .map(str::trim)
            .find(|n| !n.is_empty())
            .map(str::to_owned);
        let lang = resolve_locale(attribute("locale"), &self.default_locale, |tag| {
            self.renderer.has_language(tag)
        });
        Recipient { name, lang }
    }

    /// One notice for the user whose attributes `attribute` reads, in their language,
    /// greeting them by name, with `time` (already formatted) where the notice shows it.
    pub fn notice<'a>(
        &self,
        attribute: impl Fn(&str) -> Option<&'a str>,
        notice: Notice,
        time: String,
    ) -> Result<RenderedNotice, crate::RenderError> {
        let recipient = self.recipient(attribute);
        let ctx = NoticeContext {
            app_name: self.app_name.clone(),
            support_email: self.support_email.clone(),
            name: recipient.name,
            time,
        };
        self.renderer.render_notice(&recipient.lang, notice, &ctx)
    }
}

/// The address to write to about the account: the user's `email`, only when
/// `email_verified` is `true` (never to an address nobody proved they own), and only
/// when it is one address on one line.
pub fn verified_email<'a>(attribute: impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    let verified = attribute("email_verified").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let email = attribute("email")
        .map(str::trim)
        .filter(|e| looks_like_address(e))?;
    verified.then(|| email.to_owned())
}

/// Who a feature's emails come from, and how they look.
#[derive(Debug, Clone)]
pub struct Sender {
    /// An address, or `Display Name <address>`.
    pub from: String,
    pub branding: Branding,
}

impl Sender {
    /// The sender named by `var`, with the branding (`APP_NAME`, ...): `None` when
    /// `var` is unset; an error naming the bad variable and saying that `off` (the
    /// feature) is off otherwise.
    pub fn from_vars(vars: &Vars, var: &str, off: &str) -> Result<Option<Self>, ConfigError> {
        let Some(from) = vars.get(var) else {
            return Ok(None);
        };
        if !looks_like_sender(from) {
            return Err(
                ConfigError::new(var, "must be an email address (or Name <address>)")
                    .switching_off(off),
            );
        }
        let branding = Branding::from_vars(vars).map_err(|e| e.switching_off(off))?;
        Ok(Some(Self {
            from: from.to_owned(),
            branding,
        }))
    }
}

/// A sender SES takes: an address, or `Display Name <address>`.
pub fn looks_like_sender(text: &str) -> bool {
    match text.rsplit_once('<') {
        Some((name, rest)) => {
            !name.contains(['<', '>', '\r', '\n'])
                && rest.strip_suffix('>').is_some_and(looks_like_address)
        }
        None => looks_like_address(text),
    }
}

/// Who a message is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// `given_name`, else `name`, when not blank.
    pub name: Option<String>,
    /// The shipped language of the user's `locale`, else the default.
    pub lang: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn branding(pairs: &[(&str, &str)]) -> Result<Branding, ConfigError> {
        Branding::from_vars(&Vars::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        for (pairs, var) in [
            (vec![], "APP_NAME"),
            (vec![("APP_NAME", &*"x".repeat(61))], "APP_NAME"),
            (vec![("APP_NAME", "Acme\nNotes")], "APP_NAME"),
            (
                vec![("APP_NAME", "Acme"), ("SUPPORT_EMAIL", "nobody")],
                "SUPPORT_EMAIL",
            ),
            (
                vec![("APP_NAME", "Acme"), ("DEFAULT_LOCALE", "tlh")],
                "DEFAULT_LOCALE",
            ),
        ] {
            assert_eq!(branding(&pairs).unwrap_err().var, var, "{pairs:?}");
        }
        let b = branding(&[("APP_NAME", "Acme"), ("DEFAULT_LOCALE", "FR")]).unwrap();
        assert_eq!(
            (b.app_name.as_str(), b.default_locale.as_str()),
            ("Acme", "fr")
        );
    }

    #[test]
    fn the_recipient_is_greeted_by_name_in_their_language() {
        let b = branding(&[("APP_NAME", "Acme"), ("DEFAULT_LOCALE", "de")]).unwrap();
        let attrs: HashMap<&str, &str> = [
            ("given_name", "  "),
            ("name", " Zoë Ng "),
            ("locale", "fr-CA"),
        ]
        .into();
        let r = b.recipient(|k| attrs.get(k).copied());
        assert_eq!(
            r,
            Recipient {
                name: Some("Zoë Ng".into()),
                lang: "fr".into()
            }
        );
        let r = b.recipient(|_| None);
        assert_eq!(
            r,
            Recipient {
                name: None,
                lang: "de".into()
            }
        );
    }

    #[test]
    fn addresses_are_one_plain_address() {
        for good in ["support@acme.example", "a.b+c@x.co"] {
            assert!(looks_like_address(good), "{good}");
        }
        for bad in [
            "",
            "nobody",
            "@acme.example",
            "a@b",
            "a@b.c, d@e.f",
            "a b@c.d",
            "a@b.c\n",
        ] {
            assert!(!looks_like_address(bad), "{bad:?}");
        }
        assert!(looks_like_sender("Acme Notes <no-reply@acme.example>"));
        assert!(looks_like_sender("no-reply@acme.example"));
        for bad in ["Acme <no-reply>", "Acme <a@b.c", "A\r\nBcc: x <a@b.c>"] {
            assert!(!looks_like_sender(bad), "{bad:?}");
        }
    }
}
