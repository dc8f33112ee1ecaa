//! `legacy-import users.csv --table legacy-users`
//!
//! Exit status: 0 when every row was imported (or already present), 2 when some rows
//! were rejected or not written (the others are imported), 1 when nothing could be
//! done (unreadable file, no table).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use legacy_import::{import, parse_csv};

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

/// The command: read and check, report, write, summarize (long: the steps of the
/// command line in the order a user sees their output).
#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let file = match std::fs::File::open(&args.csv) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("legacy-import: cannot open {}: {e}", args.csv.display());
            return ExitCode::from(1);
        }
    };
    let parsed = match parse_csv(std::io::BufReader::new(file)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("legacy-import: {}: {e}", args.csv.display());
            return ExitCode::from(1);
        }
    };
    println!(
        "{}: {} rows, {} valid, {} rejected",
        args.csv.display(),
        parsed.rows,
        parsed.users.len(),
        parsed.rejected.len()
    );

    let report = if args.dry_run || parsed.users.is_empty() {
        None
    } else {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(url) = &args.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let sdk = trigger_core::aws::within_budget(loader, std::time::Duration::from_secs(20))
            .load()
            .await;
        let client = aws_sdk_dynamodb::Client::new(&sdk);
        // Drawn only when stderr is a terminal.
        let bar = ProgressBar::new(parsed.users.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} users  {per_sec}  eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let report = import(&client, &args.table, &parsed.users, |n| bar.inc(n)).await;
        bar.finish_and_clear();
        Some(report)
    };

    if let Some(r) = &report {
        println!("imported:        {}", r.imported);
        println!("already present: {} (left as they are)", r.already_present);
        println!("not written:     {}", r.failed.len());
        for (username, reason) in r.failed.iter().take(50) {
            println!("  {username}: {reason}");
        }
        if r.failed.len() > 50 {
            println!("  ... and {} more", r.failed.len() - 50);
        }
    } else if args.dry_run {
        println!("dry run: nothing written");
    }
    if !parsed.rejected.is_empty() {
        println!("rejected rows:");
        for row in &parsed.rejected {
            println!("  line {}: {}", row.line, row.reason);
        }
    }
    let failed = report.as_ref().is_some_and(|r| !r.failed.is_empty());
    if parsed.rejected.is_empty() && !failed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
