#!/usr/bin/env python3
"""Run a command with a moto server on a free loopback port.

  with_moto.py COMMAND [ARGS...]

The server (scripts/moto_server.py: moto, one request at a time) is started on
127.0.0.1, the command runs with MOTO_ENDPOINT=http://127.0.0.1:<port> (and dummy
AWS credentials), and the server is stopped by its PID afterwards, also on failure
and Ctrl-C. The command's exit code is returned.
"""

import os
import signal
import subprocess
import sys

from local_stack import MotoServer


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
