//! The account status table in DynamoDB (`GetItem` only).

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::{status_from, AccountStatus, StatusDirectory, StatusError};

/// The account status table in DynamoDB (`GetItem` only).
#[derive(Debug, Clone)]
pub struct DynamoStatuses {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoStatuses {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

impl StatusDirectory for DynamoStatuses {
    async fn status_of(&self, key: &str) -> Result<Option<AccountStatus>, StatusError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("sub", AttributeValue::S(key.to_owned()))
            .send()
            .await
            .map_err(|e| StatusError::Unavailable(DisplayErrorContext(&e).to_string()))?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let text = |name: &str| match item.get(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(AttributeValue::S(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(StatusError::Unusable(format!("{name} is not a string"))),
        };
        status_from(text("status")?, text("until")?).map(Some)
    }
}
