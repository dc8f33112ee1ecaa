//! `--rekey`: after a bulk import, the rows the back office keyed by a user of the old
//! system (role, profile, account status) move to the user's new `sub`. The pool's users
//! are read page by page (`ListUsers`); for each, every table's row under the legacy key
//! (by default the user's email, which the import made the username) is written under
//! the `sub` and deleted under the legacy key in one transaction, on condition that no
//! row is under the `sub` yet and the legacy row is still there. A second run finds no
//! legacy row and changes nothing; a user with rows under both keys is told and left.

use aws_sdk_cognitoidentityprovider::error::DisplayErrorContext as IdpError;
use aws_sdk_dynamodb::error::DisplayErrorContext as DbError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};

/// One table to re-key: its name and its partition key attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub key: String,
}

impl Table {
    /// `name:key`, as `--rekey-tables` lists them.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.split_once(':') {
            Some((name, key)) if !name.trim().is_empty() && !key.trim().is_empty() => Ok(Self {
                name: name.trim().to_owned(),
                key: key.trim().to_owned(),
            }),
            _ => Err(format!("{text:?}: a table as name:key")),
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rekeyed {
    pub users: u64,
    pub moved: u64,
    /// Rows under both keys, left as they are.
    pub conflicts: Vec<String>,
}

/// Re-keys every table for every user of the pool. `legacy_attribute` names the user
/// attribute that holds the legacy key (`email`), or `username` for the username.
pub async fn rekey(
    cognito: &aws_sdk_cognitoidentityprovider::Client,
    dynamodb: &aws_sdk_dynamodb::Client,
    pool_id: &str,
    tables: &[Table],
    legacy_attribute: &str,
) -> Result<Rekeyed, String> {
    let mut done = Rekeyed::default();
    let mut token: Option<String> = None;
    loop {
        let page = cognito
            .list_users()
            .user_pool_id(pool_id)
            .limit(60)
            .set_pagination_token(token)
            .send()
            .await
            .map_err(|e| format!("ListUsers: {}", IdpError(&e)))?;
        for user in page.users() {
            let attribute = |name: &str| {
                user.attributes()
                    .iter()
                    .find(|a| a.name() == name)
                    .and_then(|a| a.value())
                    .map(str::to_owned)
            };
            let (Some(sub), Some(legacy)) = (
                attribute("sub"),
                match legacy_attribute {
                    "username" => user.username().map(str::to_owned),
                    other => attribute(other),
                },
            ) else {
                continue;
            };
            done.users += 1;
            for table in tables {
                match move_row(dynamodb, table, &legacy, &sub).await? {
                    Moved::Yes => done.moved += 1,
                    Moved::Nothing => {}
                    Moved::Conflict => done.conflicts.push(format!(
                        "{}: rows under both {legacy} and {sub}",
                        table.name
                    )),
                }
            }
        }
        token = page.pagination_token;
        if token.is_none() {
            return Ok(done);
        }
    }
}

enum Moved {
    Yes,
    Nothing,
    Conflict,
}

async fn move_row(
    dynamodb: &aws_sdk_dynamodb::Client,
    table: &Table,
    legacy: &str,
    sub: &str,
) -> Result<Moved, String> {
    if legacy == sub {
        return Ok(Moved::Nothing);
    }
    let found = dynamodb
        .get_item()
        .table_name(&table.name)
        .key(&table.key, AttributeValue::S(legacy.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| format!("{}: GetItem: {}", table.name, DbError(&e)))?
        .item;
    let Some(mut item) = found else {
        return Ok(Moved::Nothing);
    };
    item.insert(table.key.clone(), AttributeValue::S(sub.to_owned()));
    let put = Put::builder()
        .table_name(&table.name)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#k)")
        .expression_attribute_names("#k", &table.key)
        .build()
        .map_err(|e| e.to_string())?;
    let delete = Delete::builder()
        .table_name(&table.name)
        .key(&table.key, AttributeValue::S(legacy.to_owned()))
        .condition_expression("attribute_exists(#k)")
        .expression_attribute_names("#k", &table.key)
        .build()
        .map_err(|e| e.to_string())?;
    let written = dynamodb
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(put).build())
        .transact_items(TransactWriteItem::builder().delete(delete).build())
        .send()
        .await;
    match written {
        Ok(_) => Ok(Moved::Yes),
        Err(e) => {
            let text = DbError(&e).to_string();
            if text.contains("ConditionalCheckFailed") || text.contains("TransactionCanceled") {
                Ok(Moved::Conflict)
            } else {
                Err(format!("{}: TransactWriteItems: {text}", table.name))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_name_and_key() {
        assert_eq!(
            Table::parse("acme-roles:id").unwrap(),
            Table {
                name: "acme-roles".into(),
                key: "id".into()
            }
        );
        assert!(Table::parse("acme-roles").is_err());
        assert!(Table::parse(":id").is_err());
    }
}
