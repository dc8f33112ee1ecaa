//! The challenge table in DynamoDB: key `pk` (string), conditional `UpdateItem`s
//! for the send limits and the one-time use of links, `GetItem` with a consistent
//! read, and `expiresAt` as the table's TTL attribute.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::ports::{wait_for, ChallengeStore, Limits, Pending, Reservation, StoreError};

const HOUR: u64 = 3600;

#[derive(Debug, Clone)]
pub struct DynamoChallenges {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoChallenges {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    fn update(&self, key: &str) -> UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(key.to_owned()))
    }

    async fn row(&self, key: &str) -> Result<Option<HashMap<String, AttributeValue>>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(key.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::Unavailable(DisplayErrorContext(&e).to_string()))?;
        Ok(out.item)
    }
}

fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

/// Whether an `UpdateItem` failed only because its condition did not hold.
fn condition_failed(
    result: Result<(), aws_sdk_dynamodb::error::SdkError<UpdateItemError>>,
) -> Result<bool, StoreError> {
    match result {
        Ok(()) => Ok(false),
        Err(e)
            if e.as_service_error()
                .is_some_and(UpdateItemError::is_conditional_check_failed_exception) =>
        {
            Ok(true)
        }
        Err(e) => Err(StoreError::Unavailable(DisplayErrorContext(&e).to_string())),
    }
}

fn number(item: &HashMap<String, AttributeValue>, name: &str) -> Result<u64, StoreError> {
    match item.get(name) {
        None => Ok(0),
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|_| StoreError::Unusable(format!("{name} is not a whole number"))),
        Some(_) => Err(StoreError::Unusable(format!("{name} is not a number"))),
    }
}

fn text(item: &HashMap<String, AttributeValue>, name: &str) -> Result<String, StoreError> {
    match item.get(name) {
        None => Ok(String::new()),
        Some(AttributeValue::S(v)) => Ok(v.clone()),
        Some(_) => Err(StoreError::Unusable(format!("{name} is not a string"))),
    }
}

const PENDING: &str = "pendingKind = :kind, pendingDigest = :digest, pendingSalt = :salt, \
                       pendingExpires = :expires, pendingSend = :send, expiresAt = :ttl";

impl ChallengeStore for DynamoChallenges {
    async fn reserve(
        &self,
        key: &str,
        now: u64,
        limits: Limits,
        pending: &Pending,
    ) -> Result<Reservation, StoreError> {
        let with_pending = |update: UpdateItemFluentBuilder| {
            update
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":cooled", n(now.saturating_sub(limits.cooldown)))
                .expression_attribute_values(":hourAgo", n(now.saturating_sub(HOUR)))
                .expression_attribute_values(":kind", s(pending.kind))
                .expression_attribute_values(":digest", s(&pending.digest))
                .expression_attribute_values(":salt", s(&pending.salt))
                .expression_attribute_values(":expires", n(pending.expires))
                .expression_attribute_values(":send", s(&pending.send))
                .expression_attribute_values(":ttl", n(now + HOUR + limits.cooldown))
        };
        // A new hour window (or the first send): the counter starts again.
        let new_window = with_pending(self.update(key))
            .update_expression(format!(
                "SET lastSent = :now, windowStart = :now, windowCount = :one, {PENDING}"
            ))
            .condition_expression(
                "(attribute_not_exists(windowStart) OR windowStart <= :hourAgo) \
                 AND (attribute_not_exists(lastSent) OR lastSent <= :cooled)",
            )
            .send()
            .await
            .map(|_| ());
        if !condition_failed(new_window)? {
            return Ok(Reservation::Granted);
        }
        // Within the window: one more, if the counter and the cooldown allow.
        let same_window = with_pending(self.update(key))
            .update_expression(format!(
                "SET lastSent = :now, windowCount = windowCount + :one, {PENDING}"
            ))
            .condition_expression(
                "windowStart > :hourAgo AND windowCount < :max AND lastSent <= :cooled",
            )
            .expression_attribute_values(":max", n(u64::from(limits.per_hour)))
            .send()
            .await
            .map(|_| ());
        if !condition_failed(same_window)? {
            return Ok(Reservation::Granted);
        }
        let row = self.row(key).await?.unwrap_or_default();
        let count = u32::try_from(number(&row, "windowCount")?).unwrap_or(u32::MAX);
        let seconds = wait_for(
            now,
            number(&row, "lastSent")?,
            number(&row, "windowStart")?,
            count,
            limits,
        );
        Ok(Reservation::Wait { seconds })
    }

    async fn pending(&self, key: &str) -> Result<Option<Pending>, StoreError> {
        let Some(row) = self.row(key).await? else {
            return Ok(None);
        };
        let kind = match text(&row, "pendingKind")?.as_str() {
            "" => return Ok(None),
            "code" => "code",
            "link" => "link",
            _ => {
                return Err(StoreError::Unusable(
                    "pendingKind is neither code nor link".into(),
                ))
            }
        };
        Ok(Some(Pending {
            kind,
            digest: text(&row, "pendingDigest")?,
            salt: text(&row, "pendingSalt")?,
            expires: number(&row, "pendingExpires")?,
            send: text(&row, "pendingSend")?,
        }))
    }

    async fn consume_link(&self, key: &str, digest: &str, now: u64) -> Result<bool, StoreError> {
        let result = self
            .update(key)
            .update_expression(
                "REMOVE pendingKind, pendingDigest, pendingSalt, pendingExpires, pendingSend",
            )
            .condition_expression(
                "pendingKind = :link AND pendingDigest = :digest AND pendingExpires > :now",
            )
            .expression_attribute_values(":link", s("link"))
            .expression_attribute_values(":digest", s(digest))
            .expression_attribute_values(":now", n(now))
            .send()
            .await
            .map(|_| ());
        Ok(!condition_failed(result)?)
    }
}
