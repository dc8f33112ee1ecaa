//! Reading and importing a CSV of legacy users into the user-migration table.
//!
//! Columns: `username`, `email`, `password_hash` (required), `phone_number`,
//! `status` (`active` or `disabled`, default `active`), and any further column,
//! stored as a legacy attribute (mapped onto Cognito by `ATTRIBUTE_MAP`). Every row
//! is checked; a bad row is reported with its line number and skipped, the good
//! rows are imported. Users already in the table are left as they are, so running
//! the import twice changes nothing the second time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::time::Duration;

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, PutRequest, WriteRequest};
use trigger_core::values::is_e164;
use user_migration::hash::check_format;
use user_migration::store::{item_for, normalize_username, LegacyUser, Status, KEY_ATTRIBUTE};

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line of the CSV file (1 is the header).
    pub line: u64,
    pub reason: String,
}

/// The file cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError(pub String);

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The rows of a file, checked.
#[derive(Debug, Default)]
pub struct Parsed {
    pub users: Vec<LegacyUser>,
    pub rejected: Vec<RowError>,
    pub rows: u64,
}

const REQUIRED: [&str; 3] = ["username", "email", "password_hash"];

/// Reads and checks every row. (Long: one pass over the header and the rows that
/// keeps the line numbers the report names; it becomes streaming with the
/// million-row import.)
pub fn parse_csv(input: impl Read) -> Result<Parsed, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| FileError(format!("cannot read the header line: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    for name in REQUIRED {
        if column(name).is_none() {
            return Err(FileError(format!("the header line has no {name} column")));
        }
    }
    let mut seen: HashSet<&str> = HashSet::new();
    for h in &headers {
        if h.is_empty() || !seen.insert(h) {
            return Err(FileError(format!(
                "the header line has an empty or repeated column name {h:?}"
            )));
        }
    }
    let mut parsed = Parsed::default();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        parsed.rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                parsed.rejected.push(RowError {
                    line,
                    reason: format!("unreadable CSV: {}", short(&e.to_string())),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != headers.len() {
            parsed.rejected.push(RowError {
                line,
                reason: format!(
                    "{} fields where the header has {}",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let field = |name: &str| column(name).and_then(|i| record.get(i)).unwrap_or("");
        match check_row(
            &headers,
            &record,
            field("username"),
            field("email"),
            field("password_hash"),
            field("phone_number"),
            field("status"),
        ) {
            Ok(user) => {
                if let Some(first) = first_line.get(&user.username) {
                    parsed.rejected.push(RowError {
                        line,
                        reason: format!("username repeats line {first}"),
                    });
                } else {
                    first_line.insert(user.username.clone(), line);
                    parsed.users.push(user);
                }
            }
            Err(reason) => parsed.rejected.push(RowError { line, reason }),
        }
    }
    Ok(parsed)
}

fn short(text: &str) -> String {
    text.chars().take(120).collect()
}

/// One row checked field by field, in the order the report lists problems (long:
/// one short check per column).
fn check_row(
    headers: &[String],
    record: &csv::StringRecord,
    username: &str,
    email: &str,
    hash: &str,
    phone: &str,
    status: &str,
) -> Result<LegacyUser, String> {
    let username = normalize_username(username);
    if username.is_empty() {
        return Err("username: empty".into());
    }
    if username.chars().count() > 128
        || username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("username: longer than 128 characters or holds spaces".into());
    }
    let email_ok = email.split('@').count() == 2
        && email.split('@').all(|part| !part.is_empty())
        && email.contains('.')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',');
    if !email_ok {
        return Err("email: not an email address".into());
    }
    // The reason names the scheme problem, never the hash itself.
    check_format(hash).map_err(|e| format!("password_hash: {e}"))?;
    let phone_number = if phone.is_empty() {
        None
    } else if is_e164(phone) {
        Some(phone.to_owned())
    } else {
        return Err("phone_number: not in E.164 form (+ and 2 to 15 digits)".into());
    };
    let status = if status.is_empty() {
        Status::Active
    } else {
        Status::parse(status).ok_or_else(|| "status: neither active nor disabled".to_owned())?
    };
    let known = [
        "username",
        "email",
        "password_hash",
        "phone_number",
        "status",
    ];
    let attributes: BTreeMap<String, String> = headers
        .iter()
        .zip(record.iter())
        .filter(|(h, v)| !known.contains(&h.as_str()) && !v.is_empty())
        .map(|(h, v)| (h.clone(), v.to_owned()))
        .collect();
    Ok(LegacyUser {
        username,
        email: if email.contains('@') {
            email.to_lowercase()
        } else {
            email.to_owned()
        },
        password_hash: hash.to_owned(),
        phone_number,
        attributes,
        status,
        migrated_at: None,
    })
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: u64,
    pub already_present: u64,
    /// Users the table did not take even after retries: (username, reason).
    pub failed: Vec<(String, String)>,
}

const GET_BATCH: usize = 100;
const WRITE_BATCH: usize = 25;
const ATTEMPTS: u32 = 8;

fn pause(attempt: u32) -> Duration {
    Duration::from_millis(50u64 << attempt.min(6))
}

/// Writes the users that are not in the table yet, in batches, retrying what the
/// table leaves unprocessed. `progress` is told how many users each step settled.
pub async fn import(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    users: &[LegacyUser],
    progress: impl Fn(u64),
) -> ImportReport {
    let mut report = ImportReport::default();
    for chunk in users.chunks(GET_BATCH) {
        let existing = match existing_usernames(client, table, chunk).await {
            Ok(set) => set,
            Err(reason) => {
                report
                    .failed
                    .extend(chunk.iter().map(|u| (u.username.clone(), reason.clone())));
                progress(chunk.len() as u64);
                continue;
            }
        };
        report.already_present += existing.len() as u64;
        progress(existing.len() as u64);
        let new: Vec<&LegacyUser> = chunk
            .iter()
            .filter(|u| !existing.contains(&u.username))
            .collect();
        for batch in new.chunks(WRITE_BATCH) {
            let (written, failed) = write_batch(client, table, batch).await;
            report.imported += written;
            progress(written + failed.len() as u64);
            report.failed.extend(failed);
        }
    }
    report
}

async fn existing_usernames(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    chunk: &[LegacyUser],
) -> Result<HashSet<String>, String> {
    let key =
        |u: &str| HashMap::from([(KEY_ATTRIBUTE.to_owned(), AttributeValue::S(u.to_owned()))]);
    let mut pending: Vec<HashMap<String, AttributeValue>> =
        chunk.iter().map(|u| key(&u.username)).collect();
    let mut found = HashSet::new();
    for attempt in 0..ATTEMPTS {
        if pending.is_empty() {
            return Ok(found);
        }
        let keys = KeysAndAttributes::builder()
            .set_keys(Some(std::mem::take(&mut pending)))
            .projection_expression("#u")
            .expression_attribute_names("#u", KEY_ATTRIBUTE)
            .consistent_read(true)
            .build()
            .map_err(|e| e.to_string())?;
        let out = client
            .batch_get_item()
            .request_items(table, keys)
            .send()
            .await
            .map_err(|e| DisplayErrorContext(&e).to_string())?;
        for item in out
            .responses
            .unwrap_or_default()
            .remove(table)
            .unwrap_or_default()
        {
            if let Some(AttributeValue::S(u)) = item.get(KEY_ATTRIBUTE) {
                found.insert(u.clone());
            }
        }
        pending = out
            .unprocessed_keys
            .and_then(|mut m| m.remove(table))
            .map(|k| k.keys)
            .unwrap_or_default();
        if !pending.is_empty() {
            tokio::time::sleep(pause(attempt)).await;
        }
    }
    if pending.is_empty() {
        Ok(found)
    } else {
        Err("the table kept keys unprocessed".into())
    }
}

/// Writes up to 25 users, retrying what the table leaves unprocessed with a growing
/// pause (long: the retry loop and its bookkeeping stay together).
async fn write_batch(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    batch: &[&LegacyUser],
) -> (u64, Vec<(String, String)>) {
    let request = |u: &LegacyUser| {
        PutRequest::builder()
            .set_item(Some(item_for(u)))
            .build()
            .map(|put| WriteRequest::builder().put_request(put).build())
    };
    let mut pending: Vec<WriteRequest> = Vec::new();
    for u in batch {
        match request(u) {
            Ok(r) => pending.push(r),
            Err(e) => {
                return (
                    0,
                    batch
                        .iter()
                        .map(|u| (u.username.clone(), e.to_string()))
                        .collect(),
                )
            }
        }
    }
    let total = pending.len() as u64;
    let mut last_error = String::new();
    for attempt in 0..ATTEMPTS {
        if pending.is_empty() {
            break;
        }
        let sent = std::mem::take(&mut pending);
        match client
            .batch_write_item()
            .request_items(table, sent.clone())
            .send()
            .await
        {
            Ok(out) => {
                pending = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(table))
                    .unwrap_or_default();
            }
            Err(e) => {
                last_error = DisplayErrorContext(&e).to_string();
                pending = sent;
            }
        }
        if !pending.is_empty() {
            tokio::time::sleep(pause(attempt)).await;
        }
    }
    let failed: Vec<(String, String)> = pending
        .iter()
        .filter_map(|w| w.put_request.as_ref())
        .filter_map(|p| {
            p.item
                .get(KEY_ATTRIBUTE)
                .and_then(|v| v.as_s().ok())
                .cloned()
        })
        .map(|u| {
            let reason = if last_error.is_empty() {
                "left unprocessed after retries".to_owned()
            } else {
                last_error.clone()
            };
            (u, reason)
        })
        .collect();
    (total - failed.len() as u64, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "$2b$04$b8UV74odsoHWLusPkfjmE.n.7CWzeLgjQpw3DZ4ZAUwUI4ZF0lS0C";

    #[test]
    fn good_rows_become_users_with_their_extra_columns() {
        let csv = format!(
            "Username,Email,Password_Hash,phone_number,status,first_name,plan\n\
             Ana@Example.com,Ana@Example.com,{HASH},+34612345678,,Ana,pro\n\
             bob,bob@example.org,{HASH},,disabled,,\n"
        );
        let p = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(p.rows, 2);
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        assert_eq!(p.users[0].username, "ana@example.com");
        assert_eq!(p.users[0].email, "ana@example.com");
        assert_eq!(p.users[0].attributes["plan"], "pro");
        assert_eq!(p.users[1].status, Status::Disabled);
        assert!(p.users[1].attributes.is_empty());
    }

    #[test]
    fn bad_rows_are_reported_by_line_and_the_rest_kept() {
        let csv = format!(
            "username,email,password_hash,phone_number\n\
             ok1,ok1@example.com,{HASH},\n\
             ,nobody@example.com,{HASH},\n\
             bademail,not-an-email,{HASH},\n\
             badhash,bh@example.com,5f4dcc3b5aa765d61d8327deb882cf99,\n\
             badphone,bp@example.com,{HASH},0612345678\n\
             short,row@example.com\n\
             OK1,dup@example.com,{HASH},\n\
             ok2,ok2@example.com,{HASH},+447700900123\n"
        );
        let p = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(p.rows, 8);
        let usernames: Vec<_> = p.users.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(
            usernames,
            vec!["ok1", "OK1", "ok2"],
            "non-email usernames keep their case"
        );
        let lines: Vec<u64> = p.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7]);
        assert!(p.rejected[2].reason.starts_with("password_hash:"));
        assert!(
            !p.rejected[2].reason.contains("5f4dcc3b"),
            "the hash is not echoed"
        );
        assert!(p.rejected[4].reason.contains("2 fields"));
    }

    #[test]
    fn duplicate_usernames_point_at_the_first_line() {
        let csv =
            format!("username,email,password_hash\na@x.io,a@x.io,{HASH}\nA@X.IO,a@x.io,{HASH}\n");
        let p = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(p.users.len(), 1);
        assert_eq!(
            p.rejected,
            vec![RowError {
                line: 3,
                reason: "username repeats line 2".into()
            }]
        );
    }

    #[test]
    fn a_file_without_the_required_columns_is_refused_whole() {
        assert!(parse_csv("user,email\nx,y\n".as_bytes())
            .unwrap_err()
            .0
            .contains("username"));
        assert!(parse_csv("username,email,password_hash,email\n".as_bytes()).is_err());
        assert!(parse_csv("".as_bytes()).is_err());
    }
}
