//! The role table in DynamoDB: the `RoleDirectory` port's implementation (`GetItem` only) and the
//! item format the back office writes.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_dynamo::string_set::StringSet;
use serde_json::{Map, Value};

use crate::ports::{DirectoryEntry, LookupError, LookupKey, RoleDirectory};

/// The partition key of the role table: a user's `sub`, or an app client id.
pub const KEY_ATTRIBUTE: &str = "id";

/// The role table in DynamoDB (`GetItem` only).
#[derive(Debug, Clone)]
pub struct DynamoDirectory {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoDirectory {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

impl RoleDirectory for DynamoDirectory {
    async fn lookup(&self, key: LookupKey<'_>) -> Result<Option<DirectoryEntry>, LookupError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(KEY_ATTRIBUTE, AttributeValue::S(key.id().to_owned()))
            .send()
            .await
            .map_err(|e| LookupError::Unavailable(DisplayErrorContext(&e).to_string()))?;
        output.item.map(|item| entry_from_item(&item)).transpose()
    }
}

/// Reads a row: `role` string, `claims` map, `scopes` string set or list of strings;
/// a field that is missing or `NULL` is absent.
pub fn entry_from_item(
    item: &HashMap<String, AttributeValue>,
) -> Result<DirectoryEntry, LookupError> {
    let role = match field::<String>(item, "role", "a non-empty string")? {
        Some(role) if role.trim().is_empty() => {
            return Err(LookupError::Malformed(
                "role is not a non-empty string".into(),
            ))
        }
        role => role.map(|role| role.trim().to_owned()),
    };
    Ok(DirectoryEntry {
        role,
        // A claim value may be any JSON in V2/V3 tokens; binary data is none.
        claims: field::<Map<String, Value>>(item, "claims", "a map of JSON values")?
            .unwrap_or_default(),
        scopes: field::<Vec<String>>(item, "scopes", "a list of strings")?.unwrap_or_default(),
    })
}

/// One attribute of a row read by serde_dynamo; the error names the attribute and
/// what it should be, never its value.
fn field<T: DeserializeOwned>(
    item: &HashMap<String, AttributeValue>,
    name: &str,
    should_be: &str,
) -> Result<Option<T>, LookupError> {
    item.get(name)
        .map(|value| serde_dynamo::from_attribute_value::<_, Option<T>>(value.clone()))
        .transpose()
        .map(Option::flatten)
        .map_err(|_| LookupError::Malformed(format!("{name} is not {should_be}")))
}

/// A row as the back office writes it (`item_for`).
#[derive(Serialize)]
struct Row<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'a str>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    claims: &'a Map<String, Value>,
    #[serde(skip_serializing_if = "no_scopes")]
    scopes: StringSet<&'a [String]>,
}

fn no_scopes(scopes: &StringSet<&[String]>) -> bool {
    scopes.0.is_empty()
}

/// A row as DynamoDB attributes (for the back office, the demo and tests): `scopes` as
/// a string set.
pub fn item_for(key: &str, entry: &DirectoryEntry) -> HashMap<String, AttributeValue> {
    let row = Row {
        role: entry.role.as_deref(),
        claims: &entry.claims,
        scopes: StringSet(&entry.scopes),
    };
    // A row of strings, JSON values and a string set always converts.
    let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(row).unwrap_or_default();
    item.insert(KEY_ATTRIBUTE.to_owned(), AttributeValue::S(key.to_owned()));
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_through_dynamodb_attributes() {
        let mut claims = Map::new();
        claims.insert("tenant_id".into(), "t-42".into());
        claims.insert(
            "permissions".into(),
            serde_json::json!(["notes:read", "notes:write"]),
        );
        claims.insert(
            "limits".into(),
            serde_json::json!({"max": 5, "ratio": 0.5, "on": true}),
        );
        let entry = DirectoryEntry {
            role: Some("editor".into()),
            claims,
            scopes: vec!["api/read".into()],
        };
        assert_eq!(entry_from_item(&item_for("sub-1", &entry)).unwrap(), entry);
    }

    #[test]
    fn malformed_rows_are_reported_not_guessed() {
        let mut item = HashMap::new();
        item.insert("role".to_owned(), AttributeValue::N("1".into()));
        assert!(matches!(
            entry_from_item(&item),
            Err(LookupError::Malformed(_))
        ));
        let mut item = HashMap::new();
        item.insert("claims".to_owned(), AttributeValue::S("tenant=1".into()));
        assert!(matches!(
            entry_from_item(&item),
            Err(LookupError::Malformed(_))
        ));
        let mut item = HashMap::new();
        item.insert(
            "scopes".to_owned(),
            AttributeValue::L(vec![AttributeValue::N("1".into())]),
        );
        assert!(matches!(
            entry_from_item(&item),
            Err(LookupError::Malformed(_))
        ));
        let mut item = HashMap::new();
        let binary = AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(vec![1, 2]));
        item.insert(
            "claims".to_owned(),
            AttributeValue::M(HashMap::from([("photo".to_owned(), binary)])),
        );
        assert_eq!(
            entry_from_item(&item),
            Err(LookupError::Malformed(
                "claims is not a map of JSON values".into()
            ))
        );
        let mut item = HashMap::new();
        item.insert("role".to_owned(), AttributeValue::S("  ".into()));
        assert!(matches!(
            entry_from_item(&item),
            Err(LookupError::Malformed(_))
        ));
    }
}
