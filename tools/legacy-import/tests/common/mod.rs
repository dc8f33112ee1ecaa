//! What the test files of this package share.

use std::process::Command;

use test_support::aws::moto_command;

/// The `legacy-import` binary, talking to the moto server with test credentials (and
/// no table from the environment).
pub fn legacy_import() -> Command {
    let mut command = moto_command(env!("CARGO_BIN_EXE_legacy-import"));
    command.env_remove("LEGACY_USERS_TABLE_NAME");
    command
}
