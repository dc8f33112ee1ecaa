//! The users of the old system, keyed by the normalized username, as the trigger sees
//! them. Read through the `LegacyUserStore` port (`ports.rs`); the DynamoDB table and
//! its item format are in `adapters/dynamodb.rs`.

use std::collections::BTreeMap;

pub const KEY_ATTRIBUTE: &str = "username";

/// The key of the item where `legacy-import` records the scheme and cost most of
/// the imported users' hashes have (`profile`, e.g. `Bcrypt cost 10`; `users`, how
/// many; `of`, out of how many): what `DUMMY_HASH` must match. No legacy username
/// holds a space, so no user has this key.
pub const HASH_PROFILE_KEY: &str = "legacy hash profile";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Disabled,
}

impl Status {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }
}

/// One user of the old system.
#[derive(Clone, PartialEq, Eq)]
pub struct LegacyUser {
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub phone_number: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub status: Status,
    pub migrated_at: Option<String>,
}

impl std::fmt::Debug for LegacyUser {
    /// Everything but the hash.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyUser")
            .field("username", &self.username)
            .field("status", &self.status)
            .field("migrated_at", &self.migrated_at)
            .field("password_hash", &"(redacted)")
            .finish_non_exhaustive()
    }
}

/// The usernames of the old system compare like this: trimmed, and lower-cased when
/// they are email addresses.
pub fn normalize_username(raw: &str) -> String {
    let trimmed = raw.trim();
    if trimmed.contains('@') {
        trimmed.to_lowercase()
    } else {
        trimmed.to_owned()
    }
}

/// What is wrong with a legacy row: the field and a fixed reason. It has no room for
/// the field's value, so a row's hash or password can never reach a log through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowProblem {
    pub field: &'static str,
    pub why: &'static str,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.field, self.why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_normalize_emails_only() {
        assert_eq!(normalize_username("  Ana@Example.COM "), "ana@example.com");
        assert_eq!(normalize_username("JordanLee"), "JordanLee");
    }
}
