//! Where sign-ins are counted: one DynamoDB table (single-table design), behind the
//! `LoginRecorder` trait, with an in-memory twin for tests.
//!
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | sign-in record | `USER#<sub>` | `SIGNIN#<request id>` | `sub`, `signed_in_at`, `client_id`, `new_device`, `trigger_source`, `user_pool_id`, `expires_at` (TTL) |
//! | user summary | `USER#<sub>` | `SUMMARY` | `sub`, `sign_in_count`, `new_device_count`, `first_sign_in_at`, `last_sign_in_at`, `last_client_id` |
//! | day counter | `DAY#<yyyy-mm-dd>` | `CLIENT#<client id>` | `sign_ins`, `new_device_sign_ins`, `expires_at` (TTL) |
//!
//! The three writes are one transaction, and the record is only put if it does not
//! exist: a replay of the same request id changes nothing.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

use crate::signin::SignIn;

/// What happened to one sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Counted,
    /// This request id was counted before: nothing changed.
    AlreadyCounted,
}

/// The table could not take the sign-in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The write could not be put together.
    #[error("sign-in write not built: {0}")]
    Build(String),
    /// The table refused, failed or did not answer.
    #[error("analytics table unavailable: {0}")]
    Unavailable(String),
    /// Concurrent sign-ins of the same user kept conflicting until the retries ran out.
    #[error("transaction conflicts did not clear")]
    Conflicts,
}

pub trait LoginRecorder {
    fn record(
        &self,
        sign_in: &SignIn,
    ) -> impl Future<Output = Result<Recorded, RecordError>> + Send;
}

/// A user's summary, as read back (for tests, the demo and the README's queries).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub sign_in_count: u64,
    pub new_device_count: u64,
    pub first_sign_in_at: String,
    pub last_sign_in_at: String,
    pub last_client_id: String,
}

/// Sign-ins counted in memory, for unit tests.
#[derive(Debug, Default)]
pub struct InMemoryRecorder {
    seen: Mutex<HashMap<String, ()>>,
    summaries: Mutex<HashMap<String, Summary>>,
    /// When set, every write fails with this.
    pub outage: Option<RecordError>,
}

impl InMemoryRecorder {
    /// A recorder whose every write fails with `why`.
    pub fn failing(why: &str) -> Self {
        Self {
            outage: Some(RecordError::Unavailable(why.to_owned())),
            ..Self::default()
        }
    }

    pub fn summary(&self, sub: &str) -> Option<Summary> {
        self.summaries.lock().ok()?.get(sub).cloned()
    }
}

impl LoginRecorder for InMemoryRecorder {
    async fn record(&self, s: &SignIn) -> Result<Recorded, RecordError> {
        if let Some(why) = &self.outage {
            return Err(why.clone());
        }
        let poisoned = || RecordError::Unavailable("poisoned".into());
        let mut seen = self.seen.lock().map_err(|_| poisoned())?;
        if seen
            .insert(format!("{}#{}", s.sub, s.request_id), ())
            .is_some()
        {
            return Ok(Recorded::AlreadyCounted);
        }
        let mut summaries = self.summaries.lock().map_err(|_| poisoned())?;
        let summary = summaries.entry(s.sub.clone()).or_default();
        summary.sign_in_count += 1;
        summary.new_device_count += u64::from(s.new_device);
        if summary.first_sign_in_at.is_empty() {
            summary.first_sign_in_at = s.timestamp();
        }
        summary.last_sign_in_at = s.timestamp();
        summary.last_client_id = s.client_id.clone();
        Ok(Recorded::Counted)
    }
}

/// The analytics table in DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoRecorder {
    client: aws_sdk_dynamodb::Client,
    table: String,
    retention_days: u32,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub fn user_pk(sub: &str) -> String {
    format!("USER#{sub}")
}

pub fn day_pk(day: &str) -> String {
    format!("DAY#{day}")
}

pub fn client_sk(client_id: &str) -> String {
    format!("CLIENT#{client_id}")
}

impl DynamoRecorder {
    pub fn new(
        client: aws_sdk_dynamodb::Client,
        table: impl Into<String>,
        retention_days: u32,
    ) -> Self {
        Self {
            client,
            table: table.into(),
            retention_days,
        }
    }

    fn transaction(&self, si: &SignIn) -> Result<Vec<TransactWriteItem>, RecordError> {
        let built = |e: aws_sdk_dynamodb::error::BuildError| RecordError::Build(e.to_string());
        let expires = si.expires_at(self.retention_days);
        let new_device = u64::from(si.new_device);
        let record = Put::builder()
            .table_name(&self.table)
            .item("pk", s(user_pk(&si.sub)))
            .item("sk", s(format!("SIGNIN#{}", si.request_id)))
            .item("sub", s(&si.sub))
            .item("signed_in_at", s(si.timestamp()))
            .item("client_id", s(&si.client_id))
            .item("new_device", AttributeValue::Bool(si.new_device))
            .item("trigger_source", s(&si.trigger_source))
            .item("user_pool_id", s(&si.user_pool_id))
            .item("expires_at", n(expires))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(built)?;
        let summary = Update::builder()
            .table_name(&self.table)
            .key("pk", s(user_pk(&si.sub)))
            .key("sk", s("SUMMARY"))
            .update_expression(
                "SET #sub = :sub, first_sign_in_at = if_not_exists(first_sign_in_at, :at), \
                 last_sign_in_at = :at, last_client_id = :client \
                 ADD sign_in_count :one, new_device_count :nd",
            )
            .expression_attribute_names("#sub", "sub")
            .expression_attribute_values(":sub", s(&si.sub))
            .expression_attribute_values(":at", s(si.timestamp()))
            .expression_attribute_values(":client", s(&si.client_id))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":nd", n(new_device))
            .build()
            .map_err(built)?;
        let day = Update::builder()
            .table_name(&self.table)
            .key("pk", s(day_pk(&si.day())))
            .key("sk", s(client_sk(&si.client_id)))
            .update_expression("SET expires_at = :exp ADD sign_ins :one, new_device_sign_ins :nd")
            .expression_attribute_values(":exp", n(expires))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":nd", n(new_device))
            .build()
            .map_err(built)?;
        Ok(vec![
            TransactWriteItem::builder().put(record).build(),
            TransactWriteItem::builder().update(summary).build(),
            TransactWriteItem::builder().update(day).build(),
        ])
    }

    /// Reads a user's summary back.
    pub async fn summary(&self, sub: &str) -> Result<Option<Summary>, RecordError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(user_pk(sub)))
            .key("sk", s("SUMMARY"))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| RecordError::Unavailable(DisplayErrorContext(&e).to_string()))?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let text = |k: &str| {
            item.get(k)
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default()
        };
        let num = |k: &str| {
            item.get(k)
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Ok(Some(Summary {
            sign_in_count: num("sign_in_count"),
            new_device_count: num("new_device_count"),
            first_sign_in_at: text("first_sign_in_at"),
            last_sign_in_at: text("last_sign_in_at"),
            last_client_id: text("last_client_id"),
        }))
    }
}

/// Transactions on one user's summary conflict when sign-ins overlap; they are
/// retried with a short, growing pause until the caller's deadline cuts them off.
const CONFLICT_PAUSES_MS: [u64; 6] = [5, 10, 20, 40, 80, 160];

impl LoginRecorder for DynamoRecorder {
    async fn record(&self, si: &SignIn) -> Result<Recorded, RecordError> {
        let items = self.transaction(si)?;
        let mut pauses = CONFLICT_PAUSES_MS.iter();
        loop {
            let mut request = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()));
            if (1..=36).contains(&si.request_id.len()) {
                request = request.client_request_token(&si.request_id);
            }
            match request.send().await {
                Ok(_) => return Ok(Recorded::Counted),
                Err(err) => match classify(&err) {
                    Failure::Duplicate => return Ok(Recorded::AlreadyCounted),
                    Failure::Conflict => match pauses.next() {
                        Some(ms) => tokio::time::sleep(Duration::from_millis(*ms)).await,
                        None => return Err(RecordError::Conflicts),
                    },
                    Failure::Other => {
                        return Err(RecordError::Unavailable(
                            DisplayErrorContext(&err).to_string(),
                        ))
                    }
                },
            }
        }
    }
}

enum Failure {
    Duplicate,
    Conflict,
    Other,
}

fn classify<R>(err: &SdkError<TransactWriteItemsError, R>) -> Failure {
    let Some(service) = err.as_service_error() else {
        return Failure::Other;
    };
    if let TransactWriteItemsError::TransactionCanceledException(cancelled) = service {
        let codes: Vec<&str> = cancelled
            .cancellation_reasons()
            .iter()
            .filter_map(|r| r.code())
            .collect();
        // The record (first item) already exists: this request id was counted.
        if codes.first() == Some(&"ConditionalCheckFailed") {
            return Failure::Duplicate;
        }
        if codes.contains(&"TransactionConflict") {
            return Failure::Conflict;
        }
    }
    if matches!(
        service,
        TransactWriteItemsError::TransactionInProgressException(_)
    ) {
        return Failure::Conflict;
    }
    Failure::Other
}
