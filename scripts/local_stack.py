"""The local stand-ins the demo, the tests and the tools run the triggers against,
each on 127.0.0.1 on a free port, each stopped by its PID when its `with` block ends
(also on failure and Ctrl-C):

  MotoServer    moto (DynamoDB, SES, KMS, SNS, cognito-idp), one request at a time
  Watch         `cargo lambda watch`: the Lambda Invoke API in front of the trigger binaries
  LambdaProxy   turns `cargo lambda watch`'s HTTP 500 into Lambda's 200 + X-Amz-Function-Error
  CognitoLocal  cognito-local (npm): a user pool that calls the triggers

  boto3 --> CognitoLocal --> LambdaProxy --> Watch --> trigger binaries --> MotoServer

Import it with `scripts/` on PYTHONPATH (the Makefile sets it).
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import triggers

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
CARGO_LAMBDA = [str(VENV_BIN / "cargo-lambda"), "lambda"]
ENV_FILE = ROOT / "local.env"
LOGS = ROOT / "target" / "local-stack"
# Every trigger package, in the order the tools list them (the trigger list).
FUNCTIONS = triggers.packages()


class StackError(SystemExit):
    """A stand-in could not be started: the message says which and where its log is."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(ready, proc: subprocess.Popen, what: str, log: Path, seconds: float = 60) -> None:
    """Polls `ready()` until it is true; fails when `proc` exits or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise StackError(f"{what} exited early (status {proc.returncode}); see {log}")
        try:
            if ready():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_group(proc)
            raise StackError(f"{what} was not ready within {seconds:.0f} s; see {log}")
        time.sleep(0.2)


def listening(port: int) -> bool:
    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    return True


def stop_group(proc) -> None:
    """Stops a process started with start_new_session=True, and its children."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class Background:
    """A command in its own process group, logging to LOGS/<name>.log."""

    def __init__(self, name: str):
        self.name = name
        self.log_path = LOGS / f"{name}.log"
        self.proc = None
        self.log = None

    def start(self, argv, cwd=ROOT, env=None):
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        return self.proc

    def stop(self):
        stop_group(self.proc)
        if self.log:
            self.log.close()


def env_file_values() -> dict:
    """The settings of local.env, as the triggers read them locally."""
    values = {}
    for line in ENV_FILE.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[key.strip()] = value
    return values


def aws_client(service: str, endpoint: str, region: str = None):
    import boto3  # installed in .venv

    return boto3.client(service, endpoint_url=endpoint, region_name=region or env_file_values()["AWS_REGION"],
                        aws_access_key_id="local", aws_secret_access_key="local")


class MotoServer(Background):
    """moto on 127.0.0.1:<free port> (or another local address, `host`) for the
    duration of a `with` block."""

    def __init__(self, name: str = "moto", host: str = "127.0.0.1"):
        super().__init__(name)
        self.host = host
        self.port = free_port()
        self.endpoint = f"http://{host}:{self.port}"

    def __enter__(self):
        self.start([str(VENV_BIN / "python"), str(ROOT / "scripts" / "moto_server.py"),
                    "--host", self.host, "--port", str(self.port)])
        wait_until(lambda: urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1).read() is not None,
                   self.proc, "moto", self.log_path, 30)
        print(f"moto on {self.endpoint} (pid {self.proc.pid})", flush=True)
        return self

    def __exit__(self, *exc):
        self.stop()
        print(f"moto stopped (pid {self.proc.pid})", flush=True)
        return False

    def sent(self):
        """What moto's SES and SNS delivered: {"ses": [{source, to, subject, body}], "sms": [...]}."""
        return json.load(urllib.request.urlopen(f"{self.endpoint}/_local/sent.json"))


def prepare_moto(endpoint: str) -> None:
    """The tables, seed rows and verified sender the sample events and the journey expect."""
    env = env_file_values()
    ddb = aws_client("dynamodb", endpoint)
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
    table(env["PROFILE_TABLE_NAME"], [("sub", "HASH")])
    table(env["ACCOUNT_STATUS_TABLE_NAME"], [("sub", "HASH")])
    table(env["CHALLENGE_TABLE_NAME"], [("pk", "HASH")])
    # The back office suspended the user of the pre-authentication sample
    # PreAuthentication_Authentication-suspended.json (Noah Fischer), for good.
    ddb.put_item(TableName=env["ACCOUNT_STATUS_TABLE_NAME"], Item={
        "sub": {"S": "c4d8e2f6-1a3b-4c5d-9e7f-2a4b6c8d0e1f"}, "status": {"S": "suspended"}})
    # A back-office role row for the sample user lukas.schmidt@example.de.
    ddb.put_item(TableName=env["ROLE_TABLE_NAME"], Item={
        "id": {"S": "3a9d2b61-7e04-4c58-b1f3-8d6e0a2c4b97"}, "role": {"S": "auditor"},
        "claims": {"M": {"tenant_id": {"S": "acme-de"}}}, "scopes": {"SS": ["notes/audit"]}})
    # The app client of the client-credentials sample (a reporting service).
    ddb.put_item(TableName=env["ROLE_TABLE_NAME"], Item={
        "id": {"S": "7bq3k0pq1c2vreportsvc01"}, "role": {"S": "service"},
        "claims": {"M": {"partner": {"S": "acme-reports"}}}, "scopes": {"SS": ["reports/export"]}})
    # The legacy user of the user-migration samples (password Legacy-Passw0rd!).
    ddb.put_item(TableName=env["LEGACY_USERS_TABLE_NAME"], Item={
        "username": {"S": "olivia.martin@example.com"}, "email": {"S": "olivia.martin@example.com"},
        "password_hash": {"S": "$2b$10$EenKXhUOBMz0.NGWiMWPgeSTu9GAAJ4j8yNjElp.VZvHvnHZUpoP2"},
        "status": {"S": "active"}, "attributes": {"M": {"first_name": {"S": "Olivia"}, "last_name": {"S": "Martin"}}}})
    senders = (env["ALERT_FROM_ADDRESS"], env["WELCOME_FROM_ADDRESS"], sender_address(env["EMAIL_FROM_ADDRESS"]),
               sender_address(env["PASSWORDLESS_FROM_ADDRESS"]))
    for sender in senders:
        aws_client("ses", endpoint).verify_email_identity(EmailAddress=sender)
    # The KMS key the codes of events/custom-*-sender/ are encrypted under, which
    # local.env names as the senders' KMS_KEY_ARN.
    key = install_sample_key(endpoint, env["AWS_REGION"])
    if key != env["KMS_KEY_ARN"]:
        raise StackError(f"local.env's KMS_KEY_ARN {env['KMS_KEY_ARN']} is not the sample events' key {key}")
    # The key that signs magic links, under local.env's alias (moto picks key ids).
    kms = aws_client("kms", endpoint)
    alias = env["MAGIC_LINK_KEY_ID"]
    if alias not in {a["AliasName"] for a in kms.list_aliases()["Aliases"]}:
        link_key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256",
                                  Description="passwordless magic links")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=alias, TargetKeyId=link_key)


def sender_address(sender: str) -> str:
    """The address of `Name <address>` (or the address itself)."""
    return sender.rsplit("<", 1)[-1].rstrip(">").strip()


def install_sample_key(endpoint: str, region: str) -> str:
    """The sample events' KMS key in moto (scripts/moto_server.py); its ARN."""
    req = urllib.request.Request(f"{endpoint}/_local/sample-key?region={region}", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["arn"]


def build_binaries(*names: str) -> None:
    """Debug builds of the trigger binaries (all of them when no name is given)."""
    print("building the triggers ...", flush=True)
    args = [a for n in names for a in ("--bin", n)] or ["--bins"]
    subprocess.run(["cargo", "build", "--quiet", *args], cwd=ROOT, check=True)


class Watch(Background):
    """`cargo lambda watch` with local.env, calling AWS at `moto` when given, and the
    user pool API (cognito-idp) at `cognito` when given (set it before entering)."""

    def __init__(self, moto: str = None, cognito: str = None, env: dict = None, name: str = "cargo-lambda-watch"):
        super().__init__(name)
        self.port = free_port()
        self.moto = moto or os.environ.get("MOTO_ENDPOINT")
        self.cognito = cognito
        # Settings over local.env's (a second watch runs the magic-link method).
        self.env = env or {}

    def __enter__(self):
        extra = ["--env-var", f"AWS_ENDPOINT_URL={self.moto}"] if self.moto else []
        if self.cognito:
            # The SDK's service-specific endpoint wins over AWS_ENDPOINT_URL.
            extra += ["--env-var", f"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER={self.cognito}"]
        for name, value in self.env.items():
            extra += ["--env-var", f"{name}={value}"]
        self.start(CARGO_LAMBDA + ["watch", "--invoke-address", "127.0.0.1", "--invoke-port", str(self.port),
                                   "--env-file", str(ENV_FILE), "--ignore-changes", "--quiet"] + extra)
        wait_until(lambda: listening(self.port), self.proc, "cargo lambda watch", self.log_path)
        return self

    def __exit__(self, *exc):
        # The group holds watch and the function processes it spawned.
        self.stop()
        return False

    def invoke(self, function: str, payload: bytes):
        """POSTs to the Lambda Invoke API; returns (ok, answer as JSON)."""
        return invoke_lambda(self.port, function, payload)


def invoke_lambda(port: int, function: str, payload: bytes):
    """(ok, answer) from a Lambda Invoke API on 127.0.0.1:`port`. A function error is
    HTTP 500 from `cargo lambda watch`, or 200 with X-Amz-Function-Error from Lambda."""
    url = f"http://127.0.0.1:{port}/2015-03-31/functions/{function}/invocations"
    req = urllib.request.Request(url, data=payload, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            body = json.loads(resp.read() or b"null")
            return resp.headers.get("X-Amz-Function-Error") is None, body
    except urllib.error.HTTPError as err:
        return False, json.loads(err.read() or b"null")


class LambdaProxy:
    """Between cognito-local and `cargo lambda watch`: the Lambda Invoke API answers a
    function error with 200 and `X-Amz-Function-Error: Unhandled`, `cargo lambda watch`
    with HTTP 500, which an AWS SDK retries (running the trigger again). The proxy
    translates, and records every call as (function, triggerSource, ok, answer)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.calls = []
        # Where cognito-local and Cognito differ, a stand-in between them (see
        # GroupRoles): `before(event) -> event` and `after(event, answer) -> answer`.
        self.before = lambda event: event
        self.after = lambda event, answer: answer
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    event = proxy.before(json.loads(body))
                    body = json.dumps(event).encode()
                except ValueError:
                    event = None
                conn = http.client.HTTPConnection("127.0.0.1", proxy.target_port, timeout=300)
                conn.request("POST", self.path, body=body, headers={"Content-Type": "application/json"})
                upstream = conn.getresponse()
                payload = upstream.read()
                failed = upstream.status >= 500 or upstream.getheader("X-Amz-Function-Error") is not None
                # Recorded before answering: once the caller has its answer, the call is in
                # `calls` (cognito-local's last trigger call can end its API call at once).
                function = self.path.split("/functions/", 1)[-1].split("/", 1)[0]
                try:
                    source = json.loads(body).get("triggerSource")
                    answer = json.loads(payload or b"null")
                except ValueError:
                    source, answer = None, None
                with proxy.lock:
                    proxy.calls.append((function, source, not failed, answer))
                if not failed and event is not None and answer is not None:
                    # A copy: the call records the trigger's own answer.
                    payload = json.dumps(proxy.after(event, json.loads(payload))).encode()
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

    def invoke(self, function: str, event: dict):
        """Sends an event to a function the way Lambda's Invoke API does."""
        return invoke_lambda(self.port, function, json.dumps(event).encode())


class GroupRoles:
    """What Cognito does around the pre token generation trigger and cognito-local does
    not: Cognito tells the trigger the user's groups (`groupConfiguration`: names, the
    groups' IAM roles, the role of the lowest-precedence group as `preferredRole`), and
    writes the trigger's `groupOverrideDetails` into `cognito:groups`, `cognito:roles`
    and `cognito:preferred_role`. cognito-local sends no groups and drops the override,
    so this stand-in, between cognito-local and the trigger, fills the request from the
    pool's groups and copies the override into the claims cognito-local does apply. It
    changes nothing else, and never the trigger's own answer as recorded."""

    def __init__(self, idp, pool_id: str):
        self.idp, self.pool_id = idp, pool_id

    def before(self, event):
        if not str(event.get("triggerSource", "")).startswith("TokenGeneration_"):
            return event
        groups = self.idp.admin_list_groups_for_user(UserPoolId=self.pool_id, Username=event["userName"])["Groups"]
        groups.sort(key=lambda g: g.get("Precedence", 1 << 31))
        roles = [g["RoleArn"] for g in groups if g.get("RoleArn")]
        event.setdefault("request", {})["groupConfiguration"] = {
            "groupsToOverride": [g["GroupName"] for g in groups],
            "iamRolesToOverride": roles,
            "preferredRole": roles[0] if roles else None,
        }
        return event

    def after(self, event, answer):
        details = (answer.get("response") or {}).get("claimsOverrideDetails") if isinstance(answer, dict) else None
        override = (details or {}).get("groupOverrideDetails")
        if not override:
            return answer
        claims = details.setdefault("claimsToAddOrOverride", {}) or {}
        details["claimsToAddOrOverride"] = claims
        if override.get("iamRolesToOverride") is not None:
            claims["cognito:roles"] = override["iamRolesToOverride"]
        if override.get("preferredRole"):
            claims["cognito:preferred_role"] = override["preferredRole"]
        return answer


ANSI = re.compile(r"\x1b\[[0-9;]*m")


class CognitoLocal(Background):
    """cognito-local (npm) with its data in a fresh folder, calling `triggers`
    (Cognito trigger name -> function name) through the Lambda API on `lambda_port`.
    `kms` is its KMSConfig (the key it encrypts custom senders' codes under, and its
    KMS client's options), needed with a CustomEmailSender trigger."""

    def __init__(self, lambda_port: int, triggers: dict, name: str = "cognito-local", kms: dict = None):
        super().__init__(name)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.workdir = LOGS / name
        shutil.rmtree(self.workdir, ignore_errors=True)
        (self.workdir / ".cognito").mkdir(parents=True)
        config = {
            "LambdaClient": {
                "endpoint": f"http://127.0.0.1:{lambda_port}",
                "credentials": {"accessKeyId": "local", "secretAccessKey": "local"},
                "region": "local",
                "maxRetries": 0,
            },
            "TriggerFunctions": triggers,
            "UserPoolDefaults": {"UsernameAttributes": ["email"]},
        }
        if kms:
            config["KMSConfig"] = kms
        (self.workdir / ".cognito" / "config.json").write_text(json.dumps(config, indent=2))

    def __enter__(self):
        binary = ROOT / "node_modules" / ".bin" / "cognito-local"
        if not binary.exists():
            raise StackError("cognito-local is not installed: run `npm ci` (make setup does)")
        self.start([str(binary)], cwd=self.workdir, env=dict(os.environ, PORT=str(self.port), HOST="127.0.0.1"))
        wait_until(lambda: listening(self.port), self.proc, "cognito-local", self.log_path)
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def last_code(self):
        """The code cognito-local printed for the last message it 'delivered', or None."""
        self.log.flush()
        codes = re.findall(r"Code:\s+(\d{6})", ANSI.sub("", self.log_path.read_text()))
        return codes[-1] if codes else None

    def client(self):
        return aws_client("cognito-idp", self.endpoint)
