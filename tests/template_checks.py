#!/usr/bin/env python3
"""What a reviewer checks by hand in template.yaml, checked on every `make test`:

- every app client has PreventUserExistenceErrors: ENABLED (CloudFormation's default,
  LEGACY, tells a caller whether a user exists);
- every app client lists its WriteAttributes, and custom:role is not among them
  (without the list, a user may write every attribute, their role included);
- device tracking is on whenever the new-device alert is: the stack refuses alert
  settings without it (Rules), and the default settings track devices;
- every trigger of the pool has a Lambda permission for cognito-idp.amazonaws.com
  scoped to this pool (SourceArn) and this account (SourceAccount), and no other
  permission exists;
- one pre-signup build is deployed and called by the pool: the one without the
  AWS SDK unless LinkFederatedUsers is true, with the same rule settings either way;
- with ExistingUserPoolId, no pool, client, group or domain, and every permission
  and grant scoped to that pool (checkov run on the template as deployed that way);
- settings two triggers must read alike (auto-confirmation, the account checks) come
  from the same parameters, and the account checks run at token time by default.

Conditions, Fn::If and Rules are evaluated for given parameter values by a small
evaluator of the intrinsic functions the template uses.

  template_checks.py    exits 1 on the first failed check
"""

import json
import re
import sys
from pathlib import Path

from cfnlint.decode import decode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import triggers  # noqa: E402  (scripts/triggers.py: the trigger list)

ROOT = Path(__file__).resolve().parent.parent
NO_VALUE = object()


class Stack:
    """The template with parameter values: conditions and Fn::If resolved."""

    def __init__(self, template, **params):
        self.t = template
        self.params = {k: str(v.get("Default", "")) for k, v in template.get("Parameters", {}).items()}
        self.params.update(params)

    def condition(self, name) -> bool:
        return bool(self.value(self.t["Conditions"][name]))

    def value(self, node):
        """`node` with Ref to parameters, conditions and Fn::If resolved; other
        intrinsic functions are kept as they are."""
        if isinstance(node, dict) and len(node) == 1:
            (fn, arg), = node.items()
            if fn == "Ref" and arg in self.params:
                return self.params[arg]
            if fn == "Ref" and arg == "AWS::NoValue":
                return NO_VALUE
            if fn == "Fn::Equals":
                a, b = (self.value(x) for x in arg)
                return a == b
            if fn == "Fn::Not":
                return not self.value(arg[0])
            if fn == "Fn::And":
                return all(self.value(x) for x in arg)
            if fn == "Fn::Or":
                return any(self.value(x) for x in arg)
            if fn == "Condition":
                return self.condition(arg)
            if fn == "Fn::If":
                name, yes, no = arg
                return self.value(yes if self.condition(name) else no)
            # The string functions, where their arguments resolve to strings: the app
            # role slots select names out of a parameter.
            if fn == "Fn::Sub":
                text, names = (arg, {}) if isinstance(arg, str) else (arg[0], self.value(arg[1]))
                values = {**self.params, **{k: v for k, v in names.items() if isinstance(v, str)}}
                # Pseudo parameters stay as written; a resource's name or attribute, the whole Sub.
                wanted = set(re.findall(r"\$\{([\w:.]+)\}", text))
                if any(w not in values and not w.startswith("AWS::") for w in wanted):
                    return {fn: self.value(arg)}
                text = re.sub(r"\$\{([\w:.]+)\}", lambda m: values.get(m[1], m[0]), text)
                return text.replace("${!", "${")
            if fn == "Fn::Split":
                text = self.value(arg[1])
                return text.split(arg[0]) if isinstance(text, str) else node
            if fn == "Fn::Select":
                items = self.value(arg[1])
                return items[int(arg[0])] if isinstance(items, list) else node
            if fn == "Fn::Join":
                items = self.value(arg[1])
                if isinstance(items, list) and all(isinstance(i, str) for i in items):
                    return arg[0].join(items)
                return {fn: [arg[0], items]}
        if isinstance(node, dict):
            out = {k: self.value(v) for k, v in node.items()}
            return {k: v for k, v in out.items() if v is not NO_VALUE}
        if isinstance(node, list):
            return [v for v in (self.value(x) for x in node) if v is not NO_VALUE]
        return node

    def resources(self, kind):
        for name, r in self.t["Resources"].items():
            if r["Type"] == kind and ("Condition" not in r or self.condition(r["Condition"])):
                yield name, self.value(r.get("Properties", {}))

    def refused_by_rules(self):
        """The AssertDescription of every rule these parameters break."""
        broken = []
        for rule in self.t.get("Rules", {}).values():
            if "RuleCondition" in rule and not self.value(rule["RuleCondition"]):
                continue
            broken += [a["AssertDescription"] for a in rule["Assertions"] if not self.value(a["Assert"])]
        return broken


class Failed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failed(message)


def app_clients_hide_users_and_roles(stack):
    clients = list(stack.resources("AWS::Cognito::UserPoolClient"))
    check(clients, "no app client")
    for name, props in clients:
        if props.get("AllowedOAuthFlows") == ["client_credentials"]:
            # A machine client signs no user in: it has no user's token to write with.
            check(not {"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH"}
                  & set(props.get("ExplicitAuthFlows", [])), f"{name}: a machine client signs users in")
            continue
        check(props.get("PreventUserExistenceErrors") == "ENABLED",
              f"{name}: PreventUserExistenceErrors is {props.get('PreventUserExistenceErrors', 'unset (LEGACY)')}, not ENABLED")
        writable = props.get("WriteAttributes")
        check(writable is not None, f"{name}: no WriteAttributes, so users may write custom:role")
        check("custom:role" not in writable, f"{name}: users may write custom:role")
    return f"{len(clients)} app client(s): PreventUserExistenceErrors ENABLED, custom:role not writable"


def alerts_have_device_tracking(template):
    alerts = dict(AlertFromAddress="security@acme.example",
                  AlertSesIdentityArn="arn:aws:ses:eu-west-1:123456789012:identity/acme.example")
    for remember in ("always", "user-opt-in"):
        stack = Stack(template, RememberDevices=remember, **alerts)
        check(not stack.refused_by_rules(), f"alerts with RememberDevices={remember} refused: {stack.refused_by_rules()}")
        (_, pool), = stack.resources("AWS::Cognito::UserPool")
        devices = pool.get("DeviceConfiguration")
        check(devices, f"RememberDevices={remember}: the pool tracks no devices")
        check(devices["DeviceOnlyRememberedOnUserPrompt"] == (remember == "user-opt-in"),
              f"RememberDevices={remember}: {devices}")
    check(Stack(template).params["RememberDevices"] != "never", "the default does not track devices")
    broken = Stack(template, RememberDevices="never", **alerts).refused_by_rules()
    check(any("RememberDevices" in b for b in broken), "alerts without device tracking are not refused")
    broken = Stack(template, AlertFromAddress="security@acme.example").refused_by_rules()
    check(any("AlertSesIdentityArn" in b for b in broken), "alerts without a SES identity are not refused")
    (_, pool), = Stack(template, RememberDevices="never").resources("AWS::Cognito::UserPool")
    check("DeviceConfiguration" not in pool, "RememberDevices=never still tracks devices")
    return "device tracking on by default (user-opt-in); alert settings without it or without a SES identity are refused"


def triggers_are_invoked_by_this_pool_only(stack):
    (pool_name, pool), = stack.resources("AWS::Cognito::UserPool")
    lambda_config = pool.get("LambdaConfig", {})
    functions = {name for name, _ in stack.resources("AWS::Serverless::Function")}
    triggered = set()
    for target in lambda_config.values():
        if isinstance(target, dict) and "LambdaArn" in target:
            target = target["LambdaArn"]
        # A function the pool calls (KMSKeyID names the custom senders' key, no trigger).
        if isinstance(target, dict) and target.get("Fn::GetAtt", [None])[0] in functions:
            triggered.add(target["Fn::GetAtt"][0])
    check(triggered, "the pool calls no trigger")
    permitted = set()
    for name, props in stack.resources("AWS::Lambda::Permission"):
        check(props.get("Principal") == "cognito-idp.amazonaws.com", f"{name}: principal {props.get('Principal')}")
        check(props.get("Action") == "lambda:InvokeFunction", f"{name}: action {props.get('Action')}")
        check(props.get("SourceArn") == {"Fn::GetAtt": [pool_name, "Arn"]}, f"{name}: SourceArn {props.get('SourceArn')}")
        check(props.get("SourceAccount") == {"Ref": "AWS::AccountId"}, f"{name}: SourceAccount {props.get('SourceAccount')}")
        permitted.add(props["FunctionName"]["Fn::GetAtt"][0])
    check(permitted == triggered, f"permissions for {sorted(permitted)}, triggers {sorted(triggered)}")
    return f"{len(triggered)} triggers, each invocable by this pool and account only"


def references(node):
    """The logical names `node` points at with Ref, Fn::GetAtt and Fn::Sub (every
    branch of an Fn::If counts)."""
    found = set()
    if isinstance(node, dict):
        for key, arg in node.items():
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                found.add((arg.split(".")[0] if isinstance(arg, str) else arg[0]))
            elif key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                found |= {name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", text)}
                if not isinstance(arg, str):
                    found |= references(arg[1])
            else:
                found |= references(arg)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


def dependencies(template) -> dict:
    """Resource -> the resources it needs first. A SAM function `F` without a Role is
    two nodes, as the transform makes it: the role `FRole` holding its Policies, and
    `F` needing `FRole` and whatever else its properties name."""
    resources = template["Resources"]
    graph = {}
    for name, resource in resources.items():
        props = dict(resource.get("Properties") or {})
        needs = set(resource.get("DependsOn") or []) if isinstance(resource.get("DependsOn"), list) \
            else ({resource["DependsOn"]} if resource.get("DependsOn") else set())
        if resource["Type"] == "AWS::Serverless::Function" and "Role" not in props:
            graph[f"{name}Role"] = references(props.pop("Policies", []))
            needs.add(f"{name}Role")
        graph[name] = needs | references(props)
    known = set(graph)
    return {name: {n for n in needs if n in known} for name, needs in graph.items()}


def cycle_in(graph):
    """One dependency cycle as a list of names, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def pool_calls_are_narrow_and_acyclic(template):
    """Triggers that call the pool's own API: allowed on this pool only, through a
    policy of its own (the function naming the pool would be a cycle, which cfn-lint
    1.58 does not report for SAM functions), and no cycle anywhere."""
    cycle = cycle_in(dependencies(template))
    check(cycle is None, f"circular dependency: {' -> '.join(cycle or [])}")
    stack = Stack(template, DefaultGroup="readers", ClientGroups="4n7mc0rcbsjvh1ou3e5q8nt2lf=staff",
                  LinkFederatedUsers="true")
    (pool_name, _), = stack.resources("AWS::Cognito::UserPool")
    granted = {}
    for name, props in stack.resources("AWS::IAM::Policy"):
        for statement in props["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            pool_actions = [a for a in actions if a.startswith("cognito-idp:")]
            if not pool_actions:
                continue
            check("*" not in "".join(pool_actions), f"{name}: wildcard action {pool_actions}")
            check(statement["Resource"] == {"Fn::GetAtt": [pool_name, "Arn"]},
                  f"{name}: {pool_actions} on {statement['Resource']}, not this pool only")
            for role in props["Roles"]:
                granted.setdefault(role["Ref"], set()).update(pool_actions)
    expected = {"PreSignupLinkingFunctionRole": {"cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser"},
                "PostConfirmationFunctionRole": {"cognito-idp:AdminAddUserToGroup"},
                "PreAuthenticationFunctionRole": {"cognito-idp:AdminListGroupsForUser"}}
    check(granted == expected, f"pool API grants {granted}, expected {expected}")
    off = Stack(template)
    check(not list(off.resources("AWS::IAM::Policy")), "pool API granted with no default group and no client groups")
    return "no dependency cycle; pool API calls granted on this pool only, each only when its setting is on"


SENDERS_ON = {"CustomEmailSender": "true", "CustomSmsSender": "true",
              "SesEmailIdentityArn": "arn:aws:ses:eu-west-1:123456789012:identity/acme.example",
              "EmailFromAddress": "Acme Notes <no-reply@acme.example>"}


def custom_senders_are_off_by_default_and_narrow(template):
    """Off by default (they replace Cognito's own sending); on, the pool names the
    key, Cognito may only encrypt with it, and each sender may decrypt with that key
    alone and send through its own channel only."""
    off = Stack(template)
    (_, pool), = off.resources("AWS::Cognito::UserPool")
    config = pool.get("LambdaConfig", {})
    check(not {"KMSKeyID", "CustomEmailSender", "CustomSMSSender"} & set(config), f"senders on by default: {config}")
    check(not list(off.resources("AWS::KMS::Key")), "a KMS key by default")
    check(Stack(template, CustomEmailSender="true").refused_by_rules(),
          "CustomEmailSender without a SES identity is accepted")
    on = Stack(template, **SENDERS_ON)
    check(not on.refused_by_rules(), f"refused: {on.refused_by_rules()}")
    (_, pool), = on.resources("AWS::Cognito::UserPool")
    config = pool["LambdaConfig"]
    check(config.get("KMSKeyID") == {"Fn::GetAtt": ["CodeKey", "Arn"]}, f"KMSKeyID {config.get('KMSKeyID')}")
    (_, key), = on.resources("AWS::KMS::Key")
    cognito = [st for st in key["KeyPolicy"]["Statement"] if st.get("Principal") == {"Service": "cognito-idp.amazonaws.com"}]
    check(len(cognito) == 1 and cognito[0]["Action"] == "kms:Encrypt" and "Condition" in cognito[0],
          f"Cognito's use of the key: {cognito}")
    channels = {"CustomEmailSenderFunction": "ses:SendEmail", "CustomSmsSenderFunction": "sns:Publish"}
    for function, send in channels.items():
        check(config.get("CustomEmailSender" if "Email" in function else "CustomSMSSender", {}).get("LambdaArn")
              == {"Fn::GetAtt": [function, "Arn"]}, f"{function} is not the pool's sender")
        props = dict(on.resources("AWS::Serverless::Function"))[function]
        statements = [st for policy in props["Policies"] for st in policy["Statement"]]
        actions = sorted(st["Action"] for st in statements)
        check(actions == sorted(["kms:Decrypt", send]), f"{function}: {actions}")
        decrypt = next(st for st in statements if st["Action"] == "kms:Decrypt")
        check(decrypt["Resource"] == {"Fn::GetAtt": ["CodeKey", "Arn"]}, f"{function}: decrypts with {decrypt['Resource']}")
        check(all(st.get("Resource") != "*" for st in statements), f"{function}: a statement on every resource")
    return "off by default; on, Cognito only encrypts with the key, each sender only decrypts with it and sends on its channel"


PASSWORDLESS_ON = {
    "Passwordless": "true", "PasswordlessMethod": "magic-link", "CaptchaProvider": "turnstile",
    "CaptchaSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:captcha-AbCdEf",
    "PasswordlessFromAddress": "sign-in@acme.example",
    "PasswordlessSesIdentityArn": "arn:aws:ses:eu-west-1:123456789012:identity/acme.example",
    "MagicLinkAllowedOrigins": "https://app.acme.example",
}


def passwordless_is_off_by_default_and_narrow(template):
    """Off by default (no function, no table, no custom auth on the app client); on,
    the pool calls the three functions, the app client allows CUSTOM_AUTH, define
    may call nothing, create may sign with the link key and never read it, verify
    may read its public half and never sign; the table expires rows and keeps
    point-in-time recovery."""
    off = Stack(template)
    (_, pool), = off.resources("AWS::Cognito::UserPool")
    auth = {"DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse"}
    check(not auth & set(pool.get("LambdaConfig", {})), "custom auth triggers on by default")
    (_, client), = off.resources("AWS::Cognito::UserPoolClient")
    check("ALLOW_CUSTOM_AUTH" not in client["ExplicitAuthFlows"], "ALLOW_CUSTOM_AUTH by default")
    check(Stack(template, Passwordless="true").refused_by_rules(), "passwordless email without a sender is accepted")
    check(Stack(template, **{**PASSWORDLESS_ON, "CaptchaSecretArn": ""}).refused_by_rules(),
          "a bot check without its secret is accepted")
    on = Stack(template, **PASSWORDLESS_ON)
    check(not on.refused_by_rules(), f"refused: {on.refused_by_rules()}")
    (_, pool), = on.resources("AWS::Cognito::UserPool")
    check(auth <= set(pool["LambdaConfig"]), f"the pool's triggers: {sorted(pool['LambdaConfig'])}")
    (_, client), = on.resources("AWS::Cognito::UserPoolClient")
    check("ALLOW_CUSTOM_AUTH" in client["ExplicitAuthFlows"], "no ALLOW_CUSTOM_AUTH with Passwordless")
    functions = dict(on.resources("AWS::Serverless::Function"))

    def actions(function):
        policies = functions[function].get("Policies", [])
        found = set()
        for st in (st for policy in policies for st in policy["Statement"]):
            found |= set([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
            check(st.get("Resource") != "*", f"{function}: a statement on every resource")
        return found

    check(actions("DefineAuthChallengeFunction") == set(), "define may call something")
    create, verify = actions("CreateAuthChallengeFunction"), actions("VerifyAuthChallengeFunction")
    check("kms:Sign" in create and "kms:GetPublicKey" not in create, f"create: {sorted(create)}")
    check("kms:GetPublicKey" in verify and "kms:Sign" not in verify, f"verify: {sorted(verify)}")
    check("ses:SendEmail" not in verify, f"verify: {sorted(verify)}")
    (_, key), = [(n, k) for n, k in on.resources("AWS::KMS::Key") if k.get("KeyUsage") == "SIGN_VERIFY"]
    check(key["KeySpec"] == "ECC_NIST_P256", f"link key {key['KeySpec']}")
    (_, table), = [(n, t) for n, t in on.resources("AWS::DynamoDB::Table") if n == "ChallengeTable"]
    check(table["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}, "challenge rows never expire")
    check(table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, "no point-in-time recovery")
    guarded = Stack(template, **PASSWORDLESS_ON, ThreatProtection="ENFORCED")
    (_, pool), = guarded.resources("AWS::Cognito::UserPool")
    check(pool["UserPoolTier"] == "PLUS" and pool["UserPoolAddOns"]["AdvancedSecurityAdditionalFlows"]
          == {"CustomAuthMode": "ENFORCED"}, f"threat protection: {pool.get('UserPoolAddOns')}")
    return ("off by default; on, the pool calls the three, the client allows CUSTOM_AUTH, define calls nothing, "
            "only create signs and only verify reads the public key; the table expires rows, with PITR")


IDENTITY_POOL_ON = {"IdentityPool": "true", "UserFilesBucket": "true"}


def env_pairs(text) -> dict:
    return dict(pair.split("=", 1) for pair in text.split(",") if pair)


def trust_is_this_identity_pool(name, role, amr="authenticated", actions=("sts:AssumeRoleWithWebIdentity",)):
    """The role trusts cognito-identity for this identity pool (aud) and identities of
    one kind (amr) only."""
    statements = role["AssumeRolePolicyDocument"]["Statement"]
    check(len(statements) == 1, f"{name}: {len(statements)} trust statements")
    st = statements[0]
    check(st["Effect"] == "Allow" and st["Principal"] == {"Federated": "cognito-identity.amazonaws.com"},
          f"{name}: trusts {st['Principal']}")
    got = [st["Action"]] if isinstance(st["Action"], str) else st["Action"]
    check(sorted(got) == sorted(actions), f"{name}: trust actions {got}")
    cond = st["Condition"]
    check(cond.get("StringEquals", {}).get("cognito-identity.amazonaws.com:aud") == {"Ref": "UserIdentityPool"},
          f"{name}: not bound to this identity pool (aud): {cond}")
    check(cond.get("ForAnyValue:StringLike", {}).get("cognito-identity.amazonaws.com:amr") == amr,
          f"{name}: amr is not {amr}: {cond}")


def the_identity_pool_gives_the_decided_role_only(template):
    """Off by default. On (AccessControl=roles): the identity pool trusts the app client
    with the server-side token check, no guests, no classic flow; the role comes from
    the token, ambiguity denied; one IAM role per app role, trusting this identity pool's
    authenticated identities only; the pool's groups carry the same roles and
    precedences; pre-token-generation's ROLE_IAM_ROLES names exactly those roles and
    GROUP_ROLES maps each group to its role; the bucket policies follow the role names."""
    off = Stack(template)
    check(not list(off.resources("AWS::Cognito::IdentityPool")), "an identity pool by default")
    env = dict(off.resources("AWS::Serverless::Function"))["PreTokenGenerationFunction"]["Environment"]["Variables"]
    check(env["ROLE_IAM_ROLES"] == "" and env["GROUP_ROLES"] == off.params["GroupRoles"],
          f"without the identity pool: ROLE_IAM_ROLES {env['ROLE_IAM_ROLES']!r}, GROUP_ROLES {env['GROUP_ROLES']!r}")
    for app_roles in ("admin,editor,user", "owner,admin,editor,viewer,guest", "member"):
        on = Stack(template, **IDENTITY_POOL_ON, AppRoles=app_roles)
        names = app_roles.split(",")
        check(not on.refused_by_rules(), f"refused: {on.refused_by_rules()}")
        (_, pool), = on.resources("AWS::Cognito::IdentityPool")
        check(pool["AllowUnauthenticatedIdentities"] is False and pool["AllowClassicFlow"] is False,
              f"identity pool: guests {pool['AllowUnauthenticatedIdentities']}, classic flow {pool['AllowClassicFlow']}")
        (provider,) = pool["CognitoIdentityProviders"]
        check(provider == {"ClientId": {"Ref": "UserPoolClient"}, "ProviderName": {"Fn::GetAtt": ["UserPool", "ProviderName"]},
                           "ServerSideTokenCheck": True}, f"identity provider {provider}")
        (_, attachment), = on.resources("AWS::Cognito::IdentityPoolRoleAttachment")
        check(attachment["Roles"] == {}, f"a default role beside the token's: {attachment['Roles']}")
        (mapping,) = attachment["RoleMappings"].values()
        check(mapping["Type"] == "Token" and mapping["AmbiguousRoleResolution"] == "Deny", f"role mapping {mapping}")
        roles = {n: r for n, r in on.resources("AWS::IAM::Role")}
        app = {n: r for n, r in roles.items() if re.fullmatch(r"AppRole\dRole", n)}
        check(len(app) == len(names), f"{len(app)} IAM roles for the app roles {names}")
        role_names = {}
        for n, r in app.items():
            trust_is_this_identity_pool(n, r)
            role_names[r["RoleName"].rsplit("-app-", 1)[1]] = n
        check(sorted(role_names) == sorted(names), f"IAM roles for {sorted(role_names)}, app roles {names}")
        groups = {g["GroupName"]: g for _, g in on.resources("AWS::Cognito::UserPoolGroup") if g["GroupName"] in names}
        for precedence, role in enumerate(names):
            g = groups.get(role)
            check(g and g["Precedence"] == precedence, f"group {role}: {g}")
            check(g["RoleArn"] == {"Fn::GetAtt": [role_names[role], "Arn"]}, f"group {role} carries {g['RoleArn']}")
        env = dict(on.resources("AWS::Serverless::Function"))["PreTokenGenerationFunction"]["Environment"]["Variables"]
        iam = env_pairs(env["ROLE_IAM_ROLES"])
        expected = {r: f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{app[role_names[r]]['RoleName']}" for r in names}
        check(iam == expected, f"ROLE_IAM_ROLES {iam}, the roles are {expected}")
        check(env_pairs(env["GROUP_ROLES"]) == {r: r for r in names}, f"GROUP_ROLES {env['GROUP_ROLES']}")
        check(env["ROLE_PRECEDENCE"] == app_roles and env["IAM_ROLES_FROM"] == "decided",
              f"ROLE_PRECEDENCE {env['ROLE_PRECEDENCE']}, IAM_ROLES_FROM {env['IAM_ROLES_FROM']}")
        check(on.params["DefaultRole"] in names or app_roles != "admin,editor,user", "the default role has no IAM role")
        policies = {n: p for n, p in on.resources("AWS::IAM::ManagedPolicy")}
        attached = {n: sorted(app[r["Ref"]]["RoleName"].rsplit("-app-", 1)[1] for r in p["Roles"])
                    for n, p in policies.items()}
        check(attached.get("UserFilesOwnPrefixPolicy") == sorted(names), f"own prefix: {attached}")
        check(attached.get("UserFilesReadAllPolicy", []) == sorted(set(names) & {"admin", "editor"}), f"read all: {attached}")
        check(attached.get("UserFilesDeletePolicy", []) == sorted(set(names) & {"admin"}), f"delete: {attached}")
        own = policies["UserFilesOwnPrefixPolicy"]["PolicyDocument"]["Statement"]
        check(all("cognito-identity.amazonaws.com:sub}/" in json.dumps(st) for st in own), f"own prefix: {own}")
    check(Stack(template, UserFilesBucket="true").refused_by_rules(), "a bucket without the identity pool is accepted")
    return ("off by default; on, token mapping with Deny on ambiguity, server-side token check, no guests or classic "
            "flow; one IAM role per app role (3, 5 and 1 roles tried), each trusting this identity pool's "
            "authenticated identities only; groups with the same roles and precedences; ROLE_IAM_ROLES and "
            "GROUP_ROLES generated from them; bucket: own prefix for all, read-all for editor and admin, delete for admin")


def attribute_access_and_guests(template):
    """AccessControl=attributes: one role for every signed-in user, trusting this
    identity pool and allowed to tag its session, the role claim as the tag "role"; no
    role from the token, no per-role IAM role, no ROLE_IAM_ROLES. Guests only when asked,
    with a role that trusts unauthenticated identities and may do nothing."""
    on = Stack(template, **IDENTITY_POOL_ON, AccessControl="attributes", UnauthenticatedIdentities="true")
    roles = dict(on.resources("AWS::IAM::Role"))
    check(not [n for n in roles if re.fullmatch(r"AppRole\dRole", n)], "per-role IAM roles with attributes")
    trust_is_this_identity_pool("AppUserRole", roles["AppUserRole"],
                                actions=("sts:AssumeRoleWithWebIdentity", "sts:TagSession"))
    trust_is_this_identity_pool("GuestRole", roles["GuestRole"], amr="unauthenticated")
    check("Policies" not in roles["GuestRole"] and not any(
        {"Ref": "GuestRole"} in p.get("Roles", []) for _, p in on.resources("AWS::IAM::ManagedPolicy")),
        "guests may do something")
    (_, tag), = on.resources("AWS::Cognito::IdentityPoolPrincipalTag")
    check(tag["PrincipalTags"] == {"role": on.params["RoleClaim"]} and tag["UseDefaults"] is False, f"principal tags {tag}")
    (_, attachment), = on.resources("AWS::Cognito::IdentityPoolRoleAttachment")
    check("RoleMappings" not in attachment and attachment["Roles"]["authenticated"] == {"Fn::GetAtt": ["AppUserRole", "Arn"]},
          f"attachment {attachment}")
    env = dict(on.resources("AWS::Serverless::Function"))["PreTokenGenerationFunction"]["Environment"]["Variables"]
    check(env["ROLE_IAM_ROLES"] == "", f"ROLE_IAM_ROLES {env['ROLE_IAM_ROLES']}")
    by_tag = json.dumps(roles["AppUserRole"]["Policies"])
    check("aws:PrincipalTag/role" in by_tag, "the user files policy does not test the role tag")
    (_, pool), = Stack(template, IdentityPool="true").resources("AWS::Cognito::IdentityPool")
    check(pool["AllowUnauthenticatedIdentities"] is False, "guests by default")
    return "one tagged role trusting this identity pool, role claim as tag \"role\", no token mapping; guests only when asked, with no permissions"


USER_DATA_TABLES = {"ProfileTable", "AccountStatusTable", "AnalyticsTable", "LegacyUsersTable", "RoleTable", "ChallengeTable"}


def the_pool_is_hardened(template):
    """Deletion protection on by default; the pool and every table of user data are
    retained on delete and replace, with point-in-time recovery; MFA modes and methods
    as asked, SMS through a role only this account's pools may take; refresh token
    rotation turns REFRESH_TOKEN_AUTH off and needs Essentials; the machine client has a
    secret and client credentials only, for the resource server's scopes, and needs a
    domain."""
    off = Stack(template)
    (_, pool), = off.resources("AWS::Cognito::UserPool")
    check(pool["DeletionProtection"] == "ACTIVE", f"deletion protection {pool['DeletionProtection']}")
    resources = template["Resources"]
    for name in {"UserPool"} | USER_DATA_TABLES:
        r = resources[name]
        check(r.get("DeletionPolicy") == "Retain" and r.get("UpdateReplacePolicy") == "Retain",
              f"{name}: DeletionPolicy {r.get('DeletionPolicy')}, UpdateReplacePolicy {r.get('UpdateReplacePolicy')}")
    tables = {n for n, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table"}
    check(tables == USER_DATA_TABLES, f"tables not reviewed for retention: {sorted(tables - USER_DATA_TABLES)}")
    for name in tables:
        pitr = resources[name]["Properties"].get("PointInTimeRecoverySpecification", {})
        check(pitr.get("PointInTimeRecoveryEnabled") is True, f"{name}: no point-in-time recovery")
    modes = {}
    for mfa, methods in (("OFF", "totp"), ("OPTIONAL", "totp"), ("ON", "sms"), ("ON", "totp-and-sms")):
        stack = Stack(template, Mfa=mfa, MfaMethods=methods)
        (_, pool), = stack.resources("AWS::Cognito::UserPool")
        modes[f"{mfa}/{methods}"] = (pool["MfaConfiguration"], pool.get("EnabledMfas"), "SmsConfiguration" in pool)
        if "SMS_MFA" in (pool.get("EnabledMfas") or []):
            sms = dict(stack.resources("AWS::IAM::Role"))["SmsRole"]["AssumeRolePolicyDocument"]["Statement"][0]
            check(sms["Principal"] == {"Service": "cognito-idp.amazonaws.com"}
                  and sms["Condition"]["StringEquals"]["sts:ExternalId"] == pool["SmsConfiguration"]["ExternalId"]
                  and "aws:SourceAccount" in sms["Condition"]["StringEquals"], f"SMS role trust {sms}")
    check(modes == {"OFF/totp": ("OFF", None, False), "OPTIONAL/totp": ("OPTIONAL", ["SOFTWARE_TOKEN_MFA"], False),
                    "ON/sms": ("ON", ["SMS_MFA"], True),
                    "ON/totp-and-sms": ("ON", ["SOFTWARE_TOKEN_MFA", "SMS_MFA"], True)}, f"MFA: {modes}")
    check(off.params["Mfa"] != "OFF", "MFA is off by default")
    rotating = Stack(template, RefreshTokenRotation="true", PreTokenGenerationVersion="V1_0")
    (_, client), = [(n, c) for n, c in rotating.resources("AWS::Cognito::UserPoolClient") if n == "UserPoolClient"]
    (_, pool), = rotating.resources("AWS::Cognito::UserPool")
    check(client["RefreshTokenRotation"]["Feature"] == "ENABLED" and "ALLOW_REFRESH_TOKEN_AUTH" not in client["ExplicitAuthFlows"]
          and pool["UserPoolTier"] == "ESSENTIALS", f"rotation: {client['ExplicitAuthFlows']}, tier {pool['UserPoolTier']}")
    check(Stack(template, MachineClient="true").refused_by_rules(), "a machine client without a domain is accepted")
    machine = Stack(template, MachineClient="true", DomainPrefix="acme-notes")
    clients = dict(machine.resources("AWS::Cognito::UserPoolClient"))
    m = clients["MachineAppClient"]
    check(m["GenerateSecret"] is True and m["AllowedOAuthFlows"] == ["client_credentials"], f"machine client {m}")
    (_, server), = machine.resources("AWS::Cognito::UserPoolResourceServer")
    scopes = {f"{machine.params['ApiIdentifier']}/{sc['ScopeName']}" for sc in server["Scopes"]}
    check(set(m["AllowedOAuthScopes"]) == scopes, f"machine scopes {m['AllowedOAuthScopes']}, server's {scopes}")
    return ("deletion protection on; pool and 6 tables retained, all with PITR; MFA OFF/OPTIONAL/ON with totp, sms, both "
            "(SMS role for this account's pools, external id); rotation drops REFRESH_TOKEN_AUTH, on Essentials; "
            "machine client: secret, client credentials only, the resource server's scopes, a domain required")


def bulk_import_role_is_narrow(template):
    """Off by default; on, trusted by Cognito for this account only, and writing logs
    under /aws/cognito/ only."""
    check("UserImportLogsRole" not in dict(Stack(template).resources("AWS::IAM::Role")), "an import role by default")
    role = dict(Stack(template, BulkImport="true").resources("AWS::IAM::Role"))["UserImportLogsRole"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    check(trust["Principal"] == {"Service": "cognito-idp.amazonaws.com"}
          and trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
          f"import role trust {trust}")
    (policy,) = role["Policies"]
    for st in policy["PolicyDocument"]["Statement"]:
        check(all(a.startswith("logs:") for a in st["Action"]), f"import role may {st['Action']}")
        check(all(":log-group:/aws/cognito/*" in json.dumps(r) for r in st["Resource"]), f"import role on {st['Resource']}")
    return "off by default; on, trusted by Cognito for this account only, logs under /aws/cognito/ only"


EXISTING_POOL = "eu-west-1_AbCdEf123"
# Every feature that deploys functions or pool-facing roles, on an existing pool.
ADOPTED = {"ExistingUserPoolId": EXISTING_POOL, "ExistingUserPoolClientId": "4n7mc0rcbsjvh1ou3e5q8nt2lf",
           **SENDERS_ON, **PASSWORDLESS_ON, **IDENTITY_POOL_ON, "LinkFederatedUsers": "true",
           "LinkTrustedProviders": "Google", "DefaultGroup": "readers",
           "ClientGroups": "4n7mc0rcbsjvh1ou3e5q8nt2lf=staff", "BulkImport": "true", "Mfa": "ON", "MfaMethods": "sms"}
POOL_KINDS = ("AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolGroup",
              "AWS::Cognito::UserPoolDomain", "AWS::Cognito::UserPoolResourceServer")


def rendered(stack):
    """The template as CloudFormation would deploy it with the stack's parameters:
    resources whose condition is false dropped, conditions and Fn::If resolved."""
    out = {k: v for k, v in stack.t.items() if k not in ("Conditions", "Rules", "Resources", "Outputs")}
    out["Resources"] = {}
    for name, r in stack.t["Resources"].items():
        if "Condition" in r and not stack.condition(r["Condition"]):
            continue
        out["Resources"][name] = {k: stack.value(v) for k, v in r.items() if k != "Condition"}
    return out


def statements(node):
    """Every IAM policy statement in `node` (a resource's resolved properties)."""
    if isinstance(node, dict):
        if "Effect" in node and "Action" in node:
            yield node
        for v in node.values():
            yield from statements(v)
    elif isinstance(node, list):
        for v in node:
            yield from statements(v)


def an_existing_pool_is_adopted_not_created(template):
    """ExistingUserPoolId: no pool, client, group, domain or resource server; every
    invoke permission and every grant on the pool's API names that pool's ARN; the same
    functions deployed and permitted as with a created pool; the identity pool trusts the
    existing pool's client; checkov clean on the template as deployed that way."""
    arn = f"arn:${{AWS::Partition}}:cognito-idp:${{AWS::Region}}:${{AWS::AccountId}}:userpool/{EXISTING_POOL}"
    adopted = Stack(template, **ADOPTED)
    created = Stack(template, **{k: v for k, v in ADOPTED.items() if not k.startswith("Existing")})
    for kind in POOL_KINDS:
        check(not list(adopted.resources(kind)), f"{kind} created for an existing pool")
    check("SmsRole" not in dict(adopted.resources("AWS::IAM::Role")), "an SMS role for an existing pool's MFA")
    doc = rendered(adopted)
    left = references(doc["Resources"]) & {"UserPool", "UserPoolClient", "UserPoolDomain", "MachineAppClient"}
    check(not left, f"resources still name {sorted(left)}")
    permitted = {}
    for name, props in adopted.resources("AWS::Lambda::Permission"):
        check(props.get("SourceArn") == arn, f"{name}: SourceArn {props.get('SourceArn')}")
        check(props.get("SourceAccount") == {"Ref": "AWS::AccountId"}, f"{name}: SourceAccount {props.get('SourceAccount')}")
        permitted[name] = props["FunctionName"]
    expected = {name: props["FunctionName"] for name, props in created.resources("AWS::Lambda::Permission")}
    check(permitted == expected, f"permissions {sorted(permitted)}, with a created pool {sorted(expected)}")
    functions = {n for n, _ in adopted.resources("AWS::Serverless::Function")}
    check(functions == {n for n, _ in created.resources("AWS::Serverless::Function")}, "other functions deployed")
    grants = 0
    for name, r in doc["Resources"].items():
        for st in statements(r.get("Properties", {})):
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            if any(isinstance(a, str) and a.startswith("cognito-idp:") for a in actions):
                grants += 1
                check(st.get("Resource") == arn, f"{name}: {actions} on {st.get('Resource')}")
    check(grants == 3, f"{grants} grants on the pool's API, expected 3 (linking, default group, client groups)")
    (_, idp), = adopted.resources("AWS::Cognito::IdentityPool")
    (provider,) = idp["CognitoIdentityProviders"]
    check(provider["ClientId"] == ADOPTED["ExistingUserPoolClientId"]
          and provider["ProviderName"] == f"cognito-idp.${{AWS::Region}}.amazonaws.com/{EXISTING_POOL}",
          f"identity pool provider {provider}")
    refused = Stack(template, ExistingUserPoolId=EXISTING_POOL, MachineClient="true", DomainPrefix="acme").refused_by_rules()
    check(any("MachineClient must stay false" in r for r in refused), f"machine client on an existing pool: {refused}")
    refused = Stack(template, ExistingUserPoolId=EXISTING_POOL, IdentityPool="true").refused_by_rules()
    check(any("ExistingUserPoolClientId" in r for r in refused), f"identity pool without the client: {refused}")
    out = ROOT / "target" / "template-adopted.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(doc, indent=1))
    import subprocess
    done = subprocess.run([str(ROOT / ".venv-checkov/bin/python"), str(ROOT / "tests/checkov.py"), "--template", str(out)],
                          capture_output=True, text=True)
    check(done.returncode == 0, f"checkov on the adopted template:\n{done.stdout}{done.stderr}")
    return (f"no pool, client, group, domain or SMS role; {len(permitted)} invoke permissions and {grants} pool grants, "
            f"all on {EXISTING_POOL}'s ARN; identity pool on its client; {done.stdout.strip()}")


# The parameter combinations the checks above cover, each linted by cfn-lint.
COMBINATIONS = [
    {},
    IDENTITY_POOL_ON,
    {**IDENTITY_POOL_ON, "AccessControl": "attributes", "UnauthenticatedIdentities": "true"},
    {"Mfa": "OFF"},
    {"Mfa": "ON", "MfaMethods": "totp-and-sms"},
    {"MachineClient": "true", "DomainPrefix": "acme-notes", "RefreshTokenRotation": "true",
     "PreTokenGenerationVersion": "V3_0"},
    PASSWORDLESS_ON,
    {**PASSWORDLESS_ON, **IDENTITY_POOL_ON, "Mfa": "ON", "ThreatProtection": "ENFORCED"},
    SENDERS_ON,
    {"LinkFederatedUsers": "true", "LinkTrustedProviders": "Google"},
    {"BulkImport": "true"},
    ADOPTED,
]


def cfn_lint_is_clean_with_every_combination(template):
    """cfn-lint with the parameter values of each combination the checks cover."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    lint = str(Path(sys.executable).parent / "cfn-lint")

    def run(params):
        args = [f"{k}={v}" for k, v in params.items()]
        done = subprocess.run([lint, str(ROOT / "template.yaml")] + (["--parameters", *args] if args else []),
                              capture_output=True, text=True)
        return params, done

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, COMBINATIONS))
    for params, done in results:
        check(done.returncode == 0, f"cfn-lint with {params}:\n{done.stdout}{done.stderr}")
    return (f"{len(COMBINATIONS)} combinations (identity pool on/off, attributes, MFA modes, machine client, "
            "passwordless, senders, linking, bulk import, an existing pool): clean")


# The triggers whose errors include deliberate refusals (`deliberate-errors` in the
# trigger list: pre-token-generation refuses a suspended or unverified account's
# tokens): no alarm on Lambda errors, only on the lines they log at ERROR.
REFUSING = {f.logical_id for f in triggers.functions() if f.deliberate_errors}


def template_matches_the_trigger_list(template):
    """Every function a trigger package declares is in the template, built from its
    binary, under its condition; the template has no function no package declares."""
    declared = {f.logical_id: f for f in triggers.functions()}
    resources = {name: r for name, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
    check(not set(resources) - set(declared),
          f"functions no package declares: {sorted(set(resources) - set(declared))}")
    check(not set(declared) - set(resources),
          f"declared functions missing from the template: {sorted(set(declared) - set(resources))}")
    for name, f in declared.items():
        binary = resources[name].get("Metadata", {}).get("BuildProperties", {}).get("Binary")
        check(binary == f.bin, f"{name}: builds {binary}, the trigger list says {f.bin}")
        check(resources[name].get("Condition") == f.condition,
              f"{name}: condition {resources[name].get('Condition')}, the trigger list says {f.condition}")
        timeout = resources[name]["Properties"].get("Timeout", template["Globals"]["Function"]["Timeout"])
        check(timeout * 1000 == f.timeout_ms, f"{name}: timeout {timeout} s, the trigger list says {f.timeout_ms} ms")
    return f"{len(declared)} functions of {len(triggers.packages())} packages, each built from its binary"


def pre_signup_build_follows_linking(template):
    """One of the two pre-signup builds is deployed: the plain binary (no AWS SDK)
    unless LinkFederatedUsers is true, then pre-signup-linking with linking on. Both
    read the same rules, with the same values."""
    def deployed(**params):
        stack = Stack(template, **params)
        functions = dict(stack.resources("AWS::Serverless::Function"))
        (_, pool), = stack.resources("AWS::Cognito::UserPool")
        ours = {name for name in functions if name.startswith("PreSignup")}
        check(len(ours) == 1, f"pre-signup functions deployed: {sorted(ours)}")
        (name,) = ours
        target = pool["LambdaConfig"]["PreSignUp"]["Fn::GetAtt"][0]
        check(target == name, f"the pool calls {target}, deployed is {name}")
        return name, template["Resources"][name]["Metadata"]["BuildProperties"]["Binary"], \
            functions[name]["Environment"]["Variables"]

    name, binary, plain = deployed()
    check((name, binary) == ("PreSignupFunction", "pre-signup"), f"by default: {name} ({binary})")
    check(plain.get("LINK_FEDERATED_USERS", "false") == "false", "the plain build is told to link")
    name, binary, linking = deployed(LinkFederatedUsers="true", LinkTrustedProviders="Google")
    check((name, binary) == ("PreSignupLinkingFunction", "pre-signup-linking"), f"with linking: {name} ({binary})")
    check(linking.get("LINK_FEDERATED_USERS") == "true", "the linking build is not told to link")
    check(linking.get("LINK_TRUSTED_PROVIDERS") == "Google",
          "the linking build is not told which providers it may link")
    check(linking.get("PROFILE_TABLE_NAME") == {"Ref": "ProfileTable"},
          "the linking build does not read how addresses were verified")
    linking_only = {"LINK_FEDERATED_USERS", "LINK_TRUSTED_PROVIDERS", "PROFILE_TABLE_NAME"}
    rules = {k: v for k, v in linking.items() if k not in linking_only}
    check(rules == {k: v for k, v in plain.items() if k not in linking_only},
          f"the two builds read different rules: {plain} / {linking}")
    return f"pre-signup by default, pre-signup-linking with LinkFederatedUsers=true; the same {len(rules)} rule settings"


def shared_settings_agree(template):
    """Settings two triggers must read alike come from the same parameters: the
    auto-confirmation settings (post-confirmation records which addresses pre-signup
    verified without a code), and the account checks (pre-authentication and
    pre-token-generation must agree on where a suspension is enforced)."""
    stack = Stack(template)
    functions = dict(stack.resources("AWS::Serverless::Function"))

    def env(name):
        return functions[name]["Environment"]["Variables"]

    for var in ("AUTO_CONFIRM_EMAIL_DOMAINS", "AUTO_CONFIRM_VERIFIES_EMAIL"):
        for name in ("PreSignupFunction", "PostConfirmationFunction"):
            check(var in env(name), f"{name} does not read {var}")
        check(env("PreSignupFunction")[var] == env("PostConfirmationFunction")[var],
              f"{var} differs between pre-signup and post-confirmation")
    for var in ("ACCOUNT_CHECKS_AT", "ACCOUNT_STATUS_TABLE_NAME", "REQUIRE_VERIFIED_EMAIL"):
        for name in ("PreAuthenticationFunction", "PreTokenGenerationFunction"):
            check(var in env(name), f"{name} does not read {var}")
        check(env("PreAuthenticationFunction")[var] == env("PreTokenGenerationFunction")[var],
              f"{var} differs between pre-authentication and pre-token-generation")
    default = template["Parameters"]["AccountChecksAt"]["Default"]
    check(default == "token", f"the account checks run at {default} by default, not at token time")
    return "auto-confirmation alike in pre-signup and post-confirmation, account checks alike in both guards (token time by default)"


def every_function_is_watched(template, **params):
    """Every function, custom senders and passwordless on, has a log group with the retention setting,
    a metric filter counting its ERROR lines with an alarm on it, alarms on throttles
    and on a duration near its limit, and (unless its errors are deliberate refusals)
    on Lambda errors; every failure counter a trigger emits has an alarm; JSON logs."""
    stack = Stack(template, **SENDERS_ON, **PASSWORDLESS_ON, **params)
    functions = {name: props for name, props in stack.resources("AWS::Serverless::Function")}
    globals_ = template["Globals"]["Function"]
    check(globals_.get("LoggingConfig", {}).get("LogFormat") == "JSON", "functions do not log JSON lines")
    groups = {props["LogGroupName"]["Fn::Sub"]: name for name, props in stack.resources("AWS::Logs::LogGroup")}
    filters = {props["LogGroupName"]["Ref"]: props for _, props in stack.resources("AWS::Logs::MetricFilter")}
    alarms = [props for _, props in stack.resources("AWS::CloudWatch::Alarm")]
    timeout = {name: props.get("Timeout", globals_["Timeout"]) for name, props in functions.items()}

    def lambda_alarm(function, metric):
        return [a for a in alarms if a.get("MetricName") == metric and a.get("Namespace") == "AWS/Lambda"
                and a.get("Dimensions") == [{"Name": "FunctionName", "Value": {"Ref": function}}]]

    for function in functions:
        check(f"/aws/lambda/${{{function}}}" in groups, f"{function}: no log group")
        group_id = groups[f"/aws/lambda/${{{function}}}"]
        retention = template["Resources"][group_id]["Properties"].get("RetentionInDays")
        check(retention == {"Ref": "LogRetentionDays"}, f"{function}: retention {retention}")
        check(group_id in filters, f"{function}: no ERROR-line filter")
        transform = filters[group_id]["MetricTransformations"][0]
        check([a for a in alarms if a.get("MetricName") == transform["MetricName"]
               and a.get("Namespace") == transform["MetricNamespace"]], f"{function}: no alarm on its ERROR lines")
        check(lambda_alarm(function, "Throttles"), f"{function}: no throttle alarm")
        duration = lambda_alarm(function, "Duration")
        check(duration and duration[0]["Threshold"] <= timeout[function] * 1000 * 0.8,
              f"{function}: no alarm near its {timeout[function]} s limit")
        check(bool(lambda_alarm(function, "Errors")) == (function not in REFUSING),
              f"{function}: Lambda errors alarm {'missing' if function not in REFUSING else 'on refusals'}")
    emitted = set()
    for path in (ROOT / "crates").glob("*/*/src/**/*.rs"):
        emitted |= set(re.findall(r'counter!\(\s*"(\w*Failures|ConfigErrors)"', path.read_text()))
    check(bool(emitted), "no failure counter found under crates/*/*/src (has the tree moved?)")
    watched = {re.search(r"SUM\((\w+)\)", json.dumps(m["Expression"])).group(1)
               for a in alarms for m in a.get("Metrics", [])}
    check(emitted <= watched, f"failure counters without an alarm: {sorted(emitted - watched)}")
    check(list(stack.resources("AWS::CloudWatch::Dashboard")), "no dashboard")
    return (f"{len(functions)} functions with log retention, ERROR-line, throttle and duration alarms; "
            f"alarms on {', '.join(sorted(watched))}; a dashboard")


def main() -> int:
    template, matches = decode(str(ROOT / "template.yaml"))
    if matches:
        print(f"template.yaml does not parse: {matches}")
        return 1
    checks = [
        ("trigger list", lambda: template_matches_the_trigger_list(template)),
        ("app clients", lambda: app_clients_hide_users_and_roles(Stack(template))),
        ("device tracking", lambda: alerts_have_device_tracking(template)),
        ("invoke permissions", lambda: triggers_are_invoked_by_this_pool_only(Stack(template))),
        ("pool API access", lambda: pool_calls_are_narrow_and_acyclic(template)),
        ("invoke permissions, custom senders on",
         lambda: triggers_are_invoked_by_this_pool_only(Stack(template, **SENDERS_ON))),
        ("invoke permissions, linking on",
         lambda: triggers_are_invoked_by_this_pool_only(Stack(template, LinkFederatedUsers="true"))),
        ("pre-signup builds", lambda: pre_signup_build_follows_linking(template)),
        ("shared settings", lambda: shared_settings_agree(template)),
        ("custom senders", lambda: custom_senders_are_off_by_default_and_narrow(template)),
        ("passwordless", lambda: passwordless_is_off_by_default_and_narrow(template)),
        ("invoke permissions, passwordless on",
         lambda: triggers_are_invoked_by_this_pool_only(Stack(template, **PASSWORDLESS_ON))),
        ("identity pool", lambda: the_identity_pool_gives_the_decided_role_only(template)),
        ("identity pool, attributes and guests", lambda: attribute_access_and_guests(template)),
        ("user pool hardening", lambda: the_pool_is_hardened(template)),
        ("invoke permissions, identity pool on",
         lambda: triggers_are_invoked_by_this_pool_only(Stack(template, **IDENTITY_POOL_ON))),
        ("app clients, machine client on",
         lambda: app_clients_hide_users_and_roles(Stack(template, MachineClient="true", DomainPrefix="acme-notes"))),
        ("bulk import role", lambda: bulk_import_role_is_narrow(template)),
        ("an existing pool", lambda: an_existing_pool_is_adopted_not_created(template)),
        ("cfn-lint", lambda: cfn_lint_is_clean_with_every_combination(template)),
        ("operations", lambda: every_function_is_watched(template)),
        ("operations, linking on", lambda: every_function_is_watched(template, LinkFederatedUsers="true")),
    ]
    failed = 0
    for title, run in checks:
        try:
            print(f"template: {title}: {run()}")
        except Failed as failure:
            print(f"template: {title}: FAILED: {failure}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
