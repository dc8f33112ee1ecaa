//! Configuration of the post authentication trigger.
//!
//! This trigger must never block a sign-in, and a Lambda that fails at start fails
//! every sign-in of the pool. So reading the settings never fails: a bad setting
//! switches its feature off (or falls back to the default, for the budget), and is
//! kept in `problems`, which `main` logs at start and counts in `ConfigErrors`.

use std::time::Duration;

use message_templates::Sender;
use trigger_core::{ConfigError, Problems, Vars};

/// Sign-in analytics in DynamoDB, on when `ANALYTICS_TABLE_NAME` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyticsConfig {
    pub table_name: String,
    pub retention_days: u32,
    /// How many shards each day counter is spread over (`ANALYTICS_DAY_SHARDS`).
    pub day_shards: u32,
}

/// The new-device alert, on when `ALERT_FROM_ADDRESS` is set.
pub type AlertConfig = Sender;

#[derive(Debug, Clone)]
pub struct Config {
    pub analytics: Option<AnalyticsConfig>,
    pub alert: Option<AlertConfig>,
    pub metrics_namespace: String,
    /// The whole invocation's time budget (`ANALYTICS_BUDGET_MS`).
    pub budget: Duration,
    /// What was wrong with the settings (each one switched something off).
    pub problems: Problems,
}

pub const DEFAULT_BUDGET: Duration = Duration::from_millis(1000);

impl Config {
    pub fn from_env() -> Self {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Self {
        let mut problems = Problems::default();
        let budget = problems
            .keep(vars.millis("ANALYTICS_BUDGET_MS", DEFAULT_BUDGET, 50..=4000))
            .unwrap_or(DEFAULT_BUDGET);
        let analytics = problems.keep(analytics(vars)).flatten();
        let alert = problems.keep(alert(vars)).flatten();
        Self {
            analytics,
            alert,
            metrics_namespace: vars.string_or("METRICS_NAMESPACE", "CognitoTriggers"),
            budget,
            problems,
        }
    }
}

fn analytics(vars: &Vars) -> Result<Option<AnalyticsConfig>, ConfigError> {
    let Some(table_name) = vars.get("ANALYTICS_TABLE_NAME") else {
        return Ok(None);
    };
    let retention_days = vars.number("RETENTION_DAYS", 90, 1..=3650)?;
    let day_shards = vars.number(
        "ANALYTICS_DAY_SHARDS",
        crate::adapters::dynamodb::DEFAULT_DAY_SHARDS,
        1..=crate::adapters::dynamodb::MAX_DAY_SHARDS,
    )?;
    Ok(Some(AnalyticsConfig {
        table_name: table_name.to_owned(),
        retention_days,
        day_shards,
    }))
}

fn alert(vars: &Vars) -> Result<Option<AlertConfig>, ConfigError> {
    Sender::from_vars(vars, "ALERT_FROM_ADDRESS", "the new-device alert is off")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Config {
        Config::from_vars(&Vars::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn defaults() {
        let c = parse(&[("ANALYTICS_TABLE_NAME", "analytics")]);
        let analytics = c.analytics.unwrap();
        assert_eq!(analytics.retention_days, 90);
        assert_eq!(analytics.day_shards, 8);
        assert_eq!(c.budget, DEFAULT_BUDGET);
        assert_eq!(c.metrics_namespace, "CognitoTriggers");
        assert!(c.alert.is_none());
        assert!(c.problems.0.is_empty());
    }

    #[test]
    fn an_alert_without_an_app_name_switches_the_alert_off_not_the_function() {
        let c = parse(&[
            ("ANALYTICS_TABLE_NAME", "analytics"),
            ("ALERT_FROM_ADDRESS", "alerts@acme.example"),
        ]);
        assert!(c.alert.is_none());
        assert!(c.analytics.is_some(), "analytics stay on");
        assert_eq!(c.problems.0.len(), 1);
        assert_eq!(c.problems.0[0].var, "APP_NAME");
        assert!(c.problems.0[0].reason.contains("alert is off"));
        let c = parse(&[("ALERT_FROM_ADDRESS", "alerts"), ("APP_NAME", "Acme")]);
        assert!(c.alert.is_none());
        assert_eq!(c.problems.0[0].var, "ALERT_FROM_ADDRESS");
        let c = parse(&[
            ("ALERT_FROM_ADDRESS", "Acme Security <alerts@acme.example>"),
            ("APP_NAME", "Acme"),
        ]);
        assert_eq!(c.alert.unwrap().from, "Acme Security <alerts@acme.example>");
        assert!(c.problems.0.is_empty());
    }

    #[test]
    fn each_bad_value_is_a_named_problem_and_its_feature_stays_off() {
        for (var, value) in [
            ("RETENTION_DAYS", "0"),
            ("RETENTION_DAYS", "ninety"),
            ("ANALYTICS_DAY_SHARDS", "0"),
            ("ANALYTICS_DAY_SHARDS", "33"),
            ("ANALYTICS_BUDGET_MS", "5000"),
        ] {
            let c = parse(&[("ANALYTICS_TABLE_NAME", "analytics"), (var, value)]);
            assert_eq!(c.problems.0.len(), 1, "{var}={value}");
            assert_eq!(c.problems.0[0].var, var, "{var}={value}");
            if var != "ANALYTICS_BUDGET_MS" {
                assert!(c.analytics.is_none(), "{var}={value}");
            } else {
                assert_eq!(c.budget, DEFAULT_BUDGET);
            }
        }
        let c = parse(&[]);
        assert!(c.analytics.is_none() && c.alert.is_none() && c.problems.0.is_empty());
    }
}
