//! Reading configuration from environment variables, with errors instead of panics.
//!
//! Every trigger's `Config::from_env()` is a thin wrapper over
//! `Config::from_vars(&Vars::from_env())`, so tests build configs from plain maps.

use std::collections::HashMap;
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;
use std::time::Duration;

/// A configuration value that cannot be used. The function refuses to start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error in {var}: {reason}")]
pub struct ConfigError {
    pub var: String,
    pub reason: String,
}

impl ConfigError {
    pub fn new(var: &str, reason: impl Into<String>) -> Self {
        Self {
            var: var.to_owned(),
            reason: reason.into(),
        }
    }

    /// The same problem, saying what it switched off (`the new-device alert is off`).
    pub fn switching_off(self, what: &str) -> Self {
        Self {
            reason: format!("{}; {what}", self.reason),
            ..self
        }
    }
}

/// The settings problems of a trigger that never refuses to start (post
/// authentication, post confirmation): each one switches its feature off, and the
/// binary logs and counts them at start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<ConfigError>);

impl Problems {
    /// Logs each problem and counts them in `ConfigErrors` (once per cold start), for
    /// triggers that start whatever their settings say.
    #[cfg(feature = "metrics")]
    pub fn report(&self) {
        for problem in &self.0 {
            tracing::error!(var = %problem.var, reason = %problem.reason, "bad setting; its feature is off");
        }
        if !self.0.is_empty() {
            metrics::counter!("ConfigErrors").increment(self.0.len() as u64);
        }
    }

    /// The value, or `None` with the error kept.
    pub fn keep<T>(&mut self, result: Result<T, ConfigError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }
}

/// A source of configuration variables: the process environment or a test map.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: HashMap<String, String>,
}

impl Vars {
    /// The process environment.
    pub fn from_env() -> Self {
        Self {
            values: std::env::vars().collect(),
        }
    }

    /// Explicit values, for tests and tools.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// The trimmed value, or `None` when unset or blank.
    pub fn get(&self, var: &str) -> Option<&str> {
        self.values
            .get(var)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The value, or `default` when unset or blank.
    pub fn string_or(&self, var: &str, default: &str) -> String {
        self.get(var).unwrap_or(default).to_owned()
    }

    /// An email address, or `None` when unset; anything else is an error naming the
    /// variable.
    pub fn address(&self, var: &str) -> Result<Option<String>, ConfigError> {
        match self.get(var) {
            None => Ok(None),
            Some(a) if crate::values::looks_like_address(a) => Ok(Some(a.to_owned())),
            Some(_) => Err(ConfigError::new(var, "must be an email address")),
        }
    }

    /// A value that must be set.
    pub fn required(&self, var: &str) -> Result<String, ConfigError> {
        self.get(var)
            .map(str::to_owned)
            .ok_or_else(|| ConfigError::new(var, "must be set"))
    }

    /// A comma-separated list; blank entries are dropped, entries are trimmed.
    /// Unset or blank is the empty list.
    pub fn list(&self, var: &str) -> Vec<String> {
        self.get(var)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A list that falls back to `default` only when the variable is unset.
    /// Set to an empty string, it is the empty list (the rule is switched off).
    pub fn list_or(&self, var: &str, default: &[&str]) -> Vec<String> {
        if self.values.contains_key(var) {
            self.list(var)
        } else {
            default.iter().map(|s| (*s).to_owned()).collect()
        }
    }

    /// A boolean: `true/false`, `yes/no`, `1/0`, `on/off`, any case.
    pub fn flag(&self, var: &str, default: bool) -> Result<bool, ConfigError> {
        let Some(raw) = self.get(var) else {
            return Ok(default);
        };
        match raw.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "on" => Ok(true),
            "false" | "no" | "0" | "off" => Ok(false),
            _ => Err(ConfigError::new(
                var,
                format!("expected true or false, got {raw:?}"),
            )),
        }
    }
}

impl Vars {
    /// `name=value` entries separated by `separator` (blank entries dropped, both
    /// sides trimmed), in the order given; unset or blank is none. An entry without a
    /// name or a value, or a name given twice, is an error naming the variable: read
    /// into a map, a repeated name would silently keep one of its two values.
    pub fn pairs(&self, var: &str, separator: char) -> Result<Vec<(String, String)>, ConfigError> {
        let Some(raw) = self.get(var) else {
            return Ok(Vec::new());
        };
        let mut pairs: Vec<(String, String)> = Vec::new();
        for entry in raw
            .split(separator)
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let (name, value) = match entry.split_once('=') {
                Some((n, v)) if !n.trim().is_empty() && !v.trim().is_empty() => {
                    (n.trim(), v.trim())
                }
                _ => {
                    return Err(ConfigError::new(
                        var,
                        format!("{entry:?} is not name=value"),
                    ))
                }
            };
            if pairs.iter().any(|(n, _)| n == name) {
                return Err(ConfigError::new(
                    var,
                    format!("{name:?} is given twice; say once what it maps to"),
                ));
            }
            pairs.push((name.to_owned(), value.to_owned()));
        }
        Ok(pairs)
    }

    /// A whole number within `range`, or `default` when unset.
    pub fn number<T>(
        &self,
        var: &str,
        default: T,
        range: RangeInclusive<T>,
    ) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd + Display + Copy,
    {
        let Some(raw) = self.get(var) else {
            return Ok(default);
        };
        raw.parse::<T>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                ConfigError::new(
                    var,
                    format!(
                        "must be a whole number from {} to {}, got {raw:?}",
                        range.start(),
                        range.end()
                    ),
                )
            })
    }

    /// A time budget in whole milliseconds within `range`, or `default` when unset.
    pub fn millis(
        &self,
        var: &str,
        default: Duration,
        range: RangeInclusive<u64>,
    ) -> Result<Duration, ConfigError> {
        let default_ms = u64::try_from(default.as_millis()).unwrap_or(u64::MAX);
        self.number(var, default_ms, range)
            .map(Duration::from_millis)
    }

    /// One of `choices` by name (any case), or `default` when unset.
    pub fn choice<T: Copy>(
        &self,
        var: &str,
        default: T,
        choices: &[(&str, T)],
    ) -> Result<T, ConfigError> {
        let Some(raw) = self.get(var) else {
            return Ok(default);
        };
        choices
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(raw))
            .map(|(_, value)| *value)
            .ok_or_else(|| {
                let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
                ConfigError::new(var, format!("{raw:?} is not one of {}", names.join(", ")))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_trimmed_and_blank_entries_dropped() {
        let v = Vars::from_pairs([("L", " a.com, ,B.com ,")]);
        assert_eq!(v.list("L"), vec!["a.com", "B.com"]);
        assert!(v.list("MISSING").is_empty());
    }

    #[test]
    fn list_or_distinguishes_unset_from_empty() {
        let v = Vars::from_pairs([("EMPTY", "")]);
        assert_eq!(v.list_or("UNSET", &["custom:role"]), vec!["custom:role"]);
        assert!(v.list_or("EMPTY", &["custom:role"]).is_empty());
    }

    #[test]
    fn flags_parse_or_fail_with_the_variable_name() {
        let v = Vars::from_pairs([("A", "TRUE"), ("B", "off"), ("C", "maybe")]);
        assert!(v.flag("A", false).unwrap());
        assert!(!v.flag("B", true).unwrap());
        assert!(v.flag("UNSET", true).unwrap());
        let err = v.flag("C", true).unwrap_err();
        assert_eq!(err.var, "C");
        assert!(err.to_string().contains("maybe"));
    }

    #[test]
    fn numbers_and_budgets_stay_in_their_range() {
        let v = Vars::from_pairs([("A", "250"), ("B", "9000"), ("C", "fast"), ("D", "-1")]);
        assert_eq!(
            v.millis("A", Duration::from_secs(1), 50..=4000).unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(
            v.millis("UNSET", Duration::from_secs(1), 50..=4000)
                .unwrap(),
            Duration::from_secs(1)
        );
        for var in ["B", "C", "D"] {
            let err = v.number::<u32>(var, 90, 1..=3650).unwrap_err();
            assert_eq!(err.var, var);
            assert!(err.reason.contains("from 1 to 3650"), "{}", err.reason);
        }
    }

    #[test]
    fn choices_are_named_in_the_error() {
        let v = Vars::from_pairs([("A", "ALLOW"), ("B", "maybe")]);
        let choices = [("deny", false), ("allow", true)];
        assert!(v.choice("A", false, &choices).unwrap());
        assert!(!v.choice("UNSET", false, &choices).unwrap());
        let err = v.choice("B", false, &choices).unwrap_err();
        assert_eq!(err.var, "B");
        assert!(err.reason.contains("deny, allow"), "{}", err.reason);
    }

    #[test]
    fn pairs_keep_their_order_and_refuse_a_name_given_twice() {
        let v = Vars::from_pairs([
            ("A", " admins = admin , editors=editor,"),
            ("B", "admins=admin,admins=user"),
            ("C", "admins"),
            ("D", "a=x;b=y z"),
        ]);
        assert_eq!(
            v.pairs("A", ',').unwrap(),
            vec![
                ("admins".to_owned(), "admin".to_owned()),
                ("editors".to_owned(), "editor".to_owned())
            ]
        );
        let twice = v.pairs("B", ',').unwrap_err();
        assert_eq!(twice.var, "B");
        assert!(
            twice.reason.contains("\"admins\" is given twice"),
            "{}",
            twice.reason
        );
        assert_eq!(v.pairs("C", ',').unwrap_err().var, "C");
        assert_eq!(v.pairs("D", ';').unwrap()[1].1, "y z");
        assert!(v.pairs("UNSET", ',').unwrap().is_empty());
    }

    #[test]
    fn required_values_must_be_non_blank() {
        let v = Vars::from_pairs([("A", "  "), ("B", "x")]);
        assert!(v.required("A").is_err());
        assert_eq!(v.required("B").unwrap(), "x");
    }
}
