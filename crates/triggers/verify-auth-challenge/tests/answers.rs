#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The verify handler with in-memory services: codes, the start step and its bot
//! check, links, and never a correct answer for an unknown user.

use passwordless::ports::{
    ChallengeStore, InMemoryChallenges, Limits, LocalSigner, Pending, Signer,
};
use passwordless::token::{assemble, nonce_digest, signed_part, Claims, PublicKey};
use serde_json::{json, Value};
use test_support::{block_on, sample_event, sample_events};
use trigger_core::{TriggerError, Vars};
use verify_auth_challenge::ports::FixedBotCheck;
use verify_auth_challenge::{handler, Config, Services};

const POOL: &str = "eu-west-1_Xq8LmN3pR";
const USER: &str = "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1";

struct World {
    store: InMemoryChallenges,
    signer: LocalSigner,
    key: PublicKey,
    bots: FixedBotCheck,
}

impl World {
    fn new() -> Self {
        let signer = LocalSigner::default();
        let key = PublicKey::from_der(&signer.public_der()).unwrap();
        Self {
            store: InMemoryChallenges::default(),
            signer,
            key,
            bots: FixedBotCheck::passing(&["human-token"]),
        }
    }

    fn verify(&self, config: &Config, event: Value) -> Result<bool, TriggerError> {
        let services = Services {
            store: &self.store,
            public_key: Some(&self.key),
            bot_check: Some(&self.bots),
        };
        let answer = block_on(test_support::answer(
            |e| handler(config, &services, e),
            event,
        ))?;
        Ok(answer["response"]["answerCorrect"] == true)
    }

    /// A link for USER sent now (recorded in the table) and its token.
    fn link(&self, expires: u64, origin: &str) -> String {
        let nonce = "bm9uY2Utb2YtdGVzdHM".to_owned();
        let pending = Pending {
            kind: "link",
            digest: nonce_digest(&nonce),
            salt: String::new(),
            expires,
            send: "s1".into(),
        };
        let limits = Limits {
            cooldown: 10,
            per_hour: 50,
        };
        block_on(
            self.store
                .reserve(&format!("{POOL}#{USER}"), now() - 3_000, limits, &pending),
        )
        .unwrap();
        let claims = Claims {
            user: USER.into(),
            pool: POOL.into(),
            origin: origin.into(),
            expires,
            nonce,
        };
        let signed = signed_part(&claims).unwrap();
        let signature = block_on(self.signer.sign(signed.as_bytes())).unwrap();
        assemble(&signed, &signature).unwrap()
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn config(pairs: &[(&str, &str)]) -> Config {
    let mut all = vec![("CHALLENGE_TABLE_NAME", "challenges")];
    all.extend_from_slice(pairs);
    Config::from_vars(&Vars::from_pairs(all)).unwrap()
}

fn link_config() -> Config {
    config(&[
        ("SIGN_IN_METHOD", "magic-link"),
        ("MAGIC_LINK_KEY_ID", "alias/links"),
        ("MAGIC_LINK_ALLOWED_ORIGINS", "https://app.example.com"),
    ])
}

fn event(private: Value, answer: Value) -> Value {
    let mut event = sample_event(
        "verify-auth-challenge",
        "VerifyAuthChallengeResponse_Authentication.json",
    );
    event["request"]["privateChallengeParameters"] = private;
    event["request"]["challengeAnswer"] = answer;
    event
}

#[test]
fn the_samples_right_wrong_and_unknown() {
    let world = World::new();
    for (file, event) in sample_events("verify-auth-challenge") {
        let expected = file == "VerifyAuthChallengeResponse_Authentication.json";
        assert_eq!(
            world.verify(&config(&[]), event).unwrap(),
            expected,
            "{file}"
        );
    }
}

#[test]
fn a_code_is_right_only_before_it_expires_and_odd_answers_are_wrong() {
    let world = World::new();
    let sample = sample_event(
        "verify-auth-challenge",
        "VerifyAuthChallengeResponse_Authentication.json",
    );
    let mut private = sample["request"]["privateChallengeParameters"].clone();
    assert!(world
        .verify(&config(&[]), event(private.clone(), json!(" 204817 ")))
        .unwrap());
    for odd in [
        json!(204817),
        json!(null),
        json!(["204817"]),
        json!("2".repeat(5000)),
    ] {
        assert!(!world
            .verify(&config(&[]), event(private.clone(), odd))
            .unwrap());
    }
    private["expires"] = json!((now() - 1).to_string());
    assert!(!world
        .verify(&config(&[]), event(private, json!("204817")))
        .unwrap());
    // Parameters this flow never wrote: wrong, not an error.
    assert!(!world
        .verify(
            &config(&[]),
            event(json!({"answer": "204817"}), json!("204817"))
        )
        .unwrap());
}

#[test]
fn the_start_step_asks_the_bot_check_provider() {
    let world = World::new();
    let bots = config(&[
        ("CAPTCHA_PROVIDER", "turnstile"),
        (
            "CAPTCHA_SECRET_ARN",
            "arn:aws:secretsmanager:eu-west-1:1:secret:x",
        ),
    ]);
    let start = json!({"kind": "start"});
    assert!(world
        .verify(&bots, event(start.clone(), json!("human-token")))
        .unwrap());
    assert!(!world
        .verify(&bots, event(start.clone(), json!("bot-token")))
        .unwrap());
    assert!(!world
        .verify(&bots, event(start.clone(), json!("")))
        .unwrap());
    assert_eq!(
        world.bots.calls(),
        2,
        "an empty answer is not sent to the provider"
    );
    // Without a provider the start step takes `send`.
    assert!(world
        .verify(&link_config(), event(start.clone(), json!("send")))
        .unwrap());
    assert!(!world
        .verify(&link_config(), event(start.clone(), json!("have-link")))
        .unwrap());
    // The provider down: the sign-in fails, with the generic sentence.
    let mut down = World::new();
    down.bots.outage = Some("siteverify unreachable".into());
    let err = down
        .verify(&bots, event(start, json!("human-token")))
        .unwrap_err();
    assert!(matches!(err, TriggerError::Internal { .. }));
}

#[test]
fn a_link_is_accepted_once_and_only_as_signed_for_this_user_origin_and_time() {
    let world = World::new();
    let config = link_config();
    let private = json!({"kind": "link"});
    let token = world.link(now() + 600, "https://app.example.com");
    let answer = |t: &str| {
        world
            .verify(&config, event(private.clone(), json!(t)))
            .unwrap()
    };
    // A changed byte (the last of the payload) is refused, and uses nothing up.
    let dot = token.rfind('.').unwrap();
    let mut changed = token.clone().into_bytes();
    changed[dot - 1] = if changed[dot - 1] == b'A' { b'B' } else { b'A' };
    assert!(!answer(&String::from_utf8(changed).unwrap()));
    assert!(answer(&token), "the link, once");
    assert!(!answer(&token), "the same link again");
    let expired = world.link(now() - 1, "https://app.example.com");
    assert!(!answer(&expired));
    let foreign = world.link(now() + 600, "https://evil.example.net");
    assert!(!answer(&foreign));
    // Another user's sign-in cannot use this user's link.
    let mine = world.link(now() + 600, "https://app.example.com");
    let mut other = event(private.clone(), json!(mine));
    other["userName"] = json!("someone-else");
    assert!(!world.verify(&config, other).unwrap());
}

#[test]
fn an_unknown_user_is_never_right() {
    let world = World::new();
    let sample = sample_event(
        "verify-auth-challenge",
        "VerifyAuthChallengeResponse_Authentication.json",
    );
    let mut unknown = sample.clone();
    unknown["request"]["userNotFound"] = json!(true);
    assert!(!world.verify(&config(&[]), unknown).unwrap());
}
