"""The template's own user pool, made in moto as template.yaml makes it, for the
journey's pool-doctor step: cognito-local (the journey's pool) keeps its triggers in its
own configuration, not in the pool, so it cannot show what the doctor reads.

From template.yaml with the given parameter values (conditions and Fn::If resolved by
tests/template_checks.py's evaluator): the UserPool's settings, its app client, a moto
Lambda function per trigger the pool names (with the template's settings of that
function, code never run) and its invoke permission, the identity pool and its role
mapping. The triggers are then attached with `pool-attach --apply` from the stack's
outputs, as a team adopting an existing pool would, and `pool-doctor --json` reads it.
"""

import io
import json
import os
import subprocess
import uuid
import zipfile
from pathlib import Path

from cfnlint.decode import decode

from template_checks import ROOT, Stack

# The parameters the journey's doctor step deploys with: the identity pool (so that role
# enforcement has its mapping) and email through SES (custom-message's bodies need it).
PARAMS = {"IdentityPool": "true", "SesEmailIdentityArn": "arn:aws:ses:us-east-1:123456789012:identity/acme.example",
          "EmailFromAddress": "no-reply@acme.example"}
# Values of the template that are strings to CloudFormation but numbers or booleans to
# the API.
NUMBERS = {"MinimumLength", "TemporaryPasswordValidityDays", "IdTokenValidity", "AccessTokenValidity",
           "RefreshTokenValidity", "Priority"}
BOOLEANS = {"RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols", "GenerateSecret",
            "EnableTokenRevocation", "ChallengeRequiredOnNewDevice", "DeviceOnlyRememberedOnUserPrompt", "Mutable",
            "Required"}


def typed(node, key=None):
    if isinstance(node, dict):
        return {k: typed(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [typed(v) for v in node]
    if key in NUMBERS and isinstance(node, str):
        return int(node)
    if key in BOOLEANS and isinstance(node, str):
        return node == "true"
    return node


def deploy(endpoint: str, aws_client) -> tuple:
    """(pool id, findings, pool-doctor's exit code, pool-attach's output)."""
    template, _ = decode(str(ROOT / "template.yaml"))
    stack = Stack(template, **PARAMS)
    idp, lam, iam = (aws_client(s, endpoint) for s in ("cognito-idp", "lambda", "iam"))
    identity = aws_client("cognito-identity", endpoint)
    props = typed(stack.value(template["Resources"]["UserPool"]["Properties"]))
    lambda_config = props.pop("LambdaConfig")
    mfa, enabled = props.pop("MfaConfiguration"), props.pop("EnabledMfas", [])
    props["PoolName"] = props.pop("UserPoolName").replace("${AWS::StackName}", "acme-notes")
    props.pop("SmsConfiguration", None)
    pool = idp.create_user_pool(**props)["UserPool"]
    if mfa != "OFF":
        idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration=mfa,
                                     SoftwareTokenMfaConfiguration={"Enabled": "SOFTWARE_TOKEN_MFA" in enabled})
    client = typed(stack.value(template["Resources"]["UserPoolClient"]["Properties"]))
    client.update(UserPoolId=pool["Id"], ClientName="acme-notes-web")
    client_id = idp.create_user_pool_client(**client)["UserPoolClient"]["ClientId"]

    role = iam.create_role(RoleName=f"acme-trigger-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("bootstrap", "never run")
    globals_env = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    functions = dict(stack.resources("AWS::Serverless::Function"))
    arns = {}
    for point, target in lambda_config.items():
        target = target.get("LambdaArn") if isinstance(target, dict) and "LambdaArn" in target else target
        if not (isinstance(target, dict) and "Fn::GetAtt" in target):
            continue
        logical = target["Fn::GetAtt"][0]
        env = {**stack.value(globals_env), **functions[logical].get("Environment", {}).get("Variables", {})}
        env = {k: v for k, v in env.items() if isinstance(v, str)}
        arn = lam.create_function(FunctionName=f"acme-notes-{logical}", Role=role["Role"]["Arn"], Runtime="provided.al2023",
                                  Handler="bootstrap", Code={"ZipFile": code.getvalue()},
                                  Environment={"Variables": env})["FunctionArn"]
        lam.add_permission(FunctionName=arn, StatementId="cognito", Action="lambda:InvokeFunction",
                           Principal="cognito-idp.amazonaws.com", SourceArn=pool["Arn"])
        arns[logical] = arn
    # The stack's outputs as CloudFormation would print them: a function's ARN where an
    # output names one, the plain values as they resolve.
    outputs = {}
    for key, output in template["Outputs"].items():
        if "Condition" in output and not stack.condition(output["Condition"]):
            continue
        value = stack.value(output["Value"])
        if isinstance(value, dict) and value.get("Fn::GetAtt", [None])[0] in arns:
            outputs[key] = arns[value["Fn::GetAtt"][0]]
        elif isinstance(value, str):
            outputs[key] = value

    region = pool["Id"].split("_")[0]
    provider = f"cognito-idp.{region}.amazonaws.com/{pool['Id']}"
    identity_pool = identity.create_identity_pool(
        IdentityPoolName="acme_notes_identities", AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client_id, "ServerSideTokenCheck": True}])
    (mapping,) = stack.value(template["Resources"]["IdentityPoolRoles"]["Properties"])["RoleMappings"].values()
    mapping = {k: v for k, v in mapping.items() if k != "IdentityProvider"}
    identity.set_identity_pool_roles(IdentityPoolId=identity_pool["IdentityPoolId"], Roles={},
                                     RoleMappings={f"{provider}:{client_id}": mapping})

    out_file = ROOT / "target" / "journey-stack-outputs.json"
    out_file.write_text(json.dumps(outputs))
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION=region,
               AWS_EC2_METADATA_DISABLED="true")
    binaries = Path(ROOT / "target" / "debug")
    attach = subprocess.run([str(binaries / "pool-attach"), "--endpoint-url", endpoint, "--user-pool-id", pool["Id"],
                             "--stack-outputs", str(out_file), "--apply"], env=env, capture_output=True, text=True)
    if attach.returncode != 0:
        return pool["Id"], None, attach.returncode, attach.stdout + attach.stderr
    doctor = subprocess.run([str(binaries / "pool-doctor"), "--endpoint-url", endpoint, "--user-pool-id", pool["Id"],
                             "--json"], env=env, capture_output=True, text=True)
    try:
        findings = json.loads(doctor.stdout)["findings"]
    except ValueError:
        findings = None
    return pool["Id"], findings, doctor.returncode, attach.stdout + doctor.stderr
