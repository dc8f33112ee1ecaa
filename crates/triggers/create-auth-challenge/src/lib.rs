#![doc = include_str!("../README.md")]

pub mod config;
mod deliver;

use std::collections::HashMap;
use std::time::Instant;

use lambda_runtime::LambdaEvent;
use mailer::Mailer;
use passwordless::budget::{pad_to, Deadline, Failure};
use passwordless::code::{digest, new_code, random_text};
use passwordless::flow::rounds;
use passwordless::ports::{now_secs, table_key, ChallengeStore, Pending, Reservation, Signer};
use passwordless::{to_create, Method, Step, ToCreate};
use texter::Texter;
use trigger_core::events::CognitoEventUserPoolsCreateAuthChallenge;
use trigger_core::TriggerError;
use zeroize::Zeroizing;

pub use config::Config;
pub use deliver::Destination;

pub type Event = CognitoEventUserPoolsCreateAuthChallenge;

/// The function name in counters and errors.
const FUNCTION: &str = "create";

/// What the handler calls: the challenge table, the link-signing key (for
/// `magic-link`), and the email and text senders.
#[derive(Debug)]
pub struct Services<'a, S, G, M, T> {
    pub store: &'a S,
    pub signer: Option<&'a G>,
    pub mailer: &'a M,
    pub texter: &'a T,
}

/// One challenge as Cognito wants it back.
#[derive(Debug, Default)]
struct Challenge {
    public: HashMap<String, String>,
    private: HashMap<String, String>,
    metadata: String,
}

impl Challenge {
    fn new(step: &Step) -> Self {
        Self {
            metadata: step.metadata(),
            ..Self::default()
        }
    }

    fn public(mut self, pairs: &[(&str, String)]) -> Self {
        for (k, v) in pairs {
            self.public.insert((*k).to_owned(), v.clone());
        }
        self
    }

    fn private(mut self, pairs: &[(&str, String)]) -> Self {
        for (k, v) in pairs {
            self.private.insert((*k).to_owned(), v.clone());
        }
        self
    }
}

/// The Lambda handler: the challenge the session calls for.
pub async fn handler<S, G, M, T>(
    config: &Config,
    services: &Services<'_, S, G, M, T>,
    event: LambdaEvent<Event>,
) -> Result<Event, TriggerError>
where
    S: ChallengeStore,
    G: Signer,
    M: Mailer,
    T: Texter,
{
    let started = Instant::now();
    let mut event = event.payload;
    let session = rounds(&event.request.session)
        .map_err(|e| TriggerError::malformed(format!("a session this flow did not make: {e}")))?;
    let what = to_create(&config.shared.flow, &session)
        .map_err(|why| TriggerError::malformed(format!("no challenge to create: {why}")))?;
    let deadline = Deadline::after(config.shared.budget);
    let challenge = match &what {
        ToCreate::Start => start(config),
        ToCreate::AwaitLink => await_link(config, &event),
        ToCreate::Resend { send } => resend(config, services, &event, send, &deadline)
            .await
            .map_err(|f| f.into_error(FUNCTION))?,
        ToCreate::Send => {
            let sent = send(config, services, &event, &deadline).await;
            // Sent, withheld or refused: the same time, so none tells a user
            // that exists from one that does not.
            pad_to(started, config.floor).await;
            sent?
        }
    };
    tracing::info!(step = %challenge.metadata.split('-').next().unwrap_or_default(), "challenge created");
    let response = &mut event.response;
    response.public_challenge_parameters = challenge.public;
    response.private_challenge_parameters = challenge.private;
    response.challenge_metadata = Some(challenge.metadata);
    Ok(event)
}

/// The start step: what the app must answer with, nothing sent.
fn start(config: &Config) -> Challenge {
    let captcha = config.shared.flow.captcha.map_or("none", |c| c.name());
    Challenge::new(&Step::Start)
        .public(&[
            ("step", "start".into()),
            ("method", config.shared.flow.method.name().into()),
            ("captcha", captcha.into()),
        ])
        .private(&[("kind", "start".into())])
}

/// A link step with nothing sent: the app answers with the link it holds.
fn await_link(config: &Config, event: &Event) -> Challenge {
    Challenge::new(&Step::Link)
        .public(&[
            ("step", "link".into()),
            ("destination", Destination::of(config, event).masked),
            ("sent", "false".into()),
        ])
        .private(&[("kind", "link".into())])
}

/// The table key of this user in this pool.
fn key_of(event: &Event) -> String {
    let header = &event.cognito_event_user_pools_header;
    table_key(
        header.user_pool_id.as_deref().unwrap_or_default(),
        header.user_name.as_deref().unwrap_or_default(),
    )
}

/// A code's private parameters nobody can answer: a digest of no code.
fn unanswerable(expires: u64) -> Result<Vec<(&'static str, String)>, Failure> {
    Ok(vec![
        ("kind", "code".into()),
        (
            "salt",
            random_text(16).map_err(|e| Failure::new("random", e))?,
        ),
        (
            "digest",
            random_text(32).map_err(|e| Failure::new("random", e))?,
        ),
        ("expires", expires.to_string()),
    ])
}

/// After a wrong code: the same code again, from the table, nothing new sent.
async fn resend<S, G, M, T>(
    config: &Config,
    services: &Services<'_, S, G, M, T>,
    event: &Event,
    send: &str,
    deadline: &Deadline,
) -> Result<Challenge, Failure>
where
    S: ChallengeStore,
{
    let pending = deadline
        .run("table", services.store.pending(&key_of(event)))
        .await?;
    let now = now_secs();
    // The code of this sign-in, unless a later sign-in sent another since.
    let private = match pending {
        Some(p) if p.kind == "code" && p.send == send => vec![
            ("kind", "code".into()),
            ("salt", p.salt),
            ("digest", p.digest),
            ("expires", p.expires.to_string()),
        ],
        _ => unanswerable(now)?,
    };
    Ok(Challenge::new(&Step::Code {
        send: send.to_owned(),
    })
    .public(&[
        ("step", "code".into()),
        ("destination", Destination::of(config, event).masked),
        ("sent", "earlier".into()),
    ])
    .private(&private))
}

/// A new code or link: recorded and sent if the limits allow, and if there is a
/// verified destination (an unknown user, or one without, gets the same answer
/// and nothing is sent).
async fn send<S, G, M, T>(
    config: &Config,
    services: &Services<'_, S, G, M, T>,
    event: &Event,
    deadline: &Deadline,
) -> Result<Challenge, TriggerError>
where
    S: ChallengeStore,
    G: Signer,
    M: Mailer,
    T: Texter,
{
    let fail = |f: Failure| f.into_error(FUNCTION);
    let random = |e| Failure::new("random", e).into_error(FUNCTION);
    let destination = Destination::of(config, event);
    let now = now_secs();
    let send_id = random_text(9).map_err(random)?;
    let landing = match &config.shared.link {
        Some(link) => {
            let requested = event.request.client_metadata.get("redirectUri");
            let landing = link
                .landing(requested.map(String::as_str))
                .ok_or_else(|| TriggerError::user("This sign-in link cannot lead to that page"))?;
            Some(landing)
        }
        None => None,
    };
    // The secret of this send, and what the table keeps of it.
    let (secret, pending) = match config.shared.flow.method {
        Method::MagicLink => {
            let nonce = Zeroizing::new(random_text(16).map_err(random)?);
            let ttl = config.shared.link.as_ref().map_or(900, |l| l.ttl_seconds);
            let pending = Pending {
                kind: "link",
                digest: passwordless::token::nonce_digest(&nonce),
                salt: String::new(),
                expires: now + ttl,
                send: send_id.clone(),
            };
            (nonce, pending)
        }
        Method::EmailCode | Method::SmsCode => {
            let code = new_code(config.otp_digits).map_err(random)?;
            let salt = random_text(16).map_err(random)?;
            let pending = Pending {
                kind: "code",
                digest: digest(&salt, &code),
                salt,
                expires: now + config.otp_ttl,
                send: send_id.clone(),
            };
            (code, pending)
        }
    };
    let reserved = deadline
        .run(
            "table",
            services
                .store
                .reserve(&key_of(event), now, config.limits, &pending),
        )
        .await
        .map_err(fail)?;
    let (step, kind) = match config.shared.flow.method {
        Method::MagicLink => (Step::Link, "link"),
        _ => (Step::Code { send: send_id }, "code"),
    };
    let mut public = vec![
        ("step", kind.to_owned()),
        ("destination", destination.masked.clone()),
    ];
    let outcome = match reserved {
        Reservation::Wait { seconds } => {
            public.push(("sent", "false".into()));
            public.push(("retryAfter", seconds.to_string()));
            "limited"
        }
        Reservation::Granted => {
            if let Some(to) = &destination.address {
                deliver::deliver(
                    config,
                    services,
                    event,
                    to,
                    &secret,
                    &pending,
                    landing.as_ref(),
                    deadline,
                )
                .await
                .map_err(fail)?;
            }
            public.push(("sent", "true".into()));
            public.push(("expiresIn", pending.expires.saturating_sub(now).to_string()));
            if destination.address.is_some() {
                "sent"
            } else {
                "withheld"
            }
        }
    };
    metrics::counter!("PasswordlessSends", "method" => config.shared.flow.method.name(), "outcome" => outcome)
        .increment(1);
    tracing::info!(outcome, to = %destination.masked, "send step");
    // A link's token answers for itself; a code's digest stands in the private
    // parameters (for an unknown user too: nobody holds that code). Past the
    // limits no code was recorded, and the digest is of no code at all.
    let private = match (kind, reserved) {
        ("link", _) => vec![("kind", "link".to_owned())],
        (_, Reservation::Granted) => vec![
            ("kind", "code".into()),
            ("salt", pending.salt.clone()),
            ("digest", pending.digest.clone()),
            ("expires", pending.expires.to_string()),
        ],
        (_, Reservation::Wait { .. }) => unanswerable(now).map_err(fail)?,
    };
    Ok(Challenge::new(&step).public(&public).private(&private))
}
