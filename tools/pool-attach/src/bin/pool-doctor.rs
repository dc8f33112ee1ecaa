//! `pool-doctor --user-pool-id ID [--json]`
//!
//! Reads a user pool, its app clients, the functions its triggers name and the identity
//! pools that trust it, and says trigger by trigger what will not work as configured,
//! with the fix. Exit status: 0 nothing found, 2 problems found, 1 the pool could not be read.

use std::process::ExitCode;

use clap::Parser;
use pool_attach::aws::{self, Clients};
use pool_attach::doctor;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Says what will not work in a user pool's trigger setup, and the fix for each"
)]
struct Args {
    /// The pool (e.g. eu-west-1_AbCdEf123).
    #[arg(long, env = "USER_POOL_ID")]
    user_pool_id: String,
    /// The findings as JSON, for CI.
    #[arg(long)]
    json: bool,
    /// An endpoint other than AWS's (a local stand-in).
    #[arg(long)]
    endpoint_url: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let clients = Clients::new(args.endpoint_url.as_deref()).await;
    let facts = match aws::facts(&clients, &args.user_pool_id).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("pool-doctor: {e}");
            return ExitCode::from(1);
        }
    };
    let findings = doctor::diagnose(&facts);
    if args.json {
        let doc = serde_json::json!({ "user_pool_id": args.user_pool_id, "findings": findings });
        println!("{doc:#}");
    } else {
        print!("{}", doctor::render(&facts.pool, &findings));
    }
    if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
