//! Sending one email: the `Mailer` port (`ports.rs`, with an in-memory fake behind the
//! `fakes` feature) and its Amazon SES implementation (`adapters/ses.rs`, `SendEmail`).
//! Shared by every trigger that emails users.

pub mod adapters;
pub mod ports;

pub use adapters::SesMailer;
#[cfg(any(test, feature = "fakes"))]
pub use ports::InMemoryMailer;
pub use ports::{MailError, Mailer};

use message_templates::RenderedNotice;

/// One email to one recipient, with an HTML and a text part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
}

impl Mail {
    /// A rendered notice, to `to`.
    pub fn of(to: &str, notice: RenderedNotice) -> Self {
        Self {
            to: to.to_owned(),
            subject: notice.subject,
            html: notice.html,
            text: notice.text,
        }
    }
}
