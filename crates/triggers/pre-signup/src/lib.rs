#![doc = include_str!("../README.md")]

pub mod adapters;
mod canonical;
pub mod domain;
pub mod link;
pub mod ports;
pub mod proof;
pub mod rules;

use cognito_admin::UserDirectory;
use lambda_runtime::LambdaEvent;
use tokio::time::timeout_at;
use trigger_core::events::{
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsPreSignupTriggerSource as TriggerSource,
};
use trigger_core::redact::mask_email;
use trigger_core::{ConfigError, TriggerError, Vars};

use std::time::Duration;

use link::{
    federated_owner, identity_of, plan_external, ExternalPlan, LinkConfig, LinkRefusal, Separate,
};
use ports::EmailProofs;
use rules::{decide, Decision, Rules, Source};

/// The event this trigger takes and returns.
pub type Event = CognitoEventUserPoolsPreSignup;

/// The function's configuration, read once at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    pub rules: Rules,
    /// On with `LINK_FEDERATED_USERS=true`.
    pub link: Option<LinkConfig>,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::from_env())
    }

    /// The configuration of the `pre-signup` binary, which has no linking: with
    /// `LINK_FEDERATED_USERS=true` it is an error naming the binary that links.
    pub fn without_linking_from_env() -> Result<Self, ConfigError> {
        Self::without_linking(&Vars::from_env())
    }

    pub fn without_linking(vars: &Vars) -> Result<Self, ConfigError> {
        // Said first, whatever linking's other settings say.
        if vars.flag("LINK_FEDERATED_USERS", false)? {
            return Err(ConfigError::new(
                "LINK_FEDERATED_USERS",
                "is true, but this is the pre-signup binary without account linking; \
                 deploy pre-signup-linking for it (the template does with LinkFederatedUsers=true)",
            ));
        }
        Self::from_vars(vars)
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let link = match vars.flag("LINK_FEDERATED_USERS", false)? {
            false => None,
            true => Some(link_config(vars)?),
        };
        Ok(Self {
            rules: Rules::from_vars(vars)?,
            link,
        })
    }
}

/// Linking's settings: without the providers it may trust and the table recording
/// how addresses were proven, linking would have nothing to decide on.
fn link_config(vars: &Vars) -> Result<LinkConfig, ConfigError> {
    let budget = vars.millis("LINK_BUDGET_MS", Duration::from_millis(1000), 50..=4000)?;
    let trusted_providers = vars.list("LINK_TRUSTED_PROVIDERS");
    if trusted_providers.is_empty() {
        return Err(ConfigError::new(
            "LINK_TRUSTED_PROVIDERS",
            "must name the identity providers (as the pool names them, e.g. Google) whose \
             sign-ups may join an existing account, when LINK_FEDERATED_USERS is true",
        ));
    }
    let profile_table = vars.required("PROFILE_TABLE_NAME").map_err(|_| {
        ConfigError::new(
            "PROFILE_TABLE_NAME",
            "must be set when LINK_FEDERATED_USERS is true: post-confirmation records \
             there how each address was verified, and only one proven with a code is linked",
        )
    })?;
    Ok(LinkConfig {
        budget,
        trusted_providers,
        profile_table,
    })
}

/// What linking reads and writes: the pool's users, and the proofs of their addresses.
#[derive(Debug)]
pub struct Linking<'a, D, P> {
    pub users: &'a D,
    pub proofs: &'a P,
}

/// Linking off: what the `pre-signup` binary, and tests of the rules alone, pass.
pub const LINKING_OFF: Option<Linking<'static, link::NoLinking, link::NoLinking>> = None;

impl<D, P> Clone for Linking<'_, D, P> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<D, P> Copy for Linking<'_, D, P> {}

/// The Lambda handler: the whole event back with `response` filled in, or the
/// refusal Cognito shows the user. `linking` is what linking reads (`None` when
/// linking is off).
pub async fn handler<D: UserDirectory, P: EmailProofs>(
    config: &Config,
    linking: Option<Linking<'_, D, P>>,
    event: LambdaEvent<Event>,
) -> Result<Event, TriggerError> {
    let mut event = event.payload;
    let header = &event.cognito_event_user_pools_header;
    let source = source(header.trigger_source.as_ref())?;
    let attributes = &event.request.user_attributes;
    let masked = attributes.get("email").map(|e| mask_email(e));
    let pool = header.user_pool_id.as_deref().unwrap_or("");
    let refused = |rule: &str, sentence: String| {
        tracing::info!(trigger_source = ?source, user_pool_id = pool, email = masked.as_deref(), rule, "sign-up refused");
        TriggerError::user(sentence)
    };
    let decided = decide(&config.rules, source, attributes)
        .map_err(|r| refused(r.code(), r.sentence().to_owned()))?;
    if let (Some(link), Some(linking)) = (&config.link, linking) {
        let user_name = header.user_name.as_deref();
        one_account(link, linking, source, pool, user_name, attributes)
            .await
            .map_err(|r| refused(r.code(), r.sentence()))?;
    }
    tracing::info!(trigger_source = ?source, user_pool_id = pool, email = masked.as_deref(), auto_confirm = decided.auto_confirm_user, "sign-up accepted");
    answer(&mut event, &decided);
    Ok(event)
}

fn answer(event: &mut Event, decision: &Decision) {
    let response = &mut event.response;
    response.auto_confirm_user = decision.auto_confirm_user;
    response.auto_verify_email = decision.auto_verify_email;
    response.auto_verify_phone = decision.auto_verify_phone;
}

/// Linking: a federated sign-up of a trusted provider joins the native user whose
/// address a code proved; a password sign-up at a federated user's address is sent
/// to that provider. The search, the proof's lookup and the link are bounded by
/// `LINK_BUDGET_MS` together; a failure refuses the sign-up (letting it through would
/// make the second account linking exists to prevent).
async fn one_account<D: UserDirectory, P: EmailProofs>(
    link: &LinkConfig,
    linking: Linking<'_, D, P>,
    source: Source,
    pool: &str,
    user_name: Option<&str>,
    attributes: &std::collections::HashMap<String, String>,
) -> Result<(), LinkRefusal> {
    let Some(email) = link::email_of(attributes) else {
        return Ok(());
    };
    let deadline = tokio::time::Instant::now() + link.budget;
    match source {
        Source::SignUp => {
            let search = linking.users.users_with_email(pool, email);
            let users = step(deadline, "search", search).await?;
            match federated_owner(&users) {
                Some(provider) => Err(LinkRefusal::UseProvider {
                    provider: provider.to_owned(),
                }),
                None => Ok(()),
            }
        }
        Source::ExternalProvider => {
            let Some(identity) = identity_of(user_name) else {
                tracing::warn!("federated sign-up without a <provider>_<id> user name; not linked");
                return Ok(());
            };
            let separate = |why: Separate| {
                tracing::info!(provider = %identity.provider, reason = ?why, "federated sign-up kept separate");
                Ok(())
            };
            // Nothing to link on: no search.
            if !link.trusts(&identity.provider) {
                return separate(Separate::ProviderNotTrusted);
            }
            if !link::idp_verified(attributes) {
                return separate(Separate::IdpEmailNotVerified);
            }
            let search = linking.users.users_with_email(pool, email);
            let users = step(deadline, "search", search).await?;
            let (username, sub) = match plan_external(attributes, &users) {
                ExternalPlan::Separate(why) => return separate(why),
                ExternalPlan::Link { username, sub } => (username, sub),
            };
            let proof = match sub {
                Some(sub) => step(deadline, "proof", linking.proofs.proof_of(&sub)).await?,
                None => None,
            };
            if !proof.is_some_and(|p| p.proves(email)) {
                return separate(Separate::NativeEmailNotProven);
            }
            step(
                deadline,
                "link",
                linking.users.link(pool, &username, &identity),
            )
            .await?;
            tracing::info!(provider = %identity.provider, "federated identity linked to the native user");
            Err(LinkRefusal::Linked {
                provider: identity.provider,
            })
        }
        Source::AdminCreateUser => Ok(()),
    }
}

/// One call of linking, cut off at the deadline; a failure refuses the sign-up.
async fn step<T>(
    deadline: tokio::time::Instant,
    what: &'static str,
    call: impl std::future::Future<Output = Result<T, cognito_admin::DirectoryError>>,
) -> Result<T, LinkRefusal> {
    let failed = |e: String| {
        tracing::error!(step = what, error = %e, "linking failed; sign-up refused");
        LinkRefusal::Unavailable
    };
    match timeout_at(deadline, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(failed(e.to_string())),
        Err(_) => Err(failed("out of time".into())),
    }
}

/// Where the sign-up comes from, from the event's typed trigger source.
fn source(trigger_source: Option<&TriggerSource>) -> Result<Source, TriggerError> {
    match trigger_source {
        Some(TriggerSource::SignUp) => Ok(Source::SignUp),
        Some(TriggerSource::AdminCreateUser) => Ok(Source::AdminCreateUser),
        Some(TriggerSource::ExternalProvider) => Ok(Source::ExternalProvider),
        Some(other) => Err(TriggerError::unsupported_source(&format!("{other:?}"))),
        None => Err(TriggerError::malformed("event has no triggerSource")),
    }
}
