//! Configuration of the post authentication trigger.

use std::sync::Arc;
use std::time::Duration;

use message_templates::Renderer;
use trigger_core::{ConfigError, Vars};

/// Settings of the new-device alert, present when `ALERT_FROM_ADDRESS` is set.
#[derive(Debug, Clone)]
pub struct AlertConfig {
    pub from: String,
    pub app_name: String,
    pub support_email: Option<String>,
    pub default_locale: String,
    pub renderer: Arc<Renderer>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub table_name: String,
    pub retention_days: u32,
    pub metrics_namespace: String,
    pub alert: Option<AlertConfig>,
    /// The whole invocation's time budget (`ANALYTICS_BUDGET_MS`).
    pub budget: Duration,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let retention_days: u32 = vars
            .string_or("RETENTION_DAYS", "90")
            .parse()
            .ok()
            .filter(|d| (1..=3650).contains(d))
            .ok_or_else(|| {
                ConfigError::new(
                    "RETENTION_DAYS",
                    "must be a whole number of days from 1 to 3650",
                )
            })?;
        let budget_ms: u64 = vars
            .string_or("ANALYTICS_BUDGET_MS", "1000")
            .parse()
            .ok()
            .filter(|ms| (50..=4000).contains(ms))
            .ok_or_else(|| {
                ConfigError::new(
                    "ANALYTICS_BUDGET_MS",
                    "must be 50 to 4000 milliseconds, so the sign-in never waits near Cognito's 5 seconds",
                )
            })?;
        let alert = match vars.get("ALERT_FROM_ADDRESS") {
            None => None,
            Some(from) => {
                if !from.contains('@') {
                    return Err(ConfigError::new(
                        "ALERT_FROM_ADDRESS",
                        "must be an email address",
                    ));
                }
                let renderer =
                    Renderer::new().map_err(|e| ConfigError::new("templates", e.to_string()))?;
                let default_locale = vars.string_or("DEFAULT_LOCALE", "en").to_ascii_lowercase();
                if !renderer.has_language(&default_locale) {
                    return Err(ConfigError::new(
                        "DEFAULT_LOCALE",
                        format!("{default_locale:?} is not shipped"),
                    ));
                }
                Some(AlertConfig {
                    from: from.to_owned(),
                    app_name: vars.required("APP_NAME")?,
                    support_email: vars.get("SUPPORT_EMAIL").map(str::to_owned),
                    default_locale,
                    renderer: Arc::new(renderer),
                })
            }
        };
        Ok(Self {
            table_name: vars.required("ANALYTICS_TABLE_NAME")?,
            retention_days,
            metrics_namespace: vars.string_or("METRICS_NAMESPACE", "CognitoTriggers"),
            alert,
            budget: Duration::from_millis(budget_ms),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(&Vars::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn defaults() {
        let c = parse(&[("ANALYTICS_TABLE_NAME", "analytics")]).unwrap();
        assert_eq!(c.retention_days, 90);
        assert_eq!(c.budget, Duration::from_millis(1000));
        assert_eq!(c.metrics_namespace, "CognitoTriggers");
        assert!(c.alert.is_none());
    }

    #[test]
    fn the_alert_needs_an_app_name_and_a_real_sender() {
        let base = [("ANALYTICS_TABLE_NAME", "analytics")];
        let err = parse(&[base[0], ("ALERT_FROM_ADDRESS", "alerts@acme.example")]).unwrap_err();
        assert_eq!(err.var, "APP_NAME");
        let err = parse(&[
            base[0],
            ("ALERT_FROM_ADDRESS", "alerts"),
            ("APP_NAME", "Acme"),
        ])
        .unwrap_err();
        assert_eq!(err.var, "ALERT_FROM_ADDRESS");
        let ok = parse(&[
            base[0],
            ("ALERT_FROM_ADDRESS", "alerts@acme.example"),
            ("APP_NAME", "Acme"),
        ])
        .unwrap();
        assert_eq!(ok.alert.unwrap().from, "alerts@acme.example");
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("RETENTION_DAYS", "0"),
            ("RETENTION_DAYS", "ninety"),
            ("ANALYTICS_BUDGET_MS", "5000"),
            ("ANALYTICS_TABLE_NAME", ""),
        ] {
            let mut pairs = vec![("ANALYTICS_TABLE_NAME", "analytics")];
            pairs.push((var, value));
            assert_eq!(parse(&pairs).unwrap_err().var, var, "{var}={value}");
        }
    }
}
