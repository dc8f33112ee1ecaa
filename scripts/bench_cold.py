#!/usr/bin/env python3
"""`make bench-cold`: cold start, first answer, warm invoke and peak RSS of every
trigger, beside two floors built the same way, in interleaved rounds.

Each round starts every binary afresh under a Lambda Runtime API stand-in on
127.0.0.1 (scripts/cold_start.py), serves it its sample event twice (the first
answer is what a user waits for after a cold start, the second is a warm invoke)
and reads its peak RSS when it is stopped. The floors: `echo-floor` (a bare
lambda_runtime echo) for the SDK-free triggers, and beside it the same echo on AWS's
Python runtime interface client (awslambdaric, scripts/python_echo.py); `sdk-floor` (the echo plus the AWS
configuration and a DynamoDB client built at init) for the triggers that call AWS,
whose calls go to a moto on 127.0.0.1 seeded as for the demo (the custom senders'
codes are under the sample key it installs). The machine is shared
and noisy, so the table gives ratios to the floor beside the medians; rounds are
interleaved so that a slow moment hits every binary alike.

Then the triggers that read AWS on their hot path run again over TLS (a local TLS
terminator in front of moto, scripts/tls_proxy.py, its certificate trusted through
SSL_CERT_FILE) under a CPU quota equal to Lambda's share at a memory size (1,769 MB
is one vCPU; a cgroup's CPU bandwidth limit, so it needs root), with the warm-up at
init (WARM_UP_MS, the default) and without it (WARM_UP_MS=0). What counts against a
trigger's lookup budget is the first invoke: from its first /next to its answer.

  bench_cold.py [--rounds N] [--no-build] [--no-tls] [--bin-dir DIR] [--compare DIR]
                 (binaries: target/release, cargo's bench profile: optimized, no LTO;
                 --compare DIR runs the same binaries from DIR, say a build of the commit
                 before a change, in the same rounds, labelled <binary>@before)
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

import triggers
from cold_start import RuntimeApi, lambda_env
from local_stack import ROOT, MotoServer, aws_client, prepare_moto
from tls_proxy import TlsProxy, make_certificate

# (binary, sample event, floor); the floors first.
# The floors and the peer first, then each trigger function on its `cold-samples` (the
# trigger list), beside the echo floor when it links no AWS SDK, else the SDK floor.
CASES = [
    ("echo-floor", "pre-signup/PreSignUp_SignUp.json", None),
    ("sdk-floor", "pre-signup/PreSignUp_SignUp.json", None),
    ("python-echo", "pre-signup/PreSignUp_SignUp.json", "echo-floor"),
] + [(f.bin, f"{f.events}/{sample}", "echo-floor" if f.links == "none" else "sdk-floor")
     for f in triggers.functions() for sample in f.cold_samples]

# Settings a binary runs with besides local.env's, and the binaries whose samples are
# put in a moto pool they search (`local-env`, `sample-in-pool` in the trigger list:
# pre-signup-linking with linking on; see `event_for`).
CASE_ENV = {f.bin: dict(f.local_env) for f in triggers.functions() if f.local_env}
IN_POOL = {f.bin for f in triggers.functions() if f.sample_in_pool}

# Peers that are not built here: the same echo on AWS's Python runtime interface
# client (scripts/python_echo.py), started by the venv's Python.
PEERS = {"python-echo": [sys.executable, "-m", "awslambdaric", "python_echo.handler"]}


# Where the binaries are: "" is the build measured (target/release unless --bin-dir);
# with --compare, "before" is another build of the same binaries, measured beside it
# in the same interleaved rounds (cases named `<binary>@before`).
DIRS = {"": ROOT / "target" / "release"}


def base(binary: str) -> str:
    return binary.partition("@")[0]


def argv_of(binary: str) -> list:
    name, _, build = binary.partition("@")
    return PEERS.get(name) or [str(DIRS[build] / name)]


def compare_with(directory: Path) -> None:
    """Each case again on the binaries in `directory`, beside its own floors."""
    DIRS["before"] = directory
    CASES.extend([(f"{b}@before", e, f and f"{f}@before") for b, e, f in list(CASES) if b not in PEERS])

# The samples a trigger must refuse (its answer is an error).
REFUSALS = {"pre-signup/PreSignUp_SignUp-disposable.json"}

# The triggers whose first invocation reads a table within a budget, at the memory
# sizes measured (the template's first), and the floor beside them.
TLS_CASES = [
    ("sdk-floor", "pre-signup/PreSignUp_SignUp.json"),
    ("pre-token-generation", "pre-token-generation/V2-TokenGeneration_NewPasswordChallenge.json"),
    ("pre-authentication", "pre-authentication/PreAuthentication_Authentication.json"),
    ("user-migration", "user-migration/UserMigration_Authentication.json"),
    ("pre-signup-linking", "pre-signup/PreSignUp_SignUp.json"),
]
TLS_MEMORY = {"sdk-floor": (256,), "pre-signup-linking": (256,), "pre-token-generation": (256, 512), "pre-authentication": (256, 512),
              "user-migration": (1024,)}
LAMBDA_MB_PER_VCPU = 1769


class CpuQuota:
    """A cgroup (v2 cpu.max, or v1 cfs quota) limiting what runs in it to `share` of a
    CPU; binaries enter it through `argv`."""

    def __init__(self, share: float, name: str):
        period = 100_000
        quota = max(1000, int(share * period))
        v2 = Path("/sys/fs/cgroup/cgroup.controllers")
        if v2.exists() and "cpu" in v2.read_text().split():
            self.path = Path("/sys/fs/cgroup") / name
            self.path.mkdir(exist_ok=True)
            (self.path / "cpu.max").write_text(f"{quota} {period}")
        else:
            self.path = Path("/sys/fs/cgroup/cpu") / name
            self.path.mkdir(exist_ok=True)
            (self.path / "cpu.cfs_period_us").write_text(str(period))
            (self.path / "cpu.cfs_quota_us").write_text(str(quota))

    def argv(self, binary: str) -> list:
        return ["sh", "-c", f'echo $$ > {self.path}/cgroup.procs && exec "$0"', binary]

    def close(self):
        try:
            self.path.rmdir()
        except OSError:
            pass


def build() -> None:
    binaries = sorted({case[0] for case in CASES if "@" not in case[0]} - PEERS.keys())
    argv = ["cargo", "build", "--profile", "bench"] + [a for b in binaries for a in ("--bin", b)]
    print("$ " + " ".join(argv), flush=True)
    subprocess.run(argv, cwd=ROOT, check=True)


def linking_pool(moto_endpoint: str) -> str:
    """A user pool in moto for pre-signup-linking to search: its id."""
    cognito = aws_client("cognito-idp", moto_endpoint)
    return cognito.create_user_pool(PoolName="bench-linking")["UserPool"]["Id"]


def event_for(binary: str, event: str, pool_id: str) -> bytes:
    """The sample event's bytes; for a binary that searches the pool, in `pool_id`."""
    data = (ROOT / "events" / event).read_bytes()
    if base(binary) in IN_POOL:
        sample = json.loads(data)
        sample["userPoolId"] = pool_id
        data = json.dumps(sample).encode()
    return data


def measure(rounds: int, moto_endpoint: str, pool_id: str) -> dict:
    apis = [RuntimeApi(event_for(binary, event, pool_id)) for binary, event, _ in CASES]
    results = {i: [] for i in range(len(CASES))}
    for n in range(rounds):
        for i, (binary, _, _) in enumerate(CASES):
            env = lambda_env({"AWS_ENDPOINT_URL": moto_endpoint, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
                              "PYTHONPATH": str(ROOT / "scripts"), **CASE_ENV.get(base(binary), {})})
            # A request id of its own: with --compare, two builds of a trigger that records
            # by request id must not find each other's record (a replay).
            results[i].append(apis[i].run(argv_of(binary), env, f"{n}-{i}", invocations=2))
        print(f"round {n + 1} of {rounds}", file=sys.stderr, flush=True)
    return results


def report(results: dict) -> None:
    med = {}
    for i, runs in results.items():
        med[i] = {
            "init": statistics.median(r["init"] for r in runs),
            "answer": statistics.median(r["answer"] for r in runs),
            "warm": statistics.median(r["warm"][0] for r in runs),
            "rss": statistics.median(r["rss_kib"] for r in runs) / 1024,
            "ok": all(r["ok"] for r in runs) or "error",
        }
    floor_of = {case[0]: i for i, case in enumerate(CASES) if case[2] is None}
    print(f"{'binary':<28}{'event':<44}{'init':>8}{'first':>8}{'warm':>7}{'RSS':>7}"
          f"{'init/':>7}{'first/':>8}{'RSS -':>8}")
    print(f"{'':<28}{'':<44}{'ms':>8}{'ms':>8}{'ms':>7}{'MB':>7}{'floor':>7}{'floor':>8}{'floor':>8}")
    for i, (binary, event, floor) in enumerate(CASES):
        m = med[i]
        line = (f"{binary:<28}{event.split('/')[1][:43]:<44}{m['init']:8.1f}{m['answer']:8.1f}"
                f"{m['warm']:7.2f}{m['rss']:7.1f}")
        if floor is not None:
            f = med[floor_of[floor]]
            line += f"{m['init'] / f['init']:7.2f}{m['answer'] / f['answer']:8.2f}{m['rss'] - f['rss']:+8.1f}"
            line += f"  vs {floor}"
        if event in REFUSALS:
            line += "  (refused, as it should be)" if m["ok"] is not True else "  (NOT refused)"
        elif m["ok"] is not True:
            line += "  (answered an error)"
        print(line)
    print(f"medians of {len(results[0])} interleaved rounds; first = exec to the first answer; "
          f"warm = a second invocation, /next to answer; RSS = peak resident set")


def measure_tls(rounds: int, moto_port: int, pool_id: str) -> list:
    """(binary, memory, warm-up, runs) for each TLS case, rounds interleaved."""
    key, cert, ca = make_certificate(ROOT / "target" / "bench-cold")
    rows = []
    with TlsProxy(moto_port, key, cert) as proxy:
        # The floor has no warm-up to switch: it runs once per memory size.
        builds = [""] + (["@before"] if "before" in DIRS else [])
        plan = [(b + build, e, mb, warm) for build in builds for b, e in TLS_CASES for mb in TLS_MEMORY[b]
                for warm in (("1000",) if b == "sdk-floor" else ("1000", "0"))]
        apis = [RuntimeApi(event_for(b, e, pool_id)) for b, e, _, _ in plan]
        quotas = {mb: CpuQuota(mb / LAMBDA_MB_PER_VCPU, f"cognito-bench-{mb}mb") for mb in {p[2] for p in plan}}
        results = [[] for _ in plan]
        try:
            for n in range(rounds):
                for i, (binary, _, mb, warm) in enumerate(plan):
                    env = lambda_env({"AWS_ENDPOINT_URL": proxy.endpoint, "SSL_CERT_FILE": str(ca),
                                               "WARM_UP_MS": warm, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(mb),
                                               **CASE_ENV.get(base(binary), {})})
                    argv = quotas[mb].argv(argv_of(binary)[0])
                    log = ROOT / "target" / "bench-cold" / f"{binary}-{mb}mb-warm-up-{warm}.log"
                    results[i].append(apis[i].run(argv, env, f"{n}-{i}", invocations=2, log=log))
                print(f"TLS round {n + 1} of {rounds}", file=sys.stderr, flush=True)
        finally:
            for q in quotas.values():
                q.close()
        for (binary, _, mb, warm), runs in zip(plan, results):
            rows.append((binary, mb, None if base(binary) == "sdk-floor" else warm != "0", runs))
    return rows


def report_tls(rows: list) -> None:
    print()
    print("over TLS, under a CPU quota of memory/1769 MB of one core:")
    print(f"{'binary':<30}{'memory':>7}{'warm-up':>9}{'init':>9}{'first invoke':>14}{'first answer':>14}{'warm':>8}")
    for binary, mb, warm, runs in rows:
        init = statistics.median(r["init"] for r in runs)
        invoke = statistics.median(r["answer"] - r["init"] for r in runs)
        first = statistics.median(r["answer"] for r in runs)
        again = statistics.median(r["warm"][0] for r in runs)
        ok = "" if all(r["ok"] for r in runs) else "  (answered an error)"
        shown = "" if warm is None else "on" if warm else "off"
        print(f"{binary:<30}{mb:>5}MB{shown:>9}{init:9.1f}{invoke:14.1f}{first:14.1f}{again:8.1f}{ok}")
    print("ms, medians; first invoke = first /next to its answer (what a lookup budget sees); "
          "first answer = exec to it")


def main(argv) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rounds", type=int, default=9)
    args.add_argument("--no-build", action="store_true", help="use the binaries already in target/release")
    args.add_argument("--no-tls", action="store_true", help="skip the TLS and CPU-quota runs (they need root)")
    args.add_argument("--bin-dir", type=Path, help="measure the binaries in this folder (implies --no-build)")
    args.add_argument("--compare", type=Path, metavar="DIR",
                      help="also measure the same binaries built elsewhere (say, before a change), side by side")
    opts = args.parse_args(argv[1:])
    if opts.bin_dir:
        DIRS[""] = opts.bin_dir.resolve()
    if opts.compare:
        compare_with(opts.compare.resolve())
    if not opts.no_build and not opts.bin_dir:
        build()
    with MotoServer("bench-moto") as moto:
        prepare_moto(moto.endpoint)
        pool_id = linking_pool(moto.endpoint)
        results = measure(opts.rounds, moto.endpoint, pool_id)
        tls = None if opts.no_tls else measure_tls(opts.rounds, moto.port, pool_id)
    report(results)
    if tls:
        report_tls(tls)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
