#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The DynamoDB recorder and the SES mailer against a real server speaking both
//! protocols (moto, started by `make test`), and the whole handler against a
//! refused and a hanging endpoint.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use post_authentication::mailer::SesMailer;
use post_authentication::recorder::{client_sk, day_pk, user_pk, DynamoRecorder, Recorded};
use post_authentication::{handle, Config};
use serde_json::Value;
use trigger_core::testing::{
    create_table, hanging_endpoint, moto_endpoint, refused_endpoint, sample_event, sdk_config_for,
    unique_name,
};
use trigger_core::Vars;

const FROM: &str = "security@acme.example";
const MARIA: &str = "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1";

fn config(table: &str, budget_ms: &str) -> Config {
    Config::from_vars(&Vars::from_pairs([
        ("ANALYTICS_TABLE_NAME", table),
        ("ALERT_FROM_ADDRESS", FROM),
        ("APP_NAME", "Acme <Notes>"),
        ("ANALYTICS_BUDGET_MS", budget_ms),
    ]))
    .unwrap()
}

struct Moto {
    endpoint: String,
    dynamodb: aws_sdk_dynamodb::Client,
    recorder: DynamoRecorder,
    mailer: SesMailer,
    table: String,
}

async fn moto() -> Moto {
    moto_with_budget(Duration::from_secs(4)).await
}

async fn moto_with_budget(budget: Duration) -> Moto {
    let endpoint = moto_endpoint();
    let sdk = sdk_config_for(&endpoint, budget).await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let table = unique_name("analytics");
    create_table(&dynamodb, &table, &["pk", "sk"]).await;
    let ses = aws_sdk_ses::Client::new(&sdk);
    ses.verify_email_identity()
        .email_address(FROM)
        .send()
        .await
        .expect("verify the sender in moto");
    Moto {
        recorder: DynamoRecorder::new(dynamodb.clone(), &table, 90),
        mailer: SesMailer::new(ses, FROM),
        dynamodb,
        table,
        endpoint,
    }
}

fn event_for(sub: &str, new_device: bool) -> Value {
    let mut e = sample_event(
        "post-authentication",
        "PostAuthentication_Authentication.json",
    );
    e["request"]["userAttributes"]["sub"] = sub.into();
    e["request"]["newDeviceUsed"] = new_device.into();
    e
}

#[tokio::test]
async fn two_hundred_sequential_then_two_hundred_concurrent_sign_ins_count_exactly() {
    // The point here is exact counting under concurrency, not latency: moto answers
    // one transaction at a time, so the budget is lifted far above Cognito's (the
    // budget itself is tested below and in events.rs).
    let m = moto_with_budget(Duration::from_secs(60)).await;
    let mut config = config(&m.table, "4000");
    config.budget = Duration::from_secs(60);
    let sub = unique_name("user");
    let event = event_for(&sub, false);
    let started = Instant::now();
    for i in 0..200 {
        let (result, report) = handle(
            &config,
            &m.recorder,
            &m.mailer,
            event.clone(),
            &format!("seq-{i}"),
            SystemTime::now(),
        )
        .await;
        assert!(result.is_ok());
        assert_eq!(
            report.unwrap().recorded,
            Some(Recorded::Counted),
            "sequential {i}"
        );
    }
    eprintln!(
        "200 sequential sign-ins against moto: {:?}",
        started.elapsed()
    );
    assert_eq!(
        m.recorder
            .summary(&sub)
            .await
            .unwrap()
            .unwrap()
            .sign_in_count,
        200
    );
    let started = Instant::now();

    let shared = Arc::new((config, m.recorder.clone(), m.mailer.clone(), event));
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let shared = shared.clone();
            tokio::spawn(async move {
                let (config, recorder, mailer, event) = &*shared;
                handle(
                    config,
                    recorder,
                    mailer,
                    event.clone(),
                    &format!("par-{i}"),
                    SystemTime::now(),
                )
                .await
                .1
                .unwrap()
            })
        })
        .collect();
    let mut failures = 0;
    for t in tasks {
        failures += t.await.unwrap().failures.len();
    }
    eprintln!(
        "200 concurrent sign-ins against moto: {:?}",
        started.elapsed()
    );
    assert_eq!(failures, 0, "every concurrent sign-in was recorded");
    let summary = m.recorder.summary(&sub).await.unwrap().unwrap();
    assert_eq!(
        summary.sign_in_count, 400,
        "200 sequential + 200 concurrent"
    );
}

#[tokio::test]
async fn a_replayed_request_id_does_not_double_count_and_the_ttl_is_set() {
    let m = moto().await;
    let config = config(&m.table, "2000");
    let sub = unique_name("user");
    let now = SystemTime::now();
    for attempt in 0..3 {
        let (_, report) = handle(
            &config,
            &m.recorder,
            &m.mailer,
            event_for(&sub, true),
            "replayed-request",
            now,
        )
        .await;
        let want = if attempt == 0 {
            Recorded::Counted
        } else {
            Recorded::AlreadyCounted
        };
        assert_eq!(report.unwrap().recorded, Some(want));
    }
    let summary = m.recorder.summary(&sub).await.unwrap().unwrap();
    assert_eq!((summary.sign_in_count, summary.new_device_count), (1, 1));
    assert_eq!(summary.last_client_id, "4n7mc0rcbsjvh1ou3e5q8nt2lf");

    let record = m
        .dynamodb
        .get_item()
        .table_name(&m.table)
        .key("pk", AttributeValue::S(user_pk(&sub)))
        .key("sk", AttributeValue::S("SIGNIN#replayed-request".into()))
        .send()
        .await
        .unwrap()
        .item
        .expect("the sign-in record");
    let expires: u64 = record["expires_at"].as_n().unwrap().parse().unwrap();
    let now_secs = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
    assert_eq!(
        expires,
        now_secs + 90 * 86_400,
        "TTL 90 days after the sign-in"
    );
    assert_eq!(record["new_device"], AttributeValue::Bool(true));

    let day: String = trigger_core::aws::rfc3339(now).chars().take(10).collect();
    let counter = m
        .dynamodb
        .get_item()
        .table_name(&m.table)
        .key("pk", AttributeValue::S(day_pk(&day)))
        .key(
            "sk",
            AttributeValue::S(client_sk("4n7mc0rcbsjvh1ou3e5q8nt2lf")),
        )
        .send()
        .await
        .unwrap()
        .item
        .expect("the day counter");
    assert!(counter["sign_ins"].as_n().unwrap().parse::<u64>().unwrap() >= 1);
}

#[tokio::test]
async fn the_alert_email_reaches_the_ses_server_escaped() {
    let m = moto().await;
    let config = config(&m.table, "2000");
    let mut event = sample_event(
        "post-authentication",
        "PostAuthentication_Authentication-new-device.json",
    );
    event["request"]["userAttributes"]["given_name"] = "<script>alert('x')</script>".into();
    let to = format!("{}@example.de", unique_name("lukas"));
    event["request"]["userAttributes"]["email"] = to.clone().into();
    let (result, report) = handle(
        &config,
        &m.recorder,
        &m.mailer,
        event,
        "alert-1",
        SystemTime::now(),
    )
    .await;
    assert!(result.is_ok());
    assert!(report.unwrap().alert_sent);

    let data: Value = http_get_json(&format!("{}/moto-api/data.json", m.endpoint)).await;
    let messages = data["ses"]["Message"]
        .as_array()
        .expect("moto's sent messages");
    let mine: Vec<&Value> = messages
        .iter()
        .filter(|m| m["destinations"]["ToAddresses"][0] == to.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "one alert to {to}");
    assert_eq!(mine[0]["source"], FROM);
    let body = mine[0]["body"].as_str().unwrap();
    assert!(body.contains("&lt;script&gt;"), "the name is escaped");
    assert!(!body.contains("<script>"));
    assert!(
        body.contains("Acme &lt;Notes&gt;"),
        "the app name is escaped too"
    );
    assert!(mine[0]["subject"]
        .as_str()
        .unwrap()
        .contains("Neue Anmeldung"));
}

/// GET a JSON document over plain HTTP/1.1 (moto's own API), without another client crate.
async fn http_get_json(url: &str) -> Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    serde_json::from_str(&body).unwrap()
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

async fn survives(endpoint: &str) -> Duration {
    let config = config("analytics", "400");
    let sdk = sdk_config_for(endpoint, config.budget).await;
    let recorder = DynamoRecorder::new(aws_sdk_dynamodb::Client::new(&sdk), "analytics", 90);
    let mailer = SesMailer::new(aws_sdk_ses::Client::new(&sdk), FROM);
    let event = sample_event(
        "post-authentication",
        "PostAuthentication_Authentication-new-device.json",
    );
    let started = Instant::now();
    let (result, report) = handle(
        &config,
        &recorder,
        &mailer,
        event.clone(),
        "down-1",
        SystemTime::now(),
    )
    .await;
    let took = started.elapsed();
    assert_eq!(result.unwrap(), event, "the sign-in goes through");
    let report = report.unwrap();
    assert!(report.failures.contains(&"record"), "{:?}", report.failures);
    assert!(
        took < config.budget + Duration::from_millis(300),
        "took {took:?}"
    );
    eprintln!(
        "{endpoint}: answered in {took:?} (budget {:?}), failures {:?}",
        config.budget, report.failures
    );
    took
}

#[tokio::test]
async fn server_down_still_lets_the_user_in_within_the_budget() {
    survives(&refused_endpoint()).await;
}

#[tokio::test]
async fn server_hanging_still_lets_the_user_in_within_the_budget() {
    let (endpoint, _server) = hanging_endpoint();
    survives(&endpoint).await;
}

#[tokio::test]
async fn a_missing_table_is_a_counted_failure_not_an_error() {
    let m = moto().await;
    let config = config(&m.table, "2000");
    let recorder = DynamoRecorder::new(m.dynamodb.clone(), unique_name("no-such-table"), 90);
    let event = event_for(MARIA, false);
    let (result, report) = handle(
        &config,
        &recorder,
        &m.mailer,
        event.clone(),
        "r-1",
        SystemTime::now(),
    )
    .await;
    assert_eq!(result.unwrap(), event);
    assert_eq!(report.unwrap().failures, vec!["record"]);
}
