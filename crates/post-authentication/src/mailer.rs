//! Sending the new-device alert: SES behind the `Mailer` trait, with an in-memory twin.

use std::future::Future;
use std::sync::Mutex;

use aws_sdk_ses::error::DisplayErrorContext;
use aws_sdk_ses::types::{Body, Content, Destination, Message};

/// One email to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
}

pub trait Mailer {
    fn send(&self, mail: &Mail) -> impl Future<Output = Result<(), String>> + Send;
}

/// Mail kept in memory, for unit tests.
#[derive(Debug, Default)]
pub struct InMemoryMailer {
    pub sent: Mutex<Vec<Mail>>,
    /// When set, every send fails with this.
    pub outage: Option<String>,
}

impl Mailer for InMemoryMailer {
    async fn send(&self, mail: &Mail) -> Result<(), String> {
        if let Some(why) = &self.outage {
            return Err(why.clone());
        }
        self.sent
            .lock()
            .map_err(|_| "poisoned".to_owned())?
            .push(mail.clone());
        Ok(())
    }
}

/// Amazon SES (`SendEmail`).
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

fn content(text: &str) -> Result<Content, String> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|e| e.to_string())
}

impl Mailer for SesMailer {
    async fn send(&self, mail: &Mail) -> Result<(), String> {
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
            .map_err(|e| DisplayErrorContext(&e).to_string())
    }
}
