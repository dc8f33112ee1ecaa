#!/usr/bin/env python3
"""Run the trigger binaries locally behind `cargo lambda watch` and feed them the
sample events under events/.

  local_lambda.py invoke FUNCTION   `cargo lambda invoke` on each sample event of FUNCTION
  local_lambda.py demo              every sample event of every function, one readable line each
  local_lambda.py check             like demo, but fails unless every answer has the right shape

`cargo lambda watch` is started on 127.0.0.1 on a free port, in its own process
group, and that group is stopped by its PID at the end, on failure and on Ctrl-C.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from with_moto import free_port, stop_group

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
CARGO_LAMBDA = [str(VENV_BIN / "cargo-lambda"), "lambda"]
FUNCTIONS = ["pre-signup", "custom-message", "pre-token-generation", "post-authentication", "user-migration"]
ENV_FILE = ROOT / "local.env"


def env_file_values() -> dict:
    values = {}
    for line in ENV_FILE.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip().strip('"')
    return values


def prepare_moto(endpoint: str) -> None:
    """The tables and seed rows the sample events expect, in the moto server."""
    import boto3  # installed with moto in .venv

    env = env_file_values()
    kw = dict(endpoint_url=endpoint, region_name=env.get("AWS_REGION", "eu-west-1"),
              aws_access_key_id="local", aws_secret_access_key="local")
    ddb = boto3.client("dynamodb", **kw)
    existing = set(ddb.list_tables()["TableNames"])

    def table(name, keys):
        if name in existing:
            return
        ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k, _ in keys],
            KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in keys],
        )

    table(env["ROLE_TABLE_NAME"], [("id", "HASH")])
    table(env["ANALYTICS_TABLE_NAME"], [("pk", "HASH"), ("sk", "RANGE")])
    table(env["LEGACY_USERS_TABLE_NAME"], [("username", "HASH")])
    # A back-office role row for the sample user lukas.schmidt@example.de.
    ddb.put_item(TableName=env["ROLE_TABLE_NAME"], Item={
        "id": {"S": "3a9d2b61-7e04-4c58-b1f3-8d6e0a2c4b97"}, "role": {"S": "auditor"},
        "claims": {"M": {"tenant_id": {"S": "acme-de"}}}, "scopes": {"SS": ["notes/audit"]}})
    # The legacy user of the user-migration samples (password Legacy-Passw0rd!).
    ddb.put_item(TableName=env["LEGACY_USERS_TABLE_NAME"], Item={
        "username": {"S": "olivia.martin@example.com"}, "email": {"S": "olivia.martin@example.com"},
        "password_hash": {"S": "$2b$10$EenKXhUOBMz0.NGWiMWPgeSTu9GAAJ4j8yNjElp.VZvHvnHZUpoP2"},
        "status": {"S": "active"}, "attributes": {"M": {"first_name": {"S": "Olivia"}, "last_name": {"S": "Martin"}}}})
    boto3.client("ses", **kw).verify_email_identity(EmailAddress=env["ALERT_FROM_ADDRESS"])


class Watch:
    """`cargo lambda watch` on loopback, stopped by PID when the block ends."""

    def __init__(self, extra_env=None):
        self.port = free_port()
        self.extra_env = extra_env or {}
        self.proc = None
        self.log_path = ROOT / "target" / "cargo-lambda-watch.log"

    def __enter__(self):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "w")
        extra = []
        moto = self.extra_env.get("MOTO_ENDPOINT") or os.environ.get("MOTO_ENDPOINT")
        if moto:
            # DynamoDB and SES calls go to the moto server that was started for us.
            extra = ["--env-var", f"AWS_ENDPOINT_URL={moto}"]
        self.proc = subprocess.Popen(
            CARGO_LAMBDA + ["watch", "--invoke-address", "127.0.0.1", "--invoke-port", str(self.port),
                            "--env-file", str(ENV_FILE), "--ignore-changes", "--quiet"] + extra,
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"cargo lambda watch exited early; see {self.log_path}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"cargo lambda watch did not listen on port {self.port} within 60 s")

    def __exit__(self, *exc):
        # The group holds watch and the function processes it spawned.
        if self.proc:
            stop_group(self.proc)
        self.log.close()
        return False

    def invoke(self, function: str, payload: bytes):
        """POST to the Lambda Invoke API; returns (ok, body as JSON)."""
        url = f"http://127.0.0.1:{self.port}/2015-03-31/functions/{function}/invocations"
        req = urllib.request.Request(url, data=payload, method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                body = json.loads(resp.read() or b"null")
                return resp.headers.get("X-Amz-Function-Error") is None, body
        except urllib.error.HTTPError as err:
            # cargo lambda watch answers a function error with HTTP 500.
            return False, json.loads(err.read() or b"null")


def sample_events(function: str):
    return sorted((ROOT / "events" / function).glob("*.json"))


def describe(function: str, ok: bool, body) -> str:
    if not ok:
        kind = (body or {}).get("errorType", "?")
        message = (body or {}).get("errorMessage", "?")
        return f"refused ({kind}): {message}"
    response = body.get("response") or {}
    if function == "pre-signup":
        flags = [k for k in ("autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone") if response.get(k)]
        return "accepted" + (f", {' + '.join(flags)}" if flags else "")
    if function == "custom-message":
        subject, sms = response.get("emailSubject"), response.get("smsMessage")
        html = response.get("emailMessage") or ""
        if subject is None and sms is None:
            return "left to Cognito's default message"
        lang = html.split('<html lang="', 1)[1].split('"', 1)[0] if '<html lang="' in html else "?"
        return f"[{lang}] subject: {subject!r} | sms: {sms!r} | email: {len(html)} chars"
    if function == "pre-token-generation":
        v1 = response.get("claimsOverrideDetails") or {}
        v2 = response.get("claimsAndScopeOverrideDetails") or {}
        if v1:
            claims, scopes, groups = v1.get("claimsToAddOrOverride") or {}, None, v1.get("groupOverrideDetails") or {}
        elif v2:
            token = v2.get("idTokenGeneration") or v2.get("accessTokenGeneration") or {}
            claims = token.get("claimsToAddOrOverride") or {}
            scopes = (v2.get("accessTokenGeneration") or {}).get("scopesToAdd")
            groups = v2.get("groupOverrideDetails") or {}
        else:
            return "token left unchanged"
        text = ", ".join(f"{k}={v}" for k, v in claims.items())
        if scopes is not None:
            text += f" | scopes +{scopes}"
        if groups:
            text += f" | groups kept {groups.get('groupsToOverride')}"
        return text
    if function == "post-authentication":
        return "signed in (analytics are best effort and never fail a sign-in)"
    if function == "user-migration":
        attrs = response.get("userAttributes") or {}
        return f"migrated as {response.get('finalUserStatus')}: {', '.join(f'{k}={v}' for k, v in attrs.items())}"
    return json.dumps(response)


def shape_problem(function: str, ok: bool, body):
    """Why an answer is not one the trigger may give, or None."""
    if not ok:
        if (body or {}).get("errorType") != "Refused" or function not in ("pre-signup", "user-migration"):
            return f"unexpected error {body!r}"
        return None
    response = (body or {}).get("response")
    if not isinstance(response, dict):
        return "no response object in the answer"
    if function == "pre-signup":
        if not all(isinstance(response.get(k), bool) for k in ("autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone")):
            return f"response booleans missing: {response!r}"
    if function == "custom-message":
        if not isinstance(response.get("emailMessage"), str) or "{####}" not in response["emailMessage"]:
            return "no email with the code placeholder"
    if function == "post-authentication" and response != {}:
        return f"post authentication must return an empty response, got {response!r}"
    if function == "pre-token-generation":
        details = response.get("claimsOverrideDetails") or response.get("claimsAndScopeOverrideDetails")
        machine = body.get("triggerSource") == "TokenGeneration_ClientCredentials"
        if not isinstance(details, dict) and not machine:
            return f"no claims override in {response!r}"
    return None


def run_all(check: bool) -> int:
    print("building the triggers ...", flush=True)
    subprocess.run(["cargo", "build", "--quiet", "--bins"], cwd=ROOT, check=True)
    problems = answered = 0
    if os.environ.get("MOTO_ENDPOINT"):
        prepare_moto(os.environ["MOTO_ENDPOINT"])
    with Watch() as watch:
        print(f"cargo lambda watch on 127.0.0.1:{watch.port} (pid {watch.proc.pid})", flush=True)
        for function in FUNCTIONS:
            print(f"\n{function}")
            for path in sample_events(function):
                ok, body = watch.invoke(function, path.read_bytes())
                answered += 1
                print(f"  {path.name:<50} {describe(function, ok, body)}", flush=True)
                problem = shape_problem(function, ok, body)
                if problem:
                    problems += 1
                    print(f"    PROBLEM: {problem}", flush=True)
    print(f"\nstopped cargo lambda watch; {answered} events answered, {problems} with problems")
    return 1 if (check and problems) else 0


def invoke(function: str) -> int:
    if function not in FUNCTIONS:
        raise SystemExit(f"unknown function {function!r}; one of {', '.join(FUNCTIONS)}")
    subprocess.run(["cargo", "build", "--quiet", "--bin", function], cwd=ROOT, check=True)
    if os.environ.get("MOTO_ENDPOINT"):
        prepare_moto(os.environ["MOTO_ENDPOINT"])
    failed = 0
    with Watch() as watch:
        for path in sample_events(function):
            print(f"\n$ cargo lambda invoke {function} --data-file {path.relative_to(ROOT)}", flush=True)
            rc = subprocess.run(
                CARGO_LAMBDA + ["invoke", function, "--invoke-address", "127.0.0.1",
                                "--invoke-port", str(watch.port), "--data-file", str(path)],
                cwd=ROOT,
            ).returncode
            failed += rc != 0
    print(f"\n{failed} of the invocations returned a function error (a refusal is one)")
    return 0


def main(argv) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if len(argv) >= 2 and argv[1] == "demo":
        return run_all(check=False)
    if len(argv) >= 2 and argv[1] == "check":
        return run_all(check=True)
    if len(argv) == 3 and argv[1] == "invoke":
        return invoke(argv[2])
    print(__doc__)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(130)
