//! Sample events: the workspace's `events/` and the Cognito fixtures that ship with
//! `aws_lambda_events`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

/// The workspace's `events/<function>/` folder.
pub fn events_dir(function: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(function)
}

/// Every sample event of a function, by file name, sorted.
pub fn sample_events(function: &str) -> Vec<(String, Value)> {
    let out = json_files(&events_dir(function), |_| true);
    assert!(!out.is_empty(), "no sample events for {function}");
    out
}

/// One sample event by file name.
pub fn sample_event(function: &str, file: &str) -> Value {
    sample_events(function)
        .into_iter()
        .find(|(name, _)| name == file)
        .unwrap_or_else(|| panic!("no sample event {file} for {function}"))
        .1
}

/// The Cognito user-pool fixtures of the `aws_lambda_events` crate this workspace
/// builds with (`src/fixtures/example-cognito-event-userpools-<kind>*.json`), e.g.
/// `upstream_fixtures("presignup")`.
pub fn upstream_fixtures(kind: &str) -> Vec<(String, Value)> {
    let prefix = format!("example-cognito-event-userpools-{kind}");
    let out = json_files(&upstream_fixture_dir(), |name| name.starts_with(&prefix));
    assert!(
        !out.is_empty(),
        "aws_lambda_events has no fixture {prefix}*"
    );
    out
}

/// `src/fixtures` of the `aws_lambda_events` version in `Cargo.lock`, in cargo's
/// registry sources (`$CARGO_HOME/registry/src/*/aws_lambda_events-<version>`), which
/// are on disk once the workspace builds.
fn upstream_fixture_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let lock = std::fs::read_to_string(root.join("Cargo.lock")).expect("Cargo.lock");
        let version = lock
            .split("[[package]]")
            .find(|p| p.contains("name = \"aws_lambda_events\""))
            .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
            .and_then(|v| v.strip_suffix('"'))
            .expect("aws_lambda_events in Cargo.lock");
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
            .expect("CARGO_HOME or HOME");
        let registries = cargo_home.join("registry/src");
        std::fs::read_dir(&registries)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", registries.display()))
            .filter_map(|entry| entry.ok())
            .map(|entry| {
                entry
                    .path()
                    .join(format!("aws_lambda_events-{version}/src/fixtures"))
            })
            .find(|dir| dir.is_dir())
            .unwrap_or_else(|| {
                panic!(
                    "no aws_lambda_events-{version} sources under {}",
                    registries.display()
                )
            })
    })
    .clone()
}

fn json_files(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            keep(&name).then_some((name, p))
        })
        .map(|(name, p)| {
            let text = std::fs::read_to_string(&p).expect("readable JSON file");
            let value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{name} is not valid JSON: {e}"));
            (name, value)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The fields of `sent` (outside `response`) that `back` lost or changed: a handler
/// returns the whole event. A field sent as `null` may come back absent or as an
/// empty collection (absent, `null` and empty mean the same to Cognito).
pub fn lost_fields(sent: &Value, back: &Value) -> Vec<String> {
    let mut lost = Vec::new();
    if let Value::Object(fields) = sent {
        for (key, value) in fields.iter().filter(|(k, _)| *k != "response") {
            compare(key, value, back.get(key), &mut lost);
        }
    }
    lost
}

fn compare(path: &str, sent: &Value, back: Option<&Value>, lost: &mut Vec<String>) {
    match (sent, back) {
        (Value::Null, None) => {}
        (Value::Null, Some(b)) if is_empty(b) => {}
        (Value::Object(fields), Some(Value::Object(_))) => {
            for (key, value) in fields {
                compare(
                    &format!("{path}.{key}"),
                    value,
                    back.and_then(|b| b.get(key)),
                    lost,
                );
            }
        }
        (sent, Some(back)) if sent == back => {}
        (sent, back) => lost.push(format!("{path}: sent {sent}, got back {back:?}")),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.values().all(is_empty),
        _ => false,
    }
}
