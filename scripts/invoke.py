#!/usr/bin/env python3
"""Send the sample events under events/ to the trigger binaries behind
`cargo lambda watch` (with moto, seeded, as DynamoDB and SES) and show the answers.

  invoke.py samples     every sample event of every function, one readable line each (make samples)
  invoke.py FUNCTION    `cargo lambda invoke` on each sample event of FUNCTION, raw answers (make invoke-FUNCTION)

Everything is started on 127.0.0.1 and stopped by PID at the end, also on Ctrl-C.
"""

import json
import signal
import subprocess
import sys

from local_stack import CARGO_LAMBDA, FUNCTIONS, ROOT, MotoServer, Watch, build_binaries, prepare_moto


def sample_events(function: str):
    return sorted((ROOT / "events" / function).glob("*.json"))


def describe(function: str, ok: bool, body) -> str:
    """One line a person can read for one answer."""
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
        text = ", ".join(f"{k}={v}" for k, v in sorted(claims.items()))
        if scopes is not None:
            text += f" | scopes +{scopes}"
        if groups:
            text += f" | groups kept {groups.get('groupsToOverride')}"
        return text
    if function == "post-authentication":
        return "signed in (analytics are best effort and never fail a sign-in)"
    if function == "post-confirmation":
        return "confirmed (group, profile and email are best effort and never fail it)"
    if function == "pre-authentication":
        return "sign-in may go on"
    if function == "define-auth-challenge":
        step = response.get("challengeName") or ("tokens" if response.get("issueTokens") else "fail")
        return f"next: {step}"
    if function == "create-auth-challenge":
        # The public parameters only: the private ones hold the code's digest.
        return f"{response.get('challengeMetadata')}: {json.dumps(response.get('publicChallengeParameters'))}"
    if function == "inbound-federation":
        mapped = response.get("userAttributesToMap") or {}
        return "mapped " + ", ".join(f"{k}={v}" for k, v in sorted(mapped.items()))
    if function == "user-migration":
        attrs = response.get("userAttributes") or {}
        return f"migrated as {response.get('finalUserStatus')}: {', '.join(f'{k}={v}' for k, v in sorted(attrs.items()))}"
    return json.dumps(response)


def answers():
    """(function, sample path, ok, answer) for every sample event, from the binaries
    behind `cargo lambda watch` (debug builds, local.env) with moto seeded; all of it
    started on 127.0.0.1 and stopped by PID when the iteration ends."""
    build_binaries()
    with MotoServer() as moto:
        prepare_moto(moto.endpoint)
        with Watch(moto.endpoint) as watch:
            print(f"cargo lambda watch on 127.0.0.1:{watch.port} (pid {watch.proc.pid})", flush=True)
            for function in FUNCTIONS:
                print(f"\n{function}")
                for path in sample_events(function):
                    ok, body = watch.invoke(function, path.read_bytes())
                    print(f"  {path.name:<50} {describe(function, ok, body)}", flush=True)
                    yield function, path, ok, body


def samples() -> int:
    answered = sum(1 for _ in answers())
    print(f"\nstopped cargo lambda watch; {answered} events answered")
    return 0


def invoke(function: str) -> int:
    build_binaries(function)
    failed = 0
    with MotoServer() as moto:
        prepare_moto(moto.endpoint)
        with Watch(moto.endpoint) as watch:
            for path in sample_events(function):
                print(f"\n$ cargo lambda invoke {function} --data-file {path.relative_to(ROOT)}", flush=True)
                failed += subprocess.run(
                    CARGO_LAMBDA + ["invoke", function, "--invoke-address", "127.0.0.1",
                                    "--invoke-port", str(watch.port), "--data-file", str(path)],
                    cwd=ROOT,
                ).returncode != 0
    print(f"\n{failed} of the invocations returned a function error (a refusal is one)")
    return 0


def main(argv) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if len(argv) == 2 and argv[1] == "samples":
        return samples()
    if len(argv) == 2 and argv[1] in FUNCTIONS:
        return invoke(argv[1])
    print(__doc__)
    print(f"functions: {', '.join(FUNCTIONS)}")
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(130)
