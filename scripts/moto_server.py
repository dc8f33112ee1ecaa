#!/usr/bin/env python3
"""moto's server (DynamoDB, SES, ... on one port), one request at a time.

moto's in-memory backends are not thread-safe: under 200 concurrent
TransactWriteItems on one item its threaded server answered some requests with
HTTP 500 ("RuntimeError: dictionary changed size during iteration"). Real DynamoDB
takes concurrent requests; to stand in for it faithfully, this wrapper keeps the
threaded HTTP server (connections are accepted concurrently) but hands requests to
moto one at a time.

It also answers GET /_local/sent.json with what moto's SES and SNS "delivered"
({"ses": [{source, to, subject, body}], "sms": [{phone_number, message}]}). moto's
own /moto-api/data.json has it too, but builds a document of every model instance,
every DynamoDB item included: 15 s for 2.6 MB after a test run.

It stands in for Cognito's user import jobs (GetCSVHeader, CreateUserImportJob,
StartUserImportJob, DescribeUserImportJob and the upload to the job's pre-signed URL),
which moto does not implement: scripts/user_import.py says what it does.

Where moto's Cognito differs from Cognito in what pool-attach and pool-doctor touch
(what UpdateUserPool keeps and resets; identity pool role mappings), it follows
Cognito's documentation: scripts/cognito_fidelity.py says how.

And POST /_local/sample-key?region=<region> installs the KMS key of the sample events
(SAMPLE_KEY_ARN: a fixed id and fixed key material), so the codes encrypted in
events/custom-*-sender/ decrypt on every fresh moto. Real KMS keys cannot be made
twice; moto's can, which is what sample events need.

  moto_server.py --host 127.0.0.1 --port 5000 [--exit-with PID]

With --exit-with, the server stops itself once the process PID has ended: a test
binary that started its own moto (dev/test-support) cannot stop it from a static
when it exits, so the server watches for that instead.
"""

import argparse
import hashlib
import json
import os
import signal
import sys
import threading
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

import cognito_fidelity  # scripts/cognito_fidelity.py, beside this file
import user_import  # scripts/user_import.py, beside this file


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--exit-with", type=int, default=None, metavar="PID")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.exit_with is not None:
        threading.Thread(target=exit_with, args=(args.exit_with,), daemon=True).start()

    cognito_fidelity.install()
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        # Cognito's user import jobs, which moto lacks (scripts/user_import.py): they
        # take the lock themselves, around each touch of moto's state.
        if user_import.handles(environ):
            return user_import.answer(environ, start_response, lock)
        if cognito_fidelity.handles(environ):
            return cognito_fidelity.answer(environ, start_response, lock)
        with lock:
            if environ.get("PATH_INFO") == "/_local/sample-key":
                region = parse_qs(environ.get("QUERY_STRING", "")).get("region", ["eu-west-1"])[0]
                body = json.dumps({"arn": install_sample_key(region)}).encode()
                start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
                return [body]
            if environ.get("PATH_INFO") == "/_local/sent.json":
                body = json.dumps(sent()).encode()
                start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
                return [body]
            # Produce the whole body under the lock: moto builds it from shared state.
            return [b"".join(app(environ, start_response))]

    run_simple(args.host, args.port, one_at_a_time, threaded=True, request_handler=MotoRequestHandler)


def exit_with(pid: int) -> None:
    """Ends this process once `pid` has ended (checked twice a second)."""
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass
        threading.Event().wait(0.5)


SAMPLE_ACCOUNT = "123456789012"
SAMPLE_KEY_ID = "5f0c3a9e-1b7d-4e2a-9c68-3d4b7a1e2f90"


def install_sample_key(region: str) -> str:
    """The sample events' KMS key in `region` (idempotent); its ARN."""
    from moto.kms.models import kms_backends

    backend = kms_backends[SAMPLE_ACCOUNT][region]
    if SAMPLE_KEY_ID not in backend.keys:
        key = backend.create_key(None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "the sample events' codes", None)
        del backend.keys[key.id]
        key.id = SAMPLE_KEY_ID
        key.arn = f"arn:aws:kms:{region}:{SAMPLE_ACCOUNT}:key/{SAMPLE_KEY_ID}"
        key.key_material = hashlib.sha256(b"cognito-triggers sample events").digest()
        backend.keys[SAMPLE_KEY_ID] = key
    return backend.keys[SAMPLE_KEY_ID].arn


def sent() -> dict:
    """Every email moto's SES sent and every SMS its SNS published, in every account and region."""
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    mail = [
        {"source": m.source, "to": (m.destinations or {}).get("ToAddresses", []),
         "subject": m.subject, "body": m.body}
        for regions in ses_backends.values() for backend in regions.values()
        for m in backend.sent_messages if hasattr(m, "subject")
    ]
    sms = [
        {"phone_number": phone, "message": message}
        for regions in sns_backends.values() for backend in regions.values()
        for phone, message in backend.sms_messages.values()
    ]
    return {"ses": mail, "sms": sms}


if __name__ == "__main__":
    main()
