#![doc = include_str!("../README.md")]

pub mod config;
pub mod rules;

use lambda_runtime::LambdaEvent;
use trigger_core::events::CognitoEventUserPoolsInboundFederation;
use trigger_core::TriggerError;

pub use config::Config;
use rules::map_attributes;

/// The event this trigger takes and returns.
pub type Event = CognitoEventUserPoolsInboundFederation;

/// The Lambda handler: the event back with `userAttributesToMap` filled in.
pub async fn handler(config: &Config, event: LambdaEvent<Event>) -> Result<Event, TriggerError> {
    let mut event = event.payload;
    let request = &event.request;
    let mapped = map_attributes(config, request);
    for (attribute, why, shown) in &mapped.dropped {
        tracing::warn!(provider = %request.provider_name, attribute = %attribute, reason = ?why, value = %shown, "IdP value dropped");
    }
    if !mapped.cut.is_empty() {
        tracing::warn!(provider = %request.provider_name, attributes = ?mapped.cut, "IdP values cut to Cognito's limit");
    }
    tracing::info!(
        provider = %request.provider_name,
        provider_type = %request.provider_type,
        mapped = ?mapped.attributes.keys().collect::<Vec<_>>(),
        dropped = mapped.dropped.len(),
        "federated attributes mapped"
    );
    // Nothing usable from the IdP: `{}` leaves Cognito's own attribute mapping as it is.
    event.response.user_attributes_to_map = mapped.attributes.into_iter().collect();
    Ok(event)
}
