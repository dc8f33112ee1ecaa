#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `legacy-import --to cognito-csv` from a saved header (offline): the import file a
//! job accepts, rejected rows told by line and column, the exit statuses.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The header GetCSVHeader returns for a pool with the standard attributes and one
/// custom attribute.
const HEADER: &str = "name,given_name,family_name,middle_name,nickname,preferred_username,profile,\
picture,website,email,email_verified,gender,birthdate,zoneinfo,locale,phone_number,\
phone_number_verified,address,updated_at,custom:plan,cognito:mfa_enabled,cognito:username";

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cognito-csv-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(dir: &Path, legacy: &str, extra: &[&str]) -> (i32, String, String) {
    std::fs::write(dir.join("users.csv"), legacy).unwrap();
    std::fs::write(dir.join("header.csv"), format!("{HEADER}\n")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_legacy-import"))
        .arg(dir.join("users.csv"))
        .args(["--to", "cognito-csv"])
        .arg(dir.join("import.csv"))
        .arg("--csv-header")
        .arg(dir.join("header.csv"))
        .args(extra)
        .env("ATTRIBUTE_MAP", "first_name=given_name,plan=custom:plan")
        .env_remove("LEGACY_USERS_TABLE_NAME")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_legacy_file_becomes_an_import_file_with_bad_rows_named() {
    let dir = folder("mixed");
    let legacy = "username,email,password_hash,phone_number,status,first_name,plan,birthdate\n\
        olivia.martin@example.com,olivia.martin@example.com,$2b$10$x,+33612345678,active,Olivia,pro,04/01/1990\n\
        lukas,lukas.schmidt@example.de,$2b$10$y,,,Lukas,\"free, trial\",\n\
        bad.date@example.com,bad.date@example.com,$2b$10$z,,,Bad,free,1990-04-01\n\
        OLIVIA.MARTIN@example.com,olivia2@example.com,$2b$10$w,,,Liv,free,\n";
    let (code, stdout, stderr) = run(&dir, legacy, &["--assume-email-verified"]);
    assert_eq!(code, 2, "some rows rejected: {stdout}{stderr}");
    assert!(
        stdout.contains("rejected: line 4: birthdate: not a date as mm/dd/yyyy"),
        "{stdout}"
    );
    assert!(
        stdout.contains("rejected: line 5: cognito:username: repeats line 2"),
        "{stdout}"
    );
    assert!(stdout.contains("4 rows, 2 written, 2 rejected"), "{stdout}");
    assert!(
        stdout.contains("columns not imported: password_hash"),
        "{stdout}"
    );
    let written = std::fs::read(dir.join("import.csv")).unwrap();
    assert!(
        !written.starts_with(&[0xef, 0xbb, 0xbf]),
        "no byte-order mark"
    );
    let text = String::from_utf8(written).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], HEADER);
    assert_eq!(
        lines[1],
        ",Olivia,,,,,,,,olivia.martin@example.com,true,,04/01/1990,,,+33612345678,false,,,pro,false,olivia.martin@example.com"
    );
    assert_eq!(
        lines[2],
        ",Lukas,,,,,,,,lukas.schmidt@example.de,true,,,,,,false,,,free\\, trial,false,lukas"
    );
    assert_eq!(lines.len(), 3);
}

#[test]
fn every_row_written_exits_0_and_a_missing_verification_exits_1() {
    let dir = folder("clean");
    let legacy = "username,email,email_verified\njo@example.com,jo@example.com,true\n";
    let (code, stdout, _) = run(&dir, legacy, &[]);
    assert_eq!(code, 0, "{stdout}");
    let written = std::fs::read_to_string(dir.join("import.csv")).unwrap();
    let rows: Vec<&str> = written.lines().collect();
    assert_eq!(rows.len(), 2, "the header and the one user: {written}");
    assert_eq!(
        rows[1],
        ",,,,,,,,,jo@example.com,true,,,,,,false,,,,false,jo@example.com"
    );
    let dir = folder("unverified");
    let legacy = "username,email\njo@example.com,jo@example.com\n";
    let (code, _, stderr) = run(&dir, legacy, &[]);
    assert_eq!(code, 1, "nothing done");
    assert!(stderr.contains("--assume-email-verified"), "{stderr}");
    assert!(!dir.join("import.csv").exists(), "no file written");
}
