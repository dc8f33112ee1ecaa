//! Amazon SNS (`Publish` to a phone number).

use aws_sdk_sns::error::DisplayErrorContext;
use aws_sdk_sns::types::MessageAttributeValue;

use crate::ports::{TextError, Texter};

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
