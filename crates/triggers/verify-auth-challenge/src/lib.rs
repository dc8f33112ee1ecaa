#![doc = include_str!("../README.md")]

pub mod adapters;
pub mod config;
pub mod ports;

use lambda_runtime::LambdaEvent;
use passwordless::budget::{Deadline, Failure};
use passwordless::code::matches;
use passwordless::ports::{now_secs, table_key, ChallengeStore};
use passwordless::settings::{HAVE_LINK, SEND};
use passwordless::token::{check, PublicKey, MAX_TOKEN_LEN};
use passwordless::Method;
use serde_json::Value;
use trigger_core::events::CognitoEventUserPoolsVerifyAuthChallenge;
use trigger_core::TriggerError;

pub use config::Config;
pub use ports::{BotCheck, BotCheckError};

pub type Event = CognitoEventUserPoolsVerifyAuthChallenge;

const FUNCTION: &str = "verify";

/// What the handler calls: the challenge table (links), the public half of the link
/// key (fetched once at start), the bot-check provider.
#[derive(Debug)]
pub struct Services<'a, S, B> {
    pub store: &'a S,
    pub public_key: Option<&'a PublicKey>,
    pub bot_check: Option<&'a B>,
}

/// The Lambda handler: whether the answer is right. Never right for an unknown user.
pub async fn handler<S: ChallengeStore, B: BotCheck>(
    config: &Config,
    services: &Services<'_, S, B>,
    event: LambdaEvent<Event>,
) -> Result<Event, TriggerError> {
    let mut event = event.payload;
    let deadline = Deadline::after(config.shared.budget);
    let request = &event.request;
    let private = &request.private_challenge_parameters;
    // The answer as text, bounded: anything else is simply wrong.
    let answer = match &request.challenge_answer {
        Some(Value::String(text)) if text.len() <= MAX_TOKEN_LEN => text.as_str(),
        _ => "",
    };
    let kind = private.get("kind").map_or("", String::as_str);
    let correct = match kind {
        "start" => start(config, services, answer, &deadline).await,
        "code" => Ok(code(private, answer)),
        "link" => link(config, services, &event, answer, &deadline).await,
        _ => {
            tracing::warn!("private challenge parameters this flow did not write");
            Ok(false)
        }
    }
    .map_err(|f| f.into_error(FUNCTION))?;
    let correct = correct && !request.user_not_found;
    metrics::counter!("PasswordlessAnswers", "step" => step_name(kind), "correct" => correct.to_string())
        .increment(1);
    tracing::info!(step = step_name(kind), correct, "answer checked");
    event.response.answer_correct = correct;
    Ok(event)
}

fn step_name(kind: &str) -> &'static str {
    match kind {
        "start" => "start",
        "code" => "code",
        "link" => "link",
        _ => "unknown",
    }
}

/// The start step: the bot check's token (with a provider), `send` (without), or
/// `have-link` (a link sign-in that sends nothing: answered false, so that define
/// and create go on to the link step without sending).
async fn start<S, B: BotCheck>(
    config: &Config,
    services: &Services<'_, S, B>,
    answer: &str,
    deadline: &Deadline,
) -> Result<bool, Failure> {
    if answer == HAVE_LINK && config.shared.flow.method == Method::MagicLink {
        return Ok(false);
    }
    match (config.shared.flow.captcha, services.bot_check) {
        (None, _) => Ok(answer == SEND),
        (Some(_), _) if answer.is_empty() => Ok(false),
        (Some(_), Some(check)) => deadline.run("bot-check", check.passes(answer)).await,
        (Some(_), None) => Err(Failure::new("bot-check", "no provider configured")),
    }
}

/// A code: its salted digest compared in constant time, before its expiry.
fn code(private: &std::collections::HashMap<String, String>, answer: &str) -> bool {
    let field = |name: &str| private.get(name).map_or("", String::as_str);
    let expires: u64 = field("expires").parse().unwrap_or(0);
    // Computed whatever the expiry, so that an expired code costs the same.
    let right = matches(field("salt"), field("digest"), answer);
    right && now_secs() < expires
}

/// A link: the signature first (with the public key fetched at start), then the
/// user, pool, origin and expiry, then the one-time use in the table.
async fn link<S: ChallengeStore, B>(
    config: &Config,
    services: &Services<'_, S, B>,
    event: &Event,
    answer: &str,
    deadline: &Deadline,
) -> Result<bool, Failure> {
    let key = services
        .public_key
        .ok_or_else(|| Failure::new("link", "no public key"))?;
    let claims = match key.open(answer) {
        Ok(claims) => claims,
        Err(refusal) => {
            tracing::info!(reason = %refusal, "link refused");
            return Ok(false);
        }
    };
    let header = &event.cognito_event_user_pools_header;
    let pool = header.user_pool_id.as_deref().unwrap_or_default();
    let user = header.user_name.as_deref().unwrap_or_default();
    let allows = |origin: &str| {
        config
            .shared
            .link
            .as_ref()
            .is_some_and(|l| l.allows(origin))
    };
    let now = now_secs();
    if let Err(refusal) = check(&claims, pool, user, allows, now) {
        tracing::info!(reason = %refusal, "link refused");
        return Ok(false);
    }
    let accepted = deadline
        .run(
            "table",
            services
                .store
                .consume_link(&table_key(pool, user), &claims.nonce_digest(), now),
        )
        .await?;
    if !accepted {
        tracing::info!(reason = "used, replaced or expired", "link refused");
    }
    Ok(accepted)
}
