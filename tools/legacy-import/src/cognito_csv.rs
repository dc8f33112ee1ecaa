//! Cognito's own user import file (`legacy-import --to cognito-csv`): the legacy CSV
//! rewritten under the header `GetCSVHeader` gives for the pool, every row checked
//! against the rules Cognito's import job applies before anything is uploaded, and the
//! output split into files an import job accepts.
//!
//! Hashes cannot be imported: users who come this way get a new `sub` and set a new
//! password (lazy migration, user-migration, keeps passwords).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use trigger_core::values::is_e164;
use user_migration::store::normalize_username;

use crate::{fingerprint, short, FileError, RowError};

/// Cognito's limits on one import file: users, and bytes (its documentation says the
/// file must be under 100 MB; 100,000,000 bytes keeps under either reading).
pub const MAX_USERS_PER_FILE: u64 = 500_000;
pub const MAX_BYTES_PER_FILE: u64 = 100_000_000;
/// The longest row Cognito's import reads, in characters.
pub const MAX_ROW_CHARS: usize = 16_000;

/// The pool's MFA setting (`MfaConfiguration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mfa {
    Off,
    Optional,
    On,
}

impl Mfa {
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "off" => Some(Self::Off),
            "optional" => Some(Self::Optional),
            "on" => Some(Self::On),
            _ => None,
        }
    }
}

/// What the rules depend on in the target pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool {
    /// The columns `GetCSVHeader` returned, in its order.
    pub header: Vec<String>,
    pub email_auto_verified: bool,
    pub phone_auto_verified: bool,
    pub mfa: Mfa,
}

/// The columns every import file has, whatever the pool's attributes.
const COGNITO_COLUMNS: [&str; 4] = [
    "cognito:username",
    "cognito:mfa_enabled",
    "email_verified",
    "phone_number_verified",
];

/// The header line `GetCSVHeader` returned, as saved to a file: its column names,
/// comma-separated (quotes around a name are taken off).
pub fn parse_header_line(text: &str) -> Result<Vec<String>, FileError> {
    let text = text.trim_start_matches('\u{feff}').trim();
    let header: Vec<String> = text
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_owned())
        .collect();
    if header.iter().any(String::is_empty) {
        return Err(FileError(
            "the Cognito header has an empty column name".into(),
        ));
    }
    for column in COGNITO_COLUMNS {
        if !header.iter().any(|c| c == column) {
            return Err(FileError(format!(
                "the Cognito header has no {column} column: is it the line GetCSVHeader returned?"
            )));
        }
    }
    Ok(header)
}

/// How legacy columns become Cognito's.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `ATTRIBUTE_MAP`, as user-migration reads it: legacy column to Cognito attribute.
    pub attribute_map: BTreeMap<String, String>,
    /// The old system verified its addresses: `email_verified` is true for a user with
    /// an email when the legacy file has no `email_verified` column.
    pub assume_email_verified: bool,
}

/// Where one column of the import file takes its value from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A legacy column, by position.
    Legacy(usize),
    /// Nothing: the column stays empty.
    Empty,
    /// `email_verified` without a legacy column: `--assume-email-verified`.
    AssumedEmailVerified,
    /// `cognito:mfa_enabled` without a legacy column: the pool's setting.
    PoolMfa,
}

/// Reads legacy rows and writes each as a line of the import file, checked.
#[derive(Debug)]
pub struct Converter {
    pool: Pool,
    options: Options,
    sources: Vec<Source>,
    /// Legacy columns that go nowhere (told once, before the rows).
    pub left_behind: Vec<String>,
    status: Option<usize>,
    /// The first line written of each username (by a 64-bit fingerprint of it): of
    /// every username, or, when a first pass found which fingerprints repeat
    /// ([`repeated_usernames`]), of those only, so that memory stays flat.
    seen: HashMap<u64, u64>,
    repeated: Option<HashSet<u64>>,
}

fn column(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h == name)
}

impl Converter {
    /// The plan from the legacy header (lower-cased, as `read_csv` gives it) to the
    /// pool's; the legacy file needs a `username` column.
    pub fn new(pool: Pool, options: Options, legacy: &[String]) -> Result<Self, FileError> {
        if column(legacy, "username").is_none() {
            return Err(FileError("the header line has no username column".into()));
        }
        let mapped = |target: &str| {
            options
                .attribute_map
                .iter()
                .find(|(_, to)| to.as_str() == target)
                .and_then(|(from, _)| column(legacy, &from.to_ascii_lowercase()))
        };
        let sources: Vec<Source> = pool
            .header
            .iter()
            .map(|name| {
                let own = match name.as_str() {
                    "cognito:username" => column(legacy, "username"),
                    "cognito:mfa_enabled" => column(legacy, "mfa_enabled"),
                    other => column(legacy, other),
                };
                match (own.or_else(|| mapped(name)), name.as_str()) {
                    (Some(i), _) => Source::Legacy(i),
                    (None, "email_verified") if options.assume_email_verified => {
                        Source::AssumedEmailVerified
                    }
                    (None, "cognito:mfa_enabled") => Source::PoolMfa,
                    (None, _) => Source::Empty,
                }
            })
            .collect();
        let used: Vec<usize> = sources
            .iter()
            .filter_map(|s| match s {
                Source::Legacy(i) => Some(*i),
                _ => None,
            })
            .collect();
        let status = column(legacy, "status");
        let left_behind = legacy
            .iter()
            .enumerate()
            .filter(|(i, _)| !used.contains(i) && Some(*i) != status)
            .map(|(_, name)| name.clone())
            .collect();
        Ok(Self {
            pool,
            options,
            sources,
            left_behind,
            status,
            seen: HashMap::new(),
            repeated: None,
        })
    }

    /// Remembers only the usernames a first pass found given more than once.
    pub fn with_repeated(mut self, repeated: HashSet<u64>) -> Self {
        self.repeated = Some(repeated);
        self
    }

    /// The import file's header line.
    pub fn header_line(&self) -> String {
        self.pool.header.join(",")
    }

    /// One legacy record as a line of the import file (without its line break), or
    /// why it cannot be imported: the column first, never a value.
    pub fn line(&mut self, line: u64, record: &csv::StringRecord) -> Result<String, RowError> {
        self.convert(line, record)
            .map_err(|reason| RowError { line, reason })
    }

    fn convert(&mut self, line: u64, record: &csv::StringRecord) -> Result<String, String> {
        if let Some(status) = self.status.and_then(|i| record.get(i)) {
            if status.trim().eq_ignore_ascii_case("disabled") {
                return Err("status: a disabled user would be imported enabled; \
                            import it with lazy migration or disable it after the job"
                    .into());
            }
        }
        let mut values: Vec<String> = Vec::with_capacity(self.sources.len());
        for (name, source) in self.pool.header.iter().zip(&self.sources) {
            let raw = match source {
                Source::Legacy(i) => record.get(*i).unwrap_or("").trim().to_owned(),
                // Computed from the row or the pool by `value`.
                _ => String::new(),
            };
            values.push(self.value(name, *source, raw, record)?);
        }
        let field = |name: &str| {
            column(&self.pool.header, name)
                .map(|i| values[i].as_str())
                .unwrap_or("")
        };
        check_verified(&self.pool, field)?;
        let print = fingerprint(field("cognito:username"));
        if self.repeated.as_ref().is_none_or(|r| r.contains(&print)) {
            let first = *self.seen.entry(print).or_insert(line);
            if first != line {
                return Err(format!("cognito:username: repeats line {first}"));
            }
        }
        let mut text = String::with_capacity(values.iter().map(String::len).sum::<usize>() + 32);
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let name = &self.pool.header[i];
            text.push_str(&escape(value).map_err(|why| format!("{name}: {why}"))?);
        }
        let chars = text.chars().count();
        if chars > MAX_ROW_CHARS {
            return Err(format!(
                "the row is {chars} characters; Cognito reads at most {MAX_ROW_CHARS}"
            ));
        }
        Ok(text)
    }

    /// One column's value, normalized and checked by what the column is.
    fn value(
        &self,
        name: &str,
        source: Source,
        raw: String,
        record: &csv::StringRecord,
    ) -> Result<String, String> {
        match name {
            "cognito:username" => {
                let username = normalize_username(&raw);
                if username.is_empty() {
                    return Err("cognito:username: empty".into());
                }
                if username.chars().count() > 128 || username.chars().any(char::is_whitespace) {
                    return Err(
                        "cognito:username: longer than 128 characters or holds whitespace".into(),
                    );
                }
                Ok(username)
            }
            "cognito:mfa_enabled" => {
                let enabled = match source {
                    Source::PoolMfa => self.pool.mfa == Mfa::On,
                    _ => flag(&raw).ok_or("cognito:mfa_enabled: neither true nor false")?,
                };
                match (self.pool.mfa, enabled) {
                    (Mfa::Off, true) => {
                        Err("cognito:mfa_enabled: true, but the pool has MFA off".into())
                    }
                    (Mfa::On, false) => {
                        Err("cognito:mfa_enabled: false, but the pool requires MFA".into())
                    }
                    _ => Ok(enabled.to_string()),
                }
            }
            "email_verified" | "phone_number_verified" => {
                let verified = match source {
                    Source::AssumedEmailVerified => {
                        let email = self.email_of(record);
                        !email.is_empty()
                    }
                    _ if raw.is_empty() => false,
                    _ => flag(&raw).ok_or_else(|| format!("{name}: neither true nor false"))?,
                };
                Ok(verified.to_string())
            }
            "email" if !raw.is_empty() => crate::is_email(&raw)
                .then(|| raw.to_lowercase())
                .ok_or_else(|| "email: not an email address".into()),
            "phone_number" if !raw.is_empty() => {
                if is_e164(&raw) {
                    Ok(raw)
                } else {
                    Err("phone_number: not in E.164 form (+ and 2 to 15 digits)".into())
                }
            }
            "birthdate" if !raw.is_empty() => {
                if is_birthdate(&raw) {
                    Ok(raw)
                } else {
                    Err("birthdate: not a date as mm/dd/yyyy".into())
                }
            }
            "updated_at" if !raw.is_empty() => {
                if raw.len() <= 12 && raw.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(raw)
                } else {
                    Err("updated_at: not a time in seconds since the epoch".into())
                }
            }
            _ => Ok(raw),
        }
    }

    /// The email the row will have, for `--assume-email-verified`.
    fn email_of<'r>(&self, record: &'r csv::StringRecord) -> &'r str {
        column(&self.pool.header, "email")
            .and_then(|i| match self.sources[i] {
                Source::Legacy(j) => record.get(j),
                _ => None,
            })
            .unwrap_or("")
            .trim()
    }

    /// Whether the legacy file or the options say where `email_verified` comes from.
    pub fn knows_email_verified(&self) -> bool {
        column(&self.pool.header, "email_verified")
            .is_some_and(|i| self.sources[i] != Source::Empty)
            || self.options.assume_email_verified
    }
}

fn flag(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// `mm/dd/yyyy`, with a month and a day that can be.
fn is_birthdate(text: &str) -> bool {
    let parts: Vec<&str> = text.split('/').collect();
    let [month, day, year] = parts.as_slice() else {
        return false;
    };
    let number = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    matches!(
        (number(month, 2), number(day, 2), number(year, 4)),
        (Some(1..=12), Some(1..=31), Some(_))
    )
}

/// The pool's verification rules: a verified address is present; a pool that
/// auto-verifies addresses has at least one of them verified for each user, and only
/// those it auto-verifies.
fn check_verified<'a>(pool: &Pool, field: impl Fn(&str) -> &'a str) -> Result<(), String> {
    let email = field("email_verified") == "true";
    let phone = field("phone_number_verified") == "true";
    if email && field("email").is_empty() {
        return Err("email_verified: true without an email".into());
    }
    if phone && field("phone_number").is_empty() {
        return Err("phone_number_verified: true without a phone_number".into());
    }
    if email && !pool.email_auto_verified && pool.phone_auto_verified {
        return Err("email_verified: true, but the pool verifies phone numbers only".into());
    }
    if phone && !pool.phone_auto_verified && pool.email_auto_verified {
        return Err("phone_number_verified: true, but the pool verifies emails only".into());
    }
    let auto = pool.email_auto_verified || pool.phone_auto_verified;
    let any = (email && pool.email_auto_verified) || (phone && pool.phone_auto_verified);
    if auto && !any {
        let which = match (pool.email_auto_verified, pool.phone_auto_verified) {
            (true, true) => "email_verified or phone_number_verified",
            (true, false) => "email_verified",
            _ => "phone_number_verified",
        };
        return Err(format!(
            "{which}: not true, and the pool verifies addresses: the user could not sign in \
             (give the old system's verification, or --assume-email-verified)"
        ));
    }
    Ok(())
}

/// A value as Cognito's import reads it: a comma is escaped with a backslash (not CSV
/// quoting), and so is a backslash; a line break cannot be in a value.
pub fn escape(value: &str) -> Result<String, &'static str> {
    if value.contains(['\n', '\r']) {
        return Err("holds a line break, which an import row cannot");
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == ',' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}

/// When to start a new file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub users: u64,
    pub bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            users: MAX_USERS_PER_FILE,
            bytes: MAX_BYTES_PER_FILE,
        }
    }
}

/// One import file written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub path: PathBuf,
    pub users: u64,
    pub bytes: u64,
    /// The legacy file's line of each row (the job reports rows by their line in
    /// this file).
    pub lines: LineMap,
}

/// Rows of an import file to lines of the legacy file, kept as runs: a new entry only
/// where a row's legacy line is not the one after the previous row's (a rejected row,
/// a value over several lines), so memory stays flat for a file of good rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineMap {
    /// (first row of the run, its legacy line), rows counted from 0.
    runs: Vec<(u64, u64)>,
    rows: u64,
    last: u64,
}

impl LineMap {
    fn push(&mut self, legacy_line: u64) {
        if self.rows == 0 || legacy_line != self.last + 1 {
            self.runs.push((self.rows, legacy_line));
        }
        self.rows += 1;
        self.last = legacy_line;
    }

    /// The legacy line of the row on line `file_line` of the import file (line 1 is
    /// the header, so its first row is line 2), if the file has that row.
    pub fn legacy_line(&self, file_line: u64) -> Option<u64> {
        let row = file_line.checked_sub(2)?;
        if row >= self.rows {
            return None;
        }
        let at = self.runs.partition_point(|(start, _)| *start <= row);
        let (start, line) = self.runs[at.checked_sub(1)?];
        Some(line + (row - start))
    }
}

/// The import files: `OUT`, then `OUT-2.csv`, `OUT-3.csv`… (stem and extension of
/// `OUT`), each with the header, each within the limits. UTF-8 without a byte-order
/// mark, lines ended by `\n`.
#[derive(Debug)]
pub struct Parts {
    base: PathBuf,
    header: String,
    limits: Limits,
    current: Option<BufWriter<File>>,
    pub parts: Vec<Part>,
}

impl Parts {
    pub fn new(base: &Path, header: String, limits: Limits) -> Self {
        Self {
            base: base.to_owned(),
            header,
            limits,
            current: None,
            parts: Vec::new(),
        }
    }

    fn path_of(&self, n: usize) -> PathBuf {
        if n == 1 {
            return self.base.clone();
        }
        let stem = self
            .base
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "import".into());
        let ext = self
            .base
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_else(|| "csv".into());
        self.base.with_file_name(format!("{stem}-{n}.{ext}"))
    }

    /// Writes one row (checked, without its line break), starting a new file first
    /// when this one would pass a limit.
    pub fn write(&mut self, legacy_line: u64, row: &str) -> Result<(), FileError> {
        let size = row.len() as u64 + 1;
        let full = self
            .parts
            .last()
            .is_some_and(|p| p.users + 1 > self.limits.users || p.bytes + size > self.limits.bytes);
        if self.current.is_none() || full {
            self.start()?;
        }
        let (Some(out), Some(part)) = (self.current.as_mut(), self.parts.last_mut()) else {
            return Err(FileError("no import file open".into()));
        };
        out.write_all(row.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .map_err(|e| FileError(format!("cannot write {}: {e}", part.path.display())))?;
        part.users += 1;
        part.bytes += size;
        part.lines.push(legacy_line);
        Ok(())
    }

    fn start(&mut self) -> Result<(), FileError> {
        self.finish_current()?;
        let path = self.path_of(self.parts.len() + 1);
        let file = File::create(&path)
            .map_err(|e| FileError(format!("cannot create {}: {e}", path.display())))?;
        let mut out = BufWriter::with_capacity(1 << 16, file);
        out.write_all(self.header.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .map_err(|e| FileError(format!("cannot write {}: {e}", path.display())))?;
        self.parts.push(Part {
            path,
            users: 0,
            bytes: self.header.len() as u64 + 1,
            lines: LineMap::default(),
        });
        self.current = Some(out);
        Ok(())
    }

    fn finish_current(&mut self) -> Result<(), FileError> {
        if let Some(mut out) = self.current.take() {
            out.flush()
                .map_err(|e| FileError(format!("cannot write an import file: {e}")))?;
        }
        Ok(())
    }

    /// Flushes the last file and gives the files written.
    pub fn finish(mut self) -> Result<Vec<Part>, FileError> {
        self.finish_current()?;
        Ok(self.parts)
    }
}

/// Fingerprints sorted in memory before they are spilled to a run file: 1 MB.
const RUN: usize = 1 << 17;

/// The usernames given more than once in the legacy file, as fingerprints: a first
/// pass in fixed memory (sorted runs of [`RUN`] fingerprints spilled next to `spill`,
/// then merged), so that the conversion remembers only those.
pub fn repeated_usernames<R: Read>(input: R, spill: &Path) -> Result<HashSet<u64>, FileError> {
    let mut reader = crate::reader(input);
    let legacy = crate::header_names(&mut reader)?;
    let Some(at) = column(&legacy, "username") else {
        return Err(FileError("the header line has no username column".into()));
    };
    let mut runs = Runs::new(spill);
    let mut batch: Vec<u64> = Vec::with_capacity(RUN);
    for record in reader.into_records().flatten() {
        let username = normalize_username(record.get(at).unwrap_or(""));
        batch.push(fingerprint(&username));
        if batch.len() == RUN {
            runs.spill(&mut batch)?;
        }
    }
    let mut repeated = HashSet::new();
    let mut last = None;
    let mut note = |print: u64| {
        if last == Some(print) {
            repeated.insert(print);
        }
        last = Some(print);
    };
    if runs.paths.is_empty() {
        batch.sort_unstable();
        batch.into_iter().for_each(&mut note);
    } else {
        runs.spill(&mut batch)?;
        runs.merge(&mut note)?;
    }
    Ok(repeated)
}

/// Sorted run files of fingerprints, removed when dropped.
struct Runs {
    base: PathBuf,
    paths: Vec<PathBuf>,
}

impl Runs {
    fn new(spill: &Path) -> Self {
        Self {
            base: spill.to_owned(),
            paths: Vec::new(),
        }
    }

    fn spill(&mut self, batch: &mut Vec<u64>) -> Result<(), FileError> {
        batch.sort_unstable();
        let path = self
            .base
            .with_extension(format!("run{}.tmp", self.paths.len()));
        let failed = |e: std::io::Error| FileError(format!("cannot write {}: {e}", path.display()));
        let mut out = BufWriter::new(File::create(&path).map_err(failed)?);
        self.paths.push(path.clone());
        for print in batch.drain(..) {
            out.write_all(&print.to_le_bytes()).map_err(failed)?;
        }
        out.flush().map_err(failed)
    }

    /// Every fingerprint of every run, in order.
    fn merge(&self, mut each: impl FnMut(u64)) -> Result<(), FileError> {
        let mut files = Vec::with_capacity(self.paths.len());
        for path in &self.paths {
            let file = File::open(path)
                .map_err(|e| FileError(format!("cannot read {}: {e}", path.display())))?;
            files.push(BufReader::with_capacity(1 << 14, file));
        }
        let next = |file: &mut BufReader<File>| {
            let mut bytes = [0u8; 8];
            file.read_exact(&mut bytes)
                .ok()
                .map(|()| u64::from_le_bytes(bytes))
        };
        let mut heap = BinaryHeap::new();
        for (i, file) in files.iter_mut().enumerate() {
            if let Some(print) = next(file) {
                heap.push(Reverse((print, i)));
            }
        }
        while let Some(Reverse((print, i))) = heap.pop() {
            each(print);
            if let Some(following) = next(&mut files[i]) {
                heap.push(Reverse((following, i)));
            }
        }
        Ok(())
    }
}

impl Drop for Runs {
    fn drop(&mut self) {
        for path in &self.paths {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// What a conversion did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Converted {
    pub rows: u64,
    pub written: u64,
    pub rejected: u64,
}

/// Reads the legacy CSV twice: once for the usernames given more than once (fixed
/// memory), then to check and write every row, telling each rejected row as it is
/// read. Memory stays flat whatever the file's size.
pub fn convert<R: Read + Seek>(
    mut input: R,
    pool: Pool,
    options: Options,
    out: &Path,
    limits: Limits,
    mut rejected: impl FnMut(&RowError),
) -> Result<(Converted, Vec<Part>, Vec<String>), FileError> {
    let repeated = repeated_usernames(&mut input, out)?;
    input
        .seek(SeekFrom::Start(0))
        .map_err(|e| FileError(format!("cannot read the file again: {e}")))?;
    let mut reader = crate::reader(input);
    let legacy = crate::header_names(&mut reader)?;
    let mut converter = Converter::new(pool, options, &legacy)?.with_repeated(repeated);
    if !converter.knows_email_verified() && converter.pool.email_auto_verified {
        return Err(FileError(
            "the pool verifies emails, and the file has no email_verified column: \
             add one, or pass --assume-email-verified if the old system verified them"
                .into(),
        ));
    }
    let mut parts = Parts::new(out, converter.header_line(), limits);
    let mut done = Converted::default();
    for record in reader.into_records() {
        done.rows += 1;
        let result = match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                if record.len() != legacy.len() {
                    Err(RowError {
                        line,
                        reason: format!(
                            "{} fields where the header has {}",
                            record.len(),
                            legacy.len()
                        ),
                    })
                } else {
                    converter.line(line, &record).map(|text| (line, text))
                }
            }
            Err(e) => Err(RowError {
                line: e.position().map_or(0, |p| p.line()),
                reason: format!("unreadable CSV: {}", short(&e.to_string())),
            }),
        };
        match result {
            Ok((line, text)) => {
                parts.write(line, &text)?;
                done.written += 1;
            }
            Err(row) => {
                done.rejected += 1;
                rejected(&row);
            }
        }
    }
    Ok((done, parts.finish()?, converter.left_behind))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "name,given_name,family_name,middle_name,nickname,preferred_username,\
        profile,picture,website,email,email_verified,gender,birthdate,zoneinfo,locale,\
        phone_number,phone_number_verified,address,updated_at,cognito:mfa_enabled,cognito:username";

    fn pool(mfa: Mfa) -> Pool {
        Pool {
            header: parse_header_line(HEADER).unwrap(),
            email_auto_verified: true,
            phone_auto_verified: false,
            mfa,
        }
    }

    fn legacy(columns: &str) -> Vec<String> {
        columns.split(',').map(str::to_owned).collect()
    }

    fn record(values: &[&str], line: u64) -> csv::StringRecord {
        let mut r = csv::StringRecord::from(values.to_vec());
        let mut pos = csv::Position::new();
        pos.set_line(line);
        r.set_position(Some(pos));
        r
    }

    /// The import line of one legacy row, or the reason it is refused.
    fn one(pool: Pool, options: Options, columns: &str, values: &[&str]) -> Result<String, String> {
        let mut c = Converter::new(pool, options, &legacy(columns)).unwrap();
        c.line(2, &record(values, 2)).map_err(|e| e.reason)
    }

    fn column_of(line: &str, name: &str) -> String {
        let header = parse_header_line(HEADER).unwrap();
        let i = header.iter().position(|h| h == name).unwrap();
        // Splits on commas not escaped (no value in these tests ends with a backslash).
        let mut fields = vec![String::new()];
        let mut escaped = false;
        for c in line.chars() {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, ',') => fields.push(String::new()),
                (_, c) => {
                    escaped = false;
                    fields.last_mut().unwrap().push(c);
                }
            }
        }
        fields[i].clone()
    }

    const COLUMNS: &str = "username,email,email_verified,phone_number,first_name";

    fn mapped() -> Options {
        Options {
            attribute_map: [("first_name".to_owned(), "given_name".to_owned())].into(),
            assume_email_verified: false,
        }
    }

    #[test]
    fn a_good_row_maps_by_name_and_through_attribute_map() {
        let line = one(
            pool(Mfa::Optional),
            mapped(),
            COLUMNS,
            &[
                "Olivia.Martin@Example.com",
                "Olivia.Martin@Example.com",
                "true",
                "+33612345678",
                "Olivia",
            ],
        )
        .unwrap();
        assert_eq!(
            column_of(&line, "cognito:username"),
            "olivia.martin@example.com"
        );
        assert_eq!(column_of(&line, "email"), "olivia.martin@example.com");
        assert_eq!(column_of(&line, "given_name"), "Olivia");
        assert_eq!(column_of(&line, "email_verified"), "true");
        assert_eq!(column_of(&line, "phone_number_verified"), "false");
        assert_eq!(column_of(&line, "cognito:mfa_enabled"), "false");
        assert_eq!(
            line.split(',').count(),
            21,
            "one value per header column: {line}"
        );
    }

    #[test]
    fn each_rule_refuses_the_row_that_breaks_it() {
        let p = || pool(Mfa::Optional);
        let cases: &[(&str, &[&str], &str)] = &[
            (
                COLUMNS,
                &["", "a@example.com", "true", "", ""],
                "cognito:username: empty",
            ),
            (
                COLUMNS,
                &["jo smith", "a@example.com", "true", "", ""],
                "cognito:username: longer",
            ),
            (
                COLUMNS,
                &["jo", "a@example.com", "maybe", "", ""],
                "email_verified: neither",
            ),
            (
                COLUMNS,
                &["jo", "", "true", "", ""],
                "email_verified: true without an email",
            ),
            (
                COLUMNS,
                &["jo", "a@example.com", "false", "", ""],
                "email_verified: not true",
            ),
            (
                COLUMNS,
                &["jo", "not-an-email", "true", "", ""],
                "email: not an email",
            ),
            (
                COLUMNS,
                &["jo", "a@example.com", "true", "0612", ""],
                "phone_number: not in E.164",
            ),
            (
                "username,email,email_verified,phone_number_verified",
                &["jo", "a@example.com", "true", "true"],
                "phone_number_verified: true without a phone_number",
            ),
            (
                "username,email,email_verified,birthdate",
                &["jo", "a@example.com", "true", "1990-04-01"],
                "birthdate: not a date as mm/dd/yyyy",
            ),
            (
                "username,email,email_verified,birthdate",
                &["jo", "a@example.com", "true", "13/01/1990"],
                "birthdate: not a date",
            ),
            (
                "username,email,email_verified,updated_at",
                &["jo", "a@example.com", "true", "2024-01-01T00:00:00Z"],
                "updated_at: not a time in seconds",
            ),
            (
                "username,email,email_verified,mfa_enabled",
                &["jo", "a@example.com", "true", "yes"],
                "cognito:mfa_enabled: neither",
            ),
            (
                "username,email,email_verified,status",
                &["jo", "a@example.com", "true", "disabled"],
                "status: a disabled user",
            ),
            (
                "username,email,email_verified,nickname",
                &["jo", "a@example.com", "true", "two\nlines"],
                "nickname: holds a line break",
            ),
        ];
        for (columns, values, reason) in cases {
            let got = one(p(), Options::default(), columns, values).unwrap_err();
            assert!(got.starts_with(reason), "{values:?}: {got}");
        }
    }

    #[test]
    fn mfa_follows_the_pool() {
        let cols = "username,email,email_verified,mfa_enabled";
        let row = |v: &'static str| ["jo", "a@example.com", "true", v];
        assert!(one(pool(Mfa::Off), Options::default(), cols, &row("true"))
            .unwrap_err()
            .contains("MFA off"));
        assert!(one(pool(Mfa::On), Options::default(), cols, &row("false"))
            .unwrap_err()
            .contains("requires MFA"));
        for (mfa, v) in [
            (Mfa::Optional, "true"),
            (Mfa::Optional, "false"),
            (Mfa::On, "true"),
        ] {
            assert!(
                one(pool(mfa), Options::default(), cols, &row(v)).is_ok(),
                "{mfa:?} {v}"
            );
        }
        // Without a legacy column, the pool's setting.
        let line = one(
            pool(Mfa::On),
            Options::default(),
            "username,email,email_verified",
            &["jo", "a@example.com", "true"],
        )
        .unwrap();
        assert_eq!(column_of(&line, "cognito:mfa_enabled"), "true");
    }

    #[test]
    fn verification_follows_the_pools_auto_verified_attributes() {
        let phones = Pool {
            email_auto_verified: false,
            phone_auto_verified: true,
            ..pool(Mfa::Optional)
        };
        let cols = "username,email,email_verified,phone_number,phone_number_verified";
        let got = one(
            phones.clone(),
            Options::default(),
            cols,
            &["jo", "a@example.com", "true", "+33612345678", "true"],
        );
        assert!(got.unwrap_err().contains("verifies phone numbers only"));
        assert!(one(
            phones,
            Options::default(),
            cols,
            &["jo", "a@example.com", "false", "+33612345678", "true"]
        )
        .is_ok());
        // Assumed: true for a user with an email.
        let assumed = Options {
            assume_email_verified: true,
            ..Options::default()
        };
        let line = one(
            pool(Mfa::Optional),
            assumed,
            "username,email",
            &["jo", "a@example.com"],
        )
        .unwrap();
        assert_eq!(column_of(&line, "email_verified"), "true");
    }

    #[test]
    fn a_username_given_twice_is_refused_with_its_first_line() {
        let mut c =
            Converter::new(pool(Mfa::Optional), Options::default(), &legacy(COLUMNS)).unwrap();
        let row = ["Jo@Example.com", "jo@example.com", "true", "", ""];
        assert!(c.line(2, &record(&row, 2)).is_ok());
        let again = ["jo@example.com", "jo@example.com", "true", "", ""];
        assert_eq!(
            c.line(7, &record(&again, 7)).unwrap_err().reason,
            "cognito:username: repeats line 2"
        );
    }

    #[test]
    fn rows_map_back_to_legacy_lines_across_gaps() {
        let mut map = LineMap::default();
        for line in [2, 3, 4, 7, 8, 12] {
            map.push(line);
        }
        let got: Vec<Option<u64>> = (2..=8).map(|l| map.legacy_line(l)).collect();
        assert_eq!(
            got,
            [Some(2), Some(3), Some(4), Some(7), Some(8), Some(12), None]
        );
        assert_eq!(map.runs.len(), 3, "one entry per run, not per row");
    }

    #[test]
    fn the_first_pass_finds_repeats_in_runs_spilled_to_disk() {
        let dir = folder("runs");
        let mut text = String::from("username,email\n");
        // More rows than one run holds, with repeats across runs.
        for n in 0..(RUN as u64 * 2 + 10) {
            text.push_str(&format!("user{n}@example.com,x\n"));
        }
        text.push_str("USER7@example.com,x\nuser200000@example.com,x\n");
        let repeated = repeated_usernames(text.as_bytes(), &dir.join("out.csv")).unwrap();
        let expected: HashSet<u64> = ["user7@example.com", "user200000@example.com"]
            .iter()
            .map(|u| fingerprint(u))
            .collect();
        assert_eq!(repeated, expected);
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert!(left.is_empty(), "run files removed: {left:?}");
    }

    #[test]
    fn commas_and_backslashes_are_escaped_with_a_backslash_and_line_breaks_refused() {
        assert_eq!(escape("Martin, Olivia").unwrap(), "Martin\\, Olivia");
        assert_eq!(escape("C:\\home").unwrap(), "C:\\\\home");
        assert_eq!(escape("plain").unwrap(), "plain");
        assert!(escape("a\nb").is_err());
        assert!(escape("a\r\nb").is_err());
        let line = one(
            pool(Mfa::Optional),
            Options::default(),
            "username,email,email_verified,address",
            &["jo", "a@example.com", "true", "1 rue de la Paix, Paris"],
        )
        .unwrap();
        assert!(line.contains("1 rue de la Paix\\, Paris"), "{line}");
        assert_eq!(column_of(&line, "address"), "1 rue de la Paix, Paris");
    }

    #[test]
    fn a_row_over_16000_characters_is_refused() {
        let long = "x".repeat(MAX_ROW_CHARS);
        let got = one(
            pool(Mfa::Optional),
            Options::default(),
            "username,email,email_verified,address",
            &["jo", "a@example.com", "true", &long],
        );
        assert!(got.unwrap_err().contains("Cognito reads at most 16000"));
    }

    #[test]
    fn the_header_must_be_cognitos() {
        assert!(parse_header_line("username,email").is_err());
        assert_eq!(parse_header_line("\u{feff}\"cognito:username\",cognito:mfa_enabled,email_verified,phone_number_verified\n").unwrap()[0], "cognito:username");
    }

    /// A fresh folder of this test process.
    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("legacy-import-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write_rows(dir: &Path, rows: u64, limits: Limits) -> Vec<Part> {
        let mut parts = Parts::new(&dir.join("import.csv"), "h1,h2".into(), limits);
        for n in 0..rows {
            parts.write(n + 2, &format!("user{n:03},x")).unwrap();
        }
        parts.finish().unwrap()
    }

    #[test]
    fn files_split_at_the_user_limit_and_the_byte_limit() {
        let dir = folder("users");
        let parts = write_rows(
            &dir,
            7,
            Limits {
                users: 3,
                bytes: 1 << 20,
            },
        );
        let users: Vec<u64> = parts.iter().map(|p| p.users).collect();
        assert_eq!(users, [3, 3, 1]);
        let names: Vec<String> = parts
            .iter()
            .map(|p| p.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["import.csv", "import-2.csv", "import-3.csv"]);
        let second = std::fs::read(&parts[1].path).unwrap();
        assert_eq!(
            second, b"h1,h2\nuser003,x\nuser004,x\nuser005,x\n",
            "each file has the header, no BOM"
        );
        // Rows written from legacy lines 2 to 8: the third file's only row (its line 2) is line 8.
        assert_eq!(parts[2].lines.legacy_line(2), Some(8));
        assert_eq!(parts[1].lines.legacy_line(4), Some(7));
        assert_eq!(parts[1].lines.legacy_line(5), None);
        assert_eq!(parts[1].lines.legacy_line(1), None, "the header");
        // Header 6 bytes + rows of 10: 30 bytes hold the header and two rows.
        let dir = folder("bytes");
        let parts = write_rows(
            &dir,
            5,
            Limits {
                users: 100,
                bytes: 30,
            },
        );
        let users: Vec<u64> = parts.iter().map(|p| p.users).collect();
        assert_eq!(users, [2, 2, 1]);
        for p in &parts {
            assert!(std::fs::metadata(&p.path).unwrap().len() <= 30);
            assert_eq!(std::fs::metadata(&p.path).unwrap().len(), p.bytes);
        }
    }
}
