//! The settings create and verify both read, once: the flow, the challenge table,
//! the link settings and key (for `magic-link`), the time budget and the metrics
//! namespace.

use std::time::Duration;

use trigger_core::{ConfigError, Vars};

use crate::budget::{BUDGET_RANGE_MS, DEFAULT_BUDGET};
use crate::link::LinkSettings;
use crate::{Flow, Method};

#[derive(Debug, Clone)]
pub struct ChallengeSettings {
    pub flow: Flow,
    /// `CHALLENGE_TABLE_NAME`: the send counters and the outstanding code or link.
    pub table: String,
    /// `MAGIC_LINK_ALLOWED_ORIGINS` and `MAGIC_LINK_TTL_SECONDS`, for `magic-link`.
    pub link: Option<LinkSettings>,
    /// `MAGIC_LINK_KEY_ID`: the KMS key of the links, for `magic-link`.
    pub key_id: Option<String>,
    /// `CUSTOM_AUTH_BUDGET_MS` (default 2000): every remote call of an invocation.
    pub budget: Duration,
    pub metrics_namespace: String,
}

impl ChallengeSettings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let flow = Flow::from_vars(vars)?;
        let is_link = flow.method == Method::MagicLink;
        Ok(Self {
            flow,
            table: vars.required("CHALLENGE_TABLE_NAME")?,
            link: is_link.then(|| LinkSettings::from_vars(vars)).transpose()?,
            key_id: is_link
                .then(|| vars.required("MAGIC_LINK_KEY_ID"))
                .transpose()?,
            budget: vars.millis("CUSTOM_AUTH_BUDGET_MS", DEFAULT_BUDGET, BUDGET_RANGE_MS)?,
            metrics_namespace: vars.string_or("METRICS_NAMESPACE", "CognitoTriggers"),
        })
    }
}
