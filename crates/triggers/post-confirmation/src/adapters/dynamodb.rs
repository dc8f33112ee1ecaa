//! The profile table: one item per user, keyed by `sub`, written by this trigger and
//! read by the application. It also remembers which emails were sent, so that a
//! retried invocation (Cognito retries on timeout) sends nothing twice.
//!
//! | attribute | written |
//! |---|---|
//! | `sub` (key), `username`, `email`, `created_at`, `trigger_source`, `client_id`, `user_pool_id` | on confirmation, each only if absent |
//! | `verified_email`, `email_verified_by` | the address verified when the user was confirmed, and how (`code`, `pre-signup`, `unknown`): what linking trusts |
//! | `welcome_sent_at` | epoch milliseconds, when the welcome was sent (once) |
//! | `password_notice_sent_at` | epoch milliseconds of the last password-changed notice |
//!
//! Writes are `UpdateItem`s setting each field only if absent (`if_not_exists`): a
//! replay changes nothing, and a row an email claim created first is completed, not
//! replaced.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use crate::ports::{
    Claim, Created, Profile, ProfileStore, Sent, StoreError, PASSWORD_NOTICE_WINDOW_MS,
    VERIFIED_BY, VERIFIED_EMAIL,
};

/// The profile table in DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoProfiles {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn unavailable<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    err: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> StoreError {
    StoreError::Unavailable(DisplayErrorContext(err).to_string())
}

fn condition_failed<E: ProvideErrorMetadata, R>(
    err: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> bool {
    err.as_service_error().and_then(ProvideErrorMetadata::code)
        == Some("ConditionalCheckFailedException")
}

impl DynamoProfiles {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Reads a user's row back, as attribute name to text (for tests and the demo).
    pub async fn row(&self, sub: &str) -> Result<Option<HashMap<String, String>>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("sub", s(sub))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(out.item.map(|item| {
            item.into_iter()
                .filter_map(|(k, v)| match v {
                    AttributeValue::S(t) | AttributeValue::N(t) => Some((k, t)),
                    _ => None,
                })
                .collect()
        }))
    }
}

impl ProfileStore for DynamoProfiles {
    async fn create(&self, p: &Profile) -> Result<Created, StoreError> {
        let mut fields = vec![
            ("username", &p.username),
            ("created_at", &p.created_at),
            ("trigger_source", &p.trigger_source),
            ("client_id", &p.client_id),
            ("user_pool_id", &p.user_pool_id),
        ];
        if let Some(email) = &p.email {
            fields.push(("email", email));
        }
        let verified_by;
        if let Some((email, by)) = &p.verified {
            verified_by = by.as_str().to_owned();
            fields.push((VERIFIED_EMAIL, email));
            fields.push((VERIFIED_BY, &verified_by));
        }
        let set: Vec<String> = fields
            .iter()
            .map(|(name, _)| format!("{name} = if_not_exists({name}, :{name})"))
            .collect();
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("sub", s(&p.sub))
            .update_expression(format!("SET {}", set.join(", ")))
            .return_values(ReturnValue::AllOld);
        for (name, value) in fields {
            request = request.expression_attribute_values(format!(":{name}"), s(value));
        }
        let out = request.send().await.map_err(|e| unavailable(&e))?;
        let existed = out
            .attributes
            .is_some_and(|old| old.contains_key("created_at"));
        Ok(if existed {
            Created::AlreadyThere
        } else {
            Created::Created
        })
    }

    async fn claim(&self, sub: &str, email: Sent, at: u64) -> Result<Claim, StoreError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("sub", s(sub))
            .update_expression("SET #sent = :at")
            .expression_attribute_names("#sent", email.attribute())
            .expression_attribute_values(":at", n(at));
        request = match email {
            Sent::Welcome => request.condition_expression("attribute_not_exists(#sent)"),
            Sent::PasswordChanged => request
                .condition_expression("attribute_not_exists(#sent) OR #sent < :since")
                .expression_attribute_values(
                    ":since",
                    n(at.saturating_sub(PASSWORD_NOTICE_WINDOW_MS - 1)),
                ),
        };
        match request.send().await {
            Ok(_) => Ok(Claim::Claimed),
            Err(e) if condition_failed(&e) => Ok(Claim::AlreadySent),
            Err(e) => Err(unavailable(&e)),
        }
    }

    async fn release(&self, sub: &str, email: Sent, at: u64) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("sub", s(sub))
            .update_expression("REMOVE #sent")
            .condition_expression("#sent = :at")
            .expression_attribute_names("#sent", email.attribute())
            .expression_attribute_values(":at", n(at))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(unavailable(&e)),
        }
    }
}
