//! Cognito user migration trigger.
//!
//! On a user's first sign-in (or forgot-password) with a username the pool does not
//! know, Cognito calls this trigger with the username (and, for a sign-in, the
//! plaintext password). It looks the user up in the legacy table, verifies the
//! legacy password hash, and answers with the attributes Cognito creates the user
//! with. The password never reaches a log, an error, a Debug output or a panic
//! message; unknown users, wrong passwords and disabled users get the same sentence
//! after the same work.

pub mod hash;
pub mod secret;
pub mod store;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use lambda_runtime::LambdaEvent;
use serde_json::{json, Map, Value};
use trigger_core::redact::mask_email;
use trigger_core::{CognitoEvent, ConfigError, TriggerError, Vars};

use secret::Password;
use store::{normalize_username, LegacyUser, LegacyUserStore, Status};

/// The one sentence for an unknown user, a wrong password and a disabled user.
pub const REFUSAL: &str = "Incorrect username or password.";

/// bcrypt, cost 10, of a random string nobody knows: verified for unknown users so
/// they cost what a real user costs. Set `DUMMY_HASH` to a hash with the scheme and
/// cost most legacy users have.
pub const DEFAULT_DUMMY_HASH: &str = "$2b$10$D6dcz4mPY.3yXd0MJ/xVTOr4bUzNZpqU/lmAMoCdvu6eVoNxQhYOW";

/// Log targets capped at INFO whatever `RUST_LOG` says: `lambda_runtime` logs each
/// raw event at TRACE, and this trigger's events hold a password.
pub const LOG_CAPS: &[&str] = &[
    "lambda_runtime=info",
    "lambda_runtime_api_client=info",
    "hyper=info",
    "h2=info",
];

/// Attributes Cognito manages itself: a mapping may not write them.
const RESERVED_TARGETS: &[&str] = &[
    "sub",
    "username",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
];

#[derive(Debug, Clone)]
pub struct Config {
    pub table_name: String,
    /// legacy attribute name → Cognito attribute name
    pub attribute_map: BTreeMap<String, String>,
    pub dummy_hash: String,
    pub store_budget: Duration,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let mut attribute_map = BTreeMap::new();
        for entry in vars.list("ATTRIBUTE_MAP") {
            let Some((from, to)) = entry.split_once('=').map(|(a, b)| (a.trim(), b.trim())) else {
                return Err(ConfigError::new(
                    "ATTRIBUTE_MAP",
                    format!("{entry:?} is not legacy=cognito"),
                ));
            };
            if from.is_empty() || to.is_empty() {
                return Err(ConfigError::new(
                    "ATTRIBUTE_MAP",
                    format!("{entry:?} is not legacy=cognito"),
                ));
            }
            if RESERVED_TARGETS.contains(&to) || to.starts_with("cognito:") {
                return Err(ConfigError::new(
                    "ATTRIBUTE_MAP",
                    format!("{to:?} is set by the trigger itself, not by a mapping"),
                ));
            }
            attribute_map.insert(from.to_owned(), to.to_owned());
        }
        let dummy_hash = vars.string_or("DUMMY_HASH", DEFAULT_DUMMY_HASH);
        hash::check_format(&dummy_hash)
            .map_err(|e| ConfigError::new("DUMMY_HASH", e.to_string()))?;
        let budget_ms: u64 = vars
            .string_or("STORE_BUDGET_MS", "1500")
            .parse()
            .ok()
            .filter(|ms| (50..=3000).contains(ms))
            .ok_or_else(|| {
                ConfigError::new("STORE_BUDGET_MS", "must be 50 to 3000 milliseconds")
            })?;
        Ok(Self {
            table_name: vars.required("LEGACY_USERS_TABLE_NAME")?,
            attribute_map,
            dummy_hash,
            store_budget: Duration::from_millis(budget_ms),
        })
    }
}

/// The two migration flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Authentication,
    ForgotPassword,
}

/// The Lambda entry point.
pub async fn handler<S: LegacyUserStore>(
    config: &Config,
    store: &S,
    event: LambdaEvent<Value>,
) -> Result<Value, TriggerError> {
    handle(config, store, event.payload).await
}

/// Translates between the event, the store and the hash check.
pub async fn handle<S: LegacyUserStore>(
    config: &Config,
    store: &S,
    payload: Value,
) -> Result<Value, TriggerError> {
    let mut event = CognitoEvent::from_value(payload)?;
    let flow = match event.trigger_source()? {
        "UserMigration_Authentication" => Flow::Authentication,
        "UserMigration_ForgotPassword" => Flow::ForgotPassword,
        other => return Err(TriggerError::unsupported_source(other)),
    };
    let username = normalize_username(event.user_name().unwrap_or_default());
    // Taken out of the event once, into a type that cannot be printed.
    let password = event.request_str("password").map(Password::new);
    let shown = mask_email(&username);

    let found = match tokio::time::timeout(config.store_budget, store.find(&username)).await {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => {
            return Err(TriggerError::internal(
                "LegacyStoreUnavailable",
                format!("lookup of {shown}: {e}"),
            ))
        }
        Err(_) => {
            return Err(TriggerError::internal(
                "LegacyStoreUnavailable",
                format!(
                    "lookup of {shown}: no answer within {} ms",
                    config.store_budget.as_millis()
                ),
            ))
        }
    };

    let user = match flow {
        Flow::Authentication => {
            let password = password.unwrap_or_else(|| Password::new(""));
            authenticate(config, &password, found, &shown)?
        }
        Flow::ForgotPassword => match found {
            Some(u) if u.status == Status::Active => u,
            Some(_) => {
                tracing::info!(user = %shown, "reset refused: disabled legacy user");
                return Err(TriggerError::user(REFUSAL));
            }
            None => {
                tracing::info!(user = %shown, "reset refused: unknown legacy user");
                return Err(TriggerError::user(REFUSAL));
            }
        },
    };

    let now = trigger_core::aws::rfc3339(SystemTime::now());
    if let Err(e) = tokio::time::timeout(
        config.store_budget,
        store.mark_migrated(&user.username, &now),
    )
    .await
    .unwrap_or_else(|_| Err(store::StoreError("no answer within the budget".into())))
    {
        // The user is migrated in Cognito either way; the mark is bookkeeping.
        tracing::warn!(user = %shown, error = %e, "migration time not recorded");
    }
    tracing::info!(user = %shown, flow = ?flow, "legacy user migrated");
    event.set_response(response(config, &user, flow));
    Ok(event.into_value())
}

/// Verifies the password for a found user, or a dummy hash for an unknown one, so
/// every refusal costs one verification.
fn authenticate(
    config: &Config,
    password: &Password,
    found: Option<LegacyUser>,
    shown: &str,
) -> Result<LegacyUser, TriggerError> {
    let Some(user) = found else {
        // black_box: the result is unused, and the work must not be optimized away.
        let _ = std::hint::black_box(hash::verify(
            password,
            std::hint::black_box(&config.dummy_hash),
        ));
        tracing::info!(user = %shown, "sign-in refused: unknown legacy user");
        return Err(TriggerError::user(REFUSAL));
    };
    let matches = hash::verify(password, &user.password_hash).map_err(|e| {
        TriggerError::internal("LegacyHashUnusable", format!("hash of {shown}: {e}"))
    })?;
    match (matches, user.status) {
        (true, Status::Active) => Ok(user),
        (true, Status::Disabled) => {
            tracing::info!(user = %shown, "sign-in refused: disabled legacy user");
            Err(TriggerError::user(REFUSAL))
        }
        (false, _) => {
            tracing::info!(user = %shown, "sign-in refused: the legacy hash does not match");
            Err(TriggerError::user(REFUSAL))
        }
    }
}

/// The `response` Cognito creates the user from.
pub fn response(config: &Config, user: &LegacyUser, flow: Flow) -> Map<String, Value> {
    let mut attributes = Map::new();
    for (legacy, value) in &user.attributes {
        if let Some(target) = config.attribute_map.get(legacy) {
            attributes.insert(target.clone(), Value::String(value.clone()));
        }
    }
    attributes.insert("email".into(), Value::String(user.email.clone()));
    attributes.insert("email_verified".into(), Value::String("true".into()));
    if let Some(phone) = &user.phone_number {
        attributes.insert("phone_number".into(), Value::String(phone.clone()));
    }
    let status = match flow {
        Flow::Authentication => "CONFIRMED",
        Flow::ForgotPassword => "RESET_REQUIRED",
    };
    let mut response = Map::new();
    response.insert("userAttributes".into(), Value::Object(attributes));
    response.insert("finalUserStatus".into(), json!(status));
    response.insert("messageAction".into(), json!("SUPPRESS"));
    response.insert("desiredDeliveryMediums".into(), json!(["EMAIL"]));
    response.insert("forceAliasCreation".into(), json!(false));
    response
}
