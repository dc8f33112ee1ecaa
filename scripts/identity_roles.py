"""The role an identity pool with token-based role mapping gives for a user pool ID
token, by the rules AWS documents for `Type: Token` (the template's mapping):

1. a `CustomRoleArn` the app asks for is given only if it is one of `cognito:roles`;
2. otherwise `cognito:preferred_role`;
3. otherwise the only role of `cognito:roles`;
4. otherwise (no role, or several without a preferred one) the mapping is ambiguous,
   and the template resolves ambiguity as Deny.

moto's cognito-identity hands out the same credentials whatever the mapping, so the
journey uses this to show which role the real service would give.
"""


def resolve(claims: dict, custom_role_arn: str = None):
    """(role ARN, why) for this token's claims; the ARN is None when denied."""
    roles = claims.get("cognito:roles") or []
    if isinstance(roles, str):
        roles = [roles]
    preferred = claims.get("cognito:preferred_role")
    if custom_role_arn is not None:
        if custom_role_arn in roles:
            return custom_role_arn, "CustomRoleArn, one of cognito:roles"
        return None, "denied: CustomRoleArn is not in cognito:roles"
    if preferred:
        return preferred, "cognito:preferred_role"
    if len(roles) == 1:
        return roles[0], "the only role in cognito:roles"
    return None, "denied: ambiguous (no preferred role and %d roles)" % len(roles)


def role_name(arn):
    return arn.rsplit("/", 1)[-1] if arn else "-"
