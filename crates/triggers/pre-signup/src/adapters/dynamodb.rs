//! The profile table post-confirmation writes, read for the record of how an address
//! was verified (`GetItem`).

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::AttributeValue;
use cognito_admin::DirectoryError;

use crate::ports::EmailProofs;
use crate::proof::{EmailProof, VerifiedBy, VERIFIED_BY, VERIFIED_EMAIL};

/// The profile table post-confirmation writes (`PROFILE_TABLE_NAME`), keyed by `sub`.
#[derive(Debug, Clone)]
pub struct DynamoEmailProofs {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoEmailProofs {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

impl EmailProofs for DynamoEmailProofs {
    async fn proof_of(&self, sub: &str) -> Result<Option<EmailProof>, DirectoryError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("sub", AttributeValue::S(sub.to_owned()))
            .projection_expression("#email, #by")
            .expression_attribute_names("#email", VERIFIED_EMAIL)
            .expression_attribute_names("#by", VERIFIED_BY)
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| DirectoryError::Unavailable(DisplayErrorContext(&e).to_string()))?;
        let text = |name: &str| {
            out.item
                .as_ref()
                .and_then(|item| item.get(name))
                .and_then(|v| v.as_s().ok())
                .cloned()
        };
        Ok(match (text(VERIFIED_EMAIL), text(VERIFIED_BY)) {
            (Some(email), Some(by)) => Some(EmailProof {
                email,
                by: VerifiedBy::parse(&by),
            }),
            _ => None,
        })
    }
}
