//! Reading configuration from environment variables, with errors instead of panics.
//!
//! Every trigger's `Config::from_env()` is a thin wrapper over
//! `Config::from_vars(&Vars::from_env())`, so tests build configs from plain maps.

use std::collections::HashMap;

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
    fn required_values_must_be_non_blank() {
        let v = Vars::from_pairs([("A", "  "), ("B", "x")]);
        assert!(v.required("A").is_err());
        assert_eq!(v.required("B").unwrap(), "x");
    }
}
