#![doc = include_str!("../README.md")]

use lambda_runtime::LambdaEvent;
use passwordless::flow::rounds;
use passwordless::{decide, Decision, Flow};
use trigger_core::events::CognitoEventUserPoolsDefineAuthChallenge;
use trigger_core::{ConfigError, TriggerError, Vars};

pub type Event = CognitoEventUserPoolsDefineAuthChallenge;

#[derive(Debug, Clone)]
pub struct Config {
    pub flow: Flow,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            flow: Flow::from_vars(vars)?,
        })
    }
}

/// The Lambda handler: the next step, from the session alone.
pub async fn handler(config: &Config, event: LambdaEvent<Event>) -> Result<Event, TriggerError> {
    let mut event = event.payload;
    let request = &event.request;
    let decision = match rounds(&request.session) {
        Ok(rounds) => decide(&config.flow, &rounds, request.user_not_found),
        Err(why) => {
            tracing::warn!(reason = %why, "a session this flow did not make");
            Decision::Fail("a session this flow did not make")
        }
    };
    // Step counts and the decision only: the session holds no secret, but the
    // user's attributes do not belong in a log line.
    tracing::info!(
        answers = request.session.len(),
        decision = ?decision,
        "next step"
    );
    let response = &mut event.response;
    response.challenge_name = None;
    response.issue_tokens = false;
    response.fail_authentication = false;
    match decision {
        Decision::Challenge => response.challenge_name = Some("CUSTOM_CHALLENGE".to_owned()),
        Decision::IssueTokens => response.issue_tokens = true,
        Decision::Fail(_) => response.fail_authentication = true,
    }
    Ok(event)
}
