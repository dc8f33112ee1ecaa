//! Cognito pre sign-up trigger.
//!
//! Refuses sign-ups that break the configured rules (email domain allow and deny
//! lists, disposable addresses, required and protected attributes, phone format) with
//! one stable sentence per rule, and auto-confirms users at trusted domains. With
//! `LINK_FEDERATED_USERS=true` it also keeps one account per person ([`link`]).

mod canonical;
pub mod domain;
pub mod link;
pub mod rules;

use cognito_admin::UserDirectory;
use lambda_runtime::LambdaEvent;
use tokio::time::timeout;
use trigger_core::events::{
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsPreSignupTriggerSource as TriggerSource,
};
use trigger_core::redact::mask_email;
use trigger_core::{ConfigError, TriggerError, Vars};

use std::time::Duration;

use link::{federated_owner, identity_of, plan_external, ExternalPlan, LinkConfig, LinkRefusal};
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
        let config = Self::from_vars(vars)?;
        match config.link {
            Some(_) => Err(ConfigError::new(
                "LINK_FEDERATED_USERS",
                "is true, but this is the pre-signup binary without account linking; \
                 deploy pre-signup-linking for it (the template does with LinkFederatedUsers=true)",
            )),
            None => Ok(config),
        }
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let link = vars.flag("LINK_FEDERATED_USERS", false)?.then_some(());
        let budget = vars.millis("LINK_BUDGET_MS", Duration::from_millis(1000), 50..=4000)?;
        Ok(Self {
            rules: Rules::from_vars(vars)?,
            link: link.map(|()| LinkConfig { budget }),
        })
    }
}

/// The Lambda handler: the whole event back with `response` filled in, or the
/// refusal Cognito shows the user. `directory` is the pool's users, for linking
/// (`None` when linking is off).
pub async fn handler<D: UserDirectory>(
    config: &Config,
    directory: Option<&D>,
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
    if let (Some(link), Some(directory)) = (&config.link, directory) {
        let user_name = header.user_name.as_deref();
        one_account(link, directory, source, pool, user_name, attributes)
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

/// Linking: a federated sign-up joins the native user with its verified email; a
/// password sign-up at a federated user's address is sent to that provider. The
/// search and the link are bounded by `LINK_BUDGET_MS`; a failure refuses the
/// sign-up (letting it through would make the second account linking exists to
/// prevent).
async fn one_account<D: UserDirectory>(
    link: &LinkConfig,
    directory: &D,
    source: Source,
    pool: &str,
    user_name: Option<&str>,
    attributes: &std::collections::HashMap<String, String>,
) -> Result<(), LinkRefusal> {
    let Some(email) = link::email_of(attributes) else {
        return Ok(());
    };
    let bounded = |what: &'static str, e: String| {
        tracing::error!(step = what, error = %e, "linking failed; sign-up refused");
        LinkRefusal::Unavailable
    };
    let deadline = tokio::time::Instant::now() + link.budget;
    let search = async {
        match timeout(link.budget, directory.users_with_email(pool, email)).await {
            Ok(result) => result.map_err(|e| bounded("search", e.to_string())),
            Err(_) => Err(bounded("search", "out of time".into())),
        }
    };
    match source {
        Source::SignUp => match federated_owner(&search.await?) {
            Some(provider) => Err(LinkRefusal::UseProvider {
                provider: provider.to_owned(),
            }),
            None => Ok(()),
        },
        Source::ExternalProvider => {
            let Some(identity) = identity_of(user_name) else {
                tracing::warn!("federated sign-up without a <provider>_<id> user name; not linked");
                return Ok(());
            };
            if !link::idp_verified(attributes) {
                // Nothing to link on: no search.
                tracing::info!(provider = %identity.provider, "federated email not verified; kept separate");
                return Ok(());
            }
            match plan_external(attributes, &search.await?) {
                ExternalPlan::Separate(why) => {
                    tracing::info!(provider = %identity.provider, reason = ?why, "federated sign-up kept separate");
                    Ok(())
                }
                ExternalPlan::Link { username } => {
                    match tokio::time::timeout_at(
                        deadline,
                        directory.link(pool, &username, &identity),
                    )
                    .await
                    {
                        Ok(Ok(())) => {
                            tracing::info!(provider = %identity.provider, "federated identity linked to the native user");
                            Err(LinkRefusal::Linked {
                                provider: identity.provider,
                            })
                        }
                        Ok(Err(e)) => Err(bounded("link", e.to_string())),
                        Err(_) => Err(bounded("link", "out of time".into())),
                    }
                }
            }
        }
        Source::AdminCreateUser => Ok(()),
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
