#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Linking against servers speaking the cognito-idp protocol: the user search against
//! moto (started by `make test`), and `AdminLinkProviderForUser`, which neither moto
//! nor cognito-local implements (checked: no such operation in moto's cognitoidp
//! responses nor among cognito-local's targets), against a loopback stand-in that
//! answers that one operation as the API reference documents (HTTP 200, an empty JSON
//! object) after checking the request the SDK sends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use cognito_admin::{CognitoUsers, DirectoryError, FederatedIdentity, PoolUser, UserDirectory};
use pre_signup::link::{plan_external, ExternalPlan, Separate};
use pre_signup::{handler, Config};
use serde_json::{json, Value};
use test_support::aws::{
    create_pool, hanging_endpoint, moto_endpoint, refused_endpoint, sdk_config_for,
};
use test_support::sample_event;
use trigger_core::Vars;

async fn client(endpoint: &str, budget: Duration) -> Client {
    Client::new(&sdk_config_for(endpoint, budget).await)
}

/// A moto pool with native users at `email` (verified or not).
async fn pool_with(client: &Client, users: &[(&str, &str, bool)]) -> String {
    let flags: Vec<String> = users.iter().map(|(_, _, v)| v.to_string()).collect();
    let attributes: Vec<[(&str, &str); 2]> = users
        .iter()
        .zip(&flags)
        .map(|((_, email, _), verified)| [("email", *email), ("email_verified", verified.as_str())])
        .collect();
    let users: Vec<(&str, &[(&str, &str)])> = users
        .iter()
        .zip(&attributes)
        .map(|((name, _, _), attributes)| (*name, attributes.as_slice()))
        .collect();
    create_pool(client, &[], &users).await
}

fn verified_idp() -> std::collections::HashMap<String, String> {
    [
        ("email", "maria.garcia@example.com"),
        ("email_verified", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

#[tokio::test]
async fn the_search_finds_native_users_by_email_in_moto() {
    let c = client(&moto_endpoint(), Duration::from_secs(4)).await;
    let pool = pool_with(
        &c,
        &[
            ("maria", "maria.garcia@example.com", true),
            ("jonas", "jonas.weber@example.de", false),
        ],
    )
    .await;
    let users = CognitoUsers::new(c);
    let found = users
        .users_with_email(&pool, "maria.garcia@example.com")
        .await
        .unwrap();
    assert_eq!(
        found,
        vec![PoolUser {
            username: "maria".into(),
            federated: None,
            email_verified: true
        }]
    );
    assert_eq!(
        plan_external(&verified_idp(), &found),
        ExternalPlan::Link {
            username: "maria".into()
        }
    );
    // Not found.
    assert!(users
        .users_with_email(&pool, "nobody@example.com")
        .await
        .unwrap()
        .is_empty());
    // Found, unverified: no link.
    let jonas = users
        .users_with_email(&pool, "jonas.weber@example.de")
        .await
        .unwrap();
    assert_eq!(jonas.len(), 1);
    let mut idp = verified_idp();
    idp.insert("email".into(), "jonas.weber@example.de".into());
    assert_eq!(
        plan_external(&idp, &jonas),
        ExternalPlan::Separate(Separate::NativeEmailNotVerified)
    );
}

async fn search_fails_within(endpoint: &str) -> Duration {
    let budget = Duration::from_millis(400);
    let users = CognitoUsers::new(client(endpoint, budget).await);
    let config = Config::from_vars(&Vars::from_pairs([
        ("LINK_FEDERATED_USERS", "true"),
        ("LINK_BUDGET_MS", "400"),
    ]))
    .unwrap();
    let started = Instant::now();
    let answer = test_support::answer(
        |e| handler(&config, Some(&users), e),
        sample_event("pre-signup", "PreSignUp_ExternalProvider-verified.json"),
    )
    .await;
    let took = started.elapsed();
    assert_eq!(
        answer.unwrap_err().user_message(),
        "Sign-up is unavailable right now. Please try again in a moment"
    );
    assert!(took < budget + Duration::from_millis(150), "took {took:?}");
    took
}

#[tokio::test]
async fn a_server_that_refuses_is_a_refusal_to_try_again_within_the_budget() {
    search_fails_within(&refused_endpoint()).await;
}

#[tokio::test]
async fn a_server_that_hangs_is_a_refusal_to_try_again_within_the_budget() {
    let (endpoint, _server) = hanging_endpoint();
    let took = search_fails_within(&endpoint).await;
    assert!(took >= Duration::from_millis(300), "gave up after {took:?}");
}

/// The one-operation stand-in: records each request (target header, JSON body) and
/// answers `AdminLinkProviderForUser` with 200 `{}`, anything else with the error the
/// service gives for an operation it does not know.
struct LinkStandIn {
    endpoint: String,
    requests: Arc<Mutex<Vec<(String, Value)>>>,
}

fn link_stand_in() -> LinkStandIn {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut target, mut length) = (String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap_or((&line, ""));
                match name.to_ascii_lowercase().as_str() {
                    "x-amz-target" => target = value.trim().to_owned(),
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let known = target == "AWSCognitoIdentityProviderService.AdminLinkProviderForUser";
            seen.lock().unwrap().push((target, body));
            let (status, answer) = if known {
                ("200 OK", "{}".to_owned())
            } else {
                (
                    "400 Bad Request",
                    json!({"__type": "UnknownOperationException"}).to_string(),
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    LinkStandIn { endpoint, requests }
}

#[tokio::test]
async fn the_link_request_names_the_pool_and_both_identities() {
    let stand_in = link_stand_in();
    let users = CognitoUsers::new(client(&stand_in.endpoint, Duration::from_secs(2)).await);
    let identity = FederatedIdentity::from_username("google_108234567890123456789").unwrap();
    users
        .link("eu-west-1_Xq8LmN3pR", "maria", &identity)
        .await
        .unwrap();
    let requests = stand_in.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    let (target, body) = &requests[0];
    assert_eq!(
        target,
        "AWSCognitoIdentityProviderService.AdminLinkProviderForUser"
    );
    assert_eq!(
        body,
        &json!({
            "UserPoolId": "eu-west-1_Xq8LmN3pR",
            "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": "maria"},
            "SourceUser": {
                "ProviderName": "Google",
                "ProviderAttributeName": "Cognito_Subject",
                "ProviderAttributeValue": "108234567890123456789"
            }
        })
    );
}

/// Search in moto, link at the stand-in: the whole handler, as deployed.
struct Split {
    search: CognitoUsers,
    link: CognitoUsers,
}

impl UserDirectory for Split {
    async fn users_with_email(
        &self,
        pool: &str,
        email: &str,
    ) -> Result<Vec<PoolUser>, DirectoryError> {
        self.search.users_with_email(pool, email).await
    }

    async fn link(
        &self,
        pool: &str,
        username: &str,
        identity: &FederatedIdentity,
    ) -> Result<(), DirectoryError> {
        self.link.link(pool, username, identity).await
    }
}

#[tokio::test]
async fn the_handler_finds_maria_in_moto_and_links_her_google_identity() {
    let moto = client(&moto_endpoint(), Duration::from_secs(4)).await;
    let pool = pool_with(&moto, &[("maria", "maria.garcia@example.com", true)]).await;
    let stand_in = link_stand_in();
    let directory = Split {
        search: CognitoUsers::new(moto),
        link: CognitoUsers::new(client(&stand_in.endpoint, Duration::from_secs(2)).await),
    };
    let config = Config::from_vars(&Vars::from_pairs([("LINK_FEDERATED_USERS", "true")])).unwrap();
    let mut event = sample_event("pre-signup", "PreSignUp_ExternalProvider-verified.json");
    event["userPoolId"] = pool.clone().into();
    let answer = test_support::answer(|e| handler(&config, Some(&directory), e), event).await;
    assert!(answer
        .unwrap_err()
        .user_message()
        .contains("now linked to your existing account"));
    let requests = stand_in.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].1["UserPoolId"], pool);
    assert_eq!(
        requests[0].1["DestinationUser"]["ProviderAttributeValue"],
        "maria"
    );
}
