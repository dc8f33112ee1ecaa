//! `sign-in-counts --table cognito-analytics --day 2026-11-22 --days 7`
//!
//! Sums post-authentication's day counter shards per app client. Exit status: 0 when
//! every day was read, 1 when the table could not be read or an argument is wrong.

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use clap::Parser;
use post_authentication::adapters::dynamodb::day_counts;
use sign_in_counts::{days_until, parse_day, table, HEADING};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Sign-ins per app client and day, summed over the analytics table's day counter shards"
)]
struct Args {
    /// The analytics table (the stack output AnalyticsTableName).
    #[arg(long, env = "ANALYTICS_TABLE_NAME")]
    table: String,
    /// The last day to show (UTC), e.g. 2026-11-22; today when not given.
    #[arg(long, value_parser = parse_day)]
    day: Option<SystemTime>,
    /// How many days, ending with --day.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=366))]
    days: u32,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let last = args.day.unwrap_or_else(SystemTime::now);
    // AWS_ENDPOINT_URL (a local stand-in) and the usual credential chain apply.
    let sdk = trigger_core::aws::sdk_config(Duration::from_secs(10)).await;
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    println!("{HEADING}");
    for day in days_until(last, args.days) {
        match day_counts(&client, &args.table, &day).await {
            Ok(counts) => print!("{}", table(&day, &counts)),
            Err(e) => {
                eprintln!("sign-in-counts: cannot read {} for {day}: {e}", args.table);
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}
