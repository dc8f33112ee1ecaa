//! `legacy-import users.csv --table legacy-users`
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
use legacy_import::{import, read_csv, record_hash_profile, CsvRows, ImportReport, Progress};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Import legacy users from a CSV file into the user-migration table"
)]
struct Args {
    /// CSV with the columns username, email, password_hash [, phone_number, status, ...]
    csv: PathBuf,
    /// The legacy users table.
    #[arg(long, env = "LEGACY_USERS_TABLE_NAME")]
    table: String,
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
    let (mut rows, size) = match open(&args) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let client = if args.dry_run {
        None
    } else {
        Some(dynamodb(&args).await)
    };
    let report = import_showing_progress(&mut rows, client.as_ref(), &args.table, size).await;
    summarize(&args, rows.rows, &report, client.as_ref()).await
}

/// The CSV file's rows, and the file's size.
fn open(args: &Args) -> Result<(CsvRows<BufReader<File>>, u64), ExitCode> {
    let file = File::open(&args.csv).map_err(|e| {
        eprintln!("legacy-import: cannot open {}: {e}", args.csv.display());
        ExitCode::from(1)
    })?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let rows = read_csv(BufReader::with_capacity(1 << 16, file)).map_err(|e| {
        eprintln!("legacy-import: {}: {e}", args.csv.display());
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

/// The DynamoDB client, each call within 20 seconds.
async fn dynamodb(args: &Args) -> aws_sdk_dynamodb::Client {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let sdk = trigger_core::aws::within_budget(loader, std::time::Duration::from_secs(20))
        .load()
        .await;
    aws_sdk_dynamodb::Client::new(&sdk)
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
    rows: u64,
    report: &ImportReport,
    client: Option<&aws_sdk_dynamodb::Client>,
) -> ExitCode {
    println!(
        "{}: {} rows, {} valid, {} rejected",
        args.csv.display(),
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
            match record_hash_profile(client, &args.table, report).await {
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
