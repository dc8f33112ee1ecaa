//! What the test files of this package share: the binaries against the moto server,
//! and its clients.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{AttributeDataType, SchemaAttributeType};
use test_support::aws::{moto_command, moto_endpoint, sdk_config_for, unique_name};

/// One of this package's binaries against moto, with no pool from the environment.
pub fn command(binary: &str) -> Command {
    let mut command = moto_command(binary);
    command.env_remove("USER_POOL_ID");
    command
}

/// The template's `custom:role` attribute.
pub fn role_attribute() -> SchemaAttributeType {
    SchemaAttributeType::builder()
        .name("role")
        .attribute_data_type(AttributeDataType::String)
        .mutable(true)
        .build()
}

pub fn run(mut command: Command) -> (i32, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    (status.code().unwrap_or(-1), text)
}

pub async fn sdk() -> aws_config::SdkConfig {
    sdk_config_for(&moto_endpoint(), Duration::from_secs(30)).await
}

pub async fn idp() -> aws_sdk_cognitoidentityprovider::Client {
    aws_sdk_cognitoidentityprovider::Client::new(&sdk().await)
}

/// A file holding `text`, beside the test's target files.
pub fn file(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(unique_name(name));
    std::fs::write(&path, text).unwrap();
    path
}

/// Stack outputs naming a function per trigger (ARNs of a stack `stack`).
pub fn outputs(stack: &str, keys: &[&str]) -> String {
    let items: Vec<String> = keys
        .iter()
        .map(|k| {
            let value = if *k == "CodeKeyArn" {
                format!("arn:aws:kms:us-east-1:123456789012:key/{stack}-code-key")
            } else {
                format!(
                    "arn:aws:lambda:us-east-1:123456789012:function:{stack}-{}",
                    k.trim_end_matches("FunctionArn")
                )
            };
            format!(r#"{{"OutputKey":"{k}","OutputValue":"{value}"}}"#)
        })
        .collect();
    format!("[{}]", items.join(","))
}
