//! The ports: the challenge table and the signing key, with in-memory fakes behind
//! the `fakes` feature.

use std::future::Future;

/// A send allowed per user: at most one per `cooldown` seconds and `per_hour` in
/// any hour window (`SEND_COOLDOWN_SECONDS`, `SEND_MAX_PER_HOUR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub cooldown: u64,
    pub per_hour: u32,
}

/// The one outstanding code or link of a user: only a digest of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// `code` or `link`.
    pub kind: &'static str,
    /// A code's salted digest ([`crate::code::digest`]) or a link nonce's
    /// ([`crate::token::nonce_digest`]).
    pub digest: String,
    /// The code's salt (empty for a link).
    pub salt: String,
    /// Seconds since the epoch.
    pub expires: u64,
    /// Names this send in the sign-in's session (`CODE-<send>`).
    pub send: String,
}

/// What [`ChallengeStore::reserve`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The send may go: `pending` is now the user's outstanding code or link.
    Granted,
    /// Too soon: nothing was recorded; the next send is allowed in `seconds`.
    Wait { seconds: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("challenge table unavailable: {0}")]
    Unavailable(String),
    #[error("challenge table row unusable: {0}")]
    Unusable(String),
}

/// The challenge table: per user (`key`: pool and user name), the send counters
/// and the one outstanding code or link.
pub trait ChallengeStore {
    /// Records a send at `now` with `pending` as the outstanding one, in one
    /// conditional write, if `limits` allow it; concurrent calls for one user
    /// cannot both be granted within one cooldown.
    fn reserve(
        &self,
        key: &str,
        now: u64,
        limits: Limits,
        pending: &Pending,
    ) -> impl Future<Output = Result<Reservation, StoreError>> + Send;

    /// The outstanding code or link, if any (a consistent read).
    fn pending(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<Pending>, StoreError>> + Send;

    /// Accepts the link whose nonce has `digest`: true for exactly one caller,
    /// while it is outstanding and not expired at `now`; it is then gone.
    fn consume_link(
        &self,
        key: &str,
        digest: &str,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("signing failed: {0}")]
pub struct SignError(pub String);

/// The key that signs magic-link tokens (KMS `Sign`, ECDSA P-256 with SHA-256).
pub trait Signer {
    /// The DER signature of `message`.
    fn sign(&self, message: &[u8]) -> impl Future<Output = Result<Vec<u8>, SignError>> + Send;
}

#[cfg(any(test, feature = "fakes"))]
pub use fake::{InMemoryChallenges, LocalSigner};

#[cfg(any(test, feature = "fakes"))]
mod fake {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};

    use super::*;

    #[derive(Debug, Default, Clone)]
    struct Row {
        last_sent: u64,
        window_start: u64,
        window_count: u32,
        pending: Option<Pending>,
    }

    /// The challenge table in memory, with the same rules as the DynamoDB one.
    #[derive(Debug, Default)]
    pub struct InMemoryChallenges {
        rows: Mutex<HashMap<String, Row>>,
        /// When set, every call fails with this.
        pub outage: Option<String>,
    }

    impl InMemoryChallenges {
        pub fn failing(why: &str) -> Self {
            Self {
                outage: Some(why.to_owned()),
                ..Self::default()
            }
        }

        fn rows(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Row>>, StoreError> {
            if let Some(why) = &self.outage {
                return Err(StoreError::Unavailable(why.clone()));
            }
            self.rows
                .lock()
                .map_err(|_| StoreError::Unavailable("poisoned".into()))
        }
    }

    impl ChallengeStore for InMemoryChallenges {
        async fn reserve(
            &self,
            key: &str,
            now: u64,
            limits: Limits,
            pending: &Pending,
        ) -> Result<Reservation, StoreError> {
            let mut rows = self.rows()?;
            let row = rows.entry(key.to_owned()).or_default();
            let fresh = row.window_count == 0;
            let cooled = fresh || now >= row.last_sent + limits.cooldown;
            let new_window = fresh || now >= row.window_start + 3600;
            if cooled && (new_window || row.window_count < limits.per_hour) {
                if new_window {
                    row.window_start = now;
                    row.window_count = 0;
                }
                row.window_count += 1;
                row.last_sent = now;
                row.pending = Some(pending.clone());
                return Ok(Reservation::Granted);
            }
            Ok(Reservation::Wait {
                seconds: super::wait_for(
                    now,
                    row.last_sent,
                    row.window_start,
                    row.window_count,
                    limits,
                ),
            })
        }

        async fn pending(&self, key: &str) -> Result<Option<Pending>, StoreError> {
            Ok(self.rows()?.get(key).and_then(|r| r.pending.clone()))
        }

        async fn consume_link(
            &self,
            key: &str,
            digest: &str,
            now: u64,
        ) -> Result<bool, StoreError> {
            let mut rows = self.rows()?;
            let Some(row) = rows.get_mut(key) else {
                return Ok(false);
            };
            let live = row
                .pending
                .as_ref()
                .is_some_and(|p| p.kind == "link" && p.digest == digest && now < p.expires);
            if live {
                row.pending = None;
            }
            Ok(live)
        }
    }

    /// A P-256 key in memory standing in for the KMS key.
    #[derive(Debug)]
    pub struct LocalSigner {
        pair: EcdsaKeyPair,
        /// When set, every signing fails with this.
        pub outage: Option<String>,
    }

    impl Default for LocalSigner {
        // A test fake: a machine that cannot make a key pair cannot run the tests.
        #[allow(clippy::expect_used)]
        fn default() -> Self {
            Self {
                pair: EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING)
                    .expect("a P-256 key pair"),
                outage: None,
            }
        }
    }

    impl LocalSigner {
        /// The public half, as KMS `GetPublicKey` gives it (DER SubjectPublicKeyInfo).
        pub fn public_der(&self) -> Vec<u8> {
            self.pair
                .public_key()
                .as_der()
                .map(|d| d.as_ref().to_vec())
                .unwrap_or_default()
        }
    }

    impl Signer for LocalSigner {
        async fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
            if let Some(why) = &self.outage {
                return Err(SignError(why.clone()));
            }
            self.pair
                .sign(&SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| SignError("local signing failed".into()))
        }
    }
}

/// Seconds until the next send is allowed for a user whose row says this.
pub fn wait_for(
    now: u64,
    last_sent: u64,
    window_start: u64,
    window_count: u32,
    limits: Limits,
) -> u64 {
    let cooled_at = last_sent + limits.cooldown;
    let window_at = match window_count >= limits.per_hour {
        true => window_start + 3600,
        false => 0,
    };
    cooled_at.max(window_at).saturating_sub(now).max(1)
}

/// The challenge table's key of a user: the pool and the user name Cognito gives
/// the triggers (create writes under it, verify consumes under it).
pub fn table_key(pool: &str, user: &str) -> String {
    format!("{pool}#{user}")
}

/// Seconds since the epoch, as the table's and the tokens' times count.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(send: &str) -> Pending {
        Pending {
            kind: "link",
            digest: format!("d-{send}"),
            salt: String::new(),
            expires: 10_000,
            send: send.into(),
        }
    }

    #[tokio::test]
    async fn the_cooldown_and_the_hourly_limit_hold() {
        let store = InMemoryChallenges::default();
        let limits = Limits {
            cooldown: 60,
            per_hour: 3,
        };
        let r = |now| {
            let store = &store;
            async move {
                store
                    .reserve("k", now, limits, &pending("a"))
                    .await
                    .unwrap()
            }
        };
        assert_eq!(r(1_000).await, Reservation::Granted);
        assert_eq!(r(1_030).await, Reservation::Wait { seconds: 30 });
        assert_eq!(r(1_060).await, Reservation::Granted);
        assert_eq!(r(1_120).await, Reservation::Granted);
        // Three in this hour: the fourth waits for the window (started at 1,000).
        assert_eq!(r(1_200).await, Reservation::Wait { seconds: 3_400 });
        assert_eq!(r(4_600).await, Reservation::Granted);
    }

    #[tokio::test]
    async fn a_link_is_accepted_once_and_only_while_outstanding() {
        let store = InMemoryChallenges::default();
        let limits = Limits {
            cooldown: 60,
            per_hour: 5,
        };
        store
            .reserve("k", 100, limits, &pending("a"))
            .await
            .unwrap();
        assert!(
            !store.consume_link("k", "d-b", 200).await.unwrap(),
            "another digest"
        );
        assert!(
            !store.consume_link("k", "d-a", 10_000).await.unwrap(),
            "expired"
        );
        assert!(store.consume_link("k", "d-a", 200).await.unwrap());
        assert!(!store.consume_link("k", "d-a", 201).await.unwrap(), "used");
        // A newer link replaces the older one.
        store
            .reserve("k", 300, limits, &pending("b"))
            .await
            .unwrap();
        store
            .reserve("k", 400, limits, &pending("c"))
            .await
            .unwrap();
        assert!(!store.consume_link("k", "d-b", 401).await.unwrap());
        assert!(store.consume_link("k", "d-c", 401).await.unwrap());
    }
}
