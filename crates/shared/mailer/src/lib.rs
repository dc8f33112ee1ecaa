//! Sending one email: the `Mailer` port, implemented for Amazon SES (`SendEmail`)
//! and in memory for tests. Shared by every trigger that emails users.

use std::future::Future;
use std::sync::Mutex;

use aws_sdk_ses::error::DisplayErrorContext;
use aws_sdk_ses::types::{Body, Content, Destination, Message};
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

/// Why an email was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The mail could not be put together (an empty part, say).
    #[error("mail not built: {0}")]
    Build(String),
    /// The service refused it, failed, or did not answer.
    #[error("mail not sent: {0}")]
    Send(String),
}

pub trait Mailer {
    fn send(&self, mail: &Mail) -> impl Future<Output = Result<(), MailError>> + Send;
}

/// Mail kept in memory, for tests.
#[derive(Debug, Default)]
pub struct InMemoryMailer {
    sent: Mutex<Vec<Mail>>,
    /// When set, every send fails with this.
    pub outage: Option<MailError>,
}

impl InMemoryMailer {
    /// A mailer whose every send fails with `why`.
    pub fn failing(why: &str) -> Self {
        Self {
            outage: Some(MailError::Send(why.to_owned())),
            ..Self::default()
        }
    }

    /// What was sent, in order.
    pub fn sent(&self) -> Vec<Mail> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Mailer for InMemoryMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        if let Some(why) = &self.outage {
            return Err(why.clone());
        }
        self.sent
            .lock()
            .map_err(|_| MailError::Send("poisoned".into()))?
            .push(mail.clone());
        Ok(())
    }
}

/// Amazon SES (`SendEmail`) from one sender.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: aws_sdk_ses::Client,
    from: String,
}

impl SesMailer {
    pub fn new(client: aws_sdk_ses::Client, from: impl Into<String>) -> Self {
        Self {
            client,
            from: from.into(),
        }
    }
}

fn content(text: &str) -> Result<Content, MailError> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|e| MailError::Build(e.to_string()))
}

impl Mailer for SesMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let message = Message::builder()
            .subject(content(&mail.subject)?)
            .body(
                Body::builder()
                    .html(content(&mail.html)?)
                    .text(content(&mail.text)?)
                    .build(),
            )
            .build();
        self.client
            .send_email()
            .source(&self.from)
            .destination(Destination::builder().to_addresses(&mail.to).build())
            .message(message)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| MailError::Send(DisplayErrorContext(&e).to_string()))
    }
}
