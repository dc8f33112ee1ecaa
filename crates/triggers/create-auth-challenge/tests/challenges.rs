#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The create handler with in-memory services: what each step sends, what Cognito
//! keeps private, and that an unknown user's answer looks like a known one's.

use create_auth_challenge::{handler, Config, Services};
use mailer::InMemoryMailer;
use passwordless::code::matches;
use passwordless::ports::{InMemoryChallenges, LocalSigner};
use passwordless::token::PublicKey;
use serde_json::{json, Value};
use test_support::{block_on, sample_event};
use texter::InMemoryTexter;
use trigger_core::{TriggerError, Vars};

struct World {
    store: InMemoryChallenges,
    signer: LocalSigner,
    mailer: InMemoryMailer,
    texter: InMemoryTexter,
}

impl World {
    fn new() -> Self {
        Self {
            store: InMemoryChallenges::default(),
            signer: LocalSigner::default(),
            mailer: InMemoryMailer::default(),
            texter: InMemoryTexter::default(),
        }
    }

    fn create(&self, config: &Config, event: Value) -> Result<Value, TriggerError> {
        let services = Services {
            store: &self.store,
            signer: Some(&self.signer),
            mailer: &self.mailer,
            texter: &self.texter,
        };
        block_on(test_support::answer(
            |e| handler(config, &services, e),
            event,
        ))
    }
}

fn config(pairs: &[(&str, &str)]) -> Config {
    let mut all = vec![
        ("CHALLENGE_TABLE_NAME", "challenges"),
        ("APP_NAME", "Acme Notes"),
        (
            "PASSWORDLESS_FROM_ADDRESS",
            "Acme Notes <sign-in@acme.example>",
        ),
        ("SEND_ANSWER_FLOOR_MS", "0"),
    ];
    all.extend_from_slice(pairs);
    Config::from_vars(&Vars::from_pairs(all)).unwrap()
}

fn sample(file: &str) -> Value {
    sample_event("create-auth-challenge", file)
}

fn keys(params: &Value) -> Vec<String> {
    let mut keys: Vec<String> = params.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[test]
fn a_code_goes_by_email_in_the_users_language_and_only_its_digest_to_cognito() {
    let world = World::new();
    let answer = world
        .create(
            &config(&[]),
            sample("CreateAuthChallenge_Authentication.json"),
        )
        .unwrap();
    let r = &answer["response"];
    assert_eq!(r["publicChallengeParameters"]["step"], "code");
    assert_eq!(r["publicChallengeParameters"]["sent"], "true");
    assert_eq!(
        r["publicChallengeParameters"]["destination"],
        "m***@e***.com"
    );
    assert!(r["challengeMetadata"]
        .as_str()
        .unwrap()
        .starts_with("CODE-"));
    let sent = world.mailer.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "maria.garcia@example.com");
    assert!(sent[0].text.contains("María"), "greeted in Spanish by name");
    let code: String = sent[0]
        .text
        .split_whitespace()
        .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
        .unwrap()
        .to_owned();
    let private = &r["privateChallengeParameters"];
    let (salt, digest) = (
        private["salt"].as_str().unwrap(),
        private["digest"].as_str().unwrap(),
    );
    assert!(
        matches(salt, digest, &code),
        "the digest is of the code sent"
    );
    assert!(
        !answer.to_string().contains(&code),
        "the code is nowhere in the answer"
    );
}

#[test]
fn after_a_wrong_code_the_same_code_stands_and_nothing_new_is_sent() {
    let world = World::new();
    let config = config(&[]);
    let first = world
        .create(&config, sample("CreateAuthChallenge_Authentication.json"))
        .unwrap();
    let mut again = sample("CreateAuthChallenge_Authentication-wrong-once.json");
    again["request"]["session"][0]["challengeMetadata"] =
        first["response"]["challengeMetadata"].clone();
    let second = world.create(&config, again).unwrap();
    assert_eq!(world.mailer.sent().len(), 1);
    assert_eq!(
        second["response"]["publicChallengeParameters"]["sent"],
        "earlier"
    );
    assert_eq!(
        second["response"]["privateChallengeParameters"],
        first["response"]["privateChallengeParameters"]
    );
    // A session naming a send the table no longer holds gets a digest of no code.
    let stale = world
        .create(
            &config,
            sample("CreateAuthChallenge_Authentication-wrong-once.json"),
        )
        .unwrap();
    assert_ne!(
        stale["response"]["privateChallengeParameters"]["digest"],
        first["response"]["privateChallengeParameters"]["digest"]
    );
}

#[test]
fn an_unknown_user_gets_an_answer_of_the_same_shape_and_nothing_is_sent() {
    let world = World::new();
    let config = config(&[]);
    let known = world
        .create(&config, sample("CreateAuthChallenge_Authentication.json"))
        .unwrap();
    let unknown = world
        .create(
            &config,
            sample("CreateAuthChallenge_Authentication-user-not-found.json"),
        )
        .unwrap();
    assert_eq!(world.mailer.sent().len(), 1, "only the known user's");
    let (k, u) = (&known["response"], &unknown["response"]);
    assert_eq!(
        keys(&k["publicChallengeParameters"]),
        keys(&u["publicChallengeParameters"])
    );
    assert_eq!(
        keys(&k["privateChallengeParameters"]),
        keys(&u["privateChallengeParameters"])
    );
    assert_eq!(u["publicChallengeParameters"]["sent"], "true");
    assert_eq!(
        u["publicChallengeParameters"]["destination"],
        "n***@e***.com"
    );
    // An unverified address is treated the same way: nothing sent to it.
    let mut unverified = sample("CreateAuthChallenge_Authentication.json");
    unverified["userName"] = json!("someone-else");
    unverified["request"]["userAttributes"]["email_verified"] = json!("false");
    let answer = world.create(&config, unverified).unwrap();
    assert_eq!(
        answer["response"]["publicChallengeParameters"]["sent"],
        "true"
    );
    assert_eq!(world.mailer.sent().len(), 1);
}

#[test]
fn past_the_cooldown_nothing_is_sent_and_the_user_is_told_when_to_try_again() {
    let world = World::new();
    let config = config(&[]);
    world
        .create(&config, sample("CreateAuthChallenge_Authentication.json"))
        .unwrap();
    let again = world
        .create(&config, sample("CreateAuthChallenge_Authentication.json"))
        .unwrap();
    let public = &again["response"]["publicChallengeParameters"];
    assert_eq!(public["sent"], "false");
    let wait: u64 = public["retryAfter"].as_str().unwrap().parse().unwrap();
    assert!((55..=60).contains(&wait), "{wait}");
    assert_eq!(world.mailer.sent().len(), 1);
}

#[test]
fn a_code_by_sms_goes_to_the_verified_phone() {
    let world = World::new();
    let config = config(&[("SIGN_IN_METHOD", "sms-code")]);
    let answer = world
        .create(&config, sample("CreateAuthChallenge_Authentication.json"))
        .unwrap();
    assert_eq!(
        answer["response"]["publicChallengeParameters"]["destination"],
        "+*******5678"
    );
    let texts = world.texter.sent();
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].0, "+34612345678");
    assert!(world.mailer.sent().is_empty());
}

fn link_config() -> Config {
    config(&[
        ("SIGN_IN_METHOD", "magic-link"),
        ("MAGIC_LINK_KEY_ID", "alias/links"),
        ("MAGIC_LINK_ALLOWED_ORIGINS", "https://app.example.com"),
    ])
}

fn after_start(passed: bool) -> Value {
    let mut event = sample("CreateAuthChallenge_Authentication.json");
    event["request"]["session"] = json!([
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": passed, "challengeMetadata": "START"}
    ]);
    event
}

#[test]
fn a_link_sign_in_starts_sends_a_signed_link_and_awaits_one_held_already() {
    let world = World::new();
    let config = link_config();
    let start = world
        .create(&config, sample("CreateAuthChallenge_Authentication.json"))
        .unwrap();
    assert_eq!(
        start["response"]["publicChallengeParameters"]["step"],
        "start"
    );
    assert!(
        world.mailer.sent().is_empty(),
        "nothing sent at the start step"
    );
    let mut send = after_start(true);
    send["request"]["clientMetadata"] = json!({"redirectUri": "https://app.example.com/auth/link"});
    let sent = world.create(&config, send).unwrap();
    assert_eq!(sent["response"]["challengeMetadata"], "LINK");
    let mail = &world.mailer.sent()[0];
    let url = mail
        .text
        .split_whitespace()
        .find(|w| w.starts_with("https://app.example.com/auth/link#token="))
        .expect("the link in the text part");
    let token = url.split_once("#token=").unwrap().1;
    let key = PublicKey::from_der(&world.signer.public_der()).unwrap();
    let claims = key.open(token).unwrap();
    assert_eq!(claims.user, "7c1e5d0a-3b9f-4e62-9a2d-61f0c8b4e7a1");
    assert_eq!(claims.origin, "https://app.example.com");
    assert!(
        !sent.to_string().contains(token),
        "the token is not in the answer"
    );
    // The app holds a link: nothing more is sent.
    let awaited = world.create(&config, after_start(false)).unwrap();
    assert_eq!(
        awaited["response"]["publicChallengeParameters"]["sent"],
        "false"
    );
    assert_eq!(world.mailer.sent().len(), 1);
}

#[test]
fn a_link_to_a_foreign_page_is_refused_and_nothing_is_sent() {
    let world = World::new();
    let mut send = after_start(true);
    send["request"]["clientMetadata"] = json!({"redirectUri": "https://evil.example.net/phish"});
    let err = world.create(&link_config(), send).unwrap_err();
    assert_eq!(
        err.user_message(),
        "This sign-in link cannot lead to that page"
    );
    assert!(world.mailer.sent().is_empty());
}

#[test]
fn a_failing_service_fails_the_sign_in_with_the_generic_sentence() {
    for (store, mailer, signer_down) in [
        (
            InMemoryChallenges::failing("table down"),
            InMemoryMailer::default(),
            false,
        ),
        (
            InMemoryChallenges::default(),
            InMemoryMailer::failing("SES down"),
            false,
        ),
        (
            InMemoryChallenges::default(),
            InMemoryMailer::default(),
            true,
        ),
    ] {
        let mut world = World::new();
        world.store = store;
        world.mailer = mailer;
        if signer_down {
            world.signer.outage = Some("KMS down".into());
        }
        let (config, event) = if signer_down {
            (link_config(), after_start(true))
        } else {
            (
                config(&[]),
                sample("CreateAuthChallenge_Authentication.json"),
            )
        };
        let err = world.create(&config, event).unwrap_err();
        assert!(matches!(err, TriggerError::Internal { .. }), "{err:?}");
        assert!(
            !err.user_message().contains("down"),
            "{}",
            err.user_message()
        );
    }
}
