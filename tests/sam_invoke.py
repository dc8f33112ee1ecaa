#!/usr/bin/env python3
"""`sam build`, then `sam local invoke` of every function with one of its sample
events, each answer checked against tests/golden/ (the same answers the binaries
give behind `cargo lambda watch`). The functions that call AWS are pointed at a moto
server seeded as for the other local runs. A container cannot reach the host's
loopback (SAM 1.170 never puts a function in the host's network, whatever
--docker-network says), so this moto listens on the address of Docker's bridge on
this machine (docker0, 172.17.0.1 by default), a local interface, not on 127.0.0.1.

  sam_invoke.py              the Lambda base image, as SAM pulls it (a machine with Docker)
  sam_invoke.py --stand-in   a stand-in base image built here: busybox, the C libraries
                             the bootstraps link and the CA certificates (CI, where
                             images cannot be pulled)

Functions are built for this machine's architecture (template parameter
Architecture), as debug builds (SAM_BUILD_MODE=debug): a test run needs no fat-LTO
release build. Needs a running Docker daemon.
"""

import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from invoke import describe
import triggers
from local_stack import ROOT, VENV_BIN, MotoServer, env_file_values, prepare_moto
from samples import GOLDEN, answer_of
STAND_IN = "cognito-triggers/lambda-stand-in"
# One sample event per function (`sam-sample` in the trigger list): each passes through
# the function's main path (the token, status and sign-in ones through the tables, the
# alert and the welcome through SES). pre-signup-linking runs with local.env, which
# keeps linking off (moto has no pool with the sample's id), so it answers as the
# plain build does.
SAMPLES = {f.logical_id: (f.events, f.sam_sample) for f in triggers.functions() if f.sam_sample}


class Failure(Exception):
    pass


def architecture() -> str:
    return {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine().lower()]


# Template parameters a function needs to exist.
DEPLOYED_WITH = {"PreSignupLinkingFunction": " LinkFederatedUsers=true"}

SAM = ROOT / ".venv-sam" / "bin" / "sam"


def sam(*args, **kw):
    """The SAM CLI of .venv-sam/, with .venv/bin first on PATH (sam build runs
    cargo-lambda, which finds zig there)."""
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ['PATH']}", SAM_CLI_TELEMETRY="0", SAM_BUILD_MODE="debug")
    return subprocess.run([str(SAM), *args], cwd=ROOT, env=env, **kw)


def docker(*args, **kw):
    return subprocess.run(["docker", *args], check=True, **kw)


def stand_in_image(arch: str) -> str:
    """A base image of a few MB: busybox for the shell, `mv` and `chmod` SAM's image
    build runs, the shared libraries the built bootstraps link (from `ldd`), and the
    CA certificates the AWS SDK loads."""
    image = f"{STAND_IN}:{arch}"
    libs = set()
    for bootstrap in (ROOT / ".aws-sam" / "build").glob("*/bootstrap"):
        out = subprocess.run(["ldd", str(bootstrap)], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            path = line.split("=>")[-1].split("(")[0].strip()
            if path.startswith("/"):
                libs.add(path)
    busybox = shutil.which("busybox")
    if not busybox:
        raise Failure("busybox is not installed (Debian package busybox-static)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for d in ("bin", "tmp", "var/task", "var/runtime", "etc"):
            (root / d).mkdir(parents=True)
        shutil.copy(busybox, root / "bin" / "busybox")
        for tool in ("sh", "mv", "chmod", "cp", "rm", "mkdir", "ls", "cat"):
            (root / "bin" / tool).symlink_to("busybox")
        for lib in sorted(libs):
            target = root / lib.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(os.path.realpath(lib), target)
        (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
        # The AWS SDK's TLS stack loads the system's CA certificates when the client
        # is built (and panics without any); the Lambda base image has them.
        (root / "etc" / "ssl" / "certs").mkdir(parents=True)
        shutil.copy("/etc/ssl/certs/ca-certificates.crt", root / "etc" / "ssl" / "certs")
        os.chmod(root / "tmp", 0o1777)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        docker("import", "-", image, stdin=tar.stdout, stdout=subprocess.DEVNULL)
        tar.wait()
    # SAM caches the image it builds on the base (<repo>:rapid-...): drop it so it is
    # built again on this base.
    cached = docker("images", "--filter", f"reference={STAND_IN}:rapid-*", "-q",
                    capture_output=True, text=True).stdout.split()
    if cached:
        docker("rmi", "-f", *sorted(set(cached)), stdout=subprocess.DEVNULL)
    print(f"stand-in base image {image}: busybox and {len(libs)} libraries ({', '.join(sorted(Path(l).name for l in libs))})")
    return image


def env_vars_file(directory: Path, endpoint: str) -> Path:
    """local.env for every function (SAM applies the variables each one declares),
    plus the email customization the pool enables when it sends through SES, and the
    moto endpoint (`sam local` leaves a variable set by Fn::If empty, whatever the
    condition says: the LocalEndpointUrl parameter alone is not enough locally)."""
    values = env_file_values()
    values["CUSTOMIZE_EMAIL"] = "true"
    values["AWS_ENDPOINT_URL"] = endpoint
    path = directory / "env.json"
    path.write_text(json.dumps({name: values for name in SAMPLES}))
    return path


def bridge_address() -> str:
    """This machine's address on Docker's default bridge, which containers reach."""
    out = subprocess.run(["docker", "network", "inspect", "bridge", "--format",
                          "{{range .IPAM.Config}}{{.Gateway}}{{end}}"], capture_output=True, text=True).stdout.strip()
    if out:
        return out
    # The daemon leaves the gateway out of the inspection when it chose the default.
    show = subprocess.run(["ip", "-4", "-o", "addr", "show", "docker0"], capture_output=True, text=True).stdout
    for word in show.split():
        if "/" in word and word[0].isdigit():
            return word.split("/")[0]
    raise Failure("cannot tell the address of Docker's bridge (docker0)")


def parsed_answer(stdout: str):
    """The function's answer: the last line of `sam local invoke`'s output that is JSON."""
    for line in reversed(stdout.strip().splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    raise Failure(f"no JSON answer in: {stdout[-500:]}")


def main(argv) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        print("sam local invoke needs a running Docker daemon (docker info failed)")
        return 1
    arch = architecture()
    started = time.monotonic()
    # One argument, space-separated: the functions' settings come from local.env below.
    # The custom senders and passwordless sign-in are off by default: on here, with
    # the SES identities they need (their keys, table and senders come from local.env,
    # like every other setting).
    params = (f"Architecture={arch} AppName=Acme CustomEmailSender=true CustomSmsSender=true "
              "SesEmailIdentityArn=arn:aws:ses:eu-west-1:123456789012:identity/acme.example "
              "EmailFromAddress=no-reply@acme.example Passwordless=true "
              "PasswordlessFromAddress=sign-in@acme.example "
              "PasswordlessSesIdentityArn=arn:aws:ses:eu-west-1:123456789012:identity/acme.example")
    print(f"sam build ({arch}, debug) ...", flush=True)
    if sam("build", "--parameter-overrides", params).returncode != 0:
        return 1
    print(f"sam build: {time.monotonic() - started:.0f} s", flush=True)
    image = stand_in_image(arch) if "--stand-in" in argv else None
    failed = 0
    with MotoServer("sam-moto", host=bridge_address()) as moto, tempfile.TemporaryDirectory() as tmp:
        prepare_moto(moto.endpoint)
        env_vars = env_vars_file(Path(tmp), moto.endpoint)
        region = env_file_values()["AWS_REGION"]
        for function, (folder, sample) in SAMPLES.items():
            event = ROOT / "events" / folder / sample
            cmd = ["local", "invoke", function, "-e", str(event), "--env-vars", str(env_vars),
                   "--region", region,
                   "--parameter-overrides",
                   f"{params} LocalEndpointUrl={moto.endpoint}{DEPLOYED_WITH.get(function, '')}"]
            if image:
                cmd += ["--invoke-image", image, "--skip-pull-image"]
            print(f"\n$ sam local invoke {function} -e {event.relative_to(ROOT)}", flush=True)
            t0 = time.monotonic()
            run = sam(*cmd, capture_output=True, text=True)
            try:
                answer = parsed_answer(run.stdout)
                ok = "errorType" not in answer
                print(f"  answered in {time.monotonic() - t0:.1f} s: {describe(folder, ok, answer)}", flush=True)
                # As the golden answer holds it: drawn values (a code's digest) by their place.
                print(f"  {json.dumps(answer_of(folder, ok, answer), ensure_ascii=False)[:400]}", flush=True)
                golden = json.loads((GOLDEN / folder / sample).read_text())
                if answer_of(folder, ok, answer) != golden:
                    raise Failure(f"the answer differs from tests/golden/{folder}/{sample}")
                mailed = {"PostAuthenticationFunction": ("lukas.schmidt@example.de", "new-device alert"),
                          "PostConfirmationFunction": ("maria.garcia@example.com", "welcome")}
                if function in mailed:
                    to, what = mailed[function]
                    mails = [m for m in moto.sent()["ses"] if m["to"] == [to]]
                    if len(mails) != 1:
                        raise Failure(f"{len(mails)} mails of the {what} reached moto's SES, not 1")
                    print(f"  the {what} reached moto's SES: {mails[0]['subject']!r}", flush=True)
            except Failure as failure:
                failed += 1
                print(f"  FAILED: {failure}\n{run.stderr[-2000:]}", flush=True)
    print(f"\nsam local invoke: {len(SAMPLES) - failed} of {len(SAMPLES)} functions gave the golden answer "
          f"({time.monotonic() - started:.0f} s in all){'' if image is None else ' on the stand-in base image'}")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(130)
