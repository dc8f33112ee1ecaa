#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Failed steps reach CloudWatch as Embedded Metric Format counters, by user pool and
//! trigger source. (One test: the recorder is process-wide.)

use cognito_admin::GroupError;
use post_confirmation::{emit_metrics, Outcome, Report, StepError};

#[test]
fn failed_steps_are_counted_by_pool_and_trigger_source() {
    let collector = test_support::emf::collector("AcmeNotes/Auth");
    emit_metrics(&Report {
        user_pool_id: "eu-west-1_Xq8LmN3pR".into(),
        trigger_source: "PostConfirmation_ConfirmSignUp".into(),
        group: Outcome::Failed(StepError::Group(GroupError::Unavailable(
            "throttled".into(),
        ))),
        profile: Outcome::Done,
        email: Outcome::OutOfTime,
        unreadable: false,
    });
    let docs = test_support::emf::documents(collector);
    assert_eq!(docs.len(), 1, "{docs:?}");
    let doc = &docs[0];
    assert_eq!(
        doc["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "AcmeNotes/Auth"
    );
    assert_eq!(doc["UserPoolId"], "eu-west-1_Xq8LmN3pR");
    assert_eq!(doc["TriggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(doc["Confirmations"], 1);
    assert_eq!(doc["ConfirmationStepFailures"], 2);
}
