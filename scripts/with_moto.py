#!/usr/bin/env python3
"""Run a command with a moto server (DynamoDB, SES, ...) on a free loopback port.

  with_moto.py COMMAND [ARGS...]

The server (scripts/moto_server.py: moto, one request at a time) is started on
127.0.0.1, the command runs with MOTO_ENDPOINT=http://127.0.0.1:<port> (and dummy
AWS credentials), and the server is stopped by its PID afterwards, also on failure
and Ctrl-C. The command's exit code is returned.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(proc: subprocess.Popen) -> None:
    """Stops a process started with start_new_session=True, and its children."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class MotoServer:
    """moto on 127.0.0.1:<free port> for the duration of a `with` block."""

    def __init__(self, log_name: str = "moto.log"):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = ROOT / "target" / log_name
        self.proc = None

    def __enter__(self):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "scripts" / "moto_server.py"),
             "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"moto exited early; see {self.log_path}")
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    stop_group(self.proc)
                    raise SystemExit("moto did not answer within 30 s")
                time.sleep(0.2)
        print(f"moto on {self.endpoint} (pid {self.proc.pid})", flush=True)
        return self

    def __exit__(self, *exc):
        stop_group(self.proc)
        self.log.close()
        print(f"moto stopped (pid {self.proc.pid})", flush=True)
        return False


def main(argv) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    try:
        with MotoServer() as moto:
            env = dict(os.environ, MOTO_ENDPOINT=moto.endpoint, AWS_ACCESS_KEY_ID="testing",
                       AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
                       AWS_EC2_METADATA_DISABLED="true")
            return subprocess.run(argv[1:], env=env).returncode
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main(sys.argv))
