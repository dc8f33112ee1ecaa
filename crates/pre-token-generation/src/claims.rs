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
