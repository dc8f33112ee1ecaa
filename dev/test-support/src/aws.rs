//! Tests against moto (DynamoDB, SES, SNS, KMS on one loopback port), and servers
//! that refuse or never answer, for the time-budget tests.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The moto server the tests talk to: `MOTO_ENDPOINT` when set (`make test` starts one
/// for the whole run), else one this test binary starts from the project's venv, on
/// a free loopback port, the first time a test asks. That server stops itself when
/// the test binary ends (`scripts/moto_server.py --exit-with <pid>`). Without the
/// venv, a test fails with the command that makes it, instead of skipping.
pub fn moto_endpoint() -> String {
    match std::env::var("MOTO_ENDPOINT") {
        Ok(endpoint) if !endpoint.trim().is_empty() => endpoint,
        _ => own_moto().clone(),
    }
}

/// The endpoint, and the server's process, kept for the test binary's life.
struct OwnMoto {
    endpoint: String,
    _process: std::process::Child,
}

fn own_moto() -> &'static String {
    static MOTO: OnceLock<OwnMoto> = OnceLock::new();
    &MOTO.get_or_init(start_moto).endpoint
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

fn start_moto() -> OwnMoto {
    let root = workspace_root();
    let python = root.join(".venv/bin/python");
    if !python.exists() {
        panic!(
            "this test needs a moto server: MOTO_ENDPOINT is not set and the project's venv \
             is missing ({}). Run `make setup` once (or `make test`), then `cargo test` again",
            python.display()
        );
    }
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let log = std::env::temp_dir().join(format!("moto-{}-{port}.log", std::process::id()));
    let out = std::fs::File::create(&log).expect("a log file for moto");
    let err = out.try_clone().expect("a log file for moto");
    let mut child = std::process::Command::new(&python)
        .arg(root.join("scripts/moto_server.py"))
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--exit-with", &std::process::id().to_string()])
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {}: {e}", python.display()));
    let until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < until {
        if ureq::get(&format!("{endpoint}/moto-api/")).call().is_ok() {
            eprintln!(
                "moto on {endpoint} (pid {}), log {}",
                child.id(),
                log.display()
            );
            return OwnMoto {
                endpoint,
                _process: child,
            };
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "moto exited ({status}) before answering; see {}",
                log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("moto did not answer within 60 s; see {}", log.display());
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

/// A loopback port where nothing listens: connections are refused.
pub fn refused_endpoint() -> String {
    format!("http://127.0.0.1:{}", free_port())
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
pub async fn sdk_config_for(endpoint: &str, budget: std::time::Duration) -> aws_config::SdkConfig {
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .endpoint_url(endpoint);
    trigger_core::aws::within_budget(loader, budget)
        .load()
        .await
}

/// Creates an on-demand table whose keys are strings: `keys` is the partition key
/// and, optionally, the sort key.
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

/// A command-line tool of the workspace (`env!("CARGO_BIN_EXE_...")`) talking to the
/// moto server (`--endpoint-url`) with test credentials, as an operator runs it.
pub fn moto_command(binary: &str) -> std::process::Command {
    let mut command = std::process::Command::new(binary);
    command
        .args(["--endpoint-url", &moto_endpoint()])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    command
}

/// Sends a `CreateUserPool` request to moto; the new pool's id.
pub async fn pool_id(
    request: aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolFluentBuilder,
) -> String {
    request
        .send()
        .await
        .expect("create a pool in moto")
        .user_pool
        .and_then(|p| p.id)
        .expect("a pool id")
}

/// A new user pool in moto with `groups` and `users` (name, then attributes), for
/// the tests of the calls triggers make on their pool. Returns the pool id.
pub async fn create_pool(
    client: &aws_sdk_cognitoidentityprovider::Client,
    groups: &[&str],
    users: &[(&str, &[(&str, &str)])],
) -> String {
    use aws_sdk_cognitoidentityprovider::types::AttributeType;
    let pool = pool_id(client.create_user_pool().pool_name(unique_name("pool"))).await;
    for group in groups {
        client
            .create_group()
            .user_pool_id(&pool)
            .group_name(*group)
            .send()
            .await
            .expect("create a group in moto");
    }
    for (username, attributes) in users {
        let attributes = attributes
            .iter()
            .map(|(name, value)| AttributeType::builder().name(*name).value(*value).build())
            .collect::<Result<Vec<_>, _>>()
            .expect("attributes");
        client
            .admin_create_user()
            .user_pool_id(&pool)
            .username(*username)
            .set_user_attributes(Some(attributes))
            .send()
            .await
            .expect("create a user in moto");
    }
    pool
}

/// The emails moto's SES recorded as sent to `to` alone (from `scripts/moto_server.py`'s
/// `/_local/sent.json`, which `make test` serves).
pub fn sent_mail(endpoint: &str, to: &str) -> Vec<SentMail> {
    sent(endpoint)["ses"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| SentMail {
            from: m["source"].as_str().unwrap_or_default().to_owned(),
            to: m["to"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect(),
            subject: m["subject"].as_str().unwrap_or_default().to_owned(),
            body: m["body"].as_str().unwrap_or_default().to_owned(),
        })
        .filter(|m| m.to == [to])
        .collect()
}

/// The text messages moto's SNS recorded as published: (phone number, message).
pub fn sent_sms(endpoint: &str) -> Vec<(String, String)> {
    sent(endpoint)["sms"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let text = |k: &str| m[k].as_str().unwrap_or_default().to_owned();
            (text("phone_number"), text("message"))
        })
        .collect()
}

fn sent(endpoint: &str) -> serde_json::Value {
    ureq::get(&format!("{endpoint}/_local/sent.json"))
        .call()
        .expect("the moto server of scripts/moto_server.py answers /_local/sent.json")
        .body_mut()
        .read_json()
        .expect("sent messages as JSON")
}

/// One email as moto's SES recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMail {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    /// The HTML part when there is one.
    pub body: String,
}
