#!/usr/bin/env python3
"""Every sample event under events/ through the real trigger binaries (debug builds
behind `cargo lambda watch`, configured by local.env, with moto seeded as DynamoDB and
SES), checked three ways:

- the answer has a shape the trigger may give (booleans for pre sign-up, a code
  placeholder in a custom message, an empty response for post authentication, ...);
- the answer is the golden one in tests/golden/<function>/<event file>: the response
  Cognito reads, or the error type and the sentence the user would see;
- the event comes back whole: every field of the request event outside `response`
  is in the answer with the same value (a null may come back empty), but for the
  user-migration password, which no answer carries.

  samples.py            check (make test)
  samples.py --record   write the golden answers from what the binaries answer now
"""

import json
import signal
import sys
from pathlib import Path

from invoke import answers
from local_stack import ROOT

GOLDEN = ROOT / "tests" / "golden"


def shape_problem(function: str, ok: bool, body):
    """Why an answer is not one the trigger may give, or None."""
    if not ok:
        refusing = ("pre-signup", "user-migration", "pre-authentication", "pre-token-generation")
        if (body or {}).get("errorType") != "Refused" or function not in refusing:
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
    if function in ("post-authentication", "post-confirmation", "pre-authentication") and response != {}:
        return f"{function} must return an empty response, got {response!r}"
    if function in ("custom-email-sender", "custom-sms-sender"):
        channel = "EMAIL" if function == "custom-email-sender" else "SMS"
        if (response.get("delivered") or {}).get("channel") != channel:
            return f"no {channel} delivered: {response!r}"
    if function == "define-auth-challenge":
        steps = [response.get("challengeName") == "CUSTOM_CHALLENGE", response.get("issueTokens") is True,
                 response.get("failAuthentication") is True]
        if steps.count(True) != 1:
            return f"not exactly one next step: {response!r}"
    if function == "create-auth-challenge":
        if not all(isinstance(response.get(k), dict) for k in ("publicChallengeParameters", "privateChallengeParameters")):
            return f"no challenge parameters: {response!r}"
    if function == "verify-auth-challenge" and not isinstance(response.get("answerCorrect"), bool):
        return f"no answerCorrect: {response!r}"
    if function == "inbound-federation" and not isinstance(response.get("userAttributesToMap"), dict):
        return f"no userAttributesToMap in {response!r}"
    if function == "pre-token-generation":
        details = response.get("claimsOverrideDetails") or response.get("claimsAndScopeOverrideDetails")
        machine = body.get("triggerSource") == "TokenGeneration_ClientCredentials"
        if not isinstance(details, dict) and not machine:
            return f"no claims override in {response!r}"
    return None


# Values create-auth-challenge draws at random or from the clock: a golden answer
# holds their place (and that they are there), not the value.
DRAWN = {"salt": "<random salt>", "digest": "<salted digest>", "expires": "<expiry time>"}


def answer_of(function: str, ok: bool, body) -> dict:
    """What Cognito reads of an answer."""
    if ok:
        response = (body or {}).get("response")
        if function == "create-auth-challenge" and isinstance(response, dict):
            response = json.loads(json.dumps(response))
            private = response.get("privateChallengeParameters") or {}
            for key, placeholder in DRAWN.items():
                if isinstance(private.get(key), str) and private[key]:
                    private[key] = placeholder
            metadata = response.get("challengeMetadata") or ""
            if metadata.startswith("CODE-"):
                response["challengeMetadata"] = "CODE-<send id>"
        return {"ok": True, "response": response}
    return {"ok": False, "errorType": (body or {}).get("errorType"), "errorMessage": (body or {}).get("errorMessage")}


def is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return not value
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    return False


def lost_fields(event: dict, body) -> list:
    """Fields of the event (outside `response`) that the answer lost or changed. A
    field sent as null may come back absent or empty (the same to Cognito); the user
    migration password is deliberately not handed back."""
    lost = []

    def compare(path, sent, back, present):
        if sent is None and (not present or is_empty(back)):
            return
        if isinstance(sent, dict) and isinstance(back, dict):
            for key, value in sent.items():
                compare(f"{path}.{key}", value, back.get(key), key in back)
        elif not present or sent != back:
            lost.append(f"{path}: sent {sent!r}, got back {'nothing' if not present else repr(back)}")

    for key, value in event.items():
        if key == "response":
            continue
        if key == "request" and isinstance(value, dict) and "password" in value:
            value = {k: v for k, v in value.items() if k != "password"}
        compare(key, value, (body or {}).get(key), key in (body or {}))
    return lost


def echoed_password(event: dict, body) -> bool:
    password = (event.get("request") or {}).get("password")
    return isinstance(password, str) and password in json.dumps(body)


def main(argv) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    record = "--record" in argv
    problems = answered = 0
    for function, path, ok, body in answers():
        answered += 1
        event = json.loads(path.read_text())
        found = []
        shape = shape_problem(function, ok, body)
        if shape:
            found.append(shape)
        golden = GOLDEN / function / path.name
        answer = answer_of(function, ok, body)
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
        if echoed_password(event, body):
            found.append("the answer carries the user's password")
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
