#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Refusals (by reason) and failed lookups reach CloudWatch as Embedded Metric Format
//! counters. (One test: the recorder is process-wide.)

use cognito_admin::GroupError;
use pre_authentication::rules::{Facts, Lookup, LookupFailure, Refusal};
use pre_authentication::{emit_metrics, Report};
use serde_json::Value;

#[test]
fn refusals_are_counted_by_reason_and_failed_lookups_by_pool() {
    let collector = metrics_cloudwatch_embedded::Builder::new()
        .cloudwatch_namespace("AcmeNotes/Auth")
        .init()
        .unwrap();
    emit_metrics(&Report {
        user_pool_id: "eu-west-1_Xq8LmN3pR".into(),
        user_not_found: false,
        facts: Some(Facts {
            email_verified: true,
            status: Lookup::Failed(LookupFailure::OutOfTime),
            groups: Lookup::Failed(LookupFailure::Groups(GroupError::Unavailable(
                "refused".into(),
            ))),
            allowed_groups: Some(vec!["staff".into()]),
        }),
        refusal: Some(Refusal::Unavailable),
    });
    let mut out = Vec::new();
    collector.flush(&mut out).unwrap();
    let docs: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let refused = docs
        .iter()
        .find(|d| d.get("SignInsRefused").is_some())
        .expect("a refusal document");
    assert_eq!(refused["Reason"], "LookupFailed");
    assert_eq!(refused["UserPoolId"], "eu-west-1_Xq8LmN3pR");
    assert_eq!(refused["SignInsRefused"], 1);
    let failed = docs
        .iter()
        .find(|d| d.get("PreAuthLookupFailures").is_some())
        .expect("a lookup document");
    assert_eq!(failed["PreAuthLookupFailures"], 2);
}
