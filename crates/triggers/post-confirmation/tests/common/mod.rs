#![allow(dead_code)] // each test file uses its part
//! What the test files of this package share.

use std::time::SystemTime;

use cognito_admin::GroupMembership;
use mailer::Mailer;
use post_confirmation::ports::ProfileStore;
use post_confirmation::{confirmation_steps, handler, Config, Ports, Report};
use serde_json::Value;
use trigger_core::events::decode;
use trigger_core::{TriggerError, Vars};

pub const POOL: &str = "eu-west-1_Xq8LmN3pR";
pub const FROM: &str = "hello@acme.example";

/// Every feature on, with `extra` settings on top.
pub fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        ("DEFAULT_GROUP", "readers"),
        ("PROFILE_TABLE_NAME", "profiles"),
        ("WELCOME_FROM_ADDRESS", FROM),
        ("PASSWORD_CHANGED_NOTICE", "true"),
        ("APP_NAME", "Acme Notes"),
        ("SUPPORT_EMAIL", "support@acme.example"),
    ];
    vars.extend_from_slice(extra);
    let config = Config::from_vars(&Vars::from_pairs(vars));
    assert!(config.problems.0.is_empty(), "{:?}", config.problems);
    config
}

pub fn ports<'a, G, P, M>(groups: &'a G, profiles: &'a P, mailer: &'a M) -> Ports<'a, G, P, M> {
    Ports {
        groups: Some(groups),
        profiles: Some(profiles),
        mailer: Some(mailer),
    }
}

/// The steps of one invocation of `event` (a readable one), now.
pub async fn steps<G: GroupMembership, P: ProfileStore, M: Mailer>(
    config: &Config,
    ports: Ports<'_, G, P, M>,
    event: &Value,
) -> Report {
    let event = decode(event.clone()).expect("a readable event");
    confirmation_steps(config, ports, &event, SystemTime::now()).await
}

/// The whole invocation as Lambda runs it.
pub async fn handle<G: GroupMembership, P: ProfileStore, M: Mailer>(
    config: &Config,
    ports: Ports<'_, G, P, M>,
    event: Value,
) -> Result<Value, TriggerError> {
    test_support::answer(|e| handler(config, ports, e), event).await
}
