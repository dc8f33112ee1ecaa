//! Cognito pre sign-up trigger.
//!
//! Refuses sign-ups that break the configured rules (email domain allow and deny
//! lists, disposable addresses, required and protected attributes, phone format) with
//! one stable sentence per rule, and auto-confirms users at trusted domains.

pub mod domain;
pub mod rules;

use lambda_runtime::LambdaEvent;
use serde_json::{json, Map, Value};
use trigger_core::redact::mask_email;
use trigger_core::{CognitoEvent, ConfigError, TriggerError, Vars};

use rules::{decide, Rules, Source};

/// The function's configuration, read once at start-up.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub rules: Rules,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            rules: Rules::from_vars(vars)?,
        })
    }
}

/// The Lambda entry point: the whole event back, with `response` filled in.
pub async fn handler(config: &Config, event: LambdaEvent<Value>) -> Result<Value, TriggerError> {
    handle(config, event.payload)
}

/// Translates between the event and the rules.
pub fn handle(config: &Config, payload: Value) -> Result<Value, TriggerError> {
    let mut event = CognitoEvent::from_value(payload)?;
    let trigger_source = event.trigger_source()?;
    let source = Source::parse(trigger_source)
        .ok_or_else(|| TriggerError::unsupported_source(trigger_source))?;
    let attributes = event.request_map("userAttributes")?;
    let masked = attributes.get("email").map(|e| mask_email(e));
    let outcome = decide(&config.rules, source, &attributes);
    match outcome {
        Ok(decision) => {
            tracing::info!(
                trigger_source = ?source,
                user_pool_id = event.user_pool_id(),
                email = masked.as_deref(),
                auto_confirm = decision.auto_confirm_user,
                "sign-up accepted"
            );
            let mut response = Map::new();
            response.insert("autoConfirmUser".into(), json!(decision.auto_confirm_user));
            response.insert("autoVerifyEmail".into(), json!(decision.auto_verify_email));
            response.insert("autoVerifyPhone".into(), json!(decision.auto_verify_phone));
            event.set_response(response);
            Ok(event.into_value())
        }
        Err(refusal) => {
            tracing::info!(
                trigger_source = ?source,
                user_pool_id = event.user_pool_id(),
                email = masked.as_deref(),
                rule = refusal.code(),
                "sign-up refused"
            );
            Err(TriggerError::user(refusal.sentence()))
        }
    }
}
