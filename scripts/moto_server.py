#!/usr/bin/env python3
"""moto's server (DynamoDB, SES, ... on one port), one request at a time.

moto's in-memory backends are not thread-safe: under 200 concurrent
TransactWriteItems on one item its threaded server answered some requests with
HTTP 500 ("RuntimeError: dictionary changed size during iteration"). Real DynamoDB
takes concurrent requests; to stand in for it faithfully, this wrapper keeps the
threaded HTTP server (connections are accepted concurrently) but hands requests to
moto one at a time.

  moto_server.py --host 127.0.0.1 --port 5000
"""

import argparse
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            # Produce the whole body under the lock: moto builds it from shared state.
            return [b"".join(app(environ, start_response))]

    run_simple(args.host, args.port, one_at_a_time, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
