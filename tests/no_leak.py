#!/usr/bin/env python3
"""What the trigger binaries write at RUST_LOG=trace, searched for what must never be
in a log: every binary (the debug builds `make test` makes), started the way Lambda
starts it under a Runtime API stand-in on 127.0.0.1, with local.env's settings and
its AWS calls going to moto (seeded as for the samples), answers each sample event
of its trigger once; everything it writes is then searched for

- the user's password (user-migration), the legacy password hashes of moto's
  legacy table, a code's ciphertext (`request.code`) and the code in clear
  (tests/sample-codes.json), and the session token of the function's credentials;
- what a passwordless challenge made: the one-time code or the link's token in the
  email it sent (read back from moto's SES), and the digest and salt Cognito keeps
  private;
- a whole event (`callerContext`, `userAttributes`: keys only an event carries) and
  the bodies of the SDK's requests and answers (`CiphertextBlob`, `"Plaintext"`,
  `password_hash`);
- an email address or phone number of the event, unmasked.

Each binary must also show that it logged at TRACE (the level was honoured, so the
caps are what kept these out). Exit status 1 and every finding, with the line it was
in, when anything is found.
"""

import json
import re
import signal
import sys

import triggers
from cold_start import RuntimeApi, lambda_env
from local_stack import LOGS, ROOT, MotoServer, aws_client, build_binaries, env_file_values, prepare_moto

SESSION_TOKEN = "session-token-that-must-never-be-logged"
# Keys only a whole event or an SDK request or answer body holds.
MARKERS = ["callerContext", "userAttributes", "CiphertextBlob", '"Plaintext"', "password_hash"]
CODES = json.loads((ROOT / "tests" / "sample-codes.json").read_text())


def strings(value):
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


ADDRESS = re.compile(r"[^\s\"'<>@]+@[^\s\"'<>@]+\.[a-z]{2,}")


def secrets_of(event: dict, file: str, hashes: list) -> dict:
    """What may not appear in the logs of `event`: name -> text."""
    found = {"session token": SESSION_TOKEN}
    request = event.get("request") or {}
    if request.get("password"):
        found["password"] = request["password"]
    if request.get("code"):
        found["code ciphertext"] = request["code"]
    if file in CODES:
        found["code in clear"] = CODES[file]
    for i, h in enumerate(hashes):
        found[f"legacy hash {i}"] = h
    for text in strings(event):
        for address in ADDRESS.findall(text):
            found[f"address {address[:3]}..."] = address
        if re.fullmatch(r"\+\d{7,15}", text.strip()):
            found[f"phone {text[:3]}..."] = text.strip()
    return found


def findings(log: str, secrets: dict) -> list:
    problems = []
    for line in log.splitlines():
        for name, secret in secrets.items():
            if secret and secret in line:
                problems.append(f"{name} in: {line[:300]}")
        for marker in MARKERS:
            if marker in line:
                problems.append(f"{marker!r} (an event or an SDK body) in: {line[:300]}")
    return problems


def made_secrets(body, mails: list) -> dict:
    """The codes and link tokens of the emails a challenge sent, and the digest and
    salt of its private parameters: name -> text."""
    found = {}
    for i, mail in enumerate(mails):
        body_text = mail.get("body") or ""
        for code in re.findall(r"(?<![0-9])[0-9]{6}(?![0-9])", body_text):
            found[f"sent code {i}"] = code
        for token in re.findall(r"#token=([A-Za-z0-9_.-]+)", body_text):
            found[f"sent link token {i}"] = token
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body or b"null")
        except ValueError:
            body = None
    answer = body if isinstance(body, dict) else {}
    private = (answer.get("response") or {}).get("privateChallengeParameters") or {}
    for key in ("digest", "salt"):
        if isinstance(private.get(key), str) and private[key]:
            found[f"private {key}"] = private[key]
    return found


def link_runs(moto, out, hashes) -> tuple:
    """create-auth-challenge sending a magic link, then verify-auth-challenge taking
    its token, both at TRACE with SIGN_IN_METHOD=magic-link: neither log may hold the
    token (nor the email address). Returns (runs with findings, runs)."""
    by_bin = {f.bin: f for f in triggers.functions()}
    start = [{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True, "challengeMetadata": "START"}]
    create = json.loads((ROOT / "events" / "create-auth-challenge" / "CreateAuthChallenge_Authentication.json").read_text())
    create["request"]["session"] = start
    # Not the user of the code samples, whose send the cooldown still holds.
    create["userName"] = "5b2d7e90-4c1a-4f3e-8d6b-0a9c1e2f3b4d"
    create["request"]["clientMetadata"] = {"redirectUri": "https://notes.acme.example/sign-in"}
    print("\nmagic link: create-auth-challenge, then verify-auth-challenge (RUST_LOG=trace)", flush=True)
    findings_in = 0
    token = None
    for binary, event in (("create-auth-challenge", create), ("verify-auth-challenge", None)):
        if event is None:
            verify = json.loads((ROOT / "events" / "verify-auth-challenge"
                                 / "VerifyAuthChallengeResponse_Authentication.json").read_text())
            verify["request"]["privateChallengeParameters"] = {"kind": "link"}
            verify["userName"] = create["userName"]
            verify["request"]["challengeAnswer"] = token or ""
            event = verify
        extra = {"AWS_ENDPOINT_URL": moto.endpoint, "AWS_SESSION_TOKEN": SESSION_TOKEN, "RUST_LOG": "trace",
                 "LOG_FORMAT": "text", "SIGN_IN_METHOD": "magic-link", **dict(by_bin[binary].local_env)}
        log = out / f"{binary}-magic-link.log"
        mailed = len(moto.sent()["ses"])
        result = RuntimeApi(json.dumps(event).encode()).run(
            [str(ROOT / "target" / "debug" / binary)], lambda_env(extra), 0, log=log)
        made = made_secrets(result.get("body"), moto.sent()["ses"][mailed:])
        token = token or next((v for k, v in made.items() if "token" in k), None)
        secrets = secrets_of(event, "", hashes)
        secrets.update(made)
        if token:
            secrets["link token"] = token
        text = log.read_text(errors="replace")
        found = findings(text, secrets)
        body = result.get("body")
        answered = json.loads(body) if isinstance(body, (bytes, str)) else body
        if binary == "create-auth-challenge" and not token:
            found.append("no link token reached moto's SES")
        if binary == "verify-auth-challenge" and ((answered or {}).get("response") or {}).get("answerCorrect") is not True:
            found.append(f"the link was not accepted: {answered}")
        print(f"  {binary:<50} {'answered' if result['ok'] else 'error'}, {len(text.splitlines())} log lines, "
              f"{'clean' if not found else f'{len(found)} findings'} (and {', '.join(sorted(secrets))[:120]})", flush=True)
        for problem in found[:20]:
            print(f"    LEAK: {problem}", flush=True)
        findings_in += bool(found)
    return findings_in, 2


def legacy_hashes(endpoint: str) -> list:
    table = env_file_values()["LEGACY_USERS_TABLE_NAME"]
    items = aws_client("dynamodb", endpoint).scan(TableName=table)["Items"]
    return [i["password_hash"]["S"] for i in items if "password_hash" in i]


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    build_binaries()
    problems = 0
    runs = 0
    with MotoServer() as moto:
        prepare_moto(moto.endpoint)
        hashes = legacy_hashes(moto.endpoint)
        pool = aws_client("cognito-idp", moto.endpoint).create_user_pool(PoolName="no-leak")["UserPool"]["Id"]
        out = LOGS / "no-leak"
        out.mkdir(parents=True, exist_ok=True)
        # Every function of the trigger list, with the settings it is run with alone
        # (the linking build: linking on, searching a pool of moto's).
        for function in triggers.functions():
            binary = function.bin
            print(f"\n{binary} (RUST_LOG=trace)", flush=True)
            extra = {"AWS_ENDPOINT_URL": moto.endpoint, "AWS_SESSION_TOKEN": SESSION_TOKEN,
                     "RUST_LOG": "trace", "LOG_FORMAT": "text", **dict(function.local_env)}
            for path in sorted((ROOT / "events" / function.events).glob("*.json")):
                event = json.loads(path.read_text())
                if function.sample_in_pool:
                    event["userPoolId"] = pool
                log = out / f"{binary}-{path.stem}.log"
                log.write_bytes(b"")
                mailed = len(moto.sent()["ses"])
                result = RuntimeApi(json.dumps(event).encode()).run(
                    [str(ROOT / "target" / "debug" / binary)], lambda_env(extra), 0, log=log)
                runs += 1
                text = log.read_text(errors="replace")
                secrets = secrets_of(event, path.name, hashes)
                made = made_secrets(result.get("body"), moto.sent()["ses"][mailed:])
                secrets.update(made)
                found = findings(text, secrets)
                if "TRACE" not in text or "event read" not in text:
                    found.append(f"no TRACE line of the trigger's own: RUST_LOG=trace was not honoured (see {log})")
                answer = "answered" if result["ok"] else "error"
                also = f" (and {', '.join(sorted(made))})" if made else ""
                print(f"  {path.name:<50} {answer}, {len(text.splitlines())} log lines, "
                      f"{'clean' if not found else f'{len(found)} findings'}{also}", flush=True)
                for problem in found[:20]:
                    print(f"    LEAK: {problem}", flush=True)
                problems += bool(found)
        # A magic link (local.env runs codes): create sends one, verify accepts it.
        found, n = link_runs(moto, out, hashes)
        runs += n
        problems += found
    print(f"\n{runs} invocations at TRACE searched, {problems} with findings (logs in {out.relative_to(ROOT)})")
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
