//! Log set-up shared by every trigger binary.

use tracing_subscriber::EnvFilter;

/// Structured JSON logs (one object per line, what CloudWatch Logs Insights reads),
/// or plain text when `LOG_FORMAT=text`. The level comes from `RUST_LOG`, else
/// `AWS_LAMBDA_LOG_LEVEL`, else `info`.
pub fn init_tracing() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .or_else(|| std::env::var("AWS_LAMBDA_LOG_LEVEL").ok())
        .and_then(|level| EnvFilter::try_new(level.to_ascii_lowercase()).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
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
