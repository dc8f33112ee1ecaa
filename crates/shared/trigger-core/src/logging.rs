//! Log set-up shared by every trigger binary, honouring Lambda's own logging
//! controls (`AWS_LAMBDA_LOG_FORMAT`, `AWS_LAMBDA_LOG_LEVEL`).

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

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
pub fn filter(caps: &[&str]) -> Targets {
    let configured = std::env::var("RUST_LOG")
        .ok()
        .or_else(|| std::env::var("AWS_LAMBDA_LOG_LEVEL").ok());
    filter_from(configured, caps)
}

/// [`filter`] with the configured level given rather than read from the environment.
///
/// The configured value is a level (`debug`; Lambda's `FATAL` is read as `error`) or
/// `target=level` directives with an optional default level, as in
/// `info,pre_signup=debug`; anything unreadable is read as `info`. (A filter of
/// targets, not `EnvFilter`: span and field filters are not read, and no regex
/// engine is linked into every trigger for them.)
///
/// A cap `target=level` bounds every target that starts with `target` (as a
/// directive matches, so `hyper` also bounds `hyper::client` and `hyper_util`)
/// whatever was configured for them, and never raises a target above what was
/// configured.
pub fn filter_from(configured: Option<String>, caps: &[&str]) -> Targets {
    let configured = configured
        .map(|level| level.trim().to_ascii_lowercase())
        .map(|level| {
            if level == "fatal" {
                "error".to_owned()
            } else {
                level
            }
        })
        .filter(|level| !level.is_empty())
        .and_then(|level| level.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    // Caps are directives too: read them as the configured value is read.
    let capping = caps
        .join(",")
        .parse::<Targets>()
        .unwrap_or_else(|_| Targets::new());
    let caps: Vec<(&str, LevelFilter)> = capping.iter().collect();
    let cap_of = |target: &str| {
        caps.iter()
            .filter(|(cap, _)| target.starts_with(cap))
            .map(|(_, level)| *level)
            .min()
    };
    let mut filter = Targets::new();
    if let Some(default) = configured.default_level() {
        filter = filter.with_default(default);
    }
    for (target, level) in configured.iter() {
        let level = cap_of(target).map_or(level, |cap| level.min(cap));
        filter = filter.with_target(target, level);
    }
    for (target, cap) in &caps {
        let configured_level = level_for(&configured, target);
        filter = filter.with_target(*target, configured_level.min(*cap));
    }
    filter
}

/// The most verbose level `filter` lets through for `target`.
fn level_for(filter: &Targets, target: &str) -> LevelFilter {
    use tracing::Level;
    [
        Level::TRACE,
        Level::DEBUG,
        Level::INFO,
        Level::WARN,
        Level::ERROR,
    ]
    .into_iter()
    .find(|level| filter.would_enable(target, level))
    .map_or(LevelFilter::OFF, LevelFilter::from_level)
}

/// The libraries' log targets that would write what this project never logs, capped
/// in every binary whatever `RUST_LOG` or `AWS_LAMBDA_LOG_LEVEL` says (measured on
/// lambda_runtime 1.5 and the AWS SDK's smithy 1.16 runtime, sigv4 1.6, config 1.13):
///
/// - `lambda_runtime` logs every raw event at TRACE (`layers::api_response`): a
///   password, a code's ciphertext, addresses and phone numbers;
/// - the SDK's orchestrator logs each request and response with its body at TRACE
///   (a legacy password hash read from DynamoDB, an email sent through SES with its
///   code, a data key's ciphertext sent to KMS) and errors with their response at
///   DEBUG;
/// - `aws_sigv4` logs the request it signs at TRACE, `aws_config` a credential
///   process's command line;
/// - hyper and h2 log connection internals at TRACE.
///
/// The rest of the SDK (retries, timeouts, endpoint resolution) still logs at DEBUG.
pub const SECRET_CAPS: &[&str] = &[
    "lambda_runtime=info",
    "aws_smithy_runtime::client::orchestrator=info",
    "aws_smithy=debug",
    "aws_sigv4=debug",
    "aws_config=debug",
    "aws_runtime=debug",
    "hyper=info",
    "h2=info",
];

/// Logs in the [`format_from`] format at the level of [`filter`], with
/// [`SECRET_CAPS`] applied whatever the configured level.
pub fn init_tracing() {
    let format = format_from(
        std::env::var("LOG_FORMAT").ok().as_deref(),
        std::env::var("AWS_LAMBDA_LOG_FORMAT").ok().as_deref(),
    );
    let filter = filter(SECRET_CAPS);
    let layer = tracing_subscriber::fmt::layer().with_target(false);
    let registry = tracing_subscriber::registry();
    // try_init: a second call (tests, tools) keeps the first subscriber.
    let _ = match format {
        Format::Text => registry
            .with(layer.with_ansi(false).with_filter(filter))
            .try_init(),
        Format::Json => registry
            .with(
                layer
                    .json()
                    .flatten_event(true)
                    .with_current_span(false)
                    .with_filter(filter),
            )
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
        let caps = &["hyper=info"];
        for (configured, base) in [
            (Some("FATAL"), LevelFilter::ERROR),
            (Some("DEBUG"), LevelFilter::DEBUG),
            (Some("nonsense=["), LevelFilter::INFO),
            (Some(""), LevelFilter::INFO),
            (None, LevelFilter::INFO),
            (Some("trace"), LevelFilter::TRACE),
        ] {
            let f = filter_from(configured.map(str::to_owned), caps);
            assert_eq!(level_for(&f, "pre_signup"), base, "{configured:?}");
            assert_eq!(
                level_for(&f, "hyper"),
                base.min(LevelFilter::INFO),
                "{configured:?}: the cap bounds hyper, and never raises it"
            );
            assert_eq!(
                level_for(&f, "hyper::client::conn"),
                base.min(LevelFilter::INFO),
                "{configured:?}: and what is under it"
            );
            assert_eq!(level_for(&f, "aws_config"), base, "{configured:?}");
        }
    }

    #[test]
    fn a_directive_for_a_capped_target_or_one_under_it_cannot_lift_the_cap() {
        let caps = &["lambda_runtime=info", "hyper=warn"];
        let lifting = "warn,lambda_runtime=trace,lambda_runtime::layers::api_response=trace,user_migration=debug";
        // Directives match targets by their start, so the caps bound these too.
        let alike = "hyper_util=trace,lambda_runtime_api_client=debug";
        for (configured, target, most) in [
            (lifting, "lambda_runtime", LevelFilter::INFO),
            (
                lifting,
                "lambda_runtime::layers::api_response",
                LevelFilter::INFO,
            ),
            (lifting, "user_migration", LevelFilter::DEBUG),
            (lifting, "aws_config", LevelFilter::WARN),
            (lifting, "hyper", LevelFilter::WARN),
            (alike, "hyper_util", LevelFilter::WARN),
            (alike, "lambda_runtime_api_client", LevelFilter::INFO),
        ] {
            let f = filter_from(Some(configured.into()), caps);
            assert_eq!(level_for(&f, target), most, "{configured} for {target}");
        }
    }

    #[test]
    fn the_secret_caps_hold_the_body_logging_targets_at_any_configured_level() {
        let lifting = "trace,lambda_runtime::layers=trace,aws_smithy_runtime=trace,aws_sigv4=trace";
        for (target, most) in [
            ("lambda_runtime::layers::api_response", LevelFilter::INFO),
            (
                "aws_smithy_runtime::client::orchestrator",
                LevelFilter::INFO,
            ),
            (
                "aws_smithy_runtime::client::orchestrator::http",
                LevelFilter::INFO,
            ),
            (
                "aws_smithy_runtime::client::retries::strategy::standard",
                LevelFilter::DEBUG,
            ),
            ("aws_sigv4::http_request::sign", LevelFilter::DEBUG),
            ("aws_config::credential_process", LevelFilter::DEBUG),
            ("hyper_util::client", LevelFilter::INFO),
            ("h2::codec", LevelFilter::INFO),
            ("user_migration", LevelFilter::TRACE),
            ("trigger_core", LevelFilter::TRACE),
        ] {
            let f = filter_from(Some(lifting.into()), SECRET_CAPS);
            assert_eq!(level_for(&f, target), most, "{target}");
        }
    }

    #[test]
    fn directives_without_a_default_only_let_their_targets_through() {
        let f = filter_from(Some("pre_signup=debug".into()), &["hyper=info"]);
        assert_eq!(level_for(&f, "pre_signup::domain"), LevelFilter::DEBUG);
        assert_eq!(level_for(&f, "aws_config"), LevelFilter::OFF);
        assert_eq!(level_for(&f, "hyper"), LevelFilter::OFF);
    }
}
