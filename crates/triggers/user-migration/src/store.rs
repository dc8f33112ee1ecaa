//! The legacy user store: a DynamoDB table keyed by the normalized username, behind
//! the `LegacyUserStore` trait, with an in-memory twin for tests.
//!
//! Item: `username` (S, partition key), `email` (S), `password_hash` (S, PHC or
//! modular crypt), `phone_number` (S, optional), `attributes` (M of S, optional),
//! `status` (S: `active` or `disabled`), `migrated_at` (S, RFC 3339, once migrated).

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Mutex;

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;

pub const KEY_ATTRIBUTE: &str = "username";

/// The key of the item where `legacy-import` records the scheme and cost most of
/// the imported users' hashes have (`profile`, e.g. `Bcrypt cost 10`; `users`, how
/// many; `of`, out of how many): what `DUMMY_HASH` must match. No legacy username
/// holds a space, so no user has this key.
pub const HASH_PROFILE_KEY: &str = "legacy hash profile";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Disabled,
}

impl Status {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }
}

/// One user of the old system.
#[derive(Clone, PartialEq, Eq)]
pub struct LegacyUser {
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub phone_number: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub status: Status,
    pub migrated_at: Option<String>,
}

impl std::fmt::Debug for LegacyUser {
    /// Everything but the hash.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyUser")
            .field("username", &self.username)
            .field("status", &self.status)
            .field("migrated_at", &self.migrated_at)
            .field("password_hash", &"(redacted)")
            .finish_non_exhaustive()
    }
}

/// The usernames of the old system compare like this: trimmed, and lower-cased when
/// they are email addresses.
pub fn normalize_username(raw: &str) -> String {
    let trimmed = raw.trim();
    if trimmed.contains('@') {
        trimmed.to_lowercase()
    } else {
        trimmed.to_owned()
    }
}

/// What is wrong with a legacy row: the field and a fixed reason. It has no room for
/// the field's value, so a row's hash or password can never reach a log through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowProblem {
    pub field: &'static str,
    pub why: &'static str,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.field, self.why)
    }
}

/// The store could not answer, or answered with a row that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The table refused, failed or did not answer.
    #[error("legacy table unavailable: {0}")]
    Unavailable(String),
    /// The row does not have the documented shape.
    #[error("legacy row malformed: {0}")]
    Malformed(RowProblem),
}

pub trait LegacyUserStore {
    /// The user with this normalized username.
    fn find(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<LegacyUser>, StoreError>> + Send;
    /// Records the migration time, once (a second call changes nothing).
    fn mark_migrated(
        &self,
        username: &str,
        at: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The scheme and cost most legacy users' hashes have, as `legacy-import`
    /// recorded them ([`HASH_PROFILE_KEY`]); `None` when nothing was recorded.
    fn hash_profile(&self) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
}

/// Users held in memory.
#[derive(Debug, Default)]
pub struct InMemoryStore {
    users: Mutex<HashMap<String, LegacyUser>>,
    pub outage: Option<StoreError>,
    /// What `hash_profile` answers.
    pub hash_profile: Option<String>,
}

impl InMemoryStore {
    pub fn with(users: impl IntoIterator<Item = LegacyUser>) -> Self {
        let store = Self::default();
        if let Ok(mut map) = store.users.lock() {
            for u in users {
                map.insert(u.username.clone(), u);
            }
        }
        store
    }

    /// A store whose every call fails with `why`.
    pub fn failing(why: &str) -> Self {
        Self {
            outage: Some(StoreError::Unavailable(why.to_owned())),
            ..Self::default()
        }
    }

    pub fn get(&self, username: &str) -> Option<LegacyUser> {
        self.users.lock().ok()?.get(username).cloned()
    }
}

impl LegacyUserStore for InMemoryStore {
    async fn find(&self, username: &str) -> Result<Option<LegacyUser>, StoreError> {
        if let Some(why) = &self.outage {
            return Err(why.clone());
        }
        Ok(self.get(username))
    }

    async fn mark_migrated(&self, username: &str, at: &str) -> Result<(), StoreError> {
        let mut users = self
            .users
            .lock()
            .map_err(|_| StoreError::Unavailable("poisoned".into()))?;
        if let Some(u) = users.get_mut(username) {
            u.migrated_at.get_or_insert_with(|| at.to_owned());
        }
        Ok(())
    }

    async fn hash_profile(&self) -> Result<Option<String>, StoreError> {
        if let Some(why) = &self.outage {
            return Err(why.clone());
        }
        Ok(self.hash_profile.clone())
    }
}

/// The legacy table in DynamoDB (`GetItem`, `UpdateItem`).
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn text(item: &HashMap<String, AttributeValue>, key: &str) -> Option<String> {
    item.get(key).and_then(|v| v.as_s().ok()).cloned()
}

/// Reads an item; a missing or mistyped field is a `StoreError` naming the field.
pub fn user_from_item(item: &HashMap<String, AttributeValue>) -> Result<LegacyUser, StoreError> {
    let problem = |field, why| StoreError::Malformed(RowProblem { field, why });
    let required = |field: &'static str| {
        text(item, field).ok_or_else(|| problem(field, "is missing or not a string"))
    };
    let status_text = required("status")?;
    let status = Status::parse(&status_text)
        .ok_or_else(|| problem("status", "is neither active nor disabled"))?;
    let attributes = match item.get("attributes") {
        None | Some(AttributeValue::Null(_)) => BTreeMap::new(),
        Some(AttributeValue::M(m)) => m
            .iter()
            .filter_map(|(k, v)| v.as_s().ok().map(|s| (k.clone(), s.clone())))
            .collect(),
        Some(_) => return Err(problem("attributes", "is not a map")),
    };
    Ok(LegacyUser {
        username: required(KEY_ATTRIBUTE)?,
        email: required("email")?,
        password_hash: required("password_hash")?,
        phone_number: text(item, "phone_number").filter(|p| !p.is_empty()),
        attributes,
        status,
        migrated_at: text(item, "migrated_at"),
    })
}

/// The item for a user (the importer writes these).
pub fn item_for(user: &LegacyUser) -> HashMap<String, AttributeValue> {
    let s = |v: &str| AttributeValue::S(v.to_owned());
    let mut item = HashMap::new();
    item.insert(KEY_ATTRIBUTE.to_owned(), s(&user.username));
    item.insert("email".to_owned(), s(&user.email));
    item.insert("password_hash".to_owned(), s(&user.password_hash));
    item.insert("status".to_owned(), s(user.status.as_str()));
    if let Some(p) = &user.phone_number {
        item.insert("phone_number".to_owned(), s(p));
    }
    if !user.attributes.is_empty() {
        let m = user
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), s(v)))
            .collect();
        item.insert("attributes".to_owned(), AttributeValue::M(m));
    }
    if let Some(at) = &user.migrated_at {
        item.insert("migrated_at".to_owned(), s(at));
    }
    item
}

fn sdk_error<E: std::error::Error + 'static, R: std::fmt::Debug>(e: SdkError<E, R>) -> StoreError {
    StoreError::Unavailable(DisplayErrorContext(&e).to_string())
}

impl LegacyUserStore for DynamoStore {
    async fn find(&self, username: &str) -> Result<Option<LegacyUser>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(KEY_ATTRIBUTE, AttributeValue::S(username.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        out.item.map(|item| user_from_item(&item)).transpose()
    }

    async fn mark_migrated(&self, username: &str, at: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(KEY_ATTRIBUTE, AttributeValue::S(username.to_owned()))
            .update_expression("SET migrated_at = :at")
            .condition_expression("attribute_exists(#u) AND attribute_not_exists(migrated_at)")
            .expression_attribute_names("#u", KEY_ATTRIBUTE)
            .expression_attribute_values(":at", AttributeValue::S(at.to_owned()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Already migrated (or gone): the first time stands.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(sdk_error(e)),
        }
    }

    async fn hash_profile(&self) -> Result<Option<String>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(
                KEY_ATTRIBUTE,
                AttributeValue::S(HASH_PROFILE_KEY.to_owned()),
            )
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(out.item.as_ref().and_then(|item| text(item, "profile")))
    }
}

/// The item recording the hashes' most common scheme and cost (`legacy-import`).
pub fn hash_profile_item(profile: &str, users: u64, of: u64) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (
            KEY_ATTRIBUTE.to_owned(),
            AttributeValue::S(HASH_PROFILE_KEY.to_owned()),
        ),
        ("profile".to_owned(), AttributeValue::S(profile.to_owned())),
        ("users".to_owned(), AttributeValue::N(users.to_string())),
        ("of".to_owned(), AttributeValue::N(of.to_string())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> LegacyUser {
        LegacyUser {
            username: "ana@example.com".into(),
            email: "ana@example.com".into(),
            password_hash: "$2b$04$b8UV74odsoHWLusPkfjmE.n.7CWzeLgjQpw3DZ4ZAUwUI4ZF0lS0C".into(),
            phone_number: Some("+34612345678".into()),
            attributes: [("given_name".to_owned(), "Ana".to_owned())].into(),
            status: Status::Active,
            migrated_at: None,
        }
    }

    #[test]
    fn items_round_trip() {
        assert_eq!(user_from_item(&item_for(&user())).unwrap(), user());
    }

    #[test]
    fn debug_hides_the_hash() {
        let shown = format!("{:?}", user());
        assert!(!shown.contains("b8UV74"), "{shown}");
    }

    #[test]
    fn usernames_normalize_emails_only() {
        assert_eq!(normalize_username("  Ana@Example.COM "), "ana@example.com");
        assert_eq!(normalize_username("JordanLee"), "JordanLee");
    }

    #[test]
    fn broken_rows_name_the_field() {
        let mut item = item_for(&user());
        item.insert("status".into(), AttributeValue::S("frozen".into()));
        let err = user_from_item(&item).unwrap_err();
        assert!(
            matches!(&err, StoreError::Malformed(p) if p.field == "status"),
            "{err}"
        );
        assert!(
            !err.to_string().contains("frozen"),
            "the value is never told: {err}"
        );
        let mut item = item_for(&user());
        item.remove("password_hash");
        let err = user_from_item(&item).unwrap_err();
        assert!(
            matches!(&err, StoreError::Malformed(p) if p.field == "password_hash"),
            "{err}"
        );
    }
}
