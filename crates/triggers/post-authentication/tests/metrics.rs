#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The counters reach CloudWatch as Embedded Metric Format documents with the user
//! pool and the app client as dimensions. (One test: the recorder is process-wide.)

use mailer::MailError;
use post_authentication::ports::RecordError;
use post_authentication::{emit_metrics, Alerting, Config, Recording, Report};
use serde_json::Value;
use trigger_core::Vars;

fn report(
    pool: &str,
    client: &str,
    new_device: bool,
    recording: Recording,
    alerting: Alerting,
) -> Report {
    Report {
        user_pool_id: pool.into(),
        client_id: client.into(),
        new_device,
        recording,
        alerting,
        unreadable: false,
    }
}

#[test]
fn one_invocation_becomes_one_emf_document_per_dimension_set() {
    let collector = test_support::emf::collector("AcmeNotes/Auth");
    emit_metrics(&report(
        "eu-west-1_Xq8LmN3pR",
        "4n7mc0rcbsjvh1ou3e5q8nt2lf",
        true,
        Recording::Failed(RecordError::Conflicts),
        Alerting::Failed(MailError::Send("refused".into())),
    ));
    let docs = test_support::emf::documents(collector);
    assert_eq!(docs.len(), 1, "{docs:?}");
    let doc = &docs[0];
    let meta = &doc["_aws"]["CloudWatchMetrics"][0];
    assert_eq!(meta["Namespace"], "AcmeNotes/Auth");
    let dims: Vec<&str> = meta["Dimensions"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(
        dims.contains(&"UserPoolId") && dims.contains(&"ClientId"),
        "{dims:?}"
    );
    assert_eq!(doc["UserPoolId"], "eu-west-1_Xq8LmN3pR");
    assert_eq!(doc["ClientId"], "4n7mc0rcbsjvh1ou3e5q8nt2lf");
    assert_eq!(doc["SignIns"], 1);
    assert_eq!(doc["NewDeviceSignIns"], 1);
    assert_eq!(doc["AnalyticsFailures"], 2);
    assert!(doc["_aws"]["Timestamp"].as_u64().unwrap() > 1_700_000_000_000);

    // Counters start again from zero after a flush: nothing is reported twice.
    emit_metrics(&report(
        "p",
        "c",
        false,
        Recording::Counted,
        Alerting::NotNeeded,
    ));
    let text: Vec<String> = test_support::emf::documents(collector)
        .iter()
        .map(Value::to_string)
        .collect();
    let text = text.join("\n");
    assert!(!text.contains("eu-west-1_Xq8LmN3pR"), "{text}");
    assert!(text.contains("\"SignIns\":1"));
    assert!(!text.contains("AnalyticsFailures"), "{text}");

    // A replayed request id was counted when it first ran: it is not a sign-in again.
    emit_metrics(&report(
        "p",
        "c",
        true,
        Recording::AlreadyCounted,
        Alerting::Replay,
    ));
    let text: Vec<String> = test_support::emf::documents(collector)
        .iter()
        .map(Value::to_string)
        .collect();
    let text = text.join("\n");
    assert!(!text.contains("SignIns"), "{text}");

    // A write nobody answered within the budget is unconfirmed, not a failure.
    emit_metrics(&report(
        "p",
        "c",
        false,
        Recording::Unconfirmed,
        Alerting::NotNeeded,
    ));
    let docs = test_support::emf::documents(collector);
    assert_eq!(docs[0]["AnalyticsUnconfirmed"], 1, "{docs:?}");
    assert!(docs[0].get("AnalyticsFailures").is_none(), "{docs:?}");

    // A bad setting at start is counted once, without dimensions.
    let config = Config::from_vars(&Vars::from_pairs([
        ("ALERT_FROM_ADDRESS", "security@acme.example"),
        ("RETENTION_DAYS", "0"),
        ("ANALYTICS_TABLE_NAME", "analytics"),
    ]));
    config.problems.report();
    let docs = test_support::emf::documents(collector);
    assert_eq!(docs.len(), 1, "{docs:?}");
    assert_eq!(docs[0]["ConfigErrors"], 2, "{docs:?}");
}
