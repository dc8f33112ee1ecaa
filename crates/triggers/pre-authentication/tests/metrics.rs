#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Refusals (by reason) and failed lookups reach CloudWatch as Embedded Metric Format
//! counters. (One test: the recorder is process-wide.)

use cognito_admin::GroupError;
use pre_authentication::rules::{Facts, Lookup, LookupFailure, Refusal};
use pre_authentication::{emit_metrics, Report};

#[test]
fn refusals_are_counted_by_reason_and_failed_lookups_by_pool() {
    let collector = test_support::emf::collector("AcmeNotes/Auth");
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
    let docs = test_support::emf::documents(collector);
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
