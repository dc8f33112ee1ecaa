#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Linking against servers speaking the AWS protocols: the user search against moto's
//! cognito-idp and the profile table in moto's DynamoDB (started by `make test`), as
//! post-confirmation's real handler writes it; and `AdminLinkProviderForUser`, which
//! neither moto nor cognito-local implements (checked: no such operation in moto's
//! cognitoidp responses nor among cognito-local's targets), against a loopback
//! stand-in that answers that one operation as the API reference documents (HTTP 200,
//! an empty JSON object) after checking the request the SDK sends.
//!
//! The account pre-hijack, end to end: an attacker signs up first with the address of
//! someone at an auto-confirmed domain; that person's first Google sign-in must not be
//! linked into the attacker's account, while a person who proved their address with a
//! code still gets theirs linked.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use cognito_admin::{CognitoUsers, DirectoryError, FederatedIdentity, PoolUser, UserDirectory};
use pre_signup::adapters::DynamoEmailProofs;
use pre_signup::link::{plan_external, ExternalPlan, Separate};
use pre_signup::ports::InMemoryProofs;
use pre_signup::{handler, Config, Linking, LINKING_OFF};
use serde_json::{json, Value};
use test_support::aws::{
    create_pool, create_table, hanging_endpoint, moto_endpoint, refused_endpoint, sdk_config_for,
    unique_name,
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
    assert_eq!(found.len(), 1);
    let maria = &found[0];
    assert_eq!(
        (
            maria.username.as_str(),
            &maria.federated,
            maria.email_verified
        ),
        ("maria", &None, true)
    );
    let sub = maria.sub.clone().expect("the pool gives every user a sub");
    assert_eq!(
        plan_external(&verified_idp(), &found),
        ExternalPlan::Link {
            username: "maria".into(),
            sub: Some(sub)
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
        ("LINK_TRUSTED_PROVIDERS", "Google"),
        ("PROFILE_TABLE_NAME", "profiles"),
        ("LINK_BUDGET_MS", "400"),
    ]))
    .unwrap();
    let proofs = InMemoryProofs::default();
    let linking = Linking {
        users: &users,
        proofs: &proofs,
    };
    let started = Instant::now();
    let answer = test_support::answer(
        |e| handler(&config, Some(linking), e),
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

/// The pool as Cognito runs it, on moto: pre-signup decides a password sign-up,
/// the user is created as its answer says, and post-confirmation (the real handler,
/// writing the profile table in moto) runs on their confirmation.
struct Pool {
    cognito: Client,
    id: String,
    profiles: String,
    settings: Vec<(&'static str, &'static str)>,
}

impl Pool {
    async fn new(settings: &[(&'static str, &'static str)]) -> Self {
        let cognito = client(&moto_endpoint(), Duration::from_secs(4)).await;
        let id = create_pool(&cognito, &[], &[]).await;
        let sdk = sdk_config_for(&moto_endpoint(), Duration::from_secs(4)).await;
        let profiles = unique_name("profiles");
        create_table(&aws_sdk_dynamodb::Client::new(&sdk), &profiles, &["sub"]).await;
        Self {
            cognito,
            id,
            profiles,
            settings: settings.to_vec(),
        }
    }

    fn vars(&self) -> Vars {
        let mut vars = vec![
            ("LINK_FEDERATED_USERS", "true"),
            ("LINK_TRUSTED_PROVIDERS", "Google"),
            ("PROFILE_TABLE_NAME", self.profiles.as_str()),
        ];
        vars.extend(self.settings.iter().copied());
        Vars::from_pairs(vars)
    }

    /// A password sign-up of `email`: pre-signup's answer, the user created as it
    /// says (confirmed by a code sent to the address unless auto-confirmed, as
    /// Cognito does), and post-confirmation run on the confirmation.
    async fn sign_up(&self, username: &str, email: &str) {
        let config = Config::from_vars(&self.vars()).unwrap();
        let mut event = sample_event("pre-signup", "PreSignUp_SignUp.json");
        event["userPoolId"] = self.id.clone().into();
        event["userName"] = username.into();
        event["request"]["userAttributes"] = json!({"email": email});
        let answer = test_support::answer(|e| handler(&config, LINKING_OFF, e), event)
            .await
            .unwrap();
        let auto_confirmed = answer["response"]["autoConfirmUser"] == true;
        // Auto-confirmed users get no code: their address is verified only if the
        // trigger said so. Everyone else types the code sent to the address.
        let verified = if auto_confirmed {
            answer["response"]["autoVerifyEmail"] == true
        } else {
            true
        };
        let attributes = [("email", email), ("email_verified", &verified.to_string())];
        let created = create_user(&self.cognito, &self.id, username, &attributes).await;
        self.confirmed(username, &created, email, verified).await;
    }

    /// post-confirmation's handler, writing the profile table in moto.
    async fn confirmed(&self, username: &str, sub: &str, email: &str, verified: bool) {
        use post_confirmation::adapters::DynamoProfiles;
        let sdk = sdk_config_for(&moto_endpoint(), Duration::from_secs(4)).await;
        let profiles = DynamoProfiles::new(aws_sdk_dynamodb::Client::new(&sdk), &self.profiles);
        let config = post_confirmation::Config::from_vars(&self.vars());
        let ports =
            post_confirmation::Ports::<cognito_admin::InMemoryGroups, _, mailer::InMemoryMailer> {
                groups: None,
                profiles: Some(&profiles),
                mailer: None,
            };
        let mut event = sample_event("post-confirmation", "PostConfirmation_ConfirmSignUp.json");
        event["userPoolId"] = self.id.clone().into();
        event["userName"] = username.into();
        event["request"]["userAttributes"] =
            json!({"sub": sub, "email": email, "email_verified": verified.to_string()});
        test_support::answer(|e| post_confirmation::handler(&config, ports, e), event)
            .await
            .unwrap();
    }

    /// A first Google sign-in with `email`, through pre-signup-linking as deployed
    /// (search in moto, proof in moto's profile table, link at the stand-in): its
    /// answer and the link requests made.
    async fn google_sign_in(&self, email: &str) -> (Result<Value, String>, Vec<Value>) {
        let config = Config::from_vars(&self.vars()).unwrap();
        let stand_in = link_stand_in();
        let sdk = sdk_config_for(&moto_endpoint(), Duration::from_secs(4)).await;
        let users = Split {
            search: CognitoUsers::new(self.cognito.clone()),
            link: CognitoUsers::new(client(&stand_in.endpoint, Duration::from_secs(2)).await),
        };
        let proofs = DynamoEmailProofs::new(aws_sdk_dynamodb::Client::new(&sdk), &self.profiles);
        let linking = Linking {
            users: &users,
            proofs: &proofs,
        };
        let mut event = sample_event("pre-signup", "PreSignUp_ExternalProvider-verified.json");
        event["userPoolId"] = self.id.clone().into();
        event["request"]["userAttributes"]["email"] = email.into();
        let answer = test_support::answer(|e| handler(&config, Some(linking), e), event)
            .await
            .map_err(|e| e.user_message().to_owned());
        let requests = stand_in.requests.lock().unwrap().clone();
        (answer, requests.into_iter().map(|(_, body)| body).collect())
    }
}

/// Creates a user in moto's pool; their `sub`.
async fn create_user(
    client: &Client,
    pool: &str,
    username: &str,
    attributes: &[(&str, &str)],
) -> String {
    use aws_sdk_cognitoidentityprovider::types::AttributeType;
    let attributes = attributes
        .iter()
        .map(|(name, value)| AttributeType::builder().name(*name).value(*value).build())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let user = client
        .admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .set_user_attributes(Some(attributes))
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    user.attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .unwrap()
        .to_owned()
}

const CEO: &str = "ceo@corp.example.com";

#[tokio::test]
async fn an_attacker_who_signed_up_first_with_an_auto_confirmed_address_is_not_linked() {
    let pool = Pool::new(&[("AUTO_CONFIRM_EMAIL_DOMAINS", "corp.example.com")]).await;
    pool.sign_up("attacker", CEO).await;
    // Auto-confirmed, but the address is not verified: nothing to link to.
    let (answer, links) = pool.google_sign_in(CEO).await;
    assert!(
        answer.is_ok(),
        "the real owner gets an account of their own: {answer:?}"
    );
    assert!(
        links.is_empty(),
        "no link into the attacker's account: {links:?}"
    );
}

#[tokio::test]
async fn with_auto_verification_switched_on_the_attacker_is_still_not_linked() {
    // The operator chose AUTO_CONFIRM_VERIFIES_EMAIL: Cognito now says the attacker's
    // address is verified, but post-confirmation recorded that no code proved it.
    let pool = Pool::new(&[
        ("AUTO_CONFIRM_EMAIL_DOMAINS", "corp.example.com"),
        ("AUTO_CONFIRM_VERIFIES_EMAIL", "true"),
    ])
    .await;
    pool.sign_up("attacker", CEO).await;
    let found = CognitoUsers::new(pool.cognito.clone())
        .users_with_email(&pool.id, CEO)
        .await
        .unwrap();
    assert!(
        found[0].email_verified,
        "Cognito holds the address as verified"
    );
    let (answer, links) = pool.google_sign_in(CEO).await;
    assert!(answer.is_ok(), "{answer:?}");
    assert!(links.is_empty(), "{links:?}");
}

#[tokio::test]
async fn a_person_who_proved_their_address_with_a_code_gets_their_google_sign_in_linked() {
    let pool = Pool::new(&[("AUTO_CONFIRM_EMAIL_DOMAINS", "corp.example.com")]).await;
    pool.sign_up("maria", "maria.garcia@example.com").await;
    let (answer, links) = pool.google_sign_in("maria.garcia@example.com").await;
    assert_eq!(
        answer.unwrap_err(),
        "Your Google sign-in is now linked to your existing account. Please sign in again"
    );
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["UserPoolId"], pool.id);
    assert_eq!(
        links[0]["DestinationUser"]["ProviderAttributeValue"],
        "maria"
    );
    assert_eq!(links[0]["SourceUser"]["ProviderName"], "Google");
}
