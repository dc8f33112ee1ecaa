"""The Cognito side of `CUSTOM_AUTH`, for local runs: no emulator here runs it
(cognito-local's InitiateAuth takes only USER_PASSWORD_AUTH and refresh tokens, moto
never calls a trigger, and fakecloud's verify event carries no private challenge
parameters). This stand-in does what Cognito's documentation says and no more, with
the real trigger binaries behind a Lambda Invoke API:

  InitiateAuth         -> define; if it asks for a challenge, create
  RespondToAuthChallenge -> verify (with create's private parameters), the result
                          appended to the session with create's metadata, then define
                          again, and create again when it asks

ClientMetadata of InitiateAuth reaches none of the three; that of
RespondToAuthChallenge reaches all three. A sign-in ends after 8 answers or 3 minutes.
Tokens are not minted: where Cognito would issue them, the stand-in says so.
"""

import json
import time


class CustomAuth:
    """One user pool's custom authentication, the functions reached by `invoke(name, event)`."""

    def __init__(self, invoke, pool_id: str, client_id: str, region: str):
        self.invoke, self.pool_id, self.client_id, self.region = invoke, pool_id, client_id, region

    def event(self, source: str, user: str, request: dict) -> dict:
        return {"version": "1", "region": self.region, "userPoolId": self.pool_id, "userName": user,
                "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": self.client_id},
                "triggerSource": source, "request": request, "response": {}}

    def initiate(self, user: str, attributes: dict = None) -> "SignIn":
        """InitiateAuth(CUSTOM_AUTH); `attributes` None for a name with no account."""
        sign_in = SignIn(self, user, attributes)
        sign_in.next({})
        return sign_in


class SignIn:
    def __init__(self, pool: CustomAuth, user: str, attributes):
        self.pool, self.user = pool, user
        self.not_found = attributes is None
        self.attributes = attributes or {}
        self.session, self.private, self.metadata = [], {}, None
        self.started = time.monotonic()
        # What the app sees: ("challenge", public parameters), ("tokens",), ("refused",), ("error", message)
        self.outcome = None
        self.took = {}

    def call(self, function: str, source: str, request: dict):
        started = time.monotonic()
        ok, body = self.pool.invoke(function, self.pool.event(source, self.user, request))
        self.took[function] = (time.monotonic() - started) * 1000
        return ok, body

    def next(self, client_metadata: dict):
        ok, body = self.call("define-auth-challenge", "DefineAuthChallenge_Authentication", {
            "userAttributes": self.attributes, "session": self.session,
            "clientMetadata": client_metadata, "userNotFound": self.not_found})
        if not ok:
            self.outcome = ("error", body.get("errorMessage"))
            return
        response = body["response"]
        if response.get("failAuthentication"):
            self.outcome = ("refused",)
            return
        if response.get("issueTokens"):
            self.outcome = ("tokens",)
            return
        ok, body = self.call("create-auth-challenge", "CreateAuthChallenge_Authentication", {
            "userAttributes": self.attributes, "challengeName": "CUSTOM_CHALLENGE", "session": self.session,
            "clientMetadata": client_metadata, "userNotFound": self.not_found})
        if not ok:
            self.outcome = ("error", body.get("errorMessage"))
            return
        response = body["response"]
        self.private = response.get("privateChallengeParameters") or {}
        self.metadata = response.get("challengeMetadata")
        self.outcome = ("challenge", response.get("publicChallengeParameters") or {})

    def respond(self, answer: str, client_metadata: dict = None):
        """RespondToAuthChallenge(CUSTOM_CHALLENGE, ANSWER=answer)."""
        client_metadata = client_metadata or {}
        if len(self.session) >= 8 or time.monotonic() - self.started > 180:
            self.outcome = ("refused",)
            return self.outcome
        ok, body = self.call("verify-auth-challenge", "VerifyAuthChallengeResponse_Authentication", {
            "userAttributes": self.attributes, "privateChallengeParameters": self.private,
            "challengeAnswer": answer, "clientMetadata": client_metadata, "userNotFound": self.not_found})
        if not ok:
            self.outcome = ("error", body.get("errorMessage"))
            return self.outcome
        correct = bool(body["response"].get("answerCorrect"))
        self.session.append({"challengeName": "CUSTOM_CHALLENGE", "challengeResult": correct,
                             "challengeMetadata": self.metadata})
        self.next(client_metadata)
        return self.outcome


def public(outcome) -> dict:
    return outcome[1] if outcome and outcome[0] == "challenge" else {}


def shown(outcome) -> str:
    return json.dumps(outcome[1], sort_keys=True) if outcome[0] == "challenge" else outcome[0]
