#!/usr/bin/env python3
"""The local user pool end to end: cognito-local calling the real trigger binaries
(behind `cargo lambda watch`), with moto as DynamoDB and SES behind them. `make demo`
walks it and prints each step; `make test` runs it and fails on the first outcome that
is not the expected one, including a trigger that runs twice for one action.

  boto3 --> cognito-local --> Lambda proxy --> cargo lambda watch --> trigger binaries --> moto
                             (500 -> 200 + X-Amz-Function-Error)                        (DynamoDB, SES)

Everything runs on 127.0.0.1 on free ports and is stopped by PID at the end, on
failure and on Ctrl-C (scripts/local_stack.py).
"""

import base64
import html
import json
import re
import signal
import sys
import time
from dataclasses import dataclass

from custom_auth import CustomAuth, public, shown
import template_pool
from identity_roles import resolve, role_name
from local_stack import (CognitoLocal, GroupRoles, LambdaProxy, MotoServer, Watch, aws_client, build_binaries,
                         env_file_values, prepare_moto)

PASSWORD = "Str0ng-Passw0rd!"
LEGACY_PASSWORD = "Legacy-Passw0rd!"
# The Cognito triggers cognito-local calls, and the binary behind each.
TRIGGERS = {
    "PreSignUp": "pre-signup",
    "CustomMessage": "custom-message",
    "PostConfirmation": "post-confirmation",
    "PreTokenGeneration": "pre-token-generation",
    "PostAuthentication": "post-authentication",
    "UserMigration": "user-migration",
}


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def claims(jwt: str) -> dict:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def text_of(html: str) -> str:
    """The visible text of an email, in one line."""
    text = re.sub(r"<(head|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    for entity, char in (("&#x2f;", "/"), ("&amp;", "&"), ("&#x27;", "'"), ("&quot;", '"'), ("&lt;", "<"), ("&gt;", ">")):
        text = text.replace(entity, char)
    return re.sub(r"\s+", " ", text).strip()


def pairs(text: str) -> dict:
    """A `name=value,name=value` setting of local.env."""
    return dict(pair.split("=", 1) for pair in text.split(",") if pair)


def say(line=""):
    print(f"   {line}", flush=True)


@dataclass
class Pool:
    """The user pool the journey creates in cognito-local."""
    id: str
    client_id: str


@dataclass
class SignedUp:
    username: str
    confirmed: bool
    email_subject: str = None
    email_text: str = None
    sms: str = None


class Journey:
    def __init__(self, idp, proxy: LambdaProxy, cognito: CognitoLocal, moto: MotoServer, env: dict):
        self.idp, self.proxy, self.cognito, self.moto, self.env = idp, proxy, cognito, moto, env
        self.ddb = aws_client("dynamodb", moto.endpoint)
        self.steps = 0
        self.pool = None
        self.refresh_token = None
        # Each signed-in user's last ID token, for the identity pool step.
        self.id_tokens = {}

    # -- helpers -----------------------------------------------------------------
    def step(self, title):
        self.steps += 1
        print(f"\n== {self.steps}. {title}", flush=True)

    def triggers(self, mark):
        return [(f, s) for f, s, _, _ in self.proxy.since(mark)]

    def answers(self, mark, function):
        return [a for f, _, _, a in self.proxy.since(mark) if f == function]

    def ran_once(self, mark, *expected, also_allowed=()):
        """Each expected trigger ran exactly once, and nothing ran twice."""
        calls = self.triggers(mark)
        for call in set(calls):
            expect(calls.count(call) == 1, f"{call} ran {calls.count(call)} times for one action")
        missing = [c for c in expected if c not in calls]
        extra = [c for c in calls if c not in expected and c not in also_allowed]
        expect(not missing and not extra, f"triggers run: {calls}, expected: {list(expected)}")
        say(f"triggers run once each: {', '.join(f'{f} ({s})' for f, s in calls)}")

    def sign_in(self, username, password):
        tokens = self.idp.initiate_auth(ClientId=self.pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": username, "PASSWORD": password})["AuthenticationResult"]
        self.id_tokens[username] = tokens["IdToken"]
        return tokens

    def attributes(self, username) -> dict:
        user = self.idp.admin_get_user(UserPoolId=self.pool.id, Username=username)
        return {a["Name"]: a["Value"] for a in user["UserAttributes"]}

    # -- steps -------------------------------------------------------------------
    def create_pool(self) -> Pool:
        idp = self.idp
        pool = idp.create_user_pool(PoolName="acme-notes", UsernameAttributes=["email"],
                                    AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        client = idp.create_user_pool_client(
            UserPoolId=pool, ClientName="acme-notes-web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        # Each group carries the IAM role of its app role, precedence by strength, as the
        # template's groups do (IdentityPool=true).
        iam = pairs(self.env["ROLE_IAM_ROLES"])
        group_roles = pairs(self.env["GROUP_ROLES"])
        for precedence, group in enumerate(("admins", "editors", self.env["DEFAULT_GROUP"])):
            idp.create_group(UserPoolId=pool, GroupName=group, Precedence=precedence, RoleArn=iam[group_roles[group]])
        print(f"user pool {pool}, app client {client}, groups admins, editors and {self.env['DEFAULT_GROUP']}")
        self.pool = Pool(pool, client)
        # cognito-local tells pre-token-generation no groups and drops its group override:
        # the stand-in does both as Cognito does (scripts/local_stack.py, GroupRoles).
        stand_in = GroupRoles(idp, pool)
        self.proxy.before, self.proxy.after = stand_in.before, stand_in.after
        return self.pool

    def step_denied_domain(self) -> str:
        from botocore.exceptions import ClientError

        self.step("sign-up at a denied domain")
        mark = self.proxy.mark()
        try:
            self.idp.sign_up(ClientId=self.pool.client_id, Username="mallory@competitor.example", Password=PASSWORD,
                             UserAttributes=[{"Name": "email", "Value": "mallory@competitor.example"}])
            raise Failure("the sign-up at a denied domain was accepted")
        except ClientError as err:
            code, message = err.response["Error"]["Code"], err.response["Error"]["Message"]
        say(f"refused: {code}: {message}")
        expect(code == "UserLambdaValidationException", f"error code {code}")
        expect("Sign-up with this email domain is not allowed" in message, message)
        # The trigger's sentence has no final period; Cognito adds one.
        expect(not message.endswith(".."), f"the user reads a doubled period: {message}")
        self.ran_once(mark, ("pre-signup", "PreSignUp_SignUp"))
        return message

    def step_sign_ups(self) -> SignedUp:
        self.step("sign-up at a trusted domain, then an ordinary sign-up")
        mark = self.proxy.mark()
        staff = self.idp.sign_up(ClientId=self.pool.client_id, Username="sam.staff@corp.example.com", Password=PASSWORD,
                                 UserAttributes=[{"Name": "email", "Value": "sam.staff@corp.example.com"}])
        say(f"sam.staff@corp.example.com: UserConfirmed={staff['UserConfirmed']}")
        expect(staff["UserConfirmed"], "the trusted-domain user was not auto-confirmed")
        # An auto-confirmed user is confirmed: post-confirmation runs for them too. (Real
        # Cognito sends no code to an auto-confirmed user; cognito-local still does.)
        self.ran_once(mark, ("pre-signup", "PreSignUp_SignUp"), ("post-confirmation", "PostConfirmation_ConfirmSignUp"),
                      also_allowed=[("custom-message", "CustomMessage_SignUp")])
        # Anyone can sign up with an address at that domain: confirming them is the
        # operator's choice, but the address stays unverified until a code proves it,
        # so it can never be the verified address a federated sign-in is linked to.
        verified = self.attributes("sam.staff@corp.example.com").get("email_verified")
        say(f"sam.staff@corp.example.com: email_verified={verified} (auto-confirmed, not auto-verified)")
        expect(verified != "true", "auto-confirming verified an address nobody proved")

        mark = self.proxy.mark()
        reader = self.idp.sign_up(ClientId=self.pool.client_id, Username="rosa.reader@example.com", Password=PASSWORD,
                                  UserAttributes=[{"Name": "email", "Value": "rosa.reader@example.com"},
                                                  {"Name": "given_name", "Value": "Rosa"},
                                                  {"Name": "locale", "Value": "fr"}])
        expect(not reader["UserConfirmed"], "an ordinary sign-up was auto-confirmed")
        self.ran_once(mark, ("pre-signup", "PreSignUp_SignUp"), ("custom-message", "CustomMessage_SignUp"))
        message = self.answers(mark, "custom-message")[0]["response"]
        expect(message["emailSubject"] and "{####}" in message["emailMessage"], f"custom-message answered {message}")
        rosa = SignedUp("rosa.reader@example.com", False, message["emailSubject"],
                        text_of(message["emailMessage"]), message["smsMessage"])
        say("rosa.reader@example.com: UserConfirmed=False; the confirmation email custom-message wrote:")
        say(f"  subject: {rosa.email_subject}")
        say(f"  text:    {rosa.email_text[:300]}")
        say(f"  sms:     {rosa.sms}")
        code = self.cognito.last_code()
        expect(code, f"cognito-local printed no code; see {self.cognito.log_path}")
        # Cognito marks the email verified when the emailed code confirms the sign-up;
        # cognito-local does not, so the journey does what Cognito would have done.
        self.idp.admin_update_user_attributes(UserPoolId=self.pool.id, Username=rosa.username,
                                              UserAttributes=[{"Name": "email", "Value": rosa.username},
                                                              {"Name": "email_verified", "Value": "true"}])
        mark = self.proxy.mark()
        self.idp.confirm_sign_up(ClientId=self.pool.client_id, Username=rosa.username, ConfirmationCode=code)
        rosa.confirmed = True
        say(f"confirmed with the code cognito-local delivered ({code})")
        self.ran_once(mark, ("post-confirmation", "PostConfirmation_ConfirmSignUp"))
        return rosa

    def step_welcome(self, username) -> dict:
        self.step("after confirmation: the default group, the profile row and the welcome email")
        group = self.env["DEFAULT_GROUP"]
        # cognito-local finds memberships by the user's name (a UUID here), not by email alias.
        name = self.idp.admin_get_user(UserPoolId=self.pool.id, Username=username)["Username"]
        groups = [g["GroupName"] for g in
                  self.idp.admin_list_groups_for_user(UserPoolId=self.pool.id, Username=name)["Groups"]]
        say(f"{username} is in the groups {groups} (post-confirmation called AdminAddUserToGroup)")
        expect(groups == [group], f"groups {groups}, expected [{group!r}]")
        sub = self.attributes(username)["sub"]
        row = self.ddb.get_item(TableName=self.env["PROFILE_TABLE_NAME"], ConsistentRead=True,
                                Key={"sub": {"S": sub}}).get("Item")
        expect(row, f"no profile row for {sub}")
        plain = {k: next(iter(v.values())) for k, v in row.items()}
        say(f"profile row: {json.dumps(plain, sort_keys=True)}")
        expect(plain.get("email") == username and "welcome_sent_at" in plain, f"profile row {plain}")
        # How the address was verified, for linking: by the code she typed.
        expect(plain.get("email_verified_by") == "code" and plain.get("verified_email") == username,
               f"the profile row does not record the code that proved the address: {plain}")
        welcomes = [m for m in self.moto.sent()["ses"]
                    if m["to"] == [username] and m["source"] == self.env["WELCOME_FROM_ADDRESS"]]
        expect(len(welcomes) == 1, f"{len(welcomes)} welcome emails recorded for {username}")
        say(f"SES recorded: from {welcomes[0]['source']} to {welcomes[0]['to'][0]}")
        say(f"  subject: {welcomes[0]['subject']}")
        say(f"  text:    {text_of(welcomes[0]['body'])[:300]}")
        return welcomes[0]

    def step_sign_in(self, username) -> dict:
        self.step("sign-in: the ID token's claims and the analytics summary")
        sub = self.attributes(username)["sub"]
        self.idp.admin_add_user_to_group(UserPoolId=self.pool.id, Username=username, GroupName="editors")
        # The back office gives Rosa her role (cognito-local does not pass groups to the trigger).
        self.ddb.put_item(TableName=self.env["ROLE_TABLE_NAME"], Item={
            "id": {"S": sub}, "role": {"S": "editor"}, "claims": {"M": {"tenant_id": {"S": "acme-fr"}}}})
        mark = self.proxy.mark()
        tokens = self.sign_in(username, PASSWORD)
        self.ran_once(mark, ("pre-token-generation", "TokenGeneration_Authentication"),
                      ("post-authentication", "PostAuthentication_Authentication"))
        self.refresh_token = tokens["RefreshToken"]
        id_claims = claims(tokens["IdToken"])
        shown = {k: id_claims.get(k) for k in ("email", "custom:role", "tenant_id", "cognito:groups")}
        say(f"ID token: {json.dumps(shown)}")
        expect(id_claims.get("custom:role") == "editor", f"custom:role is {id_claims.get('custom:role')}")
        expect(id_claims.get("tenant_id") == "acme-fr", "the table's extra claim is missing")
        summary = self.ddb.get_item(TableName=self.env["ANALYTICS_TABLE_NAME"], ConsistentRead=True,
                                    Key={"pk": {"S": f"USER#{sub}"}, "sk": {"S": "SUMMARY"}}).get("Item")
        expect(summary, "no analytics summary for Rosa")
        plain = {k: next(iter(v.values())) for k, v in summary.items() if k not in ("pk", "sk")}
        say(f"analytics summary: {json.dumps(plain, sort_keys=True)}")
        expect(plain["sign_in_count"] == "1", f"sign_in_count {plain['sign_in_count']}")
        return id_claims

    def step_migration(self) -> dict:
        self.step("the legacy user signs in with the old password, then again")
        username = "olivia.martin@example.com"
        mark = self.proxy.mark()
        tokens = self.sign_in(username, LEGACY_PASSWORD)
        calls = self.triggers(mark)
        expect(calls.count(("user-migration", "UserMigration_Authentication")) == 1, f"triggers run: {calls}")
        say(f"migrated and signed in; triggers: {', '.join(f'{f} ({s})' for f, s in calls)}")
        id_claims = claims(tokens["IdToken"])
        say(f"ID token: email={id_claims.get('email')} custom:role={id_claims.get('custom:role')}")
        pooled = self.attributes(username)
        say(f"in the pool now: {json.dumps(pooled, sort_keys=True)}")
        expect(pooled.get("given_name") == "Olivia" and pooled.get("family_name") == "Martin",
               "the legacy attributes did not come over")
        migrated = self.ddb.get_item(TableName=self.env["LEGACY_USERS_TABLE_NAME"],
                                     Key={"username": {"S": username}})["Item"]
        expect("migrated_at" in migrated, "migrated_at was not recorded")
        say(f"legacy row marked migrated_at={migrated['migrated_at']['S']}")
        mark = self.proxy.mark()
        self.sign_in(username, LEGACY_PASSWORD)
        calls = self.triggers(mark)
        expect(not any(f == "user-migration" for f, _ in calls), f"user-migration ran again: {calls}")
        say("second sign-in: the user lives in the pool now; user-migration was not called")
        return pooled

    def step_aws_credentials(self) -> dict:
        """The role each signed-in user's ID token gets from an identity pool that maps
        roles from the token (the template's IdentityPool=true), by AWS's documented
        rules (scripts/identity_roles.py), and no other; then one token traded for an
        identity and credentials through moto's cognito-identity."""
        self.step("from token to AWS credentials: the role an identity pool gives each user, and no other")
        iam = pairs(self.env["ROLE_IAM_ROLES"])
        table = {}
        unnarrowed = []
        for username, id_token in sorted(self.id_tokens.items()):
            c = claims(id_token)
            role = c.get("custom:role")
            offered = c.get("cognito:roles")
            say(f"{username}: custom:role={role} cognito:groups={c.get('cognito:groups')} "
                f"cognito:roles={[role_name(a) for a in offered or []]} "
                f"cognito:preferred_role={role_name(c.get('cognito:preferred_role'))}")
            expect(offered == [iam[role]], f"{username}'s token offers {offered}, not the {role} role alone")
            # What Cognito alone would have written: the roles of all the user's groups.
            asked = [a["request"]["groupConfiguration"] for f, _, ok, a in self.proxy.since(0)
                     if f == "pre-token-generation" and ok and a["request"]["userAttributes"].get("email") == username][-1]
            cognito_alone = {"cognito:roles": asked.get("iamRolesToOverride") or [],
                             "cognito:preferred_role": asked.get("preferredRole")}
            choosable = [role_name(r) for r in cognito_alone["cognito:roles"]
                         if r != iam[role] and resolve(cognito_alone, custom_role_arn=r)[0]]
            if choosable:
                unnarrowed.append(username)
            say(f"  Cognito offered the roles of the groups {[role_name(a) for a in cognito_alone['cognito:roles']]}"
                f"{f' (CustomRoleArn {choosable} would be granted)' if choosable else ''}; "
                f"pre-token-generation left {[role_name(a) for a in offered]}")
            given, why = resolve(c)
            expect(given == iam[role], f"{username} would get {given} ({why}), not the {role} role")
            refused = []
            for other in sorted(set(iam.values()) - {given}):
                granted, why_not = resolve(c, custom_role_arn=other)
                expect(granted is None, f"{username} could choose {other}: {why_not}")
                refused.append(role_name(other))
            say(f"  gets {role_name(given)} ({why}); CustomRoleArn {', '.join(refused)}: denied, not in cognito:roles")
            table[username] = (role, role_name(given), refused)
        # Rosa is in editors and staff: Cognito alone would let her pick either group role.
        expect(len(table) >= 2 and unnarrowed, f"tokens of {sorted(table)}; a choice without the trigger: {unnarrowed}")
        ci = aws_client("cognito-identity", self.moto.endpoint)
        provider = f"cognito-idp.{self.env['AWS_REGION']}.amazonaws.com/{self.pool.id}"
        pool = ci.create_identity_pool(IdentityPoolName="acme_notes_identities", AllowUnauthenticatedIdentities=False,
                                       CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": self.pool.client_id,
                                                                  "ServerSideTokenCheck": True}])
        username, id_token = sorted(self.id_tokens.items())[-1]
        logins = {provider: id_token}
        identity = ci.get_id(IdentityPoolId=pool["IdentityPoolId"], Logins=logins)["IdentityId"]
        creds = ci.get_credentials_for_identity(IdentityId=identity, Logins=logins)["Credentials"]
        expect(creds.get("AccessKeyId") and creds.get("SessionToken"), "moto handed out no credentials")
        say(f"moto cognito-identity: {username}'s ID token traded for identity {identity} and credentials "
            f"valid until {creds['Expiration']}")
        say(f"  (moto gives the same credentials whatever the role mapping; the real service assumes "
            f"{table[username][1]}, as above)")
        return table

    def step_forgot_password(self, username) -> str:
        self.step("the legacy user forgets the password")
        mark = self.proxy.mark()
        self.idp.forgot_password(ClientId=self.pool.client_id, Username=username)
        self.ran_once(mark, ("custom-message", "CustomMessage_ForgotPassword"))
        message = self.answers(mark, "custom-message")[0]["response"]
        expect("{####}" in message["emailMessage"], "the reset email has no code")
        say(f"subject: {message['emailSubject']}")
        say(f"text:    {text_of(message['emailMessage'])[:300]}")
        return message["emailSubject"]

    def step_new_device(self, username) -> dict:
        self.step("a sign-in from a new device")
        say("cognito-local has no device tracking and always sends newDeviceUsed=false, so this")
        say("step sends the PostAuthentication event Cognito sends for a new device, for Olivia,")
        say("to the same function through the Lambda API; the alert goes to moto's SES.")
        user = self.idp.admin_get_user(UserPoolId=self.pool.id, Username=username)
        event = self.cognito_event("PostAuthentication_Authentication", user["Username"],
                                   {"userAttributes": self.attributes(username), "newDeviceUsed": True})
        ok, _ = self.proxy.invoke("post-authentication", event)
        expect(ok, "post-authentication failed")
        mine = [m for m in self.moto.sent()["ses"] if m["to"] == [username]]
        expect(len(mine) == 1, f"{len(mine)} alerts recorded for {username}")
        say(f"SES recorded: from {mine[0]['source']} to {mine[0]['to'][0]}")
        say(f"  subject: {mine[0]['subject']}")
        say(f"  text:    {text_of(mine[0]['body'])[:300]}")
        return mine[0]

    def step_suspended(self, suspended, other) -> dict:
        from botocore.exceptions import ClientError

        self.step("a suspension holds: refresh and sign-in refused at token time; strangers learn nothing")
        sub = self.attributes(suspended)["sub"]
        self.ddb.put_item(TableName=self.env["ACCOUNT_STATUS_TABLE_NAME"], Item={
            "sub": {"S": sub}, "status": {"S": "suspended"}, "until": {"S": "2999-12-31T00:00:00Z"}})
        say(f"the back office suspends {suspended} until 2999-12-31 (a row in {self.env['ACCOUNT_STATUS_TABLE_NAME']})")

        def refused(action):
            try:
                action()
            except ClientError as err:
                return err.response["Error"]["Code"], err.response["Error"]["Message"]
            raise Failure("a suspended user got tokens")

        # The refresh token from the sign-in of step 4: Cognito runs pre token
        # generation for every refresh (pre authentication, never).
        mark = self.proxy.mark()
        code, message = refused(lambda: self.idp.initiate_auth(
            ClientId=self.pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": self.refresh_token}))
        say(f"her refresh token: {code}: {message}")
        expect(code == "UserLambdaValidationException" and "Your account is suspended until 2999-12-31" in message,
               f"refresh answered {code}: {message}")
        self.ran_once(mark, ("pre-token-generation", "TokenGeneration_RefreshTokens"))
        mark = self.proxy.mark()
        code, message = refused(lambda: self.sign_in(suspended, PASSWORD))
        say(f"her password sign-in: {code}: {message}")
        expect("Your account is suspended until 2999-12-31" in message, f"sign-in answered {code}: {message}")
        self.ran_once(mark, ("pre-token-generation", "TokenGeneration_Authentication"),
                      also_allowed=[("post-authentication", "PostAuthentication_Authentication")])

        say("cognito-local does not call the pre authentication trigger, so the rest of this step")
        say("sends the PreAuthentication events Cognito sends to the same function through the Lambda API.")

        def attempt(username, not_found=False):
            if not_found:
                request = {"userAttributes": {}, "validationData": None, "userNotFound": True}
                name = username
            else:
                request = {"userAttributes": self.attributes(username), "validationData": None, "userNotFound": False}
                name = self.idp.admin_get_user(UserPoolId=self.pool.id, Username=username)["Username"]
            started = time.monotonic()
            ok, body = self.proxy.invoke("pre-authentication",
                                         self.cognito_event("PreAuthentication_Authentication", name, request))
            took = (time.monotonic() - started) * 1000
            return ok, (None if ok else body.get("errorMessage")), took

        answers = {who: attempt(who) for who in (suspended, other)}
        answers["nobody.here@example.com"] = attempt("nobody.here@example.com", not_found=True)
        for who, (ok, text, took) in answers.items():
            say(f"{who}: {'let through' if ok else 'refused: ' + text} ({took:.0f} ms)")
        shown = {who: answer[:2] for who, answer in answers.items()}
        expect(len(set(shown.values())) == 1, f"before the password, answers differ: {shown}")
        say("the same answer for the suspended, an active and an unknown user: before the password is")
        say("checked nothing tells them apart (ACCOUNT_CHECKS_AT=token); a wrong password reads")
        say("'Incorrect username or password' for all three")
        return {"refused": message}

    def step_custom_email_sender(self) -> dict:
        self.step("custom email sender: cognito-local encrypts the code, our binary decrypts it and emails it")
        key = self.env["KMS_KEY_ARN"]  # the sample events' key, in moto since prepare_moto
        # With a CustomEmailSender, cognito-local sends no email itself (the pool's own
        # messages included), so it is a second pool server, beside the first.
        kms = {"KMSKeyId": key, "KMSKeyAlias": key, "endpoint": self.moto.endpoint, "region": self.env["AWS_REGION"],
               "credentials": {"accessKeyId": "local", "secretAccessKey": "local"}}
        senders = CognitoLocal(self.proxy.port, {"CustomEmailSender": "custom-email-sender"},
                               name="cognito-local-senders", kms=kms)
        with senders:
            idp = senders.client()
            pool = idp.create_user_pool(PoolName="acme-notes-senders", UsernameAttributes=["email"],
                                        AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
            client = idp.create_user_pool_client(UserPoolId=pool, ClientName="acme-notes-web",
                                                 ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
            say(f"a second cognito-local (pid {senders.proc.pid}) with CustomEmailSender and KMSConfig on moto's KMS ({key})")
            user = "lena.weber@example.de"
            mark = self.proxy.mark()
            idp.sign_up(ClientId=client, Username=user, Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": user}, {"Name": "given_name", "Value": "Lena"},
                                        {"Name": "locale", "Value": "de"}])
            self.ran_once(mark, ("custom-email-sender", "CustomEmailSender_SignUp"))
            sent = self.answers(mark, "custom-email-sender")[0]
            encrypted = sent["request"]["code"]
            say(f"request.code (cognito-local's JavaScript Encryption SDK): {encrypted[:48]}... ({len(encrypted)} characters)")
            say(f"the binary answered: {json.dumps(sent['response'])}")
            mails = [m for m in self.moto.sent()["ses"] if m["to"] == [user]]
            expect(len(mails) == 1, f"{len(mails)} emails recorded for {user}")
            body = text_of(mails[0]["body"])
            codes = re.findall(r"\b\d{6}\b", body)
            expect(codes, f"no code in the email: {body[:300]}")
            say(f"SES recorded: from {mails[0]['source']} to {user}")
            say(f"  subject: {mails[0]['subject']}")
            say(f"  text:    {body[:200]}")
            idp.confirm_sign_up(ClientId=client, Username=user, ConfirmationCode=codes[0])
            status = idp.admin_get_user(UserPoolId=pool, Username=user)["UserStatus"]
            say(f"confirmed with the code from the email ({codes[0]}): {status}")
            expect(status == "CONFIRMED", f"status {status} after confirming with {codes[0]}")
        return mails[0]

    def mails_to(self, address, since: int) -> list:
        return [m for m in self.moto.sent()["ses"][since:] if m["to"] == [address]]

    def custom_auth(self, invoke) -> CustomAuth:
        return CustomAuth(invoke, self.pool.id, self.pool.client_id, self.env["AWS_REGION"])

    def step_passwordless_code(self, email) -> dict:
        self.step("passwordless sign-in by email code: define, create and verify auth challenge")
        say("cognito-local does not run CUSTOM_AUTH (its InitiateAuth takes passwords and refresh tokens")
        say("only) and moto never calls a trigger: scripts/custom_auth.py keeps the session as Cognito")
        say("documents it and calls the three functions through the Lambda API; it mints no tokens.")
        user = self.idp.admin_get_user(UserPoolId=self.pool.id, Username=email)
        name, attributes = user["Username"], {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        auth = self.custom_auth(self.proxy.invoke)
        since = len(self.moto.sent()["ses"])
        sign_in = auth.initiate(name, attributes)
        first = public(sign_in.outcome)
        say(f"InitiateAuth(CUSTOM_AUTH, {email}): define, then create: {shown(sign_in.outcome)}")
        expect(first.get("step") == "code" and first.get("sent") == "true", f"first challenge {sign_in.outcome}")
        mails = self.mails_to(email, since)
        expect(len(mails) == 1, f"{len(mails)} emails to {email}")
        body = text_of(mails[0]["body"])
        code = re.findall(r"\b\d{6}\b", body)[0]
        say(f"SES recorded: {mails[0]['subject']!r}: {body[:120]}...")
        wrong = "000000" if code != "000000" else "000001"
        outcome = sign_in.respond(wrong)
        say(f"RespondToAuthChallenge({wrong}): verify says wrong, define asks again, create: {shown(outcome)}")
        expect(public(outcome).get("sent") == "earlier", f"after a wrong code: {outcome}")
        outcome = sign_in.respond(code)
        say(f"RespondToAuthChallenge({code}, from the email): {outcome[0]} (Cognito issues the tokens here)")
        expect(outcome == ("tokens",), f"the right code: {outcome}")
        expect(len(self.mails_to(email, since)) == 1, "a second email in one sign-in")
        # An unknown user: the same answer, nothing sent.
        nobody = "nobody.here@example.com"
        stranger = auth.initiate(nobody, None)
        say(f"InitiateAuth(CUSTOM_AUTH, {nobody}) (no account, userNotFound): {shown(stranger.outcome)}")
        expect(sorted(public(stranger.outcome)) == sorted(first), "an unknown user's challenge differs")
        expect(not self.mails_to(nobody, since), "an email to a user with no account")
        # The answer times of create for users with and without an account, each
        # sending (or not) a first code: SEND_ANSWER_FLOOR_MS keeps them alike.
        known, unknown = [], []
        for i in range(5):
            who = f"timing.{i}@example.com"
            s = auth.initiate(f"timing-{i}", {"email": who, "email_verified": "true"})
            known.append(s.took["create-auth-challenge"])
            s = auth.initiate(f"unknown.{i}@example.com", None)
            unknown.append(s.took["create-auth-challenge"])
        med = lambda xs: sorted(xs)[len(xs) // 2]
        say(f"create's answer, 5 each: known users {med(known):.0f} ms (median; {min(known):.0f} to {max(known):.0f}), "
            f"unknown {med(unknown):.0f} ms ({min(unknown):.0f} to {max(unknown):.0f})")
        return {"code": code, "known_ms": known, "unknown_ms": unknown}

    def step_passwordless_link(self, email) -> dict:
        self.step("passwordless sign-in by magic link, opened on another device")
        user = self.idp.admin_get_user(UserPoolId=self.pool.id, Username=email)
        name, attributes = user["Username"], {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        # The method is a setting of the three functions: a second watch runs them with
        # SIGN_IN_METHOD=magic-link (everything else from local.env).
        with Watch(self.moto.endpoint, env={"SIGN_IN_METHOD": "magic-link"}, name="cargo-lambda-watch-links") as links:
            say(f"a second cargo lambda watch (pid {links.proc.pid}) with SIGN_IN_METHOD=magic-link")
            auth = self.custom_auth(lambda function, event: links.invoke(function, json.dumps(event).encode()))
            since = len(self.moto.sent()["ses"])
            laptop = auth.initiate(name, attributes)
            say(f"laptop: InitiateAuth: {shown(laptop.outcome)}")
            expect(public(laptop.outcome).get("step") == "start", f"{laptop.outcome}")
            landing = "http://localhost:8765/"
            outcome = laptop.respond("send", {"redirectUri": landing})
            say(f"laptop: answers 'send' with clientMetadata.redirectUri={landing}: {shown(outcome)}")
            mails = self.mails_to(email, since)
            expect(len(mails) == 1, f"{len(mails)} emails to {email}")
            link = re.findall(r"http://localhost:8765/#token=[A-Za-z0-9_.-]+", html.unescape(mails[0]["body"]))
            expect(link, "no link in the email")
            token = link[0].split("#token=")[1]
            say(f"SES recorded {mails[0]['subject']!r} with the link {link[0][:60]}...")
            phone = auth.initiate(name, attributes)
            outcome = phone.respond("have-link")
            say(f"phone (examples/magic-link/index.html, after its button): InitiateAuth, 'have-link': {shown(outcome)}")
            expect(public(outcome).get("sent") == "false", f"{outcome}")
            outcome = phone.respond(token)
            say(f"phone: answers with the token: {outcome[0]} (Cognito issues the tokens here)")
            expect(outcome == ("tokens",), f"the link: {outcome}")
            again = auth.initiate(name, attributes)
            again.respond("have-link")
            outcome = again.respond(token)
            say(f"the same link again: {shown(outcome)} (verify said wrong: used once)")
            expect(outcome[0] == "challenge", f"a used link: {outcome}")
            expect(len(self.mails_to(email, since)) == 1, "more than one email")
        return {"link": link[0]}

    def cognito_event(self, source, user_name, request) -> dict:
        """An event as the deployed user pool sends it (version 1, this pool and client)."""
        return {"version": "1", "region": self.env["AWS_REGION"], "userPoolId": self.pool.id, "userName": user_name,
                "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": self.pool.client_id},
                "triggerSource": source, "request": request, "response": {}}

    def step_pool_doctor(self):
        self.step("adopting a pool: the template's own pool, attached with pool-attach, and what pool-doctor finds in it")
        pool, findings, code, text = template_pool.deploy(self.moto.endpoint, aws_client)
        expect(findings is not None, f"pool-attach or pool-doctor failed (exit {code}): {text}")
        for line in text.splitlines():
            if line.strip().startswith(("+", "written")):
                say(line.strip())
        expect(findings == [] and code == 0, f"pool-doctor found in the template's pool: {findings}")
        say(f"pool-doctor on {pool} (in moto, as template.yaml makes it): nothing found, exit 0")

    def walk(self) -> int:
        self.create_pool()
        self.step_denied_domain()
        rosa = self.step_sign_ups()
        self.step_welcome(rosa.username)
        self.step_sign_in(rosa.username)
        self.step_migration()
        self.step_aws_credentials()
        self.step_forgot_password("olivia.martin@example.com")
        self.step_new_device("olivia.martin@example.com")
        self.step_passwordless_code(rosa.username)
        self.step_passwordless_link("olivia.martin@example.com")
        self.step_suspended(rosa.username, "olivia.martin@example.com")
        self.step_custom_email_sender()
        self.step_pool_doctor()
        return self.steps


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Ctrl-C stops everything, even when started from a shell that ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = env_file_values()
    build_binaries()
    started = time.monotonic()
    try:
        with MotoServer("journey-moto") as moto:
            prepare_moto(moto.endpoint)
            # Built first, entered in order: the triggers call cognito-local's API
            # (post-confirmation's AdminAddUserToGroup), so watch is told its address.
            watch = Watch(moto.endpoint)
            proxy = LambdaProxy(watch.port)
            cognito = CognitoLocal(proxy.port, TRIGGERS)
            watch.cognito = cognito.endpoint
            with watch, proxy, cognito:
                print(f"cargo lambda watch on 127.0.0.1:{watch.port} (pid {watch.proc.pid}), "
                      f"lambda proxy on 127.0.0.1:{proxy.port}, cognito-local on {cognito.endpoint} (pid {cognito.proc.pid})")
                steps = Journey(cognito.client(), proxy, cognito, moto, env).walk()
    except Failure as failure:
        print(f"\nend-to-end journey FAILED: {failure}", flush=True)
        print("logs: target/local-stack/")
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; everything stopped", flush=True)
        return 130
    print(f"\nend-to-end journey: all {steps} steps as expected in {time.monotonic() - started:.1f} s; everything stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
