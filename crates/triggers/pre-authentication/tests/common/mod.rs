#![allow(dead_code)] // each test file uses its part
//! What the test files of this package share.

use cognito_admin::GroupMembership;
use pre_authentication::status::StatusDirectory;
use pre_authentication::{handler, Config};
use serde_json::Value;
use trigger_core::{TriggerError, Vars};

pub const POOL: &str = "eu-west-1_Xq8LmN3pR";
pub const CLIENT: &str = "4n7mc0rcbsjvh1ou3e5q8nt2lf";
pub const MARIA: &str = "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1";
pub const NOAH: &str = "c4d8e2f6-1a3b-4c5d-9e7f-2a4b6c8d0e1f";

/// `pairs`, with the account checks (suspension, verified email) run here:
/// `ACCOUNT_CHECKS_AT=both`, unless `pairs` says otherwise.
pub fn config(pairs: &[(&str, &str)]) -> Config {
    let all = [("ACCOUNT_CHECKS_AT", "both")]
        .into_iter()
        .chain(pairs.iter().copied());
    Config::from_vars(&Vars::from_pairs(all)).expect("a valid config")
}

/// The whole invocation as Lambda runs it.
pub async fn handle<S: StatusDirectory, G: GroupMembership>(
    config: &Config,
    statuses: &S,
    groups: &G,
    event: Value,
) -> Result<Value, TriggerError> {
    test_support::answer(|e| handler(config, Some(statuses), Some(groups), e), event).await
}

/// The answer as Cognito shows it: the event, or the refusal's sentence.
pub fn shown(answer: &Result<Value, TriggerError>) -> Result<&Value, &str> {
    answer.as_ref().map_err(TriggerError::user_message)
}
