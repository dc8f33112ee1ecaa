#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The command against moto (started by `make test`): counts written by the
//! post-authentication recorder over eight shards come back summed per app client.

use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use post_authentication::adapters::DynamoRecorder;
use post_authentication::ports::{LoginRecorder, Recorded};
use post_authentication::signin::SignIn;
use test_support::aws::{create_table, moto_endpoint, sdk_config_for, unique_name};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sign-in-counts"))
        .args(args)
        .env("AWS_ENDPOINT_URL", moto_endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("ANALYTICS_TABLE_NAME")
        .output()
        .unwrap()
}

#[tokio::test]
async fn two_days_of_sign_ins_are_summed_over_their_shards() {
    let sdk = sdk_config_for(&moto_endpoint(), Duration::from_secs(20)).await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let table = unique_name("analytics");
    create_table(&dynamodb, &table, &["pk", "sk"]).await;
    let recorder = DynamoRecorder::new(dynamodb, &table, 90).with_day_shards(8);
    // 2026-11-21T10:00:00Z and the day after.
    let monday = trigger_core::time::parse_rfc3339("2026-11-21T10:00:00Z").unwrap();
    let tuesday = monday + Duration::from_secs(86_400);
    let sign_in = |i: u32, at: SystemTime, client: &str| SignIn {
        request_id: format!("{client}-{i}-{at:?}"),
        sub: format!("user-{i}"),
        user_pool_id: "eu-west-1_Xk4pQ9rTz".into(),
        client_id: client.into(),
        new_device: i % 5 == 0,
        trigger_source: "PostAuthentication_Authentication".into(),
        at,
    };
    for (at, client, n) in [
        (monday, "web", 40),
        (tuesday, "web", 25),
        (tuesday, "mobile", 10),
    ] {
        for i in 0..n {
            let recorded = recorder.record(&sign_in(i, at, client)).await;
            assert_eq!(recorded, Ok(Recorded::Counted));
        }
    }

    let out = run(&["--table", &table, "--day", "2026-11-22", "--days", "3"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{stdout}");
    let lines: Vec<Vec<&str>> = stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines[0], ["2026-11-20", "(no", "sign-ins)"], "{stdout}");
    assert_eq!(&lines[1][..4], ["2026-11-21", "web", "40", "8"], "{stdout}");
    assert_eq!(
        &lines[2][..4],
        ["2026-11-22", "mobile", "10", "2"],
        "{stdout}"
    );
    assert_eq!(&lines[3][..4], ["2026-11-22", "web", "25", "5"], "{stdout}");
    assert_eq!(
        &lines[4][..5],
        ["2026-11-22", "all", "app", "clients", "35"],
        "{stdout}"
    );
    assert_eq!(lines.len(), 5, "{stdout}");
    let shards: u32 = lines[1][4].parse().unwrap();
    assert!((2..=8).contains(&shards), "40 sign-ins spread: {stdout}");
}

#[test]
fn a_wrong_day_or_an_unreadable_table_is_a_clear_failure() {
    let out = run(&["--table", "t", "--day", "2026-02-30"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a calendar day"));
    let out = run(&["--table", &unique_name("no-such-table")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot read"), "{stderr}");
}
