#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The DynamoDB recorder against a real server speaking the DynamoDB protocol (moto,
//! started by `make test`), and the whole handler against a refused and a hanging
//! endpoint.

mod common;
use common::{steps, steps_at};

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use mailer::SesMailer;
use post_authentication::adapters::dynamodb::{
    client_sk, day_counts, user_pk, DayCount, DynamoRecorder,
};
use post_authentication::ports::{LoginRecorder, RecordError, Recorded};
use post_authentication::signin::SignIn;
use post_authentication::{handler, Config, Recording, Step};
use serde_json::Value;
use test_support::aws::{
    create_table, hanging_endpoint, moto_endpoint, refused_endpoint, sdk_config_for, unique_name,
};
use test_support::{lost_fields, sample_event};
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
}

struct Moto {
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
        let report = steps(&config, &m.recorder, &m.mailer, &event, &format!("seq-{i}")).await;
        assert_eq!(report.recording, Recording::Counted, "sequential {i}");
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
                steps(config, recorder, mailer, event, &format!("par-{i}")).await
            })
        })
        .collect();
    let mut failures = 0;
    for t in tasks {
        failures += t.await.unwrap().failures().len();
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
        let report = steps_at(
            &config,
            &m.recorder,
            &m.mailer,
            &event_for(&sub, true),
            "replayed-request",
            now,
        )
        .await;
        let want = if attempt == 0 {
            Recording::Counted
        } else {
            Recording::AlreadyCounted
        };
        assert_eq!(report.recording, want);
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

    let day: String = trigger_core::time::rfc3339(now).chars().take(10).collect();
    // The reader's 33 queries may queue behind the other tests' hundreds of
    // transactions on the one moto: read with a patient client.
    let reader = aws_sdk_dynamodb::Client::new(
        &sdk_config_for(&moto_endpoint(), Duration::from_secs(30)).await,
    );
    let counts = day_counts(&reader, &m.table, &day).await.unwrap();
    assert_eq!(
        counts,
        vec![DayCount {
            client_id: "4n7mc0rcbsjvh1ou3e5q8nt2lf".into(),
            sign_ins: 1,
            new_device_sign_ins: 1,
            shards: 1
        }],
        "the replays were not counted in the day either"
    );
}

#[tokio::test]
async fn concurrent_sign_ins_spread_over_the_day_shards_and_sum_exactly() {
    let m = moto_with_budget(Duration::from_secs(60)).await;
    let recorder = m.recorder.clone().with_day_shards(8);
    let at = SystemTime::now();
    let day: String = trigger_core::time::rfc3339(at).chars().take(10).collect();
    // Counts an earlier version wrote under the unsharded key are summed too.
    m.dynamodb
        .put_item()
        .table_name(&m.table)
        .item("pk", AttributeValue::S(format!("DAY#{day}")))
        .item("sk", AttributeValue::S(client_sk("web")))
        .item("sign_ins", AttributeValue::N("5".into()))
        .item("new_device_sign_ins", AttributeValue::N("2".into()))
        .send()
        .await
        .unwrap();
    let sign_in = move |i: usize| SignIn {
        request_id: format!("req-{i}-{}", unique_name("r")),
        sub: format!("user-{i}"),
        user_pool_id: "eu-west-1_Xk4pQ9rTz".into(),
        client_id: if i % 4 == 0 { "mobile" } else { "web" }.into(),
        new_device: i % 3 == 0,
        trigger_source: "PostAuthentication_Authentication".into(),
        at,
    };
    let recorder = Arc::new(recorder);
    let tasks: Vec<_> = (0..240)
        .map(|i| {
            let recorder = recorder.clone();
            tokio::spawn(async move { recorder.record(&sign_in(i)).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), Ok(Recorded::Counted));
    }

    let counts = day_counts(&m.dynamodb, &m.table, &day).await.unwrap();
    let count = |client: &str| {
        counts
            .iter()
            .find(|c| c.client_id == client)
            .unwrap()
            .clone()
    };
    let (mobile, web) = (count("mobile"), count("web"));
    assert_eq!(counts.len(), 2, "{counts:?}");
    // 0, 4, 8, ... 236: 60 on mobile, 20 of them (multiples of 12) on a new device.
    assert_eq!((mobile.sign_ins, mobile.new_device_sign_ins), (60, 20));
    // 180 on web, 60 of them on a new device, plus the unsharded 5 and 2.
    assert_eq!((web.sign_ins, web.new_device_sign_ins), (185, 62));
    assert!(
        mobile.shards >= 4 && web.shards >= 5,
        "the writes spread over the shards: {counts:?}"
    );
    assert!(web.shards <= 9 && mobile.shards <= 8, "{counts:?}");
    eprintln!("240 concurrent sign-ins over 8 shards: {counts:?}");
}

async fn survives(endpoint: &str) -> (Duration, post_authentication::Report) {
    let config = config("analytics", "400");
    let sdk = sdk_config_for(endpoint, config.budget).await;
    let recorder = DynamoRecorder::new(aws_sdk_dynamodb::Client::new(&sdk), "analytics", 90);
    let mailer = SesMailer::new(aws_sdk_ses::Client::new(&sdk), FROM);
    let event = sample_event(
        "post-authentication",
        "PostAuthentication_Authentication-new-device.json",
    );
    let started = Instant::now();
    let out = test_support::answer(
        |e| handler(&config, Some(&recorder), Some(&mailer), e),
        event.clone(),
    )
    .await;
    let took = started.elapsed();
    assert!(
        lost_fields(&event, &out.unwrap()).is_empty(),
        "the sign-in goes through"
    );
    assert!(
        took < config.budget + Duration::from_millis(300),
        "took {took:?}"
    );
    let report = steps(&config, &recorder, &mailer, &event, "down-1").await;
    eprintln!(
        "{endpoint}: answered in {took:?} (budget {:?}); steps: {:?}, {:?}",
        config.budget, report.recording, report.alerting
    );
    (took, report)
}

#[tokio::test]
async fn server_down_still_lets_the_user_in_within_the_budget() {
    let (_, report) = survives(&refused_endpoint()).await;
    // Refused connections wrote nothing: a loss, counted.
    assert!(
        matches!(
            report.recording,
            Recording::Failed(RecordError::Unavailable(_))
        ),
        "{:?}",
        report.recording
    );
    assert!(report.failures().contains(&Step::Record));
}

#[tokio::test]
async fn server_hanging_still_lets_the_user_in_within_the_budget() {
    let (endpoint, _server) = hanging_endpoint();
    let (_, report) = survives(&endpoint).await;
    // Sent and never answered, nor read back: unknown, counted as unconfirmed.
    assert_eq!(report.recording, Recording::Unconfirmed);
}

#[tokio::test]
async fn a_missing_table_is_a_counted_failure_not_an_error() {
    let m = moto().await;
    let config = config(&m.table, "2000");
    let recorder = DynamoRecorder::new(m.dynamodb.clone(), unique_name("no-such-table"), 90);
    let event = event_for(MARIA, false);
    let report = steps(&config, &recorder, &m.mailer, &event, "r-1").await;
    assert_eq!(report.failures(), vec![Step::Record]);
    assert!(
        matches!(report.recording, Recording::Failed(_)),
        "{:?}",
        report.recording
    );
}

/// 250 sign-ins at once against one moto, which answers one request at a time, with
/// the budget a deployment has: many writes are slower than the budget. No sign-in
/// the table lacks goes uncounted, and none it holds is counted lost (what is printed
/// is the measurement).
#[tokio::test]
async fn under_load_only_sign_ins_the_table_lacks_are_counted_as_lost() {
    let m = moto_with_budget(Duration::from_millis(1000)).await;
    let config = config(&m.table, "1000");
    let shared = Arc::new((config, m.recorder.clone(), m.mailer.clone()));
    let tasks: Vec<_> = (0..250)
        .map(|i| {
            let shared = shared.clone();
            tokio::spawn(async move {
                let (config, recorder, mailer) = &*shared;
                let sub = format!("load-{i}-{}", unique_name("u"));
                let report = steps(
                    config,
                    recorder,
                    mailer,
                    &event_for(&sub, false),
                    &format!("load-{i}"),
                )
                .await;
                (sub, report)
            })
        })
        .collect();
    let mut reports = Vec::new();
    for t in tasks {
        reports.push(t.await.unwrap());
    }
    // Let moto finish what it queued, then look at the table with a patient reader.
    let reader = aws_sdk_dynamodb::Client::new(
        &sdk_config_for(&moto_endpoint(), Duration::from_secs(60)).await,
    );
    let patient = DynamoRecorder::new(reader, &m.table, 90);
    let (mut lost, mut counted_lost, mut late, mut unconfirmed) = (0, 0, 0, 0);
    for (i, (sub, report)) in reports.iter().enumerate() {
        let sign_in = SignIn {
            request_id: format!("load-{i}"),
            sub: sub.clone(),
            user_pool_id: String::new(),
            client_id: String::new(),
            new_device: false,
            trigger_source: String::new(),
            at: SystemTime::now(),
        };
        let held = patient.was_recorded(&sign_in).await.unwrap();
        let counted = report.failures().contains(&Step::Record);
        let unknown = report.recording == Recording::Unconfirmed;
        lost += usize::from(!held);
        counted_lost += usize::from(counted);
        late += usize::from(report.recording == Recording::CountedLate);
        unconfirmed += usize::from(unknown);
        assert!(
            held || counted || unknown,
            "{sub}: lost without being counted"
        );
        assert!(
            !(held && counted),
            "{sub}: in the table, yet counted lost: {:?}",
            report.recording
        );
    }
    let answered_late = late + unconfirmed;
    assert!(
        answered_late > 0,
        "the load made no write late: nothing measured"
    );
    eprintln!(
        "250 concurrent sign-ins, 1000 ms budget: {lost} not in the table; counted lost \
         (AnalyticsFailures) {counted_lost}; not answered within the budget {answered_late} \
         ({late} read back, {unconfirmed} unconfirmed: AnalyticsUnconfirmed), all of which \
         were counted lost before"
    );
}
