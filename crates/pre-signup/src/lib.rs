//! Cognito pre sign-up trigger.
//!
//! Refuses sign-ups that break the configured rules (email domain allow and deny
//! lists, disposable addresses, required and protected attributes, phone format) with
//! one stable sentence per rule, and auto-confirms users at trusted domains.

pub mod domain;
pub mod rules;

use lambda_runtime::LambdaEvent;
use trigger_core::events::{
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsPreSignupTriggerSource as TriggerSource,
};
use trigger_core::redact::mask_email;
use trigger_core::{ConfigError, TriggerError, Vars};

use rules::{decide, Rules, Source};

/// The event this trigger takes and returns.
pub type Event = CognitoEventUserPoolsPreSignup;

/// The function's configuration, read once at start-up.
#[derive(Debug, Clone)]
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

/// The Lambda handler: the whole event back with `response` filled in, or the
/// refusal Cognito shows the user.
pub async fn handler(config: &Config, event: LambdaEvent<Event>) -> Result<Event, TriggerError> {
    let mut event = event.payload;
    let header = &event.cognito_event_user_pools_header;
    let source = source(header.trigger_source.as_ref())?;
    let attributes = &event.request.user_attributes;
    let masked = attributes.get("email").map(|e| mask_email(e));
    match decide(&config.rules, source, attributes) {
        Ok(decision) => {
            tracing::info!(
                trigger_source = ?source,
                user_pool_id = header.user_pool_id.as_deref(),
                email = masked.as_deref(),
                auto_confirm = decision.auto_confirm_user,
                "sign-up accepted"
            );
            let response = &mut event.response;
            response.auto_confirm_user = decision.auto_confirm_user;
            response.auto_verify_email = decision.auto_verify_email;
            response.auto_verify_phone = decision.auto_verify_phone;
            Ok(event)
        }
        Err(refusal) => {
            tracing::info!(
                trigger_source = ?source,
                user_pool_id = header.user_pool_id.as_deref(),
                email = masked.as_deref(),
                rule = refusal.code(),
                "sign-up refused"
            );
            Err(TriggerError::user(refusal.sentence()))
        }
    }
}

/// Where the sign-up comes from, from the event's typed trigger source.
fn source(trigger_source: Option<&TriggerSource>) -> Result<Source, TriggerError> {
    match trigger_source {
        Some(TriggerSource::SignUp) => Ok(Source::SignUp),
        Some(TriggerSource::AdminCreateUser) => Ok(Source::AdminCreateUser),
        Some(TriggerSource::ExternalProvider) => Ok(Source::ExternalProvider),
        Some(other) => Err(TriggerError::unsupported_source(&format!("{other:?}"))),
        None => Err(TriggerError::malformed("event has no triggerSource")),
    }
}
