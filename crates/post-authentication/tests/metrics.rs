#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The counters reach CloudWatch as Embedded Metric Format documents with the user
//! pool and the app client as dimensions. (One test: the recorder is process-wide.)

use post_authentication::{emit_metrics, Report};
use serde_json::Value;

#[test]
fn one_invocation_becomes_one_emf_document_per_dimension_set() {
    let collector = metrics_cloudwatch_embedded::Builder::new()
        .cloudwatch_namespace("AcmeNotes/Auth")
        .init()
        .unwrap();
    emit_metrics(&Report {
        user_pool_id: "eu-west-1_Xq8LmN3pR".into(),
        client_id: "4n7mc0rcbsjvh1ou3e5q8nt2lf".into(),
        new_device: true,
        failures: vec!["record", "alert"],
        ..Report::default()
    });
    let mut out = Vec::new();
    collector.flush(&mut out).unwrap();
    let docs: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
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
    emit_metrics(&Report {
        user_pool_id: "p".into(),
        client_id: "c".into(),
        ..Report::default()
    });
    let mut out = Vec::new();
    collector.flush(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("eu-west-1_Xq8LmN3pR"), "{text}");
    assert!(text.contains("\"SignIns\":1"));
}
