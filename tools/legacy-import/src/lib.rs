#![doc = include_str!("../README.md")]

pub mod cognito_csv;
pub mod import_job;
pub mod rekey;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::time::Duration;

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, PutRequest, WriteRequest};
use trigger_core::values::is_e164;
use user_migration::adapters::dynamodb::{hash_profile_item, item_for};
use user_migration::hash::profile;
use user_migration::store::{normalize_username, LegacyUser, Status, KEY_ATTRIBUTE};

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

/// A checked row, ready to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line of the CSV file.
    pub line: u64,
    pub user: LegacyUser,
    /// The scheme and cost of its hash (`Bcrypt cost 10`), read once when the row
    /// was checked: what the run records for user-migration's `DUMMY_HASH`.
    pub hash_profile: String,
    /// In a dry run ([`CsvRows::remembering_usernames`]), the first line whose
    /// username had the same 64-bit fingerprint, when one did.
    pub repeats: Option<u64>,
}

const REQUIRED: [&str; 3] = ["username", "email", "password_hash"];

/// The rows of a CSV file, read and checked one at a time: memory stays flat
/// whatever the file's size. (A dry run, which has no table to find repeated
/// usernames in, remembers a fingerprint and a line per username instead.)
pub struct CsvRows<R: Read> {
    records: csv::StringRecordsIntoIter<R>,
    headers: Vec<String>,
    first_line: Option<HashMap<u64, u64>>,
    /// Rows read so far (good and bad).
    pub rows: u64,
}

impl<R: Read> std::fmt::Debug for CsvRows<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvRows")
            .field("headers", &self.headers)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

/// A CSV reader as every mode reads the legacy file: fields trimmed, rows of any
/// length (a row with the wrong number of fields is told, not fatal).
pub(crate) fn reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input)
}

/// The header line's column names, lower-cased: none empty, none twice.
pub(crate) fn header_names<R: Read>(reader: &mut csv::Reader<R>) -> Result<Vec<String>, FileError> {
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| FileError(format!("cannot read the header line: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut seen: HashSet<&str> = HashSet::new();
    for h in &headers {
        if h.is_empty() || !seen.insert(h) {
            return Err(FileError(format!(
                "the header line has an empty or repeated column name {h:?}"
            )));
        }
    }
    Ok(headers)
}

/// Reads and checks the header line; the rows follow through the iterator.
pub fn read_csv<R: Read>(input: R) -> Result<CsvRows<R>, FileError> {
    let mut reader = reader(input);
    let headers = header_names(&mut reader)?;
    for name in REQUIRED {
        if !headers.iter().any(|h| h == name) {
            return Err(FileError(format!("the header line has no {name} column")));
        }
    }
    Ok(CsvRows {
        records: reader.into_records(),
        headers,
        first_line: None,
        rows: 0,
    })
}

pub(crate) fn fingerprint(username: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    username.hash(&mut hasher);
    hasher.finish()
}

impl<R: Read> CsvRows<R> {
    /// Finds repeated usernames without a table, for a dry run: 16 bytes a row (a
    /// fingerprint and a line), and in the 2^-64 chance of two usernames sharing a
    /// fingerprint, a row reported as a repeat that is not one.
    pub fn remembering_usernames(mut self) -> Self {
        self.first_line = Some(HashMap::new());
        self
    }

    fn check(&mut self, record: &csv::StringRecord) -> Result<Row, RowError> {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != self.headers.len() {
            return Err(RowError {
                line,
                reason: format!(
                    "{} fields where the header has {}",
                    record.len(),
                    self.headers.len()
                ),
            });
        }
        let field = |name: &str| {
            self.headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
        };
        let (user, hash_profile) = check_row(
            &self.headers,
            record,
            field("username"),
            field("email"),
            field("password_hash"),
            field("phone_number"),
            field("status"),
        )
        .map_err(|reason| RowError { line, reason })?;
        let repeats = self.first_line.as_mut().and_then(|seen| {
            let first = *seen.entry(fingerprint(&user.username)).or_insert(line);
            (first != line).then_some(first)
        });
        Ok(Row {
            line,
            user,
            hash_profile,
            repeats,
        })
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = self.records.next()?;
        self.rows += 1;
        Some(match record {
            Ok(record) => self.check(&record),
            Err(e) => Err(RowError {
                line: e.position().map_or(0, |p| p.line()),
                reason: format!("unreadable CSV: {}", short(&e.to_string())),
            }),
        })
    }
}

fn repeat(line: u64, first: u64) -> RowError {
    RowError {
        line,
        reason: format!("username repeats line {first}"),
    }
}

/// One `@` between two non-empty parts, a dot, and no space, control character or
/// comma: the check both modes make of an email.
pub(crate) fn is_email(email: &str) -> bool {
    email.split('@').count() == 2
        && email.split('@').all(|part| !part.is_empty())
        && email.contains('.')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',')
}

pub(crate) fn short(text: &str) -> String {
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
) -> Result<(LegacyUser, String), String> {
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
    if !is_email(email) {
        return Err("email: not an email address".into());
    }
    // The reason names the scheme problem, never the hash itself.
    let hash_profile = profile(hash).map_err(|e| format!("password_hash: {e}"))?;
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
    let user = LegacyUser {
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
    };
    Ok((user, hash_profile.to_string()))
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows that passed the checks.
    pub valid: u64,
    /// Rows not imported because of what they hold (each told to `on` as it came).
    pub rejected: u64,
    pub imported: u64,
    pub already_present: u64,
    /// Users the table did not take even after retries (each told to `on`).
    pub failed: u64,
    /// How many valid rows have each hash scheme and cost (`Bcrypt cost 10`).
    pub hash_profiles: BTreeMap<String, u64>,
}

impl ImportReport {
    /// The scheme and cost most valid rows' hashes have, and how many have it.
    pub fn main_hash_profile(&self) -> Option<(&str, u64)> {
        self.hash_profiles
            .iter()
            .max_by_key(|(profile, n)| (**n, std::cmp::Reverse(profile.as_str())))
            .map(|(profile, n)| (profile.as_str(), *n))
    }
}

/// Records the run's most common hash scheme and cost in the table (the item
/// `user_migration::store::HASH_PROFILE_KEY`), which user-migration holds its
/// `DUMMY_HASH` to when it starts: what it wrote, or `None` for a run with no
/// valid row.
pub async fn record_hash_profile(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    report: &ImportReport,
) -> Result<Option<(String, u64)>, String> {
    let Some((main, users)) = report.main_hash_profile() else {
        return Ok(None);
    };
    client
        .put_item()
        .table_name(table)
        .set_item(Some(hash_profile_item(main, users, report.valid)))
        .send()
        .await
        .map_err(|e| aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string())?;
    Ok(Some((main.to_owned(), users)))
}

/// What the import tells its caller as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A row that is not imported, and why.
    Rejected(RowError),
    /// A user the table did not take: (username, reason).
    NotWritten(String, String),
    /// This many more rows are settled (imported, present, rejected or failed).
    Settled(u64),
}

const GET_BATCH: usize = 100;
const WRITE_BATCH: usize = 25;
const ATTEMPTS: u32 = 8;

fn pause(attempt: u32) -> Duration {
    Duration::from_millis(50u64 << attempt.min(6))
}

/// Where the rows go: a table, or nowhere (a dry run checks the rows only).
pub type Destination<'a> = Option<(&'a aws_sdk_dynamodb::Client, &'a str)>;

/// Imports the rows in chunks of 100 as they are read: each chunk's usernames are
/// looked up, those not in the table yet are written 25 at a time, and only then is
/// the next chunk read, so memory does not grow with the file. A user already in the
/// table is left as it is (a second run changes nothing). Each item written carries
/// this run's id and its line (`import_run`, `import_line`), so a later row with
/// the same username is told apart from a user of an earlier run and rejected,
/// naming the first row's line, without the run remembering any username.
pub async fn import(
    rows: impl Iterator<Item = Result<Row, RowError>>,
    to: Destination<'_>,
    mut on: impl FnMut(Progress),
) -> ImportReport {
    let run = run_id();
    let mut report = ImportReport::default();
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        let mut chunk: Vec<Row> = Vec::with_capacity(GET_BATCH);
        let mut in_chunk: HashMap<String, u64> = HashMap::new();
        for row in rows.by_ref() {
            let rejected = match row {
                Err(e) => e,
                // A repeat within the chunk, or one the reader remembered (dry runs).
                Ok(row) => match in_chunk.get(&row.user.username).copied().or(row.repeats) {
                    Some(first) => repeat(row.line, first),
                    None => {
                        report.valid += 1;
                        *report
                            .hash_profiles
                            .entry(row.hash_profile.clone())
                            .or_default() += 1;
                        in_chunk.insert(row.user.username.clone(), row.line);
                        chunk.push(row);
                        if chunk.len() == GET_BATCH {
                            break;
                        }
                        continue;
                    }
                },
            };
            report.rejected += 1;
            on(Progress::Rejected(rejected));
            on(Progress::Settled(1));
        }
        if let Some((client, table)) = to {
            import_chunk(client, table, &run, chunk, &mut report, &mut on).await;
        } else {
            on(Progress::Settled(chunk.len() as u64));
        }
    }
    report
}

/// What tells this run's items from those of earlier runs: the time and the
/// process id.
fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{}", std::process::id())
}

const RUN_ATTRIBUTE: &str = "import_run";
const LINE_ATTRIBUTE: &str = "import_line";

/// One chunk: the lookup, then the writes of the users the table does not have.
async fn import_chunk(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    run: &str,
    chunk: Vec<Row>,
    report: &mut ImportReport,
    on: &mut impl FnMut(Progress),
) {
    let existing = match existing_usernames(client, table, &chunk).await {
        Ok(set) => set,
        Err(reason) => {
            for row in &chunk {
                not_written(report, on, &row.user.username, &reason);
            }
            return;
        }
    };
    let mut new: Vec<&Row> = Vec::with_capacity(chunk.len());
    for row in &chunk {
        match existing.get(&row.user.username) {
            None => new.push(row),
            // This run wrote the user from an earlier row: this one repeats it.
            Some(Some((by, first))) if by == run => {
                report.valid -= 1;
                report.rejected += 1;
                on(Progress::Rejected(repeat(row.line, *first)));
                on(Progress::Settled(1));
            }
            Some(_) => {
                report.already_present += 1;
                on(Progress::Settled(1));
            }
        }
    }
    for batch in new.chunks(WRITE_BATCH) {
        let (written, failed) = write_batch(client, table, run, batch).await;
        report.imported += written;
        on(Progress::Settled(written));
        for (username, reason) in failed {
            not_written(report, on, &username, &reason);
        }
    }
}

fn not_written(
    report: &mut ImportReport,
    on: &mut impl FnMut(Progress),
    username: &str,
    reason: &str,
) {
    report.failed += 1;
    on(Progress::NotWritten(username.to_owned(), reason.to_owned()));
    on(Progress::Settled(1));
}

/// The usernames of `chunk` the table has, each with the run and line that wrote it
/// (none for a user written otherwise).
async fn existing_usernames(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    chunk: &[Row],
) -> Result<HashMap<String, Option<(String, u64)>>, String> {
    let key =
        |u: &str| HashMap::from([(KEY_ATTRIBUTE.to_owned(), AttributeValue::S(u.to_owned()))]);
    let mut pending: Vec<HashMap<String, AttributeValue>> =
        chunk.iter().map(|r| key(&r.user.username)).collect();
    let mut found = HashMap::new();
    for attempt in 0..ATTEMPTS {
        if pending.is_empty() {
            return Ok(found);
        }
        let keys = KeysAndAttributes::builder()
            .set_keys(Some(std::mem::take(&mut pending)))
            .projection_expression("#u, #r, #l")
            .expression_attribute_names("#u", KEY_ATTRIBUTE)
            .expression_attribute_names("#r", RUN_ATTRIBUTE)
            .expression_attribute_names("#l", LINE_ATTRIBUTE)
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
                let run = item.get(RUN_ATTRIBUTE).and_then(|v| v.as_s().ok());
                let line = item
                    .get(LINE_ATTRIBUTE)
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse().ok());
                found.insert(u.clone(), run.cloned().zip(line));
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
    run: &str,
    batch: &[&Row],
) -> (u64, Vec<(String, String)>) {
    let request = |row: &Row| {
        let mut item = item_for(&row.user);
        item.insert(RUN_ATTRIBUTE.to_owned(), AttributeValue::S(run.to_owned()));
        item.insert(
            LINE_ATTRIBUTE.to_owned(),
            AttributeValue::N(row.line.to_string()),
        );
        PutRequest::builder()
            .set_item(Some(item))
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
                        .map(|r| (r.user.username.clone(), e.to_string()))
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

/// The target pool's import header and rules, asked of the pool: `GetCSVHeader`, and
/// `DescribeUserPool` for its MFA setting, auto-verified attributes and name.
pub async fn pool_of(
    client: &aws_sdk_cognitoidentityprovider::Client,
    pool_id: &str,
) -> Result<(cognito_csv::Pool, String), String> {
    use aws_sdk_cognitoidentityprovider::error::DisplayErrorContext as Shown;
    use aws_sdk_cognitoidentityprovider::types::{UserPoolMfaType, VerifiedAttributeType};
    let header = client
        .get_csv_header()
        .user_pool_id(pool_id)
        .send()
        .await
        .map_err(|e| format!("GetCSVHeader: {}", Shown(&e)))?
        .csv_header
        .unwrap_or_default();
    let header = cognito_csv::parse_header_line(&header.join(",")).map_err(|e| e.0)?;
    let pool = client
        .describe_user_pool()
        .user_pool_id(pool_id)
        .send()
        .await
        .map_err(|e| format!("DescribeUserPool: {}", Shown(&e)))?
        .user_pool
        .ok_or("DescribeUserPool: no pool in the answer")?;
    let verified = pool.auto_verified_attributes();
    let name = pool.name().unwrap_or_default().to_owned();
    let pool = cognito_csv::Pool {
        header,
        email_auto_verified: verified.contains(&VerifiedAttributeType::Email),
        phone_auto_verified: verified.contains(&VerifiedAttributeType::PhoneNumber),
        mfa: match pool.mfa_configuration() {
            Some(UserPoolMfaType::On) => cognito_csv::Mfa::On,
            Some(UserPoolMfaType::Optional) => cognito_csv::Mfa::Optional,
            _ => cognito_csv::Mfa::Off,
        },
    };
    Ok((pool, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of a small file, checked as a dry run does.
    #[derive(Debug)]
    struct Parsed {
        users: Vec<LegacyUser>,
        rejected: Vec<RowError>,
        rows: u64,
    }

    fn parse_csv(text: &[u8]) -> Result<Parsed, FileError> {
        let mut rows = read_csv(text)?.remembering_usernames();
        let (mut users, mut rejected) = (Vec::new(), Vec::new());
        for row in rows.by_ref() {
            match row {
                Ok(Row {
                    line,
                    repeats: Some(first),
                    ..
                }) => rejected.push(repeat(line, first)),
                Ok(row) => users.push(row.user),
                Err(e) => rejected.push(e),
            }
        }
        Ok(Parsed {
            users,
            rejected,
            rows: rows.rows,
        })
    }

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

    #[tokio::test]
    async fn a_dry_run_reports_every_bad_row_once_across_chunks() {
        let mut csv = String::from("username,email,password_hash\n");
        for i in 0..250 {
            csv.push_str(&format!("u{i}@x.io,u{i}@x.io,{HASH}\n"));
        }
        // Lines 2 to 251 are good. Line 252 repeats line 2 (an earlier chunk), line
        // 253 is bad, line 254 repeats line 251 (the same chunk).
        csv.push_str(&format!(
            "U0@X.IO,u0@x.io,{HASH}\nbad,not-an-email,{HASH}\n"
        ));
        csv.push_str(&format!("u249@x.io,u249@x.io,{HASH}\n"));
        let mut told = Vec::new();
        let mut settled = 0;
        let rows = read_csv(csv.as_bytes()).unwrap().remembering_usernames();
        let report = import(rows, None, |p| match p {
            Progress::Rejected(e) => told.push((e.line, e.reason)),
            Progress::Settled(n) => settled += n,
            Progress::NotWritten(..) => panic!("a dry run writes nothing"),
        })
        .await;
        assert_eq!((report.valid, report.rejected), (250, 3));
        assert_eq!(settled, 253, "every row is settled once");
        assert_eq!(
            told,
            vec![
                (252, "username repeats line 2".to_owned()),
                (253, "email: not an email address".to_owned()),
                (254, "username repeats line 251".to_owned()),
            ]
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
