//! A stand-in for the Cognito side of `CUSTOM_AUTH`, which no local emulator runs
//! (cognito-local accepts only `USER_PASSWORD_AUTH` and refresh; moto never calls a
//! trigger; fakecloud's verify event carries no private challenge parameters).
//! It does what Cognito's documentation says and no more: define, then create when
//! define asks for a challenge; the app's answer to verify with the private
//! parameters create gave; the result appended to the session with create's
//! metadata; define again. At most 8 answers and 3 minutes per sign-in.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use create_auth_challenge::Services as CreateServices;
use mailer::SesMailer;
use passwordless::adapters::{DynamoChallenges, KmsSigner};
use passwordless::token::PublicKey;
use serde_json::{json, Value};
use texter::InMemoryTexter;
use verify_auth_challenge::{BotCheck, Services as VerifyServices};

pub const POOL: &str = "us-east-1_PwLess0001";
pub const CLIENT: &str = "passwordless-web";

/// The three functions' settings and the services they call.
pub struct Triggers<B> {
    pub define: define_auth_challenge::Config,
    pub create: create_auth_challenge::Config,
    pub verify: verify_auth_challenge::Config,
    pub store: DynamoChallenges,
    pub signer: Option<KmsSigner>,
    pub mailer: SesMailer,
    pub texter: InMemoryTexter,
    pub key: Option<PublicKey>,
    pub bots: Option<B>,
}

/// What the app sees after each call.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `CUSTOM_CHALLENGE` with these public parameters.
    Challenge(Value),
    Tokens,
    /// Cognito's `NotAuthorizedException` (define failed the sign-in).
    Refused,
    /// A trigger failed: Cognito answers `UserLambdaValidationException` with this.
    Error(String),
}

/// One sign-in: the session Cognito keeps.
pub struct SignIn<'t, B> {
    triggers: &'t Triggers<B>,
    user: String,
    attributes: Value,
    not_found: bool,
    session: Vec<Value>,
    private: Value,
    metadata: Value,
    started: Instant,
}

fn event(source: &str, user: &str, request: Value) -> Value {
    json!({
        "version": "1", "region": "us-east-1", "userPoolId": POOL, "userName": user,
        "callerContext": {"awsSdkVersion": "aws-sdk-rust", "clientId": CLIENT},
        "triggerSource": source, "request": request, "response": {}
    })
}

impl<B: BotCheck> Triggers<B> {
    /// `InitiateAuth` with `CUSTOM_AUTH` for `user` (with these attributes, or none
    /// for a name without an account).
    pub async fn initiate(
        &self,
        user: &str,
        attributes: Option<Value>,
    ) -> (SignIn<'_, B>, Outcome) {
        let mut sign_in = SignIn {
            triggers: self,
            user: user.to_owned(),
            not_found: attributes.is_none(),
            attributes: attributes.unwrap_or_else(|| json!({})),
            session: Vec::new(),
            private: json!({}),
            metadata: Value::Null,
            started: Instant::now(),
        };
        // InitiateAuth's ClientMetadata does not reach the challenge triggers.
        let outcome = sign_in.next(json!({})).await;
        (sign_in, outcome)
    }
}

impl<B: BotCheck> SignIn<'_, B> {
    async fn next(&mut self, client_metadata: Value) -> Outcome {
        let t = self.triggers;
        let request = json!({
            "userAttributes": self.attributes, "session": self.session,
            "clientMetadata": client_metadata, "userNotFound": self.not_found
        });
        let define = event("DefineAuthChallenge_Authentication", &self.user, request);
        let answer =
            match test_support::answer(|e| define_auth_challenge::handler(&t.define, e), define)
                .await
            {
                Ok(answer) => answer,
                Err(e) => return Outcome::Error(e.user_message().to_owned()),
            };
        let r = &answer["response"];
        if r["failAuthentication"] == true {
            return Outcome::Refused;
        }
        if r["issueTokens"] == true {
            return Outcome::Tokens;
        }
        let request = json!({
            "userAttributes": self.attributes, "challengeName": "CUSTOM_CHALLENGE",
            "session": self.session, "clientMetadata": client_metadata, "userNotFound": self.not_found
        });
        let create = event("CreateAuthChallenge_Authentication", &self.user, request);
        let services = CreateServices {
            store: &t.store,
            signer: t.signer.as_ref(),
            mailer: &t.mailer,
            texter: &t.texter,
        };
        match test_support::answer(
            |e| create_auth_challenge::handler(&t.create, &services, e),
            create,
        )
        .await
        {
            Ok(answer) => {
                let r = &answer["response"];
                self.private = r["privateChallengeParameters"].clone();
                self.metadata = r["challengeMetadata"].clone();
                Outcome::Challenge(r["publicChallengeParameters"].clone())
            }
            Err(e) => Outcome::Error(e.user_message().to_owned()),
        }
    }

    /// `RespondToAuthChallenge` with `answer` and `client_metadata`.
    pub async fn respond(&mut self, answer: &str, client_metadata: Value) -> Outcome {
        if self.session.len() >= 8 || self.started.elapsed() > Duration::from_secs(180) {
            return Outcome::Refused;
        }
        let t = self.triggers;
        let request = json!({
            "userAttributes": self.attributes, "privateChallengeParameters": self.private,
            "challengeAnswer": answer, "clientMetadata": client_metadata, "userNotFound": self.not_found
        });
        let verify = event(
            "VerifyAuthChallengeResponse_Authentication",
            &self.user,
            request,
        );
        let services = VerifyServices {
            store: &t.store,
            public_key: t.key.as_ref(),
            bot_check: t.bots.as_ref(),
        };
        let correct = match test_support::answer(
            |e| verify_auth_challenge::handler(&t.verify, &services, e),
            verify,
        )
        .await
        {
            Ok(answer) => answer["response"]["answerCorrect"] == true,
            Err(e) => return Outcome::Error(e.user_message().to_owned()),
        };
        self.session.push(json!({
            "challengeName": "CUSTOM_CHALLENGE", "challengeResult": correct, "challengeMetadata": self.metadata
        }));
        self.next(client_metadata).await
    }
}
