"""What the moto server's stand-ins for missing AWS operations share
(scripts/user_import.py, scripts/cognito_fidelity.py): which operation a JSON-protocol
request names, its caller's region, and the answer in that protocol."""

import json
import re


def target_action(environ, service: str, actions) -> str:
    """The operation `X-Amz-Target: SERVICE.Operation` names, if it is one of `actions`."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith(service + "."):
        name = target.split(".", 1)[1]
        return name if name in actions else None
    return None


def region_of(environ) -> str:
    """The region of the request's signature (moto's default when unsigned)."""
    found = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    return found.group(1) if found else "us-east-1"


def reply(start_response, status, document):
    body = json.dumps(document).encode()
    start_response(status, [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))])
    return [body]


def error(start_response, code, message, status="400 Bad Request"):
    return reply(start_response, status, {"__type": code, "message": message})
