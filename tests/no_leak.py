#!/usr/bin/env python3
"""What the trigger binaries write at RUST_LOG=trace, searched for what must never be
in a log: every binary (the debug builds `make test` makes), started the way Lambda
starts it under a Runtime API stand-in on 127.0.0.1, with local.env's settings and
its AWS calls going to moto (seeded as for the samples), answers each sample event
of its trigger once; everything it writes is then searched for

- the user's password (user-migration), the legacy password hashes of moto's
  legacy table, a code's ciphertext (`request.code`) and the code in clear
  (tests/sample-codes.json), and the session token of the function's credentials;
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
                result = RuntimeApi(json.dumps(event).encode()).run(
                    [str(ROOT / "target" / "debug" / binary)], lambda_env(extra), 0, log=log)
                runs += 1
                text = log.read_text(errors="replace")
                found = findings(text, secrets_of(event, path.name, hashes))
                if "TRACE" not in text or "event read" not in text:
                    found.append(f"no TRACE line of the trigger's own: RUST_LOG=trace was not honoured (see {log})")
                answer = "answered" if result["ok"] else "error"
                print(f"  {path.name:<50} {answer}, {len(text.splitlines())} log lines, "
                      f"{'clean' if not found else f'{len(found)} findings'}", flush=True)
                for problem in found[:20]:
                    print(f"    LEAK: {problem}", flush=True)
                problems += bool(found)
    print(f"\n{runs} invocations at TRACE searched, {problems} with findings (logs in {out.relative_to(ROOT)})")
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
