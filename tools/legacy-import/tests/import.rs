#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `legacy-import` command against a real DynamoDB protocol server (moto, started
//! by `make test`): 10,000 generated rows, a second run, a file with bad rows and one
//! with a repeated username.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, Select};
use test_support::aws::{create_table, moto_endpoint, sdk_config_for, unique_name};

async fn client() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config_for(&moto_endpoint(), Duration::from_secs(20)).await)
}

async fn legacy_table(client: &aws_sdk_dynamodb::Client) -> String {
    let name = unique_name("legacy-users");
    create_table(client, &name, &["username"]).await;
    name
}

/// The users in the table (not the item recording their hashes' profile).
async fn count(client: &aws_sdk_dynamodb::Client, table: &str) -> i32 {
    let mut total = 0;
    let mut start = None;
    loop {
        let out = client
            .scan()
            .table_name(table)
            .select(Select::Count)
            .filter_expression("username <> :profile")
            .expression_attribute_values(
                ":profile",
                AttributeValue::S(user_migration::store::HASH_PROFILE_KEY.into()),
            )
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        total += out.count;
        start = out.last_evaluated_key;
        if start.is_none() {
            return total;
        }
    }
}

/// A user's item in the table.
async fn row(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    username: &str,
) -> std::collections::HashMap<String, AttributeValue> {
    let out = client.get_item().table_name(table);
    let out = out.key("username", AttributeValue::S(username.into()));
    out.send().await.unwrap().item.expect("the user's item")
}

fn write_csv(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("{}.csv", unique_name(name)));
    std::fs::write(&path, text).unwrap();
    path
}

fn run(csv: &PathBuf, table: &str) -> (i32, String) {
    let out = common::legacy_import()
        .arg(csv)
        .args(["--table", table])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        !stderr.contains('\u{1b}'),
        "no progress bar drawn when stderr is not a terminal: {stderr:?}"
    );
    (out.status.code().unwrap_or(-1), stdout)
}

/// A format-valid bcrypt string per row (the importer checks formats; the trigger
/// verifies): 22 characters of salt and 31 of hash in bcrypt's base64, whose last
/// characters leave the bits past the 16 and 23 bytes they encode at zero.
fn fake_bcrypt(i: usize) -> String {
    let alphabet = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let body: String = (0..53)
        .map(|k| {
            let index = (i * 31 + k * 7) % 64;
            let unused_bits = match k {
                21 => 0b1111,
                52 => 0b11,
                _ => 0,
            };
            alphabet[index & !unused_bits] as char
        })
        .collect();
    format!("$2b$10${body}")
}

#[tokio::test]
async fn ten_thousand_rows_import_and_a_second_run_changes_nothing() {
    let client = client().await;
    let table = legacy_table(&client).await;
    let mut csv =
        String::from("username,email,password_hash,phone_number,status,first_name,plan\n");
    for i in 0..10_000 {
        let phone = if i % 3 == 0 {
            format!("+4477009{i:05}")
        } else {
            String::new()
        };
        let status = if i % 50 == 0 { "disabled" } else { "active" };
        csv.push_str(&format!(
            "User{i}@Example.com,user{i}@example.com,{},{phone},{status},Name{i},free\n",
            fake_bcrypt(i)
        ));
    }
    let path = write_csv("ten-thousand", &csv);

    let started = Instant::now();
    let (code, out) = run(&path, &table);
    eprintln!("first import of 10,000 rows: {:?}", started.elapsed());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("10000 rows, 10000 valid, 0 rejected"), "{out}");
    assert!(out.contains("imported:        10000"), "{out}");
    assert_eq!(count(&client, &table).await, 10_000);

    // One user migrates between the two runs; the second run must not undo it.
    client
        .update_item()
        .table_name(&table)
        .key("username", AttributeValue::S("user42@example.com".into()))
        .update_expression("SET migrated_at = :t")
        .expression_attribute_values(":t", AttributeValue::S("2026-11-22T09:00:00Z".into()))
        .send()
        .await
        .unwrap();

    let started = Instant::now();
    let (code, out) = run(&path, &table);
    eprintln!("second import of the same file: {:?}", started.elapsed());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("imported:        0"), "{out}");
    assert!(out.contains("already present: 10000"), "{out}");
    assert_eq!(count(&client, &table).await, 10_000);
    let row = row(&client, &table, "user42@example.com").await;
    assert_eq!(
        row["migrated_at"],
        AttributeValue::S("2026-11-22T09:00:00Z".into())
    );
    assert_eq!(
        row["attributes"].as_m().unwrap()["first_name"],
        AttributeValue::S("Name42".into())
    );
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn bad_rows_are_listed_by_line_and_good_rows_imported() {
    let client = client().await;
    let table = legacy_table(&client).await;
    let good = fake_bcrypt(1);
    let csv = format!(
        "username,email,password_hash,phone_number\n\
         alice@example.com,alice@example.com,{good},\n\
         bob@example.com,bob-at-example.com,{good},\n\
         carol@example.com,carol@example.com,md5:5f4dcc3b5aa765d61d8327deb882cf99,\n\
         dave@example.com,dave@example.com,{good},555-0100\n\
         erin@example.com,erin@example.com,{good},+14155550123\n"
    );
    let path = write_csv("bad-rows", &csv);
    let (code, out) = run(&path, &table);
    assert_eq!(code, 2, "rejected rows make the exit status 2: {out}");
    assert!(out.contains("5 rows, 2 valid, 3 rejected"), "{out}");
    assert!(out.contains("imported:        2"), "{out}");
    assert!(out.contains("line 3: email: not an email address"), "{out}");
    assert!(
        out.contains("line 4: password_hash: password hash scheme not supported"),
        "{out}"
    );
    assert!(out.contains("line 5: phone_number"), "{out}");
    assert!(!out.contains("5f4dcc3b"), "hashes are not echoed: {out}");
    assert_eq!(count(&client, &table).await, 2);
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn a_repeated_username_is_rejected_once_its_first_row_is_in_the_table() {
    let client = client().await;
    let table = legacy_table(&client).await;
    let mut csv = String::from("username,email,password_hash\n");
    for i in 0..150 {
        csv.push_str(&format!(
            "user{i}@example.com,user{i}@example.com,{}\n",
            fake_bcrypt(i)
        ));
    }
    // Line 152 repeats line 2, which an earlier chunk of 100 rows imported.
    csv.push_str(&format!(
        "User0@Example.com,other@example.com,{}\n",
        fake_bcrypt(7)
    ));
    let path = write_csv("repeats", &csv);
    let (code, out) = run(&path, &table);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("151 rows, 150 valid, 1 rejected"), "{out}");
    assert!(out.contains("line 152: username repeats line 2"), "{out}");
    assert!(out.contains("imported:        150"), "{out}");
    let row = row(&client, &table, "user0@example.com").await;
    assert_eq!(
        row["email"],
        AttributeValue::S("user0@example.com".into()),
        "the first row stays"
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn an_unreadable_file_is_a_clear_failure() {
    let out = Command::new(env!("CARGO_BIN_EXE_legacy-import"))
        .args(["/no/such/file.csv", "--table", "t"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open /no/such/file.csv"));
}

#[tokio::test]
async fn the_hashes_most_users_have_are_recorded_for_user_migrations_dummy() {
    use user_migration::adapters::DynamoStore;
    use user_migration::ports::LegacyUserStore;
    let client = client().await;
    let table = legacy_table(&client).await;
    // passlib's form: the PHC one holds a comma, which would need CSV quoting.
    let pbkdf2 =
        "$pbkdf2-sha256$600000$IWQMAcA4R2hN6d17D0HonQ$lxrY5L5HgrpAEriKPDQcz.lhz9gqNGslyjAzZTgiW7Q";
    let mut csv = String::from("username,email,password_hash\n");
    for i in 0..5 {
        csv.push_str(&format!("p{i}@example.com,p{i}@example.com,{pbkdf2}\n"));
    }
    for i in 0..2 {
        csv.push_str(&format!(
            "b{i}@example.com,b{i}@example.com,{}\n",
            fake_bcrypt(i)
        ));
    }
    let path = write_csv("profiles", &csv);
    let (code, out) = run(&path, &table);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("hash profile:    Pbkdf2Sha256 i=600000,l=32 (5 of 7 valid rows)"),
        "{out}"
    );
    let recorded = DynamoStore::new(client.clone(), &table)
        .hash_profile()
        .await
        .unwrap();
    assert_eq!(recorded.as_deref(), Some("Pbkdf2Sha256 i=600000,l=32"));
    // user-migration's default dummy (bcrypt cost 10) would answer unknown users
    // faster than these users' wrong passwords: it refuses to start.
    let config = user_migration::Config::from_vars(&trigger_core::Vars::from_pairs([(
        "LEGACY_USERS_TABLE_NAME",
        table.as_str(),
    )]))
    .unwrap();
    assert_eq!(
        config
            .check_dummy_against(recorded.as_deref())
            .unwrap_err()
            .var,
        "DUMMY_HASH"
    );
    let _ = std::fs::remove_file(path);
}
