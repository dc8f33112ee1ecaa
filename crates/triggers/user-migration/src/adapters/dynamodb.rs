//! The legacy table in DynamoDB (`GetItem`, `UpdateItem`), implementing the
//! `LegacyUserStore` port, and its item format (`legacy-import` writes it).
//!
//! Item: `username` (S, partition key), `email` (S), `password_hash` (S, PHC or
//! modular crypt), `phone_number` (S, optional), `attributes` (M of S, optional),
//! `status` (S: `active` or `disabled`), `migrated_at` (S, RFC 3339, once migrated).

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;

use crate::ports::{LegacyUserStore, StoreError};
use crate::store::{LegacyUser, RowProblem, Status, HASH_PROFILE_KEY, KEY_ATTRIBUTE};

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
