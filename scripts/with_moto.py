#!/usr/bin/env python3
"""Run a command with a moto server (DynamoDB, SES, ...) on a free loopback port.

  with_moto.py COMMAND [ARGS...]

The server (scripts/moto_server.py, moto one request at a time) is started on 127.0.0.1, the command runs
with MOTO_ENDPOINT=http://127.0.0.1:<port> (and dummy AWS credentials), and the
server is stopped by its PID afterwards, also on failure and Ctrl-C. The command's
exit code is returned.
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


def main(argv) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log_path = ROOT / "target" / "moto.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "scripts" / "moto_server.py"),
             "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if server.poll() is not None:
                    print(f"moto_server exited early; see {log_path}", file=sys.stderr)
                    return 1
                try:
                    urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        print("moto_server did not answer within 30 s", file=sys.stderr)
                        return 1
                    time.sleep(0.2)
            print(f"moto on {endpoint} (pid {server.pid})", flush=True)
            env = dict(os.environ, MOTO_ENDPOINT=endpoint, AWS_ACCESS_KEY_ID="testing",
                       AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
                       AWS_EC2_METADATA_DISABLED="true")
            return subprocess.run(argv[1:], env=env).returncode
        except KeyboardInterrupt:
            return 130
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            print(f"moto stopped (pid {server.pid})", flush=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main(sys.argv))
