#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Passwordless sign-ins end to end: define, create and verify in the order Cognito
//! runs them (`common`: the session kept as Cognito keeps it), against moto's
//! DynamoDB, KMS, SES, Secrets Manager and SSM; a bot-check provider stand-in on
//! 127.0.0.1; services that refuse or never answer.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Outcome, Triggers, POOL};
use mailer::SesMailer;
use passwordless::adapters::{public_key, DynamoChallenges, KmsSigner};
use passwordless::ports::Signer;
use passwordless::token::{assemble, signed_part, Claims};
use serde_json::{json, Value};
use test_support::aws::{
    create_table, hanging_endpoint, moto_endpoint, refused_endpoint, sdk_config_for, sent_mail,
    unique_name,
};
use trigger_core::Vars;
use verify_auth_challenge::adapters::{read_secret, SiteVerify};
use verify_auth_challenge::ports::FixedBotCheck;
use verify_auth_challenge::BotCheck;

const BUDGET: Duration = Duration::from_millis(1500);

/// Everything one test needs in moto: a table, a link key, a verified sender.
struct Moto {
    endpoint: String,
    table: String,
    key_id: String,
    from: String,
}

async fn moto() -> Moto {
    let endpoint = moto_endpoint();
    let sdk = sdk_config_for(&endpoint, Duration::from_secs(5)).await;
    let table = unique_name("challenges");
    create_table(&aws_sdk_dynamodb::Client::new(&sdk), &table, &["pk"]).await;
    let key_id = aws_sdk_kms::Client::new(&sdk)
        .create_key()
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .key_spec(aws_sdk_kms::types::KeySpec::EccNistP256)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id;
    let from = format!("{}@acme.example", unique_name("sign-in"));
    aws_sdk_ses::Client::new(&sdk)
        .verify_email_identity()
        .email_address(&from)
        .send()
        .await
        .unwrap();
    Moto {
        endpoint,
        table,
        key_id,
        from,
    }
}

/// The endpoints each service is reached at (moto unless a test says otherwise).
#[derive(Clone)]
struct Endpoints {
    table: String,
    kms: String,
    ses: String,
}

async fn triggers<B: BotCheck>(
    m: &Moto,
    pairs: &[(&str, &str)],
    at: Endpoints,
    bots: Option<B>,
) -> Triggers<B> {
    let mut all = vec![
        ("CHALLENGE_TABLE_NAME", m.table.as_str()),
        ("APP_NAME", "Acme Notes"),
        ("PASSWORDLESS_FROM_ADDRESS", m.from.as_str()),
        ("MAGIC_LINK_KEY_ID", m.key_id.as_str()),
        ("MAGIC_LINK_ALLOWED_ORIGINS", "https://app.example.com"),
        ("SEND_ANSWER_FLOOR_MS", "0"),
        ("CUSTOM_AUTH_BUDGET_MS", "1500"),
    ];
    all.extend_from_slice(pairs);
    let vars = Vars::from_pairs(all);
    let sdk = |endpoint: String| async move { sdk_config_for(&endpoint, BUDGET).await };
    let (table, kms, ses) = (sdk(at.table).await, sdk(at.kms).await, sdk(at.ses).await);
    let kms_client = aws_sdk_kms::Client::new(&kms);
    // The public half from moto's KMS (verify fetches it at start).
    let setup = Duration::from_secs(10);
    let moto_kms = aws_sdk_kms::Client::new(&sdk_config_for(&m.endpoint, setup).await);
    Triggers {
        define: define_auth_challenge::Config::from_vars(&vars).unwrap(),
        create: create_auth_challenge::Config::from_vars(&vars).unwrap(),
        verify: verify_auth_challenge::Config::from_vars(&vars).unwrap(),
        store: DynamoChallenges::new(aws_sdk_dynamodb::Client::new(&table), &m.table),
        signer: Some(KmsSigner::new(kms_client, &m.key_id)),
        mailer: SesMailer::new(aws_sdk_ses::Client::new(&ses), &m.from),
        texter: texter::InMemoryTexter::default(),
        key: Some(public_key(&moto_kms, &m.key_id).await.unwrap()),
        bots,
    }
}

fn at_moto(m: &Moto) -> Endpoints {
    Endpoints {
        table: m.endpoint.clone(),
        kms: m.endpoint.clone(),
        ses: m.endpoint.clone(),
    }
}

fn user(email: &str) -> Value {
    json!({"sub": "s-1", "email": email, "email_verified": "true", "given_name": "Rosa", "locale": "fr"})
}

/// The visible text of the one email sent to `to`.
fn only_mail(m: &Moto, to: &str) -> String {
    let mails = sent_mail(&m.endpoint, to);
    assert_eq!(mails.len(), 1, "emails to {to}");
    mails[0].body.replace("&#x2f;", "/").replace("&amp;", "&")
}

fn code_in(body: &str) -> String {
    let text: String = body
        .chars()
        .map(|c| if c.is_ascii_digit() { c } else { ' ' })
        .collect();
    text.split_whitespace()
        .find(|w| w.len() == 6)
        .expect("a 6-digit code")
        .to_owned()
}

fn token_in(body: &str) -> String {
    let at = body.find("#token=").expect("a link") + "#token=".len();
    body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

type NoBots = FixedBotCheck;

#[tokio::test]
async fn a_code_sign_in_end_to_end_and_three_wrong_codes_fail() {
    let m = moto().await;
    let t = triggers::<NoBots>(&m, &[], at_moto(&m), None).await;
    let email = format!("{}@example.fr", unique_name("rosa"));
    let (mut sign_in, first) = t.initiate("rosa", Some(user(&email))).await;
    let Outcome::Challenge(public) = first else {
        panic!("{first:?}")
    };
    assert_eq!(public["step"], "code");
    assert_eq!(public["sent"], "true");
    let body = only_mail(&m, &email);
    assert!(body.contains("Rosa"), "greeted in French by name: {body}");
    let code = code_in(&body);
    let wrong = if code == "000000" { "000001" } else { "000000" };
    assert!(
        matches!(sign_in.respond(wrong, json!({})).await, Outcome::Challenge(p) if p["sent"] == "earlier")
    );
    assert_eq!(sign_in.respond(&code, json!({})).await, Outcome::Tokens);
    assert_eq!(
        sent_mail(&m.endpoint, &email).len(),
        1,
        "one email for the whole sign-in"
    );

    // Another user: three wrong codes and the sign-in fails.
    let other = format!("{}@example.fr", unique_name("olivia"));
    let (mut sign_in, _) = t.initiate("olivia", Some(user(&other))).await;
    let code = code_in(&only_mail(&m, &other));
    let wrong = if code == "999999" { "999998" } else { "999999" };
    assert!(matches!(
        sign_in.respond(wrong, json!({})).await,
        Outcome::Challenge(_)
    ));
    assert!(matches!(
        sign_in.respond(wrong, json!({})).await,
        Outcome::Challenge(_)
    ));
    assert_eq!(sign_in.respond(wrong, json!({})).await, Outcome::Refused);
}

#[tokio::test]
async fn a_magic_link_sign_in_end_to_end_and_across_devices() {
    let m = moto().await;
    let t = triggers::<NoBots>(&m, &[("SIGN_IN_METHOD", "magic-link")], at_moto(&m), None).await;
    let email = format!("{}@example.fr", unique_name("rosa"));
    let (mut laptop, start) = t.initiate("rosa", Some(user(&email))).await;
    assert!(
        matches!(&start, Outcome::Challenge(p) if p["step"] == "start"),
        "{start:?}"
    );
    assert!(
        sent_mail(&m.endpoint, &email).is_empty(),
        "nothing sent before the app asks"
    );
    let meta = json!({"redirectUri": "https://app.example.com/auth/link"});
    let sent = laptop.respond("send", meta).await;
    assert!(
        matches!(&sent, Outcome::Challenge(p) if p["step"] == "link" && p["sent"] == "true"),
        "{sent:?}"
    );
    let body = only_mail(&m, &email);
    assert!(
        body.contains("https://app.example.com/auth/link#token="),
        "{body}"
    );
    let token = token_in(&body);
    // The link opened on a phone: a new sign-in that asks for nothing to be sent.
    let (mut phone, _) = t.initiate("rosa", Some(user(&email))).await;
    let awaiting = phone.respond("have-link", json!({})).await;
    assert!(
        matches!(&awaiting, Outcome::Challenge(p) if p["sent"] == "false"),
        "{awaiting:?}"
    );
    assert_eq!(phone.respond(&token, json!({})).await, Outcome::Tokens);
    assert_eq!(sent_mail(&m.endpoint, &email).len(), 1);
    // Used once: the laptop's sign-in cannot use it again.
    assert!(matches!(
        laptop.respond(&token, json!({})).await,
        Outcome::Challenge(_)
    ));
}

#[tokio::test]
async fn links_expired_changed_foreign_or_redirected_elsewhere_are_refused() {
    let m = moto().await;
    let t = triggers::<NoBots>(&m, &[("SIGN_IN_METHOD", "magic-link")], at_moto(&m), None).await;
    let email = format!("{}@example.fr", unique_name("rosa"));
    let (mut sign_in, _) = t.initiate("rosa", Some(user(&email))).await;
    sign_in.respond("send", json!({})).await;
    let token = token_in(&only_mail(&m, &email));
    // One byte of the signature changed.
    let mut bytes = token.clone().into_bytes();
    let last = bytes.len() - 2;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let changed = String::from_utf8(bytes).unwrap();
    assert!(matches!(
        sign_in.respond(&changed, json!({})).await,
        Outcome::Challenge(_)
    ));
    // Signed by the real key, but expired, or for an origin not allowed.
    let signer = t.signer.as_ref().unwrap();
    let forged = |expires: u64, origin: &str| {
        let claims = Claims {
            user: "rosa".into(),
            pool: POOL.into(),
            origin: origin.into(),
            expires,
            nonce: "bm9uY2U".into(),
        };
        let signed = signed_part(&claims).unwrap();
        async move { assemble(&signed, &signer.sign(signed.as_bytes()).await.unwrap()).unwrap() }
    };
    let now = passwordless::ports::now_secs();
    let expired = forged(now - 1, "https://app.example.com").await;
    assert!(matches!(
        sign_in.respond(&expired, json!({})).await,
        Outcome::Challenge(_)
    ));
    let foreign = forged(now + 600, "https://evil.example.net").await;
    assert_eq!(
        sign_in.respond(&foreign, json!({})).await,
        Outcome::Refused,
        "the third wrong answer"
    );
    // The real link still works in a new sign-in: wrong answers consumed nothing.
    let (mut again, _) = t.initiate("rosa", Some(user(&email))).await;
    again.respond("have-link", json!({})).await;
    assert_eq!(again.respond(&token, json!({})).await, Outcome::Tokens);
    // A landing page on a foreign origin: refused, nothing sent.
    let other = format!("{}@example.fr", unique_name("olivia"));
    let (mut elsewhere, _) = t.initiate("olivia", Some(user(&other))).await;
    let refused = elsewhere
        .respond("send", json!({"redirectUri": "https://evil.example.net/"}))
        .await;
    assert_eq!(
        refused,
        Outcome::Error("This sign-in link cannot lead to that page".into())
    );
    assert!(sent_mail(&m.endpoint, &other).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_answers_with_one_link_at_once_exactly_one_signs_in() {
    let m = moto().await;
    let t = Arc::new(
        triggers::<NoBots>(&m, &[("SIGN_IN_METHOD", "magic-link")], at_moto(&m), None).await,
    );
    // Five links, each answered by two sign-ins at the same moment.
    for _ in 0..5 {
        let name = unique_name("rosa");
        let email = format!("{name}@example.fr");
        let (mut first, _) = t.initiate(&name, Some(user(&email))).await;
        first.respond("send", json!({})).await;
        let token = token_in(&only_mail(&m, &email));
        let (mut a, _) = t.initiate(&name, Some(user(&email))).await;
        let (mut b, _) = t.initiate(&name, Some(user(&email))).await;
        a.respond("have-link", json!({})).await;
        b.respond("have-link", json!({})).await;
        let (x, y) = tokio::join!(a.respond(&token, json!({})), b.respond(&token, json!({})));
        let wins = [&x, &y]
            .into_iter()
            .filter(|o| **o == Outcome::Tokens)
            .count();
        assert_eq!(wins, 1, "{x:?} {y:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_starts_for_one_user_send_at_most_one_email() {
    let m = moto().await;
    let t = Arc::new(triggers::<NoBots>(&m, &[], at_moto(&m), None).await);
    let email = format!("{}@example.fr", unique_name("rosa"));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (t, email) = (t.clone(), email.clone());
        tasks.spawn(async move {
            let (_, outcome) = t.initiate("rosa", Some(user(&email))).await;
            outcome
        });
    }
    let mut sent = 0;
    let mut limited = 0;
    while let Some(outcome) = tasks.join_next().await {
        match outcome.unwrap() {
            Outcome::Challenge(p) if p["sent"] == "true" => sent += 1,
            Outcome::Challenge(p) if p["sent"] == "false" && p["retryAfter"].is_string() => {
                limited += 1
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((sent, limited), (1, 49));
    assert_eq!(sent_mail(&m.endpoint, &email).len(), 1);
}

#[tokio::test]
async fn an_unknown_user_gets_the_same_answer_shape_and_no_email() {
    let m = moto().await;
    let t = triggers::<NoBots>(&m, &[], at_moto(&m), None).await;
    let known = format!("{}@example.fr", unique_name("rosa"));
    let unknown = format!("{}@example.fr", unique_name("nobody"));
    let (_, k) = t.initiate(&known, Some(user(&known))).await;
    let (mut u_sign_in, u) = t.initiate(&unknown, None).await;
    let (Outcome::Challenge(k), Outcome::Challenge(u)) = (k, u) else {
        panic!()
    };
    let shape = |p: &Value| {
        let mut keys: Vec<_> = p
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map(str::len)))
            .collect();
        keys.sort();
        keys.into_iter().map(|(k, _)| k).collect::<Vec<_>>()
    };
    assert_eq!(shape(&k), shape(&u));
    assert_eq!(u["sent"], "true");
    assert_eq!(
        u["destination"].as_str().unwrap().len(),
        k["destination"].as_str().unwrap().len()
    );
    assert!(sent_mail(&m.endpoint, &unknown).is_empty());
    for _ in 0..2 {
        assert!(matches!(
            u_sign_in.respond("123456", json!({})).await,
            Outcome::Challenge(_)
        ));
    }
    assert_eq!(
        u_sign_in.respond("123456", json!({})).await,
        Outcome::Refused
    );
}

/// A bot-check provider on 127.0.0.1: `success` is true for the token `human`.
fn provider() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/siteverify", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let form = String::from_utf8_lossy(&body);
            let pass = form.contains("secret=site-secret") && form.contains("response=human");
            let answer = format!("{{\"success\": {pass}}}");
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    url
}

#[tokio::test]
async fn a_bot_check_that_says_no_stops_the_send() {
    let m = moto().await;
    let url = provider();
    let bots = SiteVerify::new(&url, "site-secret".to_owned().into(), BUDGET);
    let pairs = [
        ("CAPTCHA_PROVIDER", "turnstile"),
        (
            "CAPTCHA_SECRET_ARN",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:captcha",
        ),
        ("CAPTCHA_VERIFY_URL", url.as_str()),
    ];
    let t = triggers(&m, &pairs, at_moto(&m), Some(bots)).await;
    let email = format!("{}@example.fr", unique_name("rosa"));
    let (mut bot, start) = t.initiate("rosa", Some(user(&email))).await;
    assert!(
        matches!(&start, Outcome::Challenge(p) if p["captcha"] == "turnstile"),
        "{start:?}"
    );
    assert_eq!(bot.respond("robot", json!({})).await, Outcome::Refused);
    assert!(
        sent_mail(&m.endpoint, &email).is_empty(),
        "nothing sent to a bot"
    );
    let (mut human, _) = t.initiate("rosa", Some(user(&email))).await;
    let sent = human.respond("human", json!({})).await;
    assert!(
        matches!(&sent, Outcome::Challenge(p) if p["sent"] == "true"),
        "{sent:?}"
    );
    let code = code_in(&only_mail(&m, &email));
    assert_eq!(human.respond(&code, json!({})).await, Outcome::Tokens);
}

#[tokio::test]
async fn a_bot_check_provider_refusing_or_hanging_fails_the_sign_in_within_the_budget() {
    let m = moto().await;
    let (hanging, _server) = hanging_endpoint();
    for url in [
        format!("{}/siteverify", refused_endpoint()),
        format!("{hanging}/siteverify"),
    ] {
        let bots = SiteVerify::new(&url, "site-secret".to_owned().into(), BUDGET);
        let pairs = [
            ("CAPTCHA_PROVIDER", "hcaptcha"),
            (
                "CAPTCHA_SECRET_ARN",
                "arn:aws:ssm:us-east-1:123456789012:parameter/captcha",
            ),
            ("CAPTCHA_VERIFY_URL", url.as_str()),
        ];
        let t = triggers(&m, &pairs, at_moto(&m), Some(bots)).await;
        let name = unique_name("rosa");
        let email = format!("{name}@example.fr");
        let (mut sign_in, _) = t.initiate(&name, Some(user(&email))).await;
        let started = Instant::now();
        let outcome = sign_in.respond("human", json!({})).await;
        assert_eq!(
            outcome,
            Outcome::Error(trigger_core::error::GENERIC_MESSAGE.into()),
            "{url}"
        );
        assert!(
            started.elapsed() < BUDGET + Duration::from_millis(700),
            "{url}: {:?}",
            started.elapsed()
        );
        assert!(sent_mail(&m.endpoint, &email).is_empty());
    }
}

#[tokio::test]
async fn refused_and_hanging_services_fail_the_sign_in_within_the_budget() {
    let m = moto().await;
    let (hanging, _server) = hanging_endpoint();
    let refused = refused_endpoint();
    let moto_at = at_moto(&m);
    let cases = [
        (
            "table refused",
            Endpoints {
                table: refused.clone(),
                ..moto_at.clone()
            },
            "",
        ),
        (
            "table hanging",
            Endpoints {
                table: hanging.clone(),
                ..moto_at.clone()
            },
            "",
        ),
        (
            "SES refused",
            Endpoints {
                ses: refused.clone(),
                ..moto_at.clone()
            },
            "",
        ),
        (
            "SES hanging",
            Endpoints {
                ses: hanging.clone(),
                ..moto_at.clone()
            },
            "",
        ),
        (
            "KMS refused",
            Endpoints {
                kms: refused.clone(),
                ..moto_at.clone()
            },
            "magic-link",
        ),
        (
            "KMS hanging",
            Endpoints {
                kms: hanging.clone(),
                ..moto_at.clone()
            },
            "magic-link",
        ),
    ];
    for (case, at, method) in cases {
        let pairs: Vec<(&str, &str)> = match method {
            "" => vec![],
            m => vec![("SIGN_IN_METHOD", m)],
        };
        let t = triggers::<NoBots>(&m, &pairs, at, None).await;
        let name = unique_name("rosa");
        let email = format!("{name}@example.fr");
        let started = Instant::now();
        let (mut sign_in, mut outcome) = t.initiate(&name, Some(user(&email))).await;
        if method == "magic-link" {
            outcome = sign_in.respond("send", json!({})).await;
        }
        let took = started.elapsed();
        assert_eq!(
            outcome,
            Outcome::Error(trigger_core::error::GENERIC_MESSAGE.into()),
            "{case}"
        );
        assert!(
            took < BUDGET + Duration::from_millis(700),
            "{case}: {took:?}"
        );
    }
}

#[tokio::test]
async fn the_bot_check_secret_is_read_from_secrets_manager_or_ssm() {
    let endpoint = moto_endpoint();
    let sdk = sdk_config_for(&endpoint, Duration::from_secs(5)).await;
    let name = unique_name("captcha");
    let arn = aws_sdk_secretsmanager::Client::new(&sdk)
        .create_secret()
        .name(&name)
        .secret_string("sm-secret")
        .send()
        .await
        .unwrap()
        .arn
        .unwrap();
    assert_eq!(read_secret(&sdk, &arn).await.unwrap().as_str(), "sm-secret");
    let parameter = format!("/{name}");
    aws_sdk_ssm::Client::new(&sdk)
        .put_parameter()
        .name(&parameter)
        .value("ssm-secret")
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    let ssm_arn = format!("arn:aws:ssm:us-east-1:123456789012:parameter{parameter}");
    assert_eq!(
        read_secret(&sdk, &ssm_arn).await.unwrap().as_str(),
        "ssm-secret"
    );
    let err = read_secret(&sdk, "arn:aws:s3:::bucket").await.unwrap_err();
    assert!(err.contains("neither"), "{err}");
    let missing = format!("{arn}-gone");
    let err = read_secret(&sdk, &missing).await.unwrap_err();
    assert!(!err.contains("sm-secret"), "{err}");
}
