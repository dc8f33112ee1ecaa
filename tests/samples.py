#!/usr/bin/env python3
"""Every sample event under events/ through the real trigger binaries (debug builds
behind `cargo lambda watch`, configured by local.env, with moto seeded as DynamoDB and
SES), checked three ways:

- the answer has a shape the trigger may give (booleans for pre sign-up, a code
  placeholder in a custom message, an empty response for post authentication, ...);
- the answer is the golden one in tests/golden/<function>/<event file>: the response
  Cognito reads, or the error type and the sentence the user would see;
- the event comes back whole: every field of the request event outside `response`
  is in the answer with the same value.

  samples.py            check (make test)
  samples.py --record   write the golden answers from what the binaries answer now
"""

import json
import signal
import sys
from pathlib import Path

from invoke import describe, sample_events
from local_stack import FUNCTIONS, ROOT, MotoServer, Watch, build_binaries, prepare_moto

GOLDEN = ROOT / "tests" / "golden"


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


def answer_of(ok: bool, body) -> dict:
    """What Cognito reads of an answer."""
    if ok:
        return {"ok": True, "response": (body or {}).get("response")}
    return {"ok": False, "errorType": (body or {}).get("errorType"), "errorMessage": (body or {}).get("errorMessage")}


def leaves(value, path=()):
    """(path, value) of every leaf of a JSON value; empty containers count as leaves."""
    if isinstance(value, dict) and value:
        for k, v in value.items():
            yield from leaves(v, path + (k,))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from leaves(v, path + (i,))
    else:
        yield path, value


def lost_fields(event: dict, body) -> list:
    """Fields of the event (outside `response`) that the answer lost or changed."""
    out = []
    for path, value in leaves({k: v for k, v in event.items() if k != "response"}):
        node = body
        for key in path:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                node = KeyError
                break
        # An empty container may come back as a null-free empty one of the same kind.
        if node != value:
            out.append(f"{'.'.join(map(str, path))}: sent {value!r}, got back {'nothing' if node is KeyError else repr(node)}")
    return out


def main(argv) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    record = "--record" in argv
    build_binaries()
    problems = answered = 0
    with MotoServer() as moto:
        prepare_moto(moto.endpoint)
        with Watch(moto.endpoint) as watch:
            print(f"cargo lambda watch on 127.0.0.1:{watch.port} (pid {watch.proc.pid})", flush=True)
            for function in FUNCTIONS:
                print(f"\n{function}")
                for path in sample_events(function):
                    event = json.loads(path.read_text())
                    ok, body = watch.invoke(function, path.read_bytes())
                    answered += 1
                    print(f"  {path.name:<50} {describe(function, ok, body)}", flush=True)
                    found = []
                    shape = shape_problem(function, ok, body)
                    if shape:
                        found.append(shape)
                    golden = GOLDEN / function / path.name
                    answer = answer_of(ok, body)
                    if record:
                        golden.parent.mkdir(parents=True, exist_ok=True)
                        golden.write_text(json.dumps(answer, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
                    elif not golden.exists():
                        found.append(f"no golden answer {golden.relative_to(ROOT)} (run tests/samples.py --record)")
                    elif json.loads(golden.read_text()) != answer:
                        found.append(f"answer differs from {golden.relative_to(ROOT)}:\n      got "
                                     + json.dumps(answer, sort_keys=True, ensure_ascii=False)[:2000])
                    if ok:
                        found.extend(lost_fields(event, body))
                    for problem in found:
                        print(f"    PROBLEM: {problem}", flush=True)
                    problems += bool(found)
    verb = "recorded" if record else "checked against tests/golden/"
    print(f"\nstopped cargo lambda watch; {answered} events answered and {verb}, {problems} with problems")
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(130)
