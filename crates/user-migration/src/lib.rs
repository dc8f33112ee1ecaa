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

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

use lambda_runtime::LambdaEvent;
use trigger_core::events::{
    CognitoEventUserPoolsMigrateUser,
    CognitoEventUserPoolsMigrateUserResponse as MigrateUserResponse,
    CognitoEventUserPoolsMigrateUserTriggerSource as TriggerSource,
};
use trigger_core::redact::mask_email;
use trigger_core::time::rfc3339;
use trigger_core::{ConfigError, ErrorKind, TriggerError, Vars};

use secret::Password;
use store::{normalize_username, LegacyUser, LegacyUserStore, Status};

/// The one sentence for an unknown user, a wrong password and a disabled user
/// (without a final period: Cognito adds one).
pub const REFUSAL: &str = "Incorrect username or password";

/// bcrypt, cost 10, of a random string nobody knows: verified for unknown users so
/// they cost what a real user costs. Set `DUMMY_HASH` to a hash with the scheme and
/// cost most legacy users have.
pub const DEFAULT_DUMMY_HASH: &str = "$2b$10$D6dcz4mPY.3yXd0MJ/xVTOr4bUzNZpqU/lmAMoCdvu6eVoNxQhYOW";

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
        for (from, to) in vars.pairs("ATTRIBUTE_MAP", ',')? {
            if RESERVED_TARGETS.contains(&to.as_str()) || to.starts_with("cognito:") {
                return Err(ConfigError::new(
                    "ATTRIBUTE_MAP",
                    format!("{to:?} is set by the trigger itself, not by a mapping"),
                ));
            }
            if attribute_map.values().any(|t| *t == to) {
                return Err(ConfigError::new(
                    "ATTRIBUTE_MAP",
                    format!("{to:?} is the target of two legacy attributes; map one to it"),
                ));
            }
            attribute_map.insert(from, to);
        }
        let dummy_hash = vars.string_or("DUMMY_HASH", DEFAULT_DUMMY_HASH);
        hash::check_format(&dummy_hash)
            .map_err(|e| ConfigError::new("DUMMY_HASH", e.to_string()))?;
        let store_budget =
            vars.millis("STORE_BUDGET_MS", Duration::from_millis(1500), 50..=3000)?;
        Ok(Self {
            table_name: vars.required("LEGACY_USERS_TABLE_NAME")?,
            attribute_map,
            dummy_hash,
            store_budget,
        })
    }
}

/// The event this trigger takes and returns.
pub type Event = CognitoEventUserPoolsMigrateUser;

/// The two migration flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Authentication,
    ForgotPassword,
}

/// The Lambda handler: the legacy user found and verified, and the attributes
/// Cognito creates them with in `response`; or the one refusal sentence.
pub async fn handler<S: LegacyUserStore>(
    config: &Config,
    store: &S,
    event: LambdaEvent<Event>,
) -> Result<Event, TriggerError> {
    let mut event = event.payload;
    let flow = flow(
        event
            .cognito_event_user_pools_header
            .trigger_source
            .as_ref(),
    )?;
    // Moved out of the event into a type that cannot be printed: the answer does
    // not carry the password back either.
    let password = event
        .cognito_event_user_pools_migrate_user_request
        .password
        .take()
        .map(Password::new);
    let username = normalize_username(
        event
            .cognito_event_user_pools_header
            .user_name
            .as_deref()
            .unwrap_or_default(),
    );
    let shown = mask_email(&username);
    let found = find_within_budget(config, store, &username, &shown).await?;
    let user = match flow {
        Flow::Authentication => authenticate(
            config,
            &password.unwrap_or_else(|| Password::new("")),
            found,
            &shown,
        )?,
        Flow::ForgotPassword => reset(found, &shown)?,
    };
    mark_migrated(config, store, &user, &shown).await;
    tracing::info!(user = %shown, flow = ?flow, "legacy user migrated");
    fill_response(
        config,
        &user,
        flow,
        &mut event.cognito_event_user_pools_migrate_user_response,
    );
    Ok(event)
}

fn flow(source: Option<&TriggerSource>) -> Result<Flow, TriggerError> {
    match source {
        Some(TriggerSource::Authentication) => Ok(Flow::Authentication),
        Some(TriggerSource::ForgotPassword) => Ok(Flow::ForgotPassword),
        Some(other) => Err(TriggerError::unsupported_source(&format!("{other:?}"))),
        None => Err(TriggerError::malformed("event has no triggerSource")),
    }
}

/// The legacy row, within `STORE_BUDGET_MS`.
async fn find_within_budget<S: LegacyUserStore>(
    config: &Config,
    store: &S,
    username: &str,
    shown: &str,
) -> Result<Option<LegacyUser>, TriggerError> {
    let unavailable = |why: String| {
        TriggerError::internal(ErrorKind::LookupFailed, format!("lookup of {shown}: {why}"))
    };
    match tokio::time::timeout(config.store_budget, store.find(username)).await {
        Ok(Ok(found)) => Ok(found),
        Ok(Err(e)) => Err(unavailable(e.to_string())),
        Err(_) => Err(unavailable(format!(
            "no answer within {} ms",
            config.store_budget.as_millis()
        ))),
    }
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
        TriggerError::internal(ErrorKind::UnusableData, format!("hash of {shown}: {e}"))
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

/// Forgot-password: an active legacy user is migrated for Cognito to send the code.
fn reset(found: Option<LegacyUser>, shown: &str) -> Result<LegacyUser, TriggerError> {
    match found {
        Some(u) if u.status == Status::Active => Ok(u),
        Some(_) => {
            tracing::info!(user = %shown, "reset refused: disabled legacy user");
            Err(TriggerError::user(REFUSAL))
        }
        None => {
            tracing::info!(user = %shown, "reset refused: unknown legacy user");
            Err(TriggerError::user(REFUSAL))
        }
    }
}

/// Records the migration time on the legacy row. The user is migrated in Cognito
/// either way: a failure here is logged, not returned.
async fn mark_migrated<S: LegacyUserStore>(
    config: &Config,
    store: &S,
    user: &LegacyUser,
    shown: &str,
) {
    let now = rfc3339(SystemTime::now());
    let marked = tokio::time::timeout(
        config.store_budget,
        store.mark_migrated(&user.username, &now),
    )
    .await;
    match marked {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(user = %shown, error = %e, "migration time not recorded"),
        Err(_) => {
            tracing::warn!(user = %shown, "migration time not recorded: no answer within the budget")
        }
    }
}

/// The `response` Cognito creates the user from (fields the type does not know,
/// such as `enableSMSMFA`, are kept as they came).
pub fn fill_response(
    config: &Config,
    user: &LegacyUser,
    flow: Flow,
    response: &mut MigrateUserResponse,
) {
    // The mapped attributes, then email, email_verified and phone_number.
    let mut attributes = HashMap::with_capacity(user.attributes.len() + 3);
    for (legacy, value) in &user.attributes {
        if let Some(target) = config.attribute_map.get(legacy) {
            attributes.insert(target.clone(), value.clone());
        }
    }
    attributes.insert("email".into(), user.email.clone());
    attributes.insert("email_verified".into(), "true".into());
    if let Some(phone) = &user.phone_number {
        attributes.insert("phone_number".into(), phone.clone());
    }
    let status = match flow {
        Flow::Authentication => "CONFIRMED",
        Flow::ForgotPassword => "RESET_REQUIRED",
    };
    response.user_attributes = attributes;
    response.final_user_status = Some(status.to_owned());
    response.message_action = Some("SUPPRESS".to_owned());
    response.desired_delivery_mediums = Some(vec!["EMAIL".to_owned()]);
    response.force_alias_creation = false;
}
