//! Log set-up shared by every trigger binary.

use tracing_subscriber::EnvFilter;

/// The level filter: `RUST_LOG`, else `AWS_LAMBDA_LOG_LEVEL`, else `info`, then the
/// `caps` (directives such as `lambda_runtime=info`), which win for their targets.
pub fn filter(caps: &[&str]) -> EnvFilter {
    let configured = std::env::var("RUST_LOG")
        .ok()
        .or_else(|| std::env::var("AWS_LAMBDA_LOG_LEVEL").ok());
    filter_from(configured, caps)
}

/// [`filter`] with the configured level given rather than read from the environment.
pub fn filter_from(configured: Option<String>, caps: &[&str]) -> EnvFilter {
    let base = configured
        .map(|level| level.to_ascii_lowercase())
        .filter(|level| EnvFilter::try_new(level).is_ok())
        .unwrap_or_else(|| "info".to_owned());
    let mut directives = vec![base];
    directives.extend(caps.iter().map(|c| (*c).to_owned()));
    EnvFilter::try_new(directives.join(",")).unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Structured JSON logs (one object per line, what CloudWatch Logs Insights reads),
/// or plain text when `LOG_FORMAT=text`, at the level of [`filter`], with the `caps`
/// applied whatever the configured level (for a trigger whose events hold secrets
/// that a library would log at TRACE).
pub fn init_tracing_capped(caps: &[&str]) {
    let filter = filter(caps);
    let text = std::env::var("LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("text"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    // try_init: a second call (tests, tools) keeps the first subscriber.
    let _ = if text {
        builder.with_ansi(false).try_init()
    } else {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init()
    };
}
