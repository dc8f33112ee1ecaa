#!/usr/bin/env python3
"""Cold start of one trigger binary, measured the way Lambda starts it: a Lambda
Runtime API stand-in on 127.0.0.1 serves one event, and each round starts the binary
afresh and times

  init          exec to the binary's first GET /invocation/next (what it does at start)
  first answer  exec to its answer to that first event (what the user waits for)

  cold_start.py BINARY EVENT.json [--rounds N] [--env NAME=VALUE ...]

Prints the median and the range of each, in milliseconds. The binary runs with the
variables of local.env, then the --env ones; stopped by PID after each round.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from local_stack import env_file_values, free_port


class RuntimeApi:
    """Serves `event` `invocations` times per round (the first one cold, the others
    warm) and records when the binary asked and answered."""

    def __init__(self, event: bytes):
        self.event = event
        self.round = None
        self.lock = threading.Condition()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # A reply is written as its headers, then its body: with Nagle's algorithm
            # the body waits for the client's delayed ACK of the headers (40 ms on
            # Linux) on a kept-alive connection, which awslambdaric's client met on
            # every warm invocation.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def reply(self, status=202, body=b"{}", headers=()):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if not self.path.endswith("/invocation/next"):
                    return self.reply(404)
                with api.lock:
                    r = api.round
                    if r is None:
                        return self.reply(500)
                    if len(r["next"]) >= r["want"]:
                        # The round's events are served: later polls wait for its end.
                        api.lock.wait(timeout=30)
                        return self.reply(500)
                    r["next"].append(time.perf_counter())
                    request_id = f"{r['id']}-{len(r['next'])}"
                deadline = str(int((time.time() + 5) * 1000))
                self.reply(200, api.event, [
                    ("Content-Type", "application/json"),
                    ("Lambda-Runtime-Aws-Request-Id", request_id),
                    ("Lambda-Runtime-Deadline-Ms", deadline),
                    ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:bench"),
                    ("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0"),
                ])

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with api.lock:
                    r = api.round
                    if r is not None and len(r["answer"]) < len(r["next"]):
                        r["answer"].append(time.perf_counter())
                        r["ok"].append(self.path.endswith("/response"))
                        r["body"].append(body)
                        api.lock.notify_all()
                self.reply(202)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request, client_address):
                pass  # the binary is killed mid-poll at the end of each round

        self.server_class, self.handler_class = Server, Handler

    def serve(self):
        """A server of its own for one round, on a fresh port. lambda_runtime asks for
        its next event while its answer is still on the way, so a killed round's
        binary can have a /next in flight; on a shared port that request could take
        the next round's first event, and that round would wait for an answer the
        dead process never sends."""
        server = self.server_class(("127.0.0.1", free_port()), self.handler_class)
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        return server

    def run(self, argv, env, n, invocations: int = 1, log=None) -> dict:
        """One cold start of `argv`: init, first answer, the warm invocations after it
        (each from its /next to its answer) and the process's peak RSS, in ms and KiB."""
        server = self.serve()
        env = dict(env, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{server.server_address[1]}")
        with self.lock:
            self.round = {"id": f"bench-{n}", "want": invocations, "next": [], "answer": [], "ok": [], "body": []}
        started = time.perf_counter()
        out = open(log, "ab") if log else subprocess.DEVNULL
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT if log else out)
        peak_kib = 0
        try:
            with self.lock:
                self.lock.wait_for(lambda: len(self.round["answer"]) >= invocations, timeout=20)
                r = dict(self.round)
                self.round = None
                self.lock.notify_all()
            peak_kib = peak_rss_kib(proc.pid)
        finally:
            proc.kill()
            proc.wait()
            server.shutdown()
            server.server_close()
            if log:
                out.close()
        if len(r["answer"]) < invocations:
            raise SystemExit(f"{argv[-1]} gave {len(r['answer'])} of {invocations} answers (asked {len(r['next'])}) within 20 s"
                             + (f"; see {log}" if log else ""))
        warm = [(a - b) * 1000 for a, b in zip(r["answer"][1:], r["next"][1:])]
        return {"init": (r["next"][0] - started) * 1000, "answer": (r["answer"][0] - started) * 1000,
                "warm": warm, "rss_kib": peak_kib, "ok": r["ok"][0], "body": r["body"][0]}


def peak_rss_kib(pid: int) -> int:
    """The peak resident set of a running process since its exec (VmHWM), in KiB.
    (The rusage of a child counts the Python it was forked from.)"""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def lambda_env(extra: dict) -> dict:
    """The environment Lambda gives a function, with local.env's settings and `extra`
    (RuntimeApi.run adds the address of its Runtime API)."""
    env = dict(os.environ)
    env.update(env_file_values())
    env.update(extra)
    env.update(AWS_LAMBDA_FUNCTION_NAME="bench",
               AWS_LAMBDA_FUNCTION_VERSION="$LATEST", AWS_LAMBDA_FUNCTION_MEMORY_SIZE="128",
               AWS_LAMBDA_LOG_GROUP_NAME="/aws/lambda/bench", AWS_LAMBDA_LOG_STREAM_NAME="bench")
    return env


def main(argv) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("binary")
    args.add_argument("event")
    args.add_argument("--rounds", type=int, default=9)
    args.add_argument("--env", action="append", default=[])
    opts = args.parse_args(argv[1:])
    api = RuntimeApi(open(opts.event, "rb").read())
    env = lambda_env(dict(e.split("=", 1) for e in opts.env))
    rounds = [api.run([opts.binary], env, n) for n in range(opts.rounds)]
    last = rounds[-1]
    answer = json.loads(last["body"] or b"null")
    print(f"{os.path.basename(opts.binary)} {os.path.basename(opts.event)} "
          f"{' '.join(opts.env)}: {'answered' if last['ok'] else 'error'} "
          f"{json.dumps(answer)[:120]}")
    for key, title in (("init", "init (exec to first /next)"), ("answer", "first answer")):
        values = [r[key] for r in rounds]
        print(f"  {title:<28} median {statistics.median(values):6.1f} ms  "
              f"(min {min(values):.1f}, max {max(values):.1f}, {len(values)} rounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
