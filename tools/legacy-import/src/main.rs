//! `legacy-import users.csv --table legacy-users` (lazy migration: the users table
//! user-migration reads), or `legacy-import users.csv --to cognito-csv OUT
//! (--csv-header FILE | --user-pool-id ID)` (bulk migration: Cognito's import file).
//!
//! Exit status: 0 when every row was imported (or already present), 2 when some rows
//! were rejected or not written (the others are imported), 1 when nothing could be
//! done (unreadable file). The file is read, checked and written in chunks of 100
//! rows, so a file of millions of rows takes no more memory than a small one.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use legacy_import::cognito_csv::{self, Limits, Mfa, Options, Pool};
use legacy_import::{import, read_csv, record_hash_profile, CsvRows, ImportReport, Progress};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Import legacy users from a CSV file into the user-migration table"
)]
struct Args {
    /// CSV with the columns username, email, password_hash [, phone_number, status, ...]
    #[arg(required_unless_present = "rekey")]
    csv: Option<PathBuf>,
    /// The legacy users table.
    #[arg(long, env = "LEGACY_USERS_TABLE_NAME", required_unless_present_any = ["to", "rekey"])]
    table: Option<String>,
    /// After a bulk import: move the rows of these tables (name:key, comma-separated)
    /// from each user's legacy key to the new sub.
    #[arg(long, value_delimiter = ',', requires = "user_pool_id")]
    rekey: Option<Vec<String>>,
    /// With --rekey: the user attribute that holds the legacy key (email, or username).
    #[arg(long, default_value = "email")]
    legacy_key: String,
    /// Write Cognito's user import file instead: `--to cognito-csv OUT` (split into
    /// OUT-2.csv, OUT-3.csv... past 500,000 users or 100 MB).
    #[arg(long, num_args = 2, value_names = ["FORMAT", "OUT"])]
    to: Option<Vec<String>>,
    /// The header line GetCSVHeader returned for the pool, saved to a file.
    #[arg(long, requires = "to", conflicts_with = "user_pool_id")]
    csv_header: Option<PathBuf>,
    /// Ask the pool itself: GetCSVHeader, and DescribeUserPool for its MFA setting and
    /// auto-verified attributes (with --rekey: the pool whose users are re-keyed).
    #[arg(long)]
    user_pool_id: Option<String>,
    /// With --csv-header: the pool's MFA setting (off, optional, on).
    #[arg(long, default_value = "optional", value_parser = ["off", "optional", "on"])]
    mfa: String,
    /// With --csv-header: the attributes the pool auto-verifies (email, phone_number,
    /// both comma-separated, or none).
    #[arg(long, default_value = "email")]
    auto_verified: String,
    /// The old system verified its users' addresses: email_verified is true for a user
    /// with an email, when the file has no email_verified column.
    #[arg(long, requires = "to")]
    assume_email_verified: bool,
    /// Then import each file with Cognito's user import job, follow it to its end, and
    /// tell each user it did not import by the legacy file's line.
    #[arg(long, requires_all = ["to", "user_pool_id", "cloudwatch_logs_role_arn"])]
    start_job: bool,
    /// The role Cognito's import job logs its results with (the template's
    /// UserImportLogsRoleArn output).
    #[arg(long, env = "USER_IMPORT_LOGS_ROLE_ARN")]
    cloudwatch_logs_role_arn: Option<String>,
    /// How often a running job is asked how far it is, in milliseconds.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    poll_ms: u64,
    /// A DynamoDB endpoint other than AWS's (a local stand-in).
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    endpoint_url: Option<String>,
    /// Check the file and report, without writing anything.
    #[arg(long)]
    dry_run: bool,
}

/// The command: read, check and write chunk by chunk, telling rejected rows as they
/// come, then summarize.
#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(tables) = &args.rekey {
        return rekey(&args, tables).await;
    }
    if let Some(to) = &args.to {
        return to_cognito_csv(&args, to).await;
    }
    let table = args.table.clone().unwrap_or_default();
    let (mut rows, size) = match open(&args) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let client = if args.dry_run {
        None
    } else {
        Some(dynamodb(&args).await)
    };
    let report = import_showing_progress(&mut rows, client.as_ref(), &table, size).await;
    summarize(&args, &table, rows.rows, &report, client.as_ref()).await
}

/// `--rekey`: each pool user's rows moved from the legacy key to the sub.
async fn rekey(args: &Args, tables: &[String]) -> ExitCode {
    let tables: Result<Vec<_>, _> = tables
        .iter()
        .map(|t| legacy_import::rekey::Table::parse(t))
        .collect();
    let tables = match tables {
        Ok(tables) => tables,
        Err(message) => {
            eprintln!("legacy-import: --rekey {message}");
            return ExitCode::from(1);
        }
    };
    let sdk = sdk(args).await;
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(&sdk);
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let pool = args.user_pool_id.as_deref().unwrap_or_default();
    match legacy_import::rekey::rekey(&cognito, &dynamodb, pool, &tables, &args.legacy_key).await {
        Ok(done) => {
            for conflict in &done.conflicts {
                println!("left as they are: {conflict}");
            }
            println!(
                "rekey: {} users, {} rows moved to their sub, {} left (rows under both keys)",
                done.users,
                done.moved,
                done.conflicts.len()
            );
            if done.conflicts.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
        Err(message) => {
            eprintln!("legacy-import: {message}");
            ExitCode::from(1)
        }
    }
}

/// The CSV file's rows, and the file's size.
fn open(args: &Args) -> Result<(CsvRows<BufReader<File>>, u64), ExitCode> {
    let csv = args.csv.clone().unwrap_or_default();
    let file = File::open(&csv).map_err(|e| {
        eprintln!("legacy-import: cannot open {}: {e}", csv.display());
        ExitCode::from(1)
    })?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let rows = read_csv(BufReader::with_capacity(1 << 16, file)).map_err(|e| {
        eprintln!("legacy-import: {}: {e}", csv.display());
        ExitCode::from(1)
    })?;
    // A dry run has no table to find a repeated username in: it remembers them.
    let rows = if args.dry_run {
        rows.remembering_usernames()
    } else {
        rows
    };
    Ok((rows, size))
}

/// The SDK configuration, each call within 20 seconds.
async fn sdk(args: &Args) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    trigger_core::aws::within_budget(loader, std::time::Duration::from_secs(20))
        .load()
        .await
}

/// The DynamoDB client, each call within 20 seconds.
async fn dynamodb(args: &Args) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk(args).await)
}

/// `--to cognito-csv OUT`: the import file(s), every row checked first; rejected rows
/// told as they are read. Exit status as for the table: 0 all written, 2 some rows
/// rejected, 1 nothing done.
async fn to_cognito_csv(args: &Args, to: &[String]) -> ExitCode {
    let fail = |message: String| {
        eprintln!("legacy-import: {message}");
        ExitCode::from(1)
    };
    let [format, out] = to else {
        return fail("--to takes a format and a file".into());
    };
    if format != "cognito-csv" {
        return fail(format!("--to {format}: the only format is cognito-csv"));
    }
    let (pool, pool_name) = match target_pool(args).await {
        Ok(pool) => pool,
        Err(message) => return fail(message),
    };
    let attribute_map = match user_migration::attribute_map(&trigger_core::Vars::from_env()) {
        Ok(map) => map,
        Err(e) => return fail(e.to_string()),
    };
    let options = Options {
        attribute_map,
        assume_email_verified: args.assume_email_verified,
    };
    let csv = args.csv.clone().unwrap_or_default();
    let file = match File::open(&csv) {
        Ok(file) => file,
        Err(e) => return fail(format!("cannot open {}: {e}", csv.display())),
    };
    let input = BufReader::with_capacity(1 << 16, file);
    let converted = cognito_csv::convert(
        input,
        pool,
        options,
        PathBuf::from(out).as_path(),
        Limits::default(),
        |row| {
            println!("rejected: line {}: {}", row.line, row.reason);
        },
    );
    let (done, parts, left_behind) = match converted {
        Ok(converted) => converted,
        Err(e) => return fail(format!("{}: {e}", csv.display())),
    };
    println!(
        "{}: {} rows, {} written, {} rejected",
        csv.display(),
        done.rows,
        done.written,
        done.rejected
    );
    for part in &parts {
        println!(
            "  {}: {} users, {} bytes",
            part.path.display(),
            part.users,
            part.bytes
        );
    }
    if !left_behind.is_empty() {
        println!(
            "columns not imported: {} (password hashes cannot be imported: these users set a new password)",
            left_behind.join(", ")
        );
    }
    let mut failed = 0;
    if args.start_job {
        match start_jobs(args, &parts, &pool_name).await {
            Ok(count) => failed = count,
            Err(message) => return fail(message),
        }
    }
    if done.rejected == 0 && failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// One import job per file, each followed with a progress bar; the users a job did
/// not import told by their legacy line. The count of users that failed.
async fn start_jobs(
    args: &Args,
    parts: &[cognito_csv::Part],
    pool_name: &str,
) -> Result<i64, String> {
    use legacy_import::import_job::{run, Target};
    let sdk = sdk(args).await;
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(&sdk);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk);
    let target = Target {
        cognito: &cognito,
        logs: &logs,
        pool_id: args.user_pool_id.as_deref().unwrap_or_default(),
        pool_name,
        role_arn: args.cloudwatch_logs_role_arn.as_deref().unwrap_or_default(),
        poll: std::time::Duration::from_millis(args.poll_ms),
    };
    let mut failed = 0;
    for (n, part) in parts.iter().enumerate() {
        let name = format!("legacy-import-{}-{}", std::process::id(), n + 1);
        let bar = ProgressBar::new(part.users);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} users  {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let report = run(&target, part, &name, |done| bar.set_position(done)).await;
        bar.finish_and_clear();
        let report = report?;
        for user in &report.not_imported {
            let line = user
                .legacy_line
                .map_or_else(|| "?".to_owned(), |l| l.to_string());
            let what = if user.outcome == "SKIPPED" {
                "skipped by the job"
            } else {
                "failed in the job"
            };
            println!(
                "{what}: line {line} ({} line {}): {}",
                part.path.display(),
                user.file_line,
                user.reason
            );
        }
        println!(
            "job {} ({}): {}{}; imported {}, skipped {} (already in the pool), failed {}",
            report.job_id,
            part.path.display(),
            report.status,
            report
                .message
                .as_deref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default(),
            report.imported,
            report.skipped,
            report.failed
        );
        if report.status != "Succeeded" {
            return Err(format!("the job {} ended {}", report.job_id, report.status));
        }
        failed += report.failed;
    }
    Ok(failed)
}

/// The pool the file is for (its header and rules) and its name, from the pool
/// itself (`--user-pool-id`) or from a saved header and the flags.
async fn target_pool(args: &Args) -> Result<(Pool, String), String> {
    if let Some(id) = &args.user_pool_id {
        let client = aws_sdk_cognitoidentityprovider::Client::new(&sdk(args).await);
        return legacy_import::pool_of(&client, id).await;
    }
    let Some(path) = &args.csv_header else {
        return Err("--to cognito-csv needs --csv-header FILE or --user-pool-id ID".into());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let header =
        cognito_csv::parse_header_line(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let verified: Vec<&str> = args.auto_verified.split(',').map(str::trim).collect();
    if verified
        .iter()
        .any(|v| !["email", "phone_number", "none"].contains(v))
    {
        return Err(format!(
            "--auto-verified {}: email, phone_number or none",
            args.auto_verified
        ));
    }
    let pool = Pool {
        header,
        email_auto_verified: verified.contains(&"email"),
        phone_auto_verified: verified.contains(&"phone_number"),
        mfa: Mfa::parse(&args.mfa).unwrap_or(Mfa::Optional),
    };
    Ok((pool, String::new()))
}

/// The import, with a progress bar (drawn only when stderr is a terminal; its length
/// a guess from the file size, about 120 bytes a row) and each rejected row and the
/// first 50 rows not written told as they come.
async fn import_showing_progress(
    rows: &mut CsvRows<BufReader<File>>,
    client: Option<&aws_sdk_dynamodb::Client>,
    table: &str,
    size: u64,
) -> ImportReport {
    let bar = ProgressBar::new((size / 120).max(1));
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos} rows  {per_sec}  {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut not_written_shown = 0;
    let report = import(
        rows.by_ref(),
        client.map(|c| (c, table)),
        |progress| match progress {
            Progress::Rejected(row) => {
                bar.suspend(|| println!("rejected: line {}: {}", row.line, row.reason));
            }
            Progress::NotWritten(username, reason) => {
                not_written_shown += 1;
                if not_written_shown <= 50 {
                    bar.suspend(|| println!("not written: {username}: {reason}"));
                }
            }
            Progress::Settled(n) => bar.inc(n),
        },
    )
    .await;
    bar.finish_and_clear();
    report
}

/// The summary, the hash profile recorded, and the exit status.
async fn summarize(
    args: &Args,
    table: &str,
    rows: u64,
    report: &ImportReport,
    client: Option<&aws_sdk_dynamodb::Client>,
) -> ExitCode {
    println!(
        "{}: {} rows, {} valid, {} rejected",
        args.csv.clone().unwrap_or_default().display(),
        rows,
        report.valid,
        report.rejected
    );
    if args.dry_run {
        println!("dry run: nothing written");
    } else {
        println!("imported:        {}", report.imported);
        println!(
            "already present: {} (left as they are)",
            report.already_present
        );
        println!("not written:     {}", report.failed);
        if report.failed > 50 {
            println!("  (the first 50 are listed above)");
        }
        if let Some(client) = client {
            match record_hash_profile(client, table, report).await {
                Ok(Some((main, users))) => println!(
                    "hash profile:    {main} ({users} of {} valid rows), recorded: \
                     user-migration refuses to start unless DUMMY_HASH has this scheme and cost",
                    report.valid
                ),
                Ok(None) => {}
                Err(e) => {
                    println!("hash profile:    not recorded: {e}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    if report.rejected == 0 && report.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
