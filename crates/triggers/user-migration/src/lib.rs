#![doc = include_str!("../README.md")]

pub mod adapters;
pub mod hash;
pub mod ports;
pub mod secret;
pub mod store;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant, SystemTime};

use lambda_runtime::LambdaEvent;
use trigger_core::events::{
    CognitoEventUserPoolsMigrateUser,
    CognitoEventUserPoolsMigrateUserResponse as MigrateUserResponse,
    CognitoEventUserPoolsMigrateUserTriggerSource as TriggerSource,
};
use trigger_core::redact::mask_email;
use trigger_core::time::rfc3339;
use trigger_core::{ConfigError, ErrorKind, TriggerError, Vars};

use ports::{LegacyUserStore, StoreError};
use secret::Password;
use store::{normalize_username, LegacyUser, RowProblem, Status};
use tokio::time::{timeout_at, Instant as Deadline};

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
    /// Each call to the legacy table (`STORE_BUDGET_MS`), within the whole budget.
    pub store_budget: Duration,
    /// The whole invocation: lookup, verification and write (`MIGRATION_BUDGET_MS`).
    pub budget: Duration,
}

/// How long an invocation may take, all told, unless `MIGRATION_BUDGET_MS` says
/// otherwise: well inside Cognito's 5 seconds.
pub const DEFAULT_BUDGET: Duration = Duration::from_millis(3000);

/// `ATTRIBUTE_MAP`: legacy attribute name to Cognito attribute name, never one Cognito
/// or the trigger sets itself, never two legacy attributes to one target. Also read by
/// `legacy-import --to cognito-csv`, so that both migrations map alike.
pub fn attribute_map(vars: &Vars) -> Result<BTreeMap<String, String>, ConfigError> {
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
    Ok(attribute_map)
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let attribute_map = attribute_map(vars)?;
        let dummy_hash = vars.string_or("DUMMY_HASH", DEFAULT_DUMMY_HASH);
        hash::check_format(&dummy_hash)
            .map_err(|e| ConfigError::new("DUMMY_HASH", e.to_string()))?;
        let store_budget =
            vars.millis("STORE_BUDGET_MS", Duration::from_millis(1000), 50..=3000)?;
        let budget = vars.millis("MIGRATION_BUDGET_MS", DEFAULT_BUDGET, 200..=4500)?;
        Ok(Self {
            table_name: vars.required("LEGACY_USERS_TABLE_NAME")?,
            attribute_map,
            dummy_hash,
            store_budget,
            budget,
        })
    }

    /// Verifies `DUMMY_HASH` once, as it is verified for an unknown user: an error
    /// refuses the start (an unknown user would answer at once where a wrong password
    /// takes a verification). How long it took, for the start's log.
    pub fn check_dummy(&self) -> Result<Duration, ConfigError> {
        let started = Instant::now();
        hash::verify(&Password::new("not the password"), &self.dummy_hash)
            .map_err(|e| ConfigError::new("DUMMY_HASH", format!("cannot be verified: {e}")))?;
        Ok(started.elapsed())
    }

    /// Refuses a `DUMMY_HASH` whose scheme or cost differs from the one most legacy
    /// users have, as `legacy-import` recorded it (`store_profile`): unknown users
    /// would answer in another time than wrong passwords, telling them apart.
    pub fn check_dummy_against(&self, store_profile: Option<&str>) -> Result<(), ConfigError> {
        let Some(wanted) = store_profile else {
            return Ok(());
        };
        let dummy = hash::profile(&self.dummy_hash)
            .map_err(|e| ConfigError::new("DUMMY_HASH", e.to_string()))?;
        if dummy.to_string() == wanted {
            return Ok(());
        }
        Err(ConfigError::new(
            "DUMMY_HASH",
            format!(
                "is {dummy}, but most legacy users' hashes are {wanted} (as legacy-import \
                 recorded): unknown users would answer in another time than wrong \
                 passwords; give a hash of a random password with that scheme and cost"
            ),
        ))
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
    let deadline = Deadline::now() + config.budget;
    let found = find_within_budget(config, store, &username, &shown, deadline).await?;
    let user = match flow {
        Flow::Authentication => {
            let password = password.unwrap_or_else(|| Password::new(""));
            authenticate(config, password, found, &shown, deadline).await?
        }
        Flow::ForgotPassword => reset(found, &shown)?,
    };
    mark_migrated(config, store, &user, &shown, deadline).await;
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

/// What the legacy table holds for a username.
#[derive(Debug)]
pub enum Found {
    User(LegacyUser),
    /// No user of that name.
    Nobody,
    /// A row that cannot be used (a field missing or mistyped): answered like a
    /// user whose password does not match, after the same work.
    Unusable(RowProblem),
}

/// The legacy row, within `STORE_BUDGET_MS` and the deadline.
async fn find_within_budget<S: LegacyUserStore>(
    config: &Config,
    store: &S,
    username: &str,
    shown: &str,
    deadline: Deadline,
) -> Result<Found, TriggerError> {
    let unavailable = |why: String| {
        TriggerError::internal(ErrorKind::LookupFailed, format!("lookup of {shown}: {why}"))
    };
    let by = deadline.min(Deadline::now() + config.store_budget);
    match timeout_at(by, store.find(username)).await {
        Ok(Ok(Some(user))) => Ok(Found::User(user)),
        Ok(Ok(None)) => Ok(Found::Nobody),
        Ok(Err(StoreError::Malformed(why))) => Ok(Found::Unusable(why)),
        Ok(Err(e)) => Err(unavailable(e.to_string())),
        Err(_) => Err(unavailable("no answer within the budget".into())),
    }
}

/// Verifies the password against the found user's hash, or against `DUMMY_HASH` for
/// an unknown user and for a row whose hash cannot be verified, so that every
/// refusal costs one verification of the same kind and reads the same.
async fn authenticate(
    config: &Config,
    password: Password,
    found: Found,
    shown: &str,
    deadline: Deadline,
) -> Result<LegacyUser, TriggerError> {
    let (user, hash) = match found {
        // What is logged of an unusable row is typed to hold no value of it: a
        // `HashError` (a scheme and a fixed reason) or a `RowProblem` (a field name
        // and a fixed reason).
        Found::User(user) => match hash::check_format(&user.password_hash) {
            Ok(_) => {
                let hash = user.password_hash.clone();
                (Some(user), hash)
            }
            Err(e) => {
                tracing::error!(user = %shown, problem = %e, "legacy hash cannot be verified; refused like a failed sign-in");
                (None, config.dummy_hash.clone())
            }
        },
        Found::Unusable(problem) => {
            tracing::error!(user = %shown, problem = %problem, "legacy row cannot be used; refused like a failed sign-in");
            (None, config.dummy_hash.clone())
        }
        Found::Nobody => {
            tracing::info!(user = %shown, "unknown legacy user");
            (None, config.dummy_hash.clone())
        }
    };
    let matches = verify_within(password, hash, deadline, shown).await?;
    match (user, matches) {
        (Some(user), true) if user.status == Status::Active => Ok(user),
        (Some(_), true) => {
            tracing::info!(user = %shown, "sign-in refused: disabled legacy user");
            Err(TriggerError::user(REFUSAL))
        }
        (Some(_), false) => {
            tracing::info!(user = %shown, "sign-in refused: the legacy hash does not match");
            Err(TriggerError::user(REFUSAL))
        }
        (None, _) => {
            tracing::info!(user = %shown, "sign-in refused");
            Err(TriggerError::user(REFUSAL))
        }
    }
}

/// One verification on a blocking thread (it is seconds of CPU at worst, which
/// would stall the runtime's own thread), given up at the deadline. A verification
/// given up finishes on its thread, bounded by the hash ceilings, and its result is
/// dropped with the password.
async fn verify_within(
    password: Password,
    hash: String,
    deadline: Deadline,
    shown: &str,
) -> Result<bool, TriggerError> {
    let work = tokio::task::spawn_blocking(move || hash::verify(&password, &hash));
    match timeout_at(deadline, work).await {
        Ok(Ok(Ok(matches))) => Ok(matches),
        // Checked before: only a crate refusing what parsed could get here.
        Ok(Ok(Err(e))) => {
            tracing::error!(user = %shown, error = %e, "legacy hash refused by its verifier");
            Ok(false)
        }
        Ok(Err(_)) => Err(TriggerError::internal(
            ErrorKind::UnusableData,
            format!("verification of {shown} stopped"),
        )),
        Err(_) => Err(TriggerError::internal(
            ErrorKind::LookupFailed,
            format!("verification of {shown} did not finish within MIGRATION_BUDGET_MS"),
        )),
    }
}

/// Forgot-password: an active legacy user is migrated for Cognito to send the code.
fn reset(found: Found, shown: &str) -> Result<LegacyUser, TriggerError> {
    match found {
        Found::User(u) if u.status == Status::Active => Ok(u),
        Found::User(_) => {
            tracing::info!(user = %shown, "reset refused: disabled legacy user");
            Err(TriggerError::user(REFUSAL))
        }
        Found::Nobody => {
            tracing::info!(user = %shown, "reset refused: unknown legacy user");
            Err(TriggerError::user(REFUSAL))
        }
        Found::Unusable(problem) => {
            tracing::error!(user = %shown, problem = %problem, "reset refused: legacy row cannot be used");
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
    deadline: Deadline,
) {
    let now = rfc3339(SystemTime::now());
    let by = deadline.min(Deadline::now() + config.store_budget);
    let marked = timeout_at(by, store.mark_migrated(&user.username, &now)).await;
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
