#!/usr/bin/env python3
"""Writes the app-role parts of template.yaml: CloudFormation cannot loop over a
parameter's list without a transform, so AppRoles (at most five names, strongest first)
gets five slots, each switched on when the list has that many names. For every slot:
its conditions, an IAM role the identity pool may give (AccessControl=roles), and (unless the
pool is an existing one) a user-pool group of the role's name carrying that IAM role and the slot's precedence;
then the bucket policies attached to the slots by role name, and the two settings
pre-token-generation reads (GROUP_ROLES and ROLE_IAM_ROLES) built from the slots.
Rewrites the text between its markers.

  scripts/gen_identity_pool.py
"""

from pathlib import Path

SLOTS = 5
# App role IAM roles are named STACK-app-ROLE (the stack name and the role together at
# most 64 characters), so that pre-token-generation's ROLE_IAM_ROLES can name them.
ROLE_INFIX = "app"
TEMPLATE = Path(__file__).resolve().parent.parent / "template.yaml"


def name(i):
    # AppRoles padded with empty names, so that every slot has one to select.
    return f'!Select [{i}, !Split [",", !Sub "${{AppRoles}}{"," * (SLOTS - 1)}"]]'


def conditions():
    out = []
    for i in range(SLOTS):
        out += [
            f"  AppRole{i}: !And [!Condition IdentityPoolOn, !Not [!Equals [{name(i)}, \"\"]]]\n",
            f"  AppRole{i}Iam: !And [!Condition AppRole{i}, !Condition AccessByRoles]\n",
            f"  AppRole{i}ReadsAll: !And [!Condition AppRole{i}Iam, !Condition UserFilesOn, "
            f"!Or [!Equals [{name(i)}, admin], !Equals [{name(i)}, editor]]]\n",
            f"  AppRole{i}Deletes: !And [!Condition AppRole{i}Iam, !Condition UserFilesOn, !Equals [{name(i)}, admin]]\n",
            # An adopted pool (ExistingUserPoolId) gets no groups: it has its own.
            f"  AppRole{i}MakesGroup: !And [!Condition AppRole{i}, !Condition CreatesPool]\n",
        ]
    for kind in ("ReadsAll", "Deletes"):
        out.append(f"  UserFiles{kind}: !Or [{', '.join(f'!Condition AppRole{i}{kind}' for i in range(SLOTS))}]\n")
    return "".join(out)


def roles_where(kind, extra=""):
    items = "".join(f"        - !If [AppRole{i}{kind}, !Ref AppRole{i}Role, !Ref AWS::NoValue]\n" for i in range(SLOTS))
    return "      Roles:\n" + items + extra


def managed_policy(logical, condition, description, roles, statements):
    return (f"  {logical}:\n    Type: AWS::IAM::ManagedPolicy\n    Condition: {condition}\n    Properties:\n"
            f"      Description: {description}\n{roles}"
            f"      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n{statements}\n")


def resources():
    out = []
    for i in range(SLOTS):
        out.append(
            f"  AppRole{i}Role:\n    Type: AWS::IAM::Role\n    Condition: AppRole{i}Iam\n    Properties:\n"
            f"      RoleName: !Sub [\"${{AWS::StackName}}-{ROLE_INFIX}-${{Name}}\", {{Name: {name(i)}}}]\n"
            f"      Description: !Sub [\"Identity pool role of the app role ${{Name}}\", {{Name: {name(i)}}}]\n"
            f"      AssumeRolePolicyDocument: !If [AccessByRoles, *TRUST*, !Ref AWS::NoValue]\n\n"
            f"  AppRole{i}Group:\n    Type: AWS::Cognito::UserPoolGroup\n    Condition: AppRole{i}MakesGroup\n    Properties:\n"
            f"      UserPoolId: !Ref UserPool\n      GroupName: {name(i)}\n      Precedence: {i}\n"
            f"      RoleArn: !If [AppRole{i}Iam, !GetAtt AppRole{i}Role.Arn, !Ref AWS::NoValue]\n"
            f"      Description: !Sub [\"Members have the app role ${{Name}}\", {{Name: {name(i)}}}]\n\n")
    own = ("          - Sid: ListOwnPrefix\n            Effect: Allow\n            Action: s3:ListBucket\n"
           "            Resource: !GetAtt UserFiles.Arn\n            Condition:\n"
           "              StringLike:\n                s3:prefix: [\"${cognito-identity.amazonaws.com:sub}/*\"]\n"
           "          - Sid: ReadWriteOwnPrefix\n            Effect: Allow\n            Action: [s3:GetObject, s3:PutObject]\n"
           "            Resource: !Sub \"${UserFiles.Arn}/${!cognito-identity.amazonaws.com:sub}/*\"")
    read_all = ("          - Effect: Allow\n            Action: s3:ListBucket\n            Resource: !GetAtt UserFiles.Arn\n"
                "          - Effect: Allow\n            Action: s3:GetObject\n            Resource: !Sub \"${UserFiles.Arn}/*\"")
    delete = ("          - Effect: Allow\n            Action: s3:DeleteObject\n            Resource: !Sub \"${UserFiles.Arn}/*\"")
    out.append(managed_policy(
        "UserFilesOwnPrefixPolicy", "UserFilesOn", "Each identity lists, reads and writes under its own prefix",
        roles_where("Iam", "        - !If [AccessByAttributes, !Ref AppUserRole, !Ref AWS::NoValue]\n"), own))
    out.append(managed_policy("UserFilesReadAllPolicy", "UserFilesReadsAll", "The editor and admin app roles read every object",
                              roles_where("ReadsAll"), read_all))
    out.append(managed_policy("UserFilesDeletePolicy", "UserFilesDeletes", "The admin app role deletes objects",
                              roles_where("Deletes"), delete))
    return "".join(out)


def settings():
    """GROUP_ROLES and ROLE_IAM_ROLES as pre-token-generation reads them, built from the
    slots (a group per app role, named after it; the IAM role of each)."""
    def entries(kind, value):
        return "".join(f"                - !If [AppRole{i}{kind}, !Sub [\"${{Name}}={value(i)}\", {{Name: {name(i)}}}], "
                       f"!Ref AWS::NoValue]\n" for i in range(SLOTS))
    # The ARN from the role's name: naming the role resource would be a cycle (the pool
    # calls this function, the role trusts the identity pool, which trusts the pool).
    arn = f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/${{AWS::StackName}}-{ROLE_INFIX}-${{Name}}"
    return ("          # With the identity pool, the group of every app role maps to that role.\n"
            "          GROUP_ROLES: !If\n            - IdentityPoolOn\n            - !Join\n              - \",\"\n"
            "              - - !If [HasGroupRoles, !Ref GroupRoles, !Ref AWS::NoValue]\n"
            + entries("", lambda i: "${Name}") +
            "            - !Ref GroupRoles\n"
            "          # The IAM role of every app role, never typed by hand.\n"
            "          ROLE_IAM_ROLES: !If\n            - AccessByRoles\n            - !Join\n              - \",\"\n"
            "              -\n" + entries("Iam", lambda i: arn) +
            "            - \"\"\n")


def replace_between(text, start, end, body):
    a = text.index(start) + len(start)
    b = text.index(end, a)
    return text[:a] + body + text[b:]


def main():
    s = TEMPLATE.read_text()
    trust = ("\n".join(TRUST_LINES))
    s = replace_between(s, "  # --- App roles (generated by scripts/gen_identity_pool.py; edit it, not this) ---\n",
                        "  # --- end of app roles ---", conditions())
    body = resources().replace("!If [AccessByRoles, *TRUST*, !Ref AWS::NoValue]", "\n" + trust)
    s = replace_between(s, "  # --- App roles (generated by scripts/gen_identity_pool.py; edit it, not this) ------\n",
                        "  # --- end of app roles resources ---", body)
    s = replace_between(s, "          # --- (generated by scripts/gen_identity_pool.py)\n",
                        "          # --- (end of generated settings)", settings())
    TEMPLATE.write_text(s)


# Only this identity pool's authenticated identities may take an app role.
TRUST_LINES = [
    "        Version: \"2012-10-17\"",
    "        Statement:",
    "          - Effect: Allow",
    "            Principal:",
    "              Federated: cognito-identity.amazonaws.com",
    "            Action: sts:AssumeRoleWithWebIdentity",
    "            Condition:",
    "              StringEquals:",
    "                cognito-identity.amazonaws.com:aud: !Ref UserIdentityPool",
    "              ForAnyValue:StringLike:",
    "                cognito-identity.amazonaws.com:amr: authenticated",
]

if __name__ == "__main__":
    main()
