//! Where sign-ins are counted: one DynamoDB table (single-table design), implementing the
//! `LoginRecorder` and `AlertLedger` ports (`ports.rs`).
//!
//! | item | pk | sk | attributes |
//! |---|---|---|---|
//! | sign-in record | `USER#<sub>` | `SIGNIN#<request id>` | `sub`, `signed_in_at`, `client_id`, `new_device`, `trigger_source`, `user_pool_id`, `expires_at` (TTL) |
//! | user summary | `USER#<sub>` | `SUMMARY` | `sub`, `sign_in_count`, `new_device_count`, `first_sign_in_at`, `last_sign_in_at`, `last_client_id` |
//! | day counter shard | `DAY#<yyyy-mm-dd>#<shard>` | `CLIENT#<client id>` | `sign_ins`, `new_device_sign_ins`, `expires_at` (TTL) |
//! | new-device alert claim | `USER#<sub>` | `ALERT#<request id>` | `expires_at` (TTL) |
//!
//! The three writes are one transaction, and the record is only put if it does not
//! exist: a replay of the same request id changes nothing. The transaction carries no
//! idempotency token: a replayed invocation writes a new time, which DynamoDB would
//! answer with `IdempotentParameterMismatchException` (or, within ten minutes and
//! with the same parameters, with a success) instead of the failed condition that
//! says "already counted". The alert is claimed in an item of its own, so that it
//! can go out beside the recording rather than after it.
//!
//! The day counter is spread over `shards` partition keys (`ANALYTICS_DAY_SHARDS`):
//! one item sits in one partition, which takes about 1,000 write units a second, and
//! a transactional update costs two, so a single counter per app client and day
//! would throttle past about 500 sign-ins a second. A sign-in's shard is a hash of
//! its request id, so a retried request writes the same items and its conditional
//! record stops it from counting twice. [`day_counts`] sums the shards back.

use std::time::Duration;

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

use crate::ports::{AlertClaim, AlertLedger, LoginRecorder, RecordError, Recorded, Summary};
use crate::signin::SignIn;

/// The analytics table in DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoRecorder {
    client: aws_sdk_dynamodb::Client,
    table: String,
    retention_days: u32,
    day_shards: u32,
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

/// The partition key of one shard of a day's counters.
pub fn day_pk(day: &str, shard: u32) -> String {
    format!("DAY#{day}#{shard}")
}

/// Day counters are spread over this many shards unless configured otherwise.
pub const DEFAULT_DAY_SHARDS: u32 = 8;
/// The most shards a day may have; the reader reads all of them, so lowering the
/// setting never hides counts written before.
pub const MAX_DAY_SHARDS: u32 = 32;

/// The shard a request's day counter goes to: FNV-1a of the request id, so the same
/// request always lands on the same shard.
pub fn shard_of(request_id: &str, shards: u32) -> u32 {
    let hash = request_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    // The remainder is below `shards`, a u32.
    u32::try_from(hash % u64::from(shards.max(1))).unwrap_or(0)
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
            day_shards: DEFAULT_DAY_SHARDS,
        }
    }

    /// Spreads the day counters over `shards` (1 to [`MAX_DAY_SHARDS`]).
    pub fn with_day_shards(mut self, shards: u32) -> Self {
        self.day_shards = shards.clamp(1, MAX_DAY_SHARDS);
        self
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
            .key(
                "pk",
                s(day_pk(&si.day(), shard_of(&si.request_id, self.day_shards))),
            )
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
            .map_err(|e| unavailable(&e))?;
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

/// One app client's sign-ins of one day, summed over the day's shards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayCount {
    pub client_id: String,
    pub sign_ins: u64,
    pub new_device_sign_ins: u64,
    /// How many shard items held this client's counts.
    pub shards: u32,
}

/// A day's sign-ins per app client: the sum of every shard (all [`MAX_DAY_SHARDS`]
/// of them, whatever the setting is now) and of the unsharded `DAY#<day>` item that
/// versions before sharding wrote. Sorted by client id.
pub async fn day_counts(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    day: &str,
) -> Result<Vec<DayCount>, RecordError> {
    let keys =
        std::iter::once(format!("DAY#{day}")).chain((0..MAX_DAY_SHARDS).map(|k| day_pk(day, k)));
    let mut queries = tokio::task::JoinSet::new();
    for pk in keys {
        let (client, table) = (client.clone(), table.to_owned());
        queries.spawn(async move { counters_under(&client, &table, pk).await });
    }
    let mut by_client: std::collections::BTreeMap<String, DayCount> = Default::default();
    while let Some(joined) = queries.join_next().await {
        let items = joined.map_err(|e| RecordError::Unavailable(e.to_string()))??;
        for (client_id, sign_ins, new_device) in items {
            let count = by_client
                .entry(client_id.clone())
                .or_insert_with(|| DayCount {
                    client_id,
                    ..DayCount::default()
                });
            count.sign_ins += sign_ins;
            count.new_device_sign_ins += new_device;
            count.shards += 1;
        }
    }
    Ok(by_client.into_values().collect())
}

/// The counters of one partition key: (client id, sign-ins, new-device sign-ins).
async fn counters_under(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    pk: String,
) -> Result<Vec<(String, u64, u64)>, RecordError> {
    let mut pages = client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :d AND begins_with(sk, :c)")
        .expression_attribute_values(":d", s(pk))
        .expression_attribute_values(":c", s("CLIENT#"))
        .consistent_read(true)
        .into_paginator()
        .items()
        .send();
    let mut out = Vec::new();
    while let Some(item) = pages.next().await {
        let item =
            item.map_err(|e| RecordError::Unavailable(DisplayErrorContext(&e).to_string()))?;
        let num = |k: &str| {
            item.get(k)
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let client_id = item
            .get("sk")
            .and_then(|v| v.as_s().ok())
            .and_then(|sk| sk.strip_prefix("CLIENT#"))
            .unwrap_or_default()
            .to_owned();
        out.push((client_id, num("sign_ins"), num("new_device_sign_ins")));
    }
    Ok(out)
}

/// Transactions on one user's summary conflict when sign-ins overlap; they are
/// retried with a short, growing pause until the caller's deadline cuts them off.
const CONFLICT_PAUSES_MS: [u64; 6] = [5, 10, 20, 40, 80, 160];

impl LoginRecorder for DynamoRecorder {
    async fn record(&self, si: &SignIn) -> Result<Recorded, RecordError> {
        let items = self.transaction(si)?;
        let mut pauses = CONFLICT_PAUSES_MS.iter();
        loop {
            let request = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()));
            match request.send().await {
                Ok(_) => return Ok(Recorded::Counted),
                Err(err) => match classify(&err) {
                    Failure::Duplicate => return Ok(Recorded::AlreadyCounted),
                    Failure::Conflict => match pauses.next() {
                        Some(ms) => tokio::time::sleep(Duration::from_millis(*ms)).await,
                        None => return Err(RecordError::Conflicts),
                    },
                    Failure::Other => return Err(unavailable(&err)),
                },
            }
        }
    }

    async fn was_recorded(&self, si: &SignIn) -> Result<bool, RecordError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(user_pk(&si.sub)))
            .key("sk", s(format!("SIGNIN#{}", si.request_id)))
            .projection_expression("pk")
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(out.item.is_some())
    }
}

impl DynamoRecorder {
    /// The key of a sign-in's alert claim.
    fn alert_key(si: &SignIn) -> [(&'static str, AttributeValue); 2] {
        [
            ("pk", s(user_pk(&si.sub))),
            ("sk", s(format!("ALERT#{}", si.request_id))),
        ]
    }
}

/// A failed call as a [`RecordError`]: `Unavailable` when the table certainly
/// applied nothing (it refused the request as made, or the connection could not be
/// made), `Uncertain` when it may have (no answer in time, a broken answer, a server
/// error).
fn unavailable<E>(err: &SdkError<E, HttpResponse>) -> RecordError
where
    E: std::error::Error + 'static,
{
    let text = DisplayErrorContext(err).to_string();
    let nothing_written = match err {
        SdkError::ConstructionFailure(_) => true,
        SdkError::ServiceError(e) => e.raw().status().is_client_error(),
        SdkError::DispatchFailure(d) => d.is_io() && !d.is_timeout(),
        _ => false,
    };
    if nothing_written {
        RecordError::Unavailable(text)
    } else {
        RecordError::Uncertain(text)
    }
}

impl AlertLedger for DynamoRecorder {
    async fn claim_alert(&self, si: &SignIn) -> Result<AlertClaim, RecordError> {
        let [pk, sk] = Self::alert_key(si);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(pk.0, pk.1)
            .item(sk.0, sk.1)
            .item("expires_at", n(si.expires_at(self.retention_days)))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(AlertClaim::Claimed),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(AlertClaim::AlreadyClaimed)
            }
            Err(e) => Err(unavailable(&e)),
        }
    }

    async fn release_alert(&self, si: &SignIn) -> Result<(), RecordError> {
        let [pk, sk] = Self::alert_key(si);
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(pk.0, pk.1)
            .key(sk.0, sk.1)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| unavailable(&e))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_keeps_its_shard_and_requests_spread_over_all_of_them() {
        // Pinned, not compared with itself: a retry may run in another process, so the
        // shard must not depend on a per-process hash seed.
        assert_eq!((shard_of("a1b2-c3", 8), shard_of("a1b2-c3", 32)), (4, 12));
        assert_eq!(shard_of("anything", 1), 0);
        assert_eq!(shard_of("anything", 0), 0, "no shards reads as one");
        let mut per_shard = [0u32; 8];
        for i in 0..8000 {
            let shard = shard_of(&format!("5f0c3a9e-{i:04}-4b1d-9c2e-7a6b5d4c3b2a"), 8);
            per_shard[shard as usize] += 1;
        }
        assert!(
            per_shard.iter().all(|n| (800..1200).contains(n)),
            "{per_shard:?}"
        );
    }

    #[test]
    fn shard_keys_stay_under_the_day() {
        assert_eq!(day_pk("2026-11-22", 3), "DAY#2026-11-22#3");
        assert_eq!(client_sk("web"), "CLIENT#web");
    }
}
