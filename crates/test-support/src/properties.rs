#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

//! Test helpers shared by the trigger packages (enabled by the `testing` feature,
//! used only as a dev-dependency): the sample events under `events/`, arbitrary JSON
//! and mutations of a sample event.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{Map, Value};

/// The workspace's `events/<function>/` folder.
pub fn events_dir(function: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(function)
}

/// Every sample event of a function, by file name, sorted.
pub fn sample_events(function: &str) -> Vec<(String, Value)> {
    let dir = events_dir(function);
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&p).expect("readable sample event");
            let value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{name} is not valid JSON: {e}"));
            (name, value)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty(), "no sample events in {}", dir.display());
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

/// A sample event of `function` with one node replaced by `replacement` (or removed
/// when it is `None`); `pick` chooses the event and `node` the place.
pub fn mutated_sample(
    function: &str,
    pick: prop::sample::Index,
    node: prop::sample::Index,
    replacement: Option<Value>,
) -> Value {
    let samples = sample_events(function);
    let (_, event) = &samples[pick.index(samples.len())];
    let all = paths(event);
    mutate(event, &all[node.index(all.len())], replacement)
}

/// Any JSON value, biased towards the shapes Cognito events have.
pub fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".*".prop_map(Value::String),
        Just(Value::String("{####}".into())),
        Just(Value::String("PreSignUp_SignUp".into())),
        Just(Value::String("CustomMessage_SignUp".into())),
        Just(Value::String("a@example.com".into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z:_]{0,16}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Every path (as JSON-pointer segments) to a node of `value`, the root included.
pub fn paths(value: &Value) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                for mut p in paths(v) {
                    p.insert(0, k.clone());
                    out.push(p);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                for mut p in paths(v) {
                    p.insert(0, i.to_string());
                    out.push(p);
                }
            }
        }
        _ => {}
    }
    out
}

/// A copy of `value` where the node at `path` is replaced (or, when `replacement` is
/// `None`, removed).
pub fn mutate(value: &Value, path: &[String], replacement: Option<Value>) -> Value {
    let mut out = value.clone();
    let Some((last, parents)) = path.split_last() else {
        return replacement.unwrap_or(Value::Null);
    };
    let mut node = &mut out;
    for segment in parents {
        node = match node {
            Value::Object(map) => map.get_mut(segment).expect("path exists"),
            Value::Array(items) => &mut items[segment.parse::<usize>().expect("index")],
            _ => unreachable!("paths() only descends into containers"),
        };
    }
    match (node, replacement) {
        (Value::Object(map), Some(v)) => {
            map.insert(last.clone(), v);
        }
        (Value::Object(map), None) => {
            map.remove(last);
        }
        (Value::Array(items), Some(v)) => items[last.parse::<usize>().expect("index")] = v,
        (Value::Array(items), None) => {
            items.remove(last.parse::<usize>().expect("index"));
        }
        _ => unreachable!("paths() only descends into containers"),
    }
    out
}

/// The moto server `make test` starts (DynamoDB and SES on one loopback port).
/// Without it, a test fails with this message instead of skipping.
pub fn moto_endpoint() -> String {
    match std::env::var("MOTO_ENDPOINT") {
        Ok(endpoint) if !endpoint.trim().is_empty() => endpoint,
        _ => panic!(
            "MOTO_ENDPOINT is not set: this test needs a moto server. Run `make test`, or \
             `.venv/bin/python scripts/with_moto.py cargo test --workspace`, or start \
             `.venv/bin/moto_server -H 127.0.0.1 -p 5000` and export MOTO_ENDPOINT=http://127.0.0.1:5000"
        ),
    }
}

/// A loopback port where nothing listens: connections are refused.
pub fn refused_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// A loopback listener that accepts connections and never answers, for as long as
/// the returned guard lives.
pub fn hanging_endpoint() -> (String, HangingServer) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("local address").port();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    let thread = std::thread::spawn(move || {
        let mut held = Vec::new();
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            match listener.accept() {
                Ok((socket, _)) => held.push(socket),
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
            }
        }
    });
    (
        format!("http://127.0.0.1:{port}"),
        HangingServer {
            stop,
            thread: Some(thread),
        },
    )
}

/// Stops the hanging listener when dropped.
#[derive(Debug)]
pub struct HangingServer {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for HangingServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A name no other test run uses, for tables and the like.
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// SDK settings for tests: `endpoint` (moto, or a refused or hanging listener),
/// dummy credentials, one region, and the time budget of `aws::within_budget`.
#[cfg(feature = "aws")]
pub async fn sdk_config_for(endpoint: &str, budget: std::time::Duration) -> aws_config::SdkConfig {
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .endpoint_url(endpoint);
    crate::aws::within_budget(loader, budget).load().await
}

/// Runs a future to completion on a fresh single-thread runtime (for property tests,
/// which are not async).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// Creates an on-demand table whose keys are strings: `keys` is the partition key
/// and, optionally, the sort key.
#[cfg(feature = "dynamodb-testing")]
pub async fn create_table(client: &aws_sdk_dynamodb::Client, name: &str, keys: &[&str]) {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest);
    for (i, key) in keys.iter().enumerate() {
        let kind = if i == 0 {
            KeyType::Hash
        } else {
            KeyType::Range
        };
        request = request
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(*key)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .expect("attribute definition"),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(*key)
                    .key_type(kind)
                    .build()
                    .expect("key schema"),
            );
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("cannot create table {name}: {e:?}"));
}

/// The two no-panic properties every trigger has: `run` on `cases` arbitrary JSON
/// values, and on `cases` sample events of `function` with one node replaced or
/// removed, where `check` judges the answer to the mutated event. A panic in `run`
/// fails the property like a failed check, with the shrunk input.
pub fn check_no_panic<R>(
    function: &str,
    cases: u32,
    run: impl Fn(Value) -> R,
    check: impl Fn(&Value, R) -> Result<(), proptest::test_runner::TestCaseError>,
) {
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config::with_cases(cases));
    if let Err(e) = runner.run(&arb_json(), |value| {
        let _ = run(value);
        Ok(())
    }) {
        panic!("{function}, arbitrary JSON: {e}");
    }
    let mutations = (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        prop::option::of(arb_json()),
    );
    let mut runner = TestRunner::new(Config::with_cases(cases));
    if let Err(e) = runner.run(&mutations, |(pick, node, replacement)| {
        let event = mutated_sample(function, pick, node, replacement);
        let answer = run(event.clone());
        check(&event, answer)
    }) {
        panic!("{function}, mutated sample events: {e}");
    }
}
