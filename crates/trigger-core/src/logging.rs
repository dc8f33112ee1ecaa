//! Log set-up shared by every trigger binary, honouring Lambda's own logging
//! controls (`AWS_LAMBDA_LOG_FORMAT`, `AWS_LAMBDA_LOG_LEVEL`).

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line, what CloudWatch Logs Insights reads.
    Json,
    /// Plain text, for people.
    Text,
}

/// `LOG_FORMAT` (`text` or `json`, for local runs), else Lambda's
/// `AWS_LAMBDA_LOG_FORMAT` (`Text` or `JSON`), else JSON.
pub fn format_from(log_format: Option<&str>, lambda_format: Option<&str>) -> Format {
    match log_format.or(lambda_format).map(str::trim) {
        Some(f) if f.eq_ignore_ascii_case("text") => Format::Text,
        _ => Format::Json,
    }
}

/// The level filter: `RUST_LOG`, else Lambda's `AWS_LAMBDA_LOG_LEVEL`, else `info`,
/// then the `caps` (directives such as `lambda_runtime=info`), which win for their
/// targets.
pub fn filter(caps: &[&str]) -> EnvFilter {
    let configured = std::env::var("RUST_LOG")
        .ok()
        .or_else(|| std::env::var("AWS_LAMBDA_LOG_LEVEL").ok());
    filter_from(configured, caps)
}

/// [`filter`] with the configured level given rather than read from the environment.
/// Lambda's `FATAL` is read as `error`; anything unreadable as `info`.
pub fn filter_from(configured: Option<String>, caps: &[&str]) -> EnvFilter {
    let base = configured
        .map(|level| level.trim().to_ascii_lowercase())
        .map(|level| {
            if level == "fatal" {
                "error".to_owned()
            } else {
                level
            }
        })
        .filter(|level| !level.is_empty() && EnvFilter::try_new(level).is_ok())
        .unwrap_or_else(|| "info".to_owned());
    let mut directives = vec![base];
    directives.extend(caps.iter().map(|c| (*c).to_owned()));
    EnvFilter::try_new(directives.join(",")).unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Logs in the [`format_from`] format at the level of [`filter`], with the `caps`
/// applied whatever the configured level (for a trigger whose events hold secrets
/// that a library would log at TRACE).
pub fn init_tracing_capped(caps: &[&str]) {
    let format = format_from(
        std::env::var("LOG_FORMAT").ok().as_deref(),
        std::env::var("AWS_LAMBDA_LOG_FORMAT").ok().as_deref(),
    );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(caps))
        .with_target(false);
    // try_init: a second call (tests, tools) keeps the first subscriber.
    let _ = match format {
        Format::Text => builder.with_ansi(false).try_init(),
        Format::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_follows_lambdas_setting_unless_overridden_locally() {
        assert_eq!(format_from(None, None), Format::Json);
        assert_eq!(format_from(None, Some("Text")), Format::Text);
        assert_eq!(format_from(None, Some("JSON")), Format::Json);
        assert_eq!(format_from(Some("text"), Some("JSON")), Format::Text);
        assert_eq!(format_from(Some("json"), Some("Text")), Format::Json);
    }

    #[test]
    fn lambdas_levels_are_read_and_the_caps_win() {
        let directives = |configured: Option<&str>| -> Vec<String> {
            filter_from(configured.map(str::to_owned), &["hyper=info"])
                .to_string()
                .split(',')
                .map(str::to_owned)
                .collect()
        };
        for (configured, base) in [
            (Some("FATAL"), "error"),
            (Some("DEBUG"), "debug"),
            (Some("nonsense=["), "info"),
            (None, "info"),
            (Some("trace"), "trace"),
        ] {
            let d = directives(configured);
            assert!(d.contains(&base.to_owned()), "{configured:?}: {d:?}");
            assert!(
                d.contains(&"hyper=info".to_owned()),
                "{configured:?}: {d:?}"
            );
        }
    }
}
