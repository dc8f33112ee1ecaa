//! The rules a rendered message must keep before it may replace Cognito's own, and
//! the small decisions around them (language, verification link).

use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use message_templates::Rendered;

/// Cognito's limits, in characters.
pub const EMAIL_MAX_CHARS: usize = 20_000;
pub use message_templates::SMS_MAX_CHARS;
pub const SUBJECT_MAX_CHARS: usize = 140;

/// Why a rendered message may not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    MissingPlaceholder {
        part: &'static str,
        placeholder: String,
    },
    TooLong {
        part: &'static str,
        chars: usize,
        max: usize,
    },
    Empty {
        part: &'static str,
    },
    LineBreak {
        part: &'static str,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingPlaceholder { part, placeholder } => {
                write!(f, "{part} does not contain the placeholder {placeholder}")
            }
            Self::TooLong { part, chars, max } => {
                write!(f, "{part} is {chars} characters, over the limit of {max}")
            }
            Self::Empty { part } => write!(f, "{part} is empty"),
            Self::LineBreak { part } => write!(f, "{part} contains a line break"),
        }
    }
}

fn check_part(
    part: &'static str,
    text: &str,
    max: usize,
    placeholders: &[&str],
) -> Result<(), Problem> {
    if text.trim().is_empty() {
        return Err(Problem::Empty { part });
    }
    let chars = text.chars().count();
    if chars > max {
        return Err(Problem::TooLong { part, chars, max });
    }
    if let Some(missing) = placeholders.iter().find(|p| !text.contains(**p)) {
        return Err(Problem::MissingPlaceholder {
            part,
            placeholder: (*missing).to_owned(),
        });
    }
    Ok(())
}

/// The email (subject and HTML body) keeps the placeholders and the limits.
pub fn check_email(m: &Rendered, placeholders: &[&str]) -> Result<(), Problem> {
    check_part("email subject", &m.subject, SUBJECT_MAX_CHARS, &[])?;
    if m.subject.contains(['\r', '\n']) {
        return Err(Problem::LineBreak {
            part: "email subject",
        });
    }
    check_part("email body", &m.email_html, EMAIL_MAX_CHARS, placeholders)
}

/// The SMS keeps the placeholders and the limit.
pub fn check_sms(m: &Rendered, placeholders: &[&str]) -> Result<(), Problem> {
    check_part("SMS", &m.sms, SMS_MAX_CHARS, placeholders)
}

/// Characters left as they are in a query value: unreserved ones (RFC 3986).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `VERIFY_URL?username=<url-encoded>&code=<code placeholder>`. The placeholder is
/// left as it is so that Cognito can replace it.
pub fn verify_link(base: &str, user_name: &str, code: &str) -> String {
    let separator = if base.contains('?') { '&' } else { '?' };
    let user = utf8_percent_encode(user_name, QUERY_VALUE);
    format!("{base}{separator}username={user}&code={code}")
}

/// A `VERIFY_URL` must be an absolute http(s) URL without characters that would
/// need escaping in HTML or a fragment that would swallow the query.
pub fn valid_verify_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !url.contains('#')
            && url
                .chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_encodes_the_username_and_keeps_the_placeholder() {
        assert_eq!(
            verify_link(
                "https://app.example.com/verify",
                "ana+1@example.com",
                "{####}"
            ),
            "https://app.example.com/verify?username=ana%2B1%40example.com&code={####}"
        );
        assert_eq!(
            verify_link("https://x.example/v?src=mail", "a b&c=d", "{####}"),
            "https://x.example/v?src=mail&username=a%20b%26c%3Dd&code={####}"
        );
    }

    #[test]
    fn verify_urls_must_be_plain_http_urls() {
        assert!(valid_verify_url("https://app.example.com/verify"));
        assert!(valid_verify_url("http://localhost:3000/confirm?x=1"));
        for bad in [
            "",
            "ftp://x",
            "javascript:alert(1)",
            "https://",
            "https://a/\"onload",
            "https://a/b c",
            "https:///path",
            "https://a/#frag",
        ] {
            assert!(!valid_verify_url(bad), "{bad:?}");
        }
    }

    fn msg(subject: &str, body: &str, sms: &str) -> Rendered {
        Rendered {
            subject: subject.into(),
            email_html: body.into(),
            sms: sms.into(),
        }
    }

    #[test]
    fn placeholders_and_limits_are_enforced() {
        let ok = msg("Hi", "<p>{####} {username}</p>", "code {####} {username}");
        assert!(check_email(&ok, &["{####}", "{username}"]).is_ok());
        assert!(check_sms(&ok, &["{####}", "{username}"]).is_ok());

        let no_code = msg("Hi", "<p>nothing</p>", "nothing");
        assert_eq!(
            check_email(&no_code, &["{####}"]),
            Err(Problem::MissingPlaceholder {
                part: "email body",
                placeholder: "{####}".into()
            })
        );
        assert!(check_sms(&no_code, &["{####}"]).is_err());

        let long_sms = msg("Hi", "{####}", &format!("{{####}}{}", "é".repeat(140)));
        assert!(matches!(
            check_sms(&long_sms, &["{####}"]),
            Err(Problem::TooLong { max: 140, .. })
        ));
        let exactly = msg("Hi", "{####}", &format!("{{####}}{}", "é".repeat(134)));
        assert!(check_sms(&exactly, &["{####}"]).is_ok());

        let long_subject = msg(&"s".repeat(141), "{####}", "{####}");
        assert!(check_email(&long_subject, &["{####}"]).is_err());
        let long_body = msg(
            "Hi",
            &format!("{{####}}{}", "x".repeat(EMAIL_MAX_CHARS)),
            "{####}",
        );
        assert!(check_email(&long_body, &["{####}"]).is_err());
        let broken_subject = msg("Hi\r\nBcc: x", "{####}", "{####}");
        assert!(check_email(&broken_subject, &["{####}"]).is_err());
    }
}
