//! The back office's account status table, keyed by the user's `sub`:
//!
//! | attribute | meaning |
//! |---|---|
//! | `sub` (key) | the user |
//! | `status` | `active` or `suspended` (any case); no row is `active` |
//! | `until` | optional: when a suspension ends (RFC 3339, e.g. `2026-12-01T08:00:00Z`, or a date) |
//!
//! Behind the `StatusDirectory` port, with DynamoDB (`GetItem`) and in-memory adapters.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::AttributeValue;
use trigger_core::time::parse_rfc3339;

/// What the back office says about one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    /// Refused until `until` (for good when `None`).
    Suspended {
        until: Option<SystemTime>,
    },
}

impl AccountStatus {
    /// Whether the account is suspended at `now`.
    pub fn suspended_at(&self, now: SystemTime) -> bool {
        match self {
            Self::Active => false,
            Self::Suspended { until } => until.is_none_or(|until| now < until),
        }
    }
}

/// The status could not be read, or the row cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("account status table unavailable: {0}")]
    Unavailable(String),
    #[error("account status row unusable: {0}")]
    Unusable(String),
}

pub trait StatusDirectory {
    /// The status row of `key` (a `sub`), `None` when there is none.
    fn status_of(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<AccountStatus>, StatusError>> + Send;
}

/// Reads a row's `status` and `until` texts.
pub fn status_from(
    status: Option<&str>,
    until: Option<&str>,
) -> Result<AccountStatus, StatusError> {
    let status = status.map(str::trim).unwrap_or("active");
    if status.eq_ignore_ascii_case("active") {
        return Ok(AccountStatus::Active);
    }
    if !status.eq_ignore_ascii_case("suspended") {
        return Err(StatusError::Unusable(format!(
            "status {status:?} is neither active nor suspended"
        )));
    }
    let until = match until.map(str::trim).filter(|u| !u.is_empty()) {
        None => None,
        Some(text) => Some(parse_rfc3339(text).ok_or_else(|| {
            StatusError::Unusable(format!("until {text:?} is not an RFC 3339 time"))
        })?),
    };
    Ok(AccountStatus::Suspended { until })
}

/// Statuses in memory, for tests; counts the lookups it answers.
#[derive(Debug, Default)]
pub struct InMemoryStatuses {
    pub rows: HashMap<String, AccountStatus>,
    /// When set, every lookup fails with this.
    pub outage: Option<StatusError>,
    lookups: AtomicUsize,
}

impl InMemoryStatuses {
    pub fn with(mut self, sub: &str, status: AccountStatus) -> Self {
        self.rows.insert(sub.to_owned(), status);
        self
    }

    pub fn failing(why: &str) -> Self {
        Self {
            outage: Some(StatusError::Unavailable(why.to_owned())),
            ..Self::default()
        }
    }

    /// How many lookups were made.
    pub fn lookups(&self) -> usize {
        self.lookups.load(Ordering::SeqCst)
    }
}

impl StatusDirectory for InMemoryStatuses {
    async fn status_of(&self, key: &str) -> Result<Option<AccountStatus>, StatusError> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        if let Some(e) = &self.outage {
            return Err(e.clone());
        }
        Ok(self.rows.get(key).cloned())
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn rows_read_as_the_back_office_means_them() {
        assert_eq!(status_from(None, None), Ok(AccountStatus::Active));
        assert_eq!(
            status_from(Some(" Active "), Some("whenever")),
            Ok(AccountStatus::Active)
        );
        assert_eq!(
            status_from(Some("SUSPENDED"), None),
            Ok(AccountStatus::Suspended { until: None })
        );
        assert_eq!(
            status_from(Some("suspended"), Some("")),
            Ok(AccountStatus::Suspended { until: None })
        );
        let dec_first = UNIX_EPOCH + Duration::from_secs(1_796_083_200);
        assert_eq!(
            status_from(Some("suspended"), Some("2026-12-01T00:00:00Z")),
            Ok(AccountStatus::Suspended {
                until: Some(dec_first)
            })
        );
        assert!(matches!(
            status_from(Some("banned"), None),
            Err(StatusError::Unusable(_))
        ));
        assert!(matches!(
            status_from(Some("suspended"), Some("next week")),
            Err(StatusError::Unusable(_))
        ));
    }

    #[test]
    fn a_suspension_ends_at_its_until() {
        let until = UNIX_EPOCH + Duration::from_secs(1_000);
        let s = AccountStatus::Suspended { until: Some(until) };
        assert!(s.suspended_at(until - Duration::from_secs(1)));
        assert!(!s.suspended_at(until));
        assert!(AccountStatus::Suspended { until: None }.suspended_at(until));
        assert!(!AccountStatus::Active.suspended_at(until));
    }
}
