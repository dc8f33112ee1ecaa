//! What the test files of this package share.

use std::process::Command;

use test_support::aws::moto_endpoint;

/// The `legacy-import` binary, talking to the moto server with test credentials (and
/// no table from the environment).
pub fn legacy_import() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_legacy-import"));
    command
        .args(["--endpoint-url", &moto_endpoint()])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("LEGACY_USERS_TABLE_NAME");
    command
}
