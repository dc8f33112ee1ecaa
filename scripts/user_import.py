"""A stand-in for Cognito's user import jobs, served by scripts/moto_server.py.

No local emulator runs them: moto (5.2.5) and cognito-local implement none of
GetCSVHeader, CreateUserImportJob, StartUserImportJob or DescribeUserImportJob, and
fakecloud (8ac2d3a) keeps jobs as records only (its pre-signed URL has no upload
endpoint, and a started job never imports anyone nor ends). This module does, as small
as it can and as Cognito's documentation describes:

- GetCSVHeader: the standard attributes, the pool's custom ones, then
  cognito:mfa_enabled and cognito:username;
- CreateUserImportJob: a job `Created`, with a pre-signed URL on this server valid
  15 minutes, which takes a PUT only with `x-amz-server-side-encryption: aws:kms`;
- StartUserImportJob: `Pending`, then `InProgress` while a thread creates the users
  in moto's pool (status RESET_REQUIRED: they reset their password), then `Succeeded`,
  or `Failed` when nothing was uploaded; DescribeUserImportJob tells the counts;
- the results in CloudWatch Logs (moto's), group /aws/cognito/userpools/POOL_ID/POOL_NAME,
  stream JOB_ID/JOB_NAME, one line a user: `[SUCCEEDED] Line Number N - ...`,
  `[SKIPPED] ...` (the user exists), `[FAILED] ...` (no auto-verified attribute true,
  or a value the pool's schema does not allow).

The checks `legacy-import` makes before uploading are its own, not this stand-in's.
"""

import json
import re
import threading
import time
import uuid

from amz_json import error, region_of, reply, target_action

STANDARD = ["name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
            "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
            "phone_number", "phone_number_verified", "address", "updated_at"]
ACTIONS = {"GetCSVHeader", "CreateUserImportJob", "StartUserImportJob", "DescribeUserImportJob"}
UPLOAD = "/_local/user-import/"
URL_SECONDS = 15 * 60
JOBS = {}


def action_of(environ):
    return target_action(environ, "AWSCognitoIdentityProviderService", ACTIONS)


def handles(environ) -> bool:
    return action_of(environ) is not None or environ.get("PATH_INFO", "").startswith(UPLOAD)


def backends(region):
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.logs.models import logs_backends

    return cognitoidp_backends[DEFAULT_ACCOUNT_ID][region], logs_backends[DEFAULT_ACCOUNT_ID][region]


def answer(environ, start_response, lock):
    """Answers one request (the caller holds no lock; moto's state is touched under `lock`)."""
    path = environ.get("PATH_INFO", "")
    if path.startswith(UPLOAD):
        return upload(environ, start_response, path[len(UPLOAD):])
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    region = region_of(environ)
    with lock:
        idp, _ = backends(region)
        pool = idp.user_pools.get(body.get("UserPoolId", ""))
        if pool is None:
            return error(start_response, "ResourceNotFoundException", "User pool does not exist.")
        action = action_of(environ)
        if action == "GetCSVHeader":
            custom = [name for name in pool.schema_attributes if name.startswith("custom:")]
            return reply(start_response, "200 OK", {"UserPoolId": pool.id,
                                                    "CSVHeader": STANDARD + custom + ["cognito:mfa_enabled", "cognito:username"]})
        if action == "CreateUserImportJob":
            role = body.get("CloudWatchLogsRoleArn", "")
            if not re.match(r"arn:[\w+=/,.@-]+:iam::\d+:role/", role):
                return error(start_response, "InvalidParameterException", "CloudWatchLogsRoleArn is not a role ARN.")
            job_id = f"import-{uuid.uuid4().hex[:10]}"
            host = environ.get("HTTP_HOST", "127.0.0.1")
            JOBS[job_id] = {"JobName": body.get("JobName", ""), "JobId": job_id, "UserPoolId": pool.id,
                            "PreSignedUrl": f"http://{host}{UPLOAD}{job_id}", "CreationDate": time.time(),
                            "Status": "Created", "CloudWatchLogsRoleArn": role, "ImportedUsers": 0,
                            "SkippedUsers": 0, "FailedUsers": 0, "_region": region, "_file": None}
            return reply(start_response, "200 OK", {"UserImportJob": public(JOBS[job_id])})
        job = JOBS.get(body.get("JobId", ""))
        if job is None or job["UserPoolId"] != pool.id:
            return error(start_response, "ResourceNotFoundException", "Import job does not exist.")
        if action == "StartUserImportJob":
            if job["Status"] != "Created":
                return error(start_response, "InvalidParameterException", f"The job is {job['Status']}.")
            job["Status"], job["StartDate"] = "Pending", time.time()
            threading.Thread(target=run, args=(job, lock), daemon=True).start()
        return reply(start_response, "200 OK", {"UserImportJob": public(job)})


def public(job):
    return {k: v for k, v in job.items() if not k.startswith("_")}


def upload(environ, start_response, job_id):
    job = JOBS.get(job_id)
    if environ.get("REQUEST_METHOD") != "PUT" or job is None:
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    expired = time.time() - job["CreationDate"] > URL_SECONDS
    encrypted = environ.get("HTTP_X_AMZ_SERVER_SIDE_ENCRYPTION") == "aws:kms"
    length = int(environ.get("CONTENT_LENGTH") or 0)
    data = environ["wsgi.input"].read(length)
    if expired or not encrypted or job["Status"] != "Created":
        why = b"Request has expired" if expired else b"The request signature we calculated does not match"
        start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(why)))])
        return [why]
    job["_file"] = data
    start_response("200 OK", [("Content-Length", "0")])
    return [b""]


def split(line):
    """A row's values: commas escaped with a backslash are part of a value."""
    values, current, escaped = [], [], False
    for c in line:
        if escaped:
            current.append(c)
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == ",":
            values.append("".join(current))
            current = []
        else:
            current.append(c)
    values.append("".join(current))
    return values


def run(job, lock):
    """The job: one user at a time, each outcome logged by its line number."""
    time.sleep(0.2)
    with lock:
        idp, logs = backends(job["_region"])
        pool = idp.user_pools[job["UserPoolId"]]
        group = f"/aws/cognito/userpools/{pool.id}/{pool.name}"
        stream = f"{job['JobId']}/{job['JobName']}"
        if group not in logs.groups:
            logs.create_log_group(group, {})
        logs.create_log_stream(group, stream)
        job["Status"] = "InProgress"
    if job["_file"] is None:
        job.update(Status="Failed", CompletionDate=time.time(), CompletionMessage="No file was uploaded")
        return
    lines = job["_file"].decode("utf-8").split("\n")
    header = split(lines[0].rstrip("\r"))
    events = []
    for number, line in enumerate(lines[1:], start=2):
        line = line.rstrip("\r")
        if not line:
            continue
        with lock:
            outcome, text = import_one(idp, pool, header, split(line))
        job[{"SUCCEEDED": "ImportedUsers", "SKIPPED": "SkippedUsers", "FAILED": "FailedUsers"}[outcome]] += 1
        events.append({"timestamp": int(time.time() * 1000), "message": f"[{outcome}] Line Number {number} - {text}"})
        if len(events) == 500:
            with lock:
                logs.put_log_events(group, stream, events)
            events = []
    with lock:
        if events:
            logs.put_log_events(group, stream, events)
    job.update(Status="Succeeded", CompletionDate=time.time(), CompletionMessage="Import Job Completed Successfully.")


def import_one(idp, pool, header, values):
    if len(values) != len(header):
        return "FAILED", "The user data doesn't match the schema."
    row = dict(zip(header, values))
    username = row.get("cognito:username", "")
    verified = pool.extended_config.get("AutoVerifiedAttributes") or []
    if verified and not any(row.get(f"{a}_verified") == "true" for a in verified):
        return "FAILED", ("The User Record does not set any of the auto verified attributes to true. "
                          "(Example: email_verified to true).")
    for name, value in row.items():
        attribute = pool.schema_attributes.get(name)
        limits = getattr(attribute, "string_constraints", None) or {}
        if value and limits.get("MaxLength") and len(value) > int(limits["MaxLength"]):
            return "FAILED", "The user data doesn't match the schema."
    attributes = [{"Name": k, "Value": v} for k, v in row.items() if v and not k.startswith("cognito:")]
    from moto.cognitoidp.exceptions import UsernameExistsException

    try:
        user = idp.admin_create_user(pool.id, username, "SUPPRESS", None, attributes)
    except UsernameExistsException:
        return "SKIPPED", "The user already exists."
    except Exception as failure:  # moto's refusal of the record: the job goes on
        return "FAILED", f"The user data doesn't match the schema. ({type(failure).__name__})"
    from moto.cognitoidp.models import UserStatus

    user.status = UserStatus.RESET_REQUIRED
    return "SUCCEEDED", "The import succeeded."
