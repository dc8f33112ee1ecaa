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
use std::future::Future;
use std::sync::Mutex;

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use crate::config::VerifiedBy;
/// The address verified at confirmation, and how: pre-signup's linking reads both.
pub use email_domains::proof::{VERIFIED_BY, VERIFIED_EMAIL};

/// A confirmed user, as the profile row records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub sub: String,
    pub username: String,
    pub email: Option<String>,
    /// `2026-11-22T09:15:04Z`
    pub created_at: String,
    pub trigger_source: String,
    pub client_id: String,
    pub user_pool_id: String,
    /// The address, when Cognito had it verified at confirmation, and how.
    pub verified: Option<(String, VerifiedBy)>,
}

/// What writing a profile came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Created,
    /// The row was there (a replay): nothing changed.
    AlreadyThere,
}

/// An email the table remembers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Sent once per user, ever.
    Welcome,
    /// Sent at most once per [`PASSWORD_NOTICE_WINDOW_MS`]: a retried invocation
    /// falls inside it, the next password reset does not.
    PasswordChanged,
}

/// Retries of one invocation come within seconds; two resets are minutes apart.
pub const PASSWORD_NOTICE_WINDOW_MS: u64 = 5 * 60 * 1000;

impl Sent {
    pub fn attribute(self) -> &'static str {
        match self {
            Self::Welcome => "welcome_sent_at",
            Self::PasswordChanged => "password_notice_sent_at",
        }
    }

    /// Whether a mark left at `previous` still stands at `now` (both epoch ms).
    pub fn still_stands(self, previous: u64, now: u64) -> bool {
        match self {
            Self::Welcome => true,
            Self::PasswordChanged => now.saturating_sub(previous) < PASSWORD_NOTICE_WINDOW_MS,
        }
    }
}

/// What claiming an email came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This invocation may send it (and must release the claim if it cannot).
    Claimed,
    /// It was sent (or is being sent) by an earlier invocation.
    AlreadySent,
}

/// The table could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("profile table unavailable: {0}")]
    Unavailable(String),
}

pub trait ProfileStore {
    /// Writes the profile's fields that are not there yet.
    fn create(&self, profile: &Profile)
        -> impl Future<Output = Result<Created, StoreError>> + Send;

    /// Marks `email` as sent to `sub` at `at` (epoch ms), unless a mark stands.
    fn claim(
        &self,
        sub: &str,
        email: Sent,
        at: u64,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Takes back the mark made at `at` (the email was not sent, so a retry may send
    /// it). A mark another invocation made since is left alone.
    fn release(
        &self,
        sub: &str,
        email: Sent,
        at: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Profiles in memory, for tests.
#[derive(Debug, Default)]
pub struct InMemoryProfiles {
    rows: Mutex<HashMap<String, Row>>,
    /// When set, every call fails with this.
    pub outage: Option<StoreError>,
}

/// One row in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub profile: Option<Profile>,
    pub marks: HashMap<&'static str, u64>,
}

impl InMemoryProfiles {
    /// A store whose every call fails with `why`.
    pub fn failing(why: &str) -> Self {
        Self {
            outage: Some(StoreError::Unavailable(why.to_owned())),
            ..Self::default()
        }
    }

    pub fn row(&self, sub: &str) -> Option<Row> {
        self.rows.lock().ok()?.get(sub).cloned()
    }

    fn with_row<T>(&self, sub: &str, f: impl FnOnce(&mut Row) -> T) -> Result<T, StoreError> {
        if let Some(e) = &self.outage {
            return Err(e.clone());
        }
        let mut rows = self
            .rows
            .lock()
            .map_err(|_| StoreError::Unavailable("poisoned".into()))?;
        Ok(f(rows.entry(sub.to_owned()).or_default()))
    }
}

impl ProfileStore for InMemoryProfiles {
    async fn create(&self, profile: &Profile) -> Result<Created, StoreError> {
        self.with_row(&profile.sub, |row| match row.profile {
            Some(_) => Created::AlreadyThere,
            None => {
                row.profile = Some(profile.clone());
                Created::Created
            }
        })
    }

    async fn claim(&self, sub: &str, email: Sent, at: u64) -> Result<Claim, StoreError> {
        self.with_row(sub, |row| match row.marks.get(email.attribute()) {
            Some(previous) if email.still_stands(*previous, at) => Claim::AlreadySent,
            _ => {
                row.marks.insert(email.attribute(), at);
                Claim::Claimed
            }
        })
    }

    async fn release(&self, sub: &str, email: Sent, at: u64) -> Result<(), StoreError> {
        self.with_row(sub, |row| {
            if row.marks.get(email.attribute()) == Some(&at) {
                row.marks.remove(email.attribute());
            }
        })
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_welcome_mark_stands_forever_and_the_notice_mark_for_its_window() {
        assert!(Sent::Welcome.still_stands(0, u64::MAX));
        assert!(Sent::PasswordChanged.still_stands(1_000, 1_000 + PASSWORD_NOTICE_WINDOW_MS - 1));
        assert!(!Sent::PasswordChanged.still_stands(1_000, 1_000 + PASSWORD_NOTICE_WINDOW_MS));
    }
}
