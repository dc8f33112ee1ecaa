//! Claims Cognito never lets a trigger add, change or suppress.

pub const FORBIDDEN_CLAIMS: &[&str] = &[
    "acr",
    "amr",
    "aud",
    "at_hash",
    "auth_time",
    "azp",
    "cognito:username",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
];

pub fn is_forbidden_claim(name: &str) -> bool {
    FORBIDDEN_CLAIMS.contains(&name)
}

/// Claims clients, identity pools and Cognito itself read a meaning of their own
/// from: the OpenID Connect standard claims of an ID token and the claims of an
/// access token. A role written into one of them would be read as that meaning (an
/// app reading `email` or `scope`), so the role claim is never one of these, nor
/// `cognito:*`, nor a claim Cognito forbids changing.
pub const MEANINGFUL_CLAIMS: &[&str] = &[
    "address",
    "birthdate",
    "client_id",
    "device_key",
    "email",
    "email_verified",
    "event_id",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "scope",
    "updated_at",
    "username",
    "version",
    "website",
    "zoneinfo",
];

/// Whether a role claim named `name` would be taken for something else (see
/// [`MEANINGFUL_CLAIMS`]).
pub fn is_unfit_for_role(name: &str) -> bool {
    is_forbidden_claim(name) || name.starts_with("cognito:") || MEANINGFUL_CLAIMS.contains(&name)
}

/// Claims a role-table row's extra claims may never set, beside the role claim: those
/// Cognito forbids changing, `cognito:*` (groups and IAM roles travel in their own
/// override, which the role decides), and the claims an access token, an identity
/// pool or an app reads a meaning from (`scope`, `client_id`, `username`, the
/// `*_verified` flags). A row naming one is refused at read (logged and counted).
pub const RESERVED_FOR_ROWS: &[&str] = &[
    "client_id",
    "device_key",
    "email_verified",
    "event_id",
    "phone_number_verified",
    "scope",
    "username",
    "version",
];

/// Whether a table row may not add the claim `name` (`role_claim` is the role claim:
/// the role comes from the row's `role`, never from its claims).
pub fn is_reserved_for_rows(name: &str, role_claim: &str) -> bool {
    name == role_claim
        || is_forbidden_claim(name)
        || name.starts_with("cognito:")
        || RESERVED_FOR_ROWS.contains(&name)
}
