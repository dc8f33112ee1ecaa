#!/usr/bin/env python3
"""The local user pool end to end: cognito-local calling the real trigger binaries
(behind `cargo lambda watch`), with moto as DynamoDB and SES behind them.

  e2e.py          walk the journey, print each step, fail on the first wrong outcome

Everything runs on 127.0.0.1 on free ports and is stopped by PID at the end, on
failure and on Ctrl-C:

  boto3 ──► cognito-local ──► lambda proxy ──► cargo lambda watch ──► trigger binaries ──► moto
                                (500 → 200 + X-Amz-Function-Error)                        (DynamoDB, SES)
"""

import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_lambda import Watch, env_file_values, prepare_moto  # noqa: E402
from with_moto import MotoServer, free_port, stop_group  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PASSWORD = "Str0ng-Passw0rd!"
LEGACY_PASSWORD = "Legacy-Passw0rd!"


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


# ---------------------------------------------------------------------------------
# The Lambda proxy: cargo lambda watch answers a function error with HTTP 500; the
# Lambda Invoke API answers 200 with `X-Amz-Function-Error: Unhandled` and the error
# document. Clients (cognito-local's AWS SDK) treat a 500 as a transport failure and
# may retry, running the trigger again; the proxy translates, and records every call.

class LambdaProxy:
    def __init__(self, target_port: int):
        self.target_port = target_port
        self.calls = []  # (function, triggerSource, ok, body)
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                conn = http.client.HTTPConnection("127.0.0.1", proxy.target_port, timeout=300)
                conn.request("POST", self.path, body=body, headers={"Content-Type": "application/json"})
                upstream = conn.getresponse()
                payload = upstream.read()
                failed = upstream.status >= 500 or upstream.getheader("X-Amz-Function-Error") is not None
                try:
                    self.send_response(200 if upstream.status >= 500 else upstream.status)
                    if failed:
                        self.send_header("X-Amz-Function-Error", "Unhandled")
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the caller is gone (stopping)
                function = self.path.split("/functions/", 1)[-1].split("/", 1)[0]
                try:
                    source = json.loads(body).get("triggerSource")
                    answer = json.loads(payload or b"null")
                except ValueError:
                    source, answer = None, None
                with proxy.lock:
                    proxy.calls.append((function, source, not failed, answer))

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        return False

    def mark(self) -> int:
        with self.lock:
            return len(self.calls)

    def since(self, mark: int):
        with self.lock:
            return list(self.calls[mark:])


# ---------------------------------------------------------------------------------

class CognitoLocal:
    """cognito-local (npm) on 127.0.0.1 with its data in a fresh folder."""

    def __init__(self, lambda_port: int):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.workdir = ROOT / "target" / "e2e" / "cognito-local"
        shutil.rmtree(self.workdir, ignore_errors=True)
        (self.workdir / ".cognito").mkdir(parents=True)
        config = {
            "LambdaClient": {
                "endpoint": f"http://127.0.0.1:{lambda_port}",
                "credentials": {"accessKeyId": "local", "secretAccessKey": "local"},
                "region": "local",
                "maxRetries": 0,
            },
            "TriggerFunctions": {
                "PreSignUp": "pre-signup",
                "CustomMessage": "custom-message",
                "PreTokenGeneration": "pre-token-generation",
                "PostAuthentication": "post-authentication",
                "UserMigration": "user-migration",
            },
            "UserPoolDefaults": {"UsernameAttributes": ["email"]},
        }
        (self.workdir / ".cognito" / "config.json").write_text(json.dumps(config, indent=2))
        self.log_path = ROOT / "target" / "e2e" / "cognito-local.log"
        self.proc = None

    def __enter__(self):
        self.log = open(self.log_path, "w")
        binary = ROOT / "node_modules" / ".bin" / "cognito-local"
        if not binary.exists():
            raise SystemExit("cognito-local is not installed: run `npm ci` (make setup does)")
        self.proc = subprocess.Popen(
            [str(binary)], cwd=self.workdir, stdout=self.log, stderr=subprocess.STDOUT,
            env=dict(os.environ, PORT=str(self.port), HOST="127.0.0.1"), start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"cognito-local exited early; see {self.log_path}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("cognito-local did not listen within 60 s")
                time.sleep(0.2)

    def __exit__(self, *exc):
        stop_group(self.proc)
        self.log.close()
        return False

    def last_code(self) -> str:
        """The code cognito-local printed for the last message it 'delivered'."""
        self.log.flush()
        text = ANSI.sub("", self.log_path.read_text())
        codes = re.findall(r"Code:\s+(\d{6})", text)
        expect(codes, f"cognito-local printed no code; see {self.log_path}")
        return codes[-1]


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


def step(n, title):
    print(f"\n== {n}. {title}", flush=True)


def say(line=""):
    print(f"   {line}", flush=True)


def journey(idp, proxy, cognito, moto_endpoint, env):
    import boto3
    from botocore.exceptions import ClientError

    kw = dict(endpoint_url=moto_endpoint, region_name=env["AWS_REGION"], aws_access_key_id="local", aws_secret_access_key="local")
    ddb = boto3.client("dynamodb", **kw)

    pool = idp.create_user_pool(PoolName="acme-notes", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="acme-notes-web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    for group in ("admins", "editors"):
        idp.create_group(UserPoolId=pool, GroupName=group)
    print(f"user pool {pool}, app client {client}, groups admins and editors")

    def triggers(mark):
        return [(f, s) for f, s, _, _ in proxy.since(mark)]

    def once(mark, *expected, also_allowed=()):
        """Each expected trigger ran exactly once, and nothing ran twice."""
        calls = triggers(mark)
        for call in set(calls):
            expect(calls.count(call) == 1, f"{call} ran {calls.count(call)} times for one action")
        missing = [c for c in expected if c not in calls]
        extra = [c for c in calls if c not in expected and c not in also_allowed]
        expect(not missing and not extra, f"triggers run: {calls}, expected: {list(expected)}")
        say(f"triggers run once each: {', '.join(f'{f} ({s})' for f, s in calls)}")

    def sign_in(username, password):
        return idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": username, "PASSWORD": password})["AuthenticationResult"]

    # 1 -------------------------------------------------------------------------
    step(1, "sign-up at a denied domain")
    mark = proxy.mark()
    try:
        idp.sign_up(ClientId=client, Username="mallory@competitor.example", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "mallory@competitor.example"}])
        raise Failure("the sign-up at a denied domain was accepted")
    except ClientError as err:
        code, message = err.response["Error"]["Code"], err.response["Error"]["Message"]
        say(f"refused: {code}: {message}")
        expect(code == "UserLambdaValidationException", f"error code {code}")
        expect("Sign-up with this email domain is not allowed." in message, message)
    once(mark, ("pre-signup", "PreSignUp_SignUp"))

    # 2 -------------------------------------------------------------------------
    step(2, "sign-up at a trusted domain, then an ordinary sign-up")
    mark = proxy.mark()
    staff = idp.sign_up(ClientId=client, Username="sam.staff@corp.example.com", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "sam.staff@corp.example.com"}])
    say(f"sam.staff@corp.example.com: UserConfirmed={staff['UserConfirmed']}")
    expect(staff["UserConfirmed"], "the trusted-domain user was not auto-confirmed")
    # Real Cognito sends no code to an auto-confirmed user; cognito-local still does.
    once(mark, ("pre-signup", "PreSignUp_SignUp"), also_allowed=[("custom-message", "CustomMessage_SignUp")])

    mark = proxy.mark()
    reader = idp.sign_up(ClientId=client, Username="rosa.reader@example.com", Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": "rosa.reader@example.com"},
                                         {"Name": "given_name", "Value": "Rosa"},
                                         {"Name": "locale", "Value": "fr"}])
    expect(not reader["UserConfirmed"], "an ordinary sign-up was auto-confirmed")
    once(mark, ("pre-signup", "PreSignUp_SignUp"), ("custom-message", "CustomMessage_SignUp"))
    message = [a for f, s, ok, a in proxy.since(mark) if f == "custom-message"][0]["response"]
    expect(message["emailSubject"] and "{####}" in message["emailMessage"], f"custom-message answered {message}")
    say(f"rosa.reader@example.com: UserConfirmed=False; the confirmation email custom-message wrote:")
    say(f"  subject: {message['emailSubject']}")
    say(f"  text:    {text_of(message['emailMessage'])[:300]}")
    say(f"  sms:     {message['smsMessage']}")
    code = cognito.last_code()
    idp.confirm_sign_up(ClientId=client, Username="rosa.reader@example.com", ConfirmationCode=code)
    say(f"confirmed with the code cognito-local delivered ({code})")

    # 3 -------------------------------------------------------------------------
    step(3, "sign-in: the ID token's claims and the analytics summary")
    sub = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username="rosa.reader@example.com")["UserAttributes"]}["sub"]
    idp.admin_add_user_to_group(UserPoolId=pool, Username="rosa.reader@example.com", GroupName="editors")
    # The back office gives Rosa her role (cognito-local does not pass groups to the trigger).
    ddb.put_item(TableName=env["ROLE_TABLE_NAME"], Item={
        "id": {"S": sub}, "role": {"S": "editor"}, "claims": {"M": {"tenant_id": {"S": "acme-fr"}}}})
    mark = proxy.mark()
    tokens = sign_in("rosa.reader@example.com", PASSWORD)
    once(mark, ("pre-token-generation", "TokenGeneration_Authentication"), ("post-authentication", "PostAuthentication_Authentication"))
    id_claims = claims(tokens["IdToken"])
    shown = {k: id_claims.get(k) for k in ("email", "custom:role", "tenant_id", "cognito:groups")}
    say(f"ID token: {json.dumps(shown)}")
    expect(id_claims.get("custom:role") == "editor", f"custom:role is {id_claims.get('custom:role')}")
    expect(id_claims.get("tenant_id") == "acme-fr", "the table's extra claim is missing")
    summary = ddb.get_item(TableName=env["ANALYTICS_TABLE_NAME"], ConsistentRead=True,
                           Key={"pk": {"S": f"USER#{sub}"}, "sk": {"S": "SUMMARY"}}).get("Item")
    expect(summary, "no analytics summary for Rosa")
    plain = {k: next(iter(v.values())) for k, v in summary.items() if k not in ("pk", "sk")}
    say(f"analytics summary: {json.dumps(plain, sort_keys=True)}")
    expect(plain["sign_in_count"] == "1", f"sign_in_count {plain['sign_in_count']}")

    # 4 -------------------------------------------------------------------------
    step(4, "the legacy user signs in with the old password, then again")
    mark = proxy.mark()
    tokens = sign_in("olivia.martin@example.com", LEGACY_PASSWORD)
    calls = triggers(mark)
    expect(calls.count(("user-migration", "UserMigration_Authentication")) == 1, f"triggers run: {calls}")
    say(f"migrated and signed in; triggers: {', '.join(f'{f} ({s})' for f, s in calls)}")
    id_claims = claims(tokens["IdToken"])
    say(f"ID token: email={id_claims.get('email')} custom:role={id_claims.get('custom:role')}")
    pooled = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username="olivia.martin@example.com")["UserAttributes"]}
    say(f"in the pool now: {json.dumps(pooled, sort_keys=True)}")
    expect(pooled.get("given_name") == "Olivia" and pooled.get("family_name") == "Martin", "the legacy attributes did not come over")
    migrated = ddb.get_item(TableName=env["LEGACY_USERS_TABLE_NAME"], Key={"username": {"S": "olivia.martin@example.com"}})["Item"]
    expect("migrated_at" in migrated, "migrated_at was not recorded")
    say(f"legacy row marked migrated_at={migrated['migrated_at']['S']}")
    mark = proxy.mark()
    sign_in("olivia.martin@example.com", LEGACY_PASSWORD)
    calls = triggers(mark)
    expect(not any(f == "user-migration" for f, _ in calls), f"user-migration ran again: {calls}")
    say("second sign-in: the user lives in the pool now; user-migration was not called")

    # 5 -------------------------------------------------------------------------
    step(5, "the legacy user forgets the password")
    mark = proxy.mark()
    idp.forgot_password(ClientId=client, Username="olivia.martin@example.com")
    once(mark, ("custom-message", "CustomMessage_ForgotPassword"))
    message = [a for f, s, ok, a in proxy.since(mark) if f == "custom-message"][0]["response"]
    expect("{####}" in message["emailMessage"], "the reset email has no code")
    say(f"subject: {message['emailSubject']}")
    say(f"text:    {text_of(message['emailMessage'])[:300]}")

    # 6 -------------------------------------------------------------------------
    step(6, "a sign-in from a new device")
    say("cognito-local has no device tracking and always sends newDeviceUsed=false, so this")
    say("step sends the PostAuthentication event Cognito sends for a new device, for Olivia,")
    say("to the same function through the Lambda API; the alert goes to moto's SES.")
    user = idp.admin_get_user(UserPoolId=pool, Username="olivia.martin@example.com")
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    event = {"version": "1", "region": env["AWS_REGION"], "userPoolId": pool, "userName": user["Username"],
             "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client},
             "triggerSource": "PostAuthentication_Authentication",
             "request": {"userAttributes": attrs, "newDeviceUsed": True}, "response": {}}
    req = urllib.request.Request(f"http://127.0.0.1:{proxy.port}/2015-03-31/functions/post-authentication/invocations",
                                 data=json.dumps(event).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=60) as resp:
        expect(resp.headers.get("X-Amz-Function-Error") is None, "post-authentication failed")
    sent = json.load(urllib.request.urlopen(f"{moto_endpoint}/moto-api/data.json"))["ses"]["Message"]
    mine = [m for m in sent if m["destinations"]["ToAddresses"] == ["olivia.martin@example.com"]]
    expect(len(mine) == 1, f"{len(mine)} alerts recorded for Olivia")
    say(f"SES recorded: from {mine[0]['source']} to {mine[0]['destinations']['ToAddresses'][0]}")
    say(f"  subject: {mine[0]['subject']}")
    say(f"  text:    {text_of(mine[0]['body'])[:300]}")
    return 6


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Ctrl-C stops everything, even when started from a shell that ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = env_file_values()
    print("building the triggers ...", flush=True)
    subprocess.run(["cargo", "build", "--quiet", "--bins"], cwd=ROOT, check=True)
    started = time.monotonic()
    try:
        with MotoServer("e2e-moto.log") as moto:
            prepare_moto(moto.endpoint)
            with Watch(extra_env={"MOTO_ENDPOINT": moto.endpoint}) as watch, LambdaProxy(watch.port) as proxy, CognitoLocal(proxy.port) as cognito:
                print(f"cargo lambda watch on 127.0.0.1:{watch.port} (pid {watch.proc.pid}), "
                      f"lambda proxy on 127.0.0.1:{proxy.port}, cognito-local on {cognito.endpoint} (pid {cognito.proc.pid})")
                import boto3
                idp = boto3.client("cognito-idp", endpoint_url=cognito.endpoint, region_name=env["AWS_REGION"],
                                   aws_access_key_id="local", aws_secret_access_key="local")
                steps = journey(idp, proxy, cognito, moto.endpoint, env)
    except Failure as failure:
        print(f"\nend-to-end journey FAILED: {failure}", flush=True)
        print("logs: target/e2e/cognito-local.log, target/cargo-lambda-watch.log, target/e2e-moto.log")
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; everything stopped", flush=True)
        return 130
    print(f"\nend-to-end journey: all {steps} steps as expected in {time.monotonic() - started:.1f} s; everything stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
