"""Where moto's Cognito differs from Cognito in what pool-attach and pool-doctor touch,
made to follow Cognito's documentation (served by scripts/moto_server.py):

- UpdateUserPool. Cognito: "If you don't provide a value for an attribute, Amazon
  Cognito sets it to its default value", while the settings fixed at creation
  (UsernameAttributes, AliasAttributes, UsernameConfiguration, the schema) cannot be
  changed by it at all. moto 5.2.5 resets its whole stored configuration, so it forgets
  those creation-only settings, but keeps MfaConfiguration when the request omits it
  and never moves LastModifiedDate. Here an update keeps the creation-only settings,
  resets an omitted MfaConfiguration to OFF, renames the pool on PoolName and moves
  LastModifiedDate.
- GetIdentityPoolRoles and SetIdentityPoolRoles, which moto's cognito-identity lacks:
  the roles and role mappings are kept per identity pool, as sent.
"""

import json

from amz_json import error, reply, target_action

CREATION_ONLY = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")
IDENTITY_ACTIONS = {"GetIdentityPoolRoles", "SetIdentityPoolRoles"}
ROLES = {}


def install() -> None:
    """Replaces moto's update_user_pool (once, at server start)."""
    from moto.cognitoidp.models import CognitoIdpBackend
    from moto.core.utils import utcnow

    def update_user_pool(self, user_pool_id, extended_config):
        pool = self.describe_user_pool(user_pool_id)
        config = {k: v for k, v in (extended_config or {}).items() if k != "UserPoolId" and k not in CREATION_ONLY}
        kept = {k: pool.extended_config[k] for k in CREATION_ONLY if k in pool.extended_config}
        if "PoolName" in config:
            pool.name = config.pop("PoolName")
        pool.update_extended_config({**config, **kept})
        pool.mfa_config = config.get("MfaConfiguration") or "OFF"
        pool.extended_config["MfaConfiguration"] = pool.mfa_config
        pool.last_modified_date = utcnow()

    CognitoIdpBackend.update_user_pool = update_user_pool


def action_of(environ):
    return target_action(environ, "AWSCognitoIdentityService", IDENTITY_ACTIONS)


def handles(environ) -> bool:
    return action_of(environ) is not None


def answer(environ, start_response, lock):
    from moto.cognitoidentity.models import cognitoidentity_backends

    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    pool_id = body.get("IdentityPoolId", "")
    region = pool_id.split(":", 1)[0]
    with lock:
        exists = any(pool_id in backend.identity_pools
                     for regions in cognitoidentity_backends.values() for r, backend in regions.items() if r == region)
    if not exists:
        return error(start_response, "ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")
    if action_of(environ) == "SetIdentityPoolRoles":
        ROLES[pool_id] = {"Roles": body.get("Roles", {}), "RoleMappings": body.get("RoleMappings", {})}
        return reply(start_response, "200 OK", {})
    return reply(start_response, "200 OK", {"IdentityPoolId": pool_id, **ROLES.get(pool_id, {"Roles": {}})})

