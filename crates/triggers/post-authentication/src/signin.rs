//! What one sign-in is, and the pure decisions about it.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use message_templates::verified_email;
use trigger_core::events::CognitoEventUserPoolsPostAuthentication;
pub use trigger_core::time::human_time;
use trigger_core::time::rfc3339;

/// One successful sign-in, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    /// The Lambda request id: a replay of the same invocation carries the same one.
    pub request_id: String,
    pub sub: String,
    pub user_pool_id: String,
    pub client_id: String,
    pub new_device: bool,
    pub trigger_source: String,
    pub at: SystemTime,
}

impl SignIn {
    /// The sign-in an event reports (`"unknown"` for a pool or client it does not name).
    pub fn of(
        event: &CognitoEventUserPoolsPostAuthentication,
        request_id: &str,
        at: SystemTime,
    ) -> Self {
        let header = &event.cognito_event_user_pools_header;
        let named = |v: Option<&String>| {
            v.map(String::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or("unknown")
                .to_owned()
        };
        Self {
            request_id: request_id.to_owned(),
            sub: event
                .request
                .user_attributes
                .get("sub")
                .cloned()
                .unwrap_or_default(),
            user_pool_id: named(header.user_pool_id.as_ref()),
            client_id: named(header.caller_context.client_id.as_ref()),
            new_device: event.request.new_device_used,
            trigger_source: crate::TRIGGER_SOURCE.to_owned(),
            at,
        }
    }

    /// `2026-11-22T09:15:04Z`
    pub fn timestamp(&self) -> String {
        rfc3339(self.at)
    }

    /// `2026-11-22`, the UTC day of the per-day counters.
    pub fn day(&self) -> String {
        self.timestamp().chars().take(10).collect()
    }

    /// The TTL attribute: seconds since the epoch when the record may be deleted.
    pub fn expires_at(&self, retention_days: u32) -> u64 {
        let until = self.at + Duration::from_secs(u64::from(retention_days) * 86_400);
        until
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default()
    }
}

/// Whom to alert: only for a sign-in from a new device, and only at an email address
/// the user has verified.
pub fn alert_recipient(attributes: &HashMap<String, String>, new_device: bool) -> Option<String> {
    if !new_device {
        return None;
    }
    verified_email(|name| attributes.get(name).map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign_in(secs: u64) -> SignIn {
        SignIn {
            request_id: "r".into(),
            sub: "s".into(),
            user_pool_id: "p".into(),
            client_id: "c".into(),
            new_device: false,
            trigger_source: "PostAuthentication_Authentication".into(),
            at: UNIX_EPOCH + Duration::from_secs(secs),
        }
    }

    #[test]
    fn times_days_and_ttl() {
        // 2026-11-22T09:15:04Z
        let s = sign_in(1_795_338_904);
        assert_eq!(s.timestamp(), "2026-11-22T09:15:04Z");
        assert_eq!(s.day(), "2026-11-22");
        assert_eq!(human_time(s.at), "2026-11-22 09:15 UTC");
        assert_eq!(s.expires_at(90), 1_795_338_904 + 90 * 86_400);
        assert_eq!(s.expires_at(1), 1_795_338_904 + 86_400);
    }

    #[test]
    fn alerts_go_only_to_verified_addresses_after_a_new_device() {
        let attrs = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let verified = attrs(&[("email", "ana@example.com"), ("email_verified", "true")]);
        assert_eq!(
            alert_recipient(&verified, true).as_deref(),
            Some("ana@example.com")
        );
        assert_eq!(alert_recipient(&verified, false), None);
        let unverified = attrs(&[("email", "ana@example.com"), ("email_verified", "false")]);
        assert_eq!(alert_recipient(&unverified, true), None);
        let no_email = attrs(&[("email_verified", "true")]);
        assert_eq!(alert_recipient(&no_email, true), None);
        let injected = attrs(&[
            ("email", "a@example.com, b@evil.example"),
            ("email_verified", "true"),
        ]);
        assert_eq!(alert_recipient(&injected, true), None);
    }
}
