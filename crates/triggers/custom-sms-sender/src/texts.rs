//! Sending one text message: the `Texter` port, implemented for Amazon SNS (`Publish`
//! to a phone number) and in memory for tests.

use std::future::Future;
use std::sync::Mutex;

use aws_sdk_sns::error::DisplayErrorContext;
use aws_sdk_sns::types::MessageAttributeValue;

/// Why a text was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("text not sent: {0}")]
pub struct TextError(pub String);

pub trait Texter {
    /// Sends `text` to `phone` (E.164).
    fn send(&self, phone: &str, text: &str) -> impl Future<Output = Result<(), TextError>> + Send;
}

/// Amazon SNS: a transactional SMS, from `sender_id` where the country allows one.
#[derive(Debug, Clone)]
pub struct SnsTexter {
    client: aws_sdk_sns::Client,
    sender_id: Option<String>,
}

impl SnsTexter {
    pub fn new(client: aws_sdk_sns::Client, sender_id: Option<String>) -> Self {
        Self { client, sender_id }
    }
}

fn attribute(value: &str) -> Result<MessageAttributeValue, TextError> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .map_err(|e| TextError(e.to_string()))
}

impl Texter for SnsTexter {
    async fn send(&self, phone: &str, text: &str) -> Result<(), TextError> {
        let mut publish = self
            .client
            .publish()
            .phone_number(phone)
            .message(text)
            .message_attributes("AWS.SNS.SMS.SMSType", attribute("Transactional")?);
        if let Some(id) = &self.sender_id {
            publish = publish.message_attributes("AWS.SNS.SMS.SenderID", attribute(id)?);
        }
        publish
            .send()
            .await
            .map(|_| ())
            .map_err(|e| TextError(DisplayErrorContext(&e).to_string()))
    }
}

/// Texts kept in memory (phone, text), for tests.
#[derive(Debug, Default)]
pub struct InMemoryTexter {
    sent: Mutex<Vec<(String, String)>>,
    /// When set, every send fails with this.
    pub outage: Option<TextError>,
}

impl InMemoryTexter {
    pub fn failing(why: &str) -> Self {
        Self {
            outage: Some(TextError(why.to_owned())),
            ..Self::default()
        }
    }

    pub fn sent(&self) -> Vec<(String, String)> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Texter for InMemoryTexter {
    async fn send(&self, phone: &str, text: &str) -> Result<(), TextError> {
        if let Some(why) = &self.outage {
            return Err(why.clone());
        }
        self.sent
            .lock()
            .map_err(|_| TextError("poisoned".into()))?
            .push((phone.to_owned(), text.to_owned()));
        Ok(())
    }
}
