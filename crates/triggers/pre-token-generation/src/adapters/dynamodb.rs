//! The role table in DynamoDB: the `RoleDirectory` port's implementation (`GetItem` only) and the
//! item format the back office writes.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Map, Number, Value};

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

/// Reads a row: `role` string, `claims` map, `scopes` string set or list of strings.
pub fn entry_from_item(
    item: &HashMap<String, AttributeValue>,
) -> Result<DirectoryEntry, LookupError> {
    let role = match item.get("role") {
        None | Some(AttributeValue::Null(_)) => None,
        Some(AttributeValue::S(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(_) => {
            return Err(LookupError::Malformed(
                "role is not a non-empty string".into(),
            ))
        }
    };
    let claims = match item.get("claims") {
        None | Some(AttributeValue::Null(_)) => Map::new(),
        Some(AttributeValue::M(m)) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(k.clone(), to_json(v).map_err(LookupError::Malformed)?);
            }
            out
        }
        Some(_) => return Err(LookupError::Malformed("claims is not a map".into())),
    };
    let scopes = match item.get("scopes") {
        None | Some(AttributeValue::Null(_)) => Vec::new(),
        Some(AttributeValue::Ss(s)) => s.clone(),
        Some(AttributeValue::L(l)) => l
            .iter()
            .map(|v| match v {
                AttributeValue::S(s) => Ok(s.clone()),
                _ => Err(LookupError::Malformed("scopes holds a non-string".into())),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(LookupError::Malformed(
                "scopes is not a list of strings".into(),
            ))
        }
    };
    Ok(DirectoryEntry {
        role,
        claims,
        scopes,
    })
}

/// A DynamoDB value as JSON (a claim value may be any JSON in V2/V3 tokens).
fn to_json(value: &AttributeValue) -> Result<Value, String> {
    let number = |n: &str| -> Result<Value, String> {
        n.parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| {
                n.parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
            })
            .ok_or_else(|| "a number claim is out of range".to_owned())
    };
    Ok(match value {
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::N(n) => number(n)?,
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Ss(ss) => Value::from(ss.clone()),
        AttributeValue::Ns(ns) => {
            Value::Array(ns.iter().map(|n| number(n)).collect::<Result<_, _>>()?)
        }
        AttributeValue::L(l) => Value::Array(l.iter().map(to_json).collect::<Result<_, _>>()?),
        AttributeValue::M(m) => Value::Object(
            m.iter()
                .map(|(k, v)| to_json(v).map(|v| (k.clone(), v)))
                .collect::<Result<Map<_, _>, _>>()?,
        ),
        _ => return Err("a claim holds binary data".to_owned()),
    })
}

/// A row as DynamoDB attributes (for the back office, the demo and tests).
pub fn item_for(key: &str, entry: &DirectoryEntry) -> HashMap<String, AttributeValue> {
    fn from_json(v: &Value) -> AttributeValue {
        match v {
            Value::Null => AttributeValue::Null(true),
            Value::Bool(b) => AttributeValue::Bool(*b),
            Value::Number(n) => AttributeValue::N(n.to_string()),
            Value::String(s) => AttributeValue::S(s.clone()),
            Value::Array(a) => AttributeValue::L(a.iter().map(from_json).collect()),
            Value::Object(o) => {
                AttributeValue::M(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
            }
        }
    }
    let mut item = HashMap::new();
    item.insert(KEY_ATTRIBUTE.to_owned(), AttributeValue::S(key.to_owned()));
    if let Some(role) = &entry.role {
        item.insert("role".to_owned(), AttributeValue::S(role.clone()));
    }
    if !entry.claims.is_empty() {
        let m: HashMap<_, _> = entry
            .claims
            .iter()
            .map(|(k, v)| (k.clone(), from_json(v)))
            .collect();
        item.insert("claims".to_owned(), AttributeValue::M(m));
    }
    if !entry.scopes.is_empty() {
        item.insert(
            "scopes".to_owned(),
            AttributeValue::Ss(entry.scopes.clone()),
        );
    }
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
        item.insert("role".to_owned(), AttributeValue::S("  ".into()));
        assert!(matches!(
            entry_from_item(&item),
            Err(LookupError::Malformed(_))
        ));
    }
}
