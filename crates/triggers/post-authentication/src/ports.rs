//! The ports sign-ins are recorded through (`LoginRecorder`, `AlertLedger`), and
//! their in-memory fake (behind the `fakes` feature). The analytics table implements
//! them in `adapters/dynamodb.rs`.

use std::future::Future;

use crate::signin::SignIn;

/// What happened to one sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Counted,
    /// This request id was counted before: nothing changed.
    AlreadyCounted,
}

/// The table could not take the sign-in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The write could not be put together.
    #[error("sign-in write not built: {0}")]
    Build(String),
    /// The table refused or could not be reached: nothing was written.
    #[error("analytics table unavailable: {0}")]
    Unavailable(String),
    /// No answer came (a timeout, a broken answer, a server error): the table may or
    /// may not have applied the write.
    #[error("analytics table did not answer: {0}")]
    Uncertain(String),
    /// Concurrent sign-ins of the same user kept conflicting until the retries ran out.
    #[error("transaction conflicts did not clear")]
    Conflicts,
}

pub trait LoginRecorder {
    fn record(
        &self,
        sign_in: &SignIn,
    ) -> impl Future<Output = Result<Recorded, RecordError>> + Send;

    /// Whether the sign-in's record is in the table: after a write that failed or ran
    /// out of time, which the table may still have applied.
    fn was_recorded(
        &self,
        sign_in: &SignIn,
    ) -> impl Future<Output = Result<bool, RecordError>> + Send;
}

/// What claiming a sign-in's new-device alert came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertClaim {
    /// This invocation sends it (and gives the claim back if the send fails).
    Claimed,
    /// An earlier invocation of the same request id claimed it: a replay.
    AlreadyClaimed,
}

/// The new-device alerts sent, one per request id, so that a replay sends none.
pub trait AlertLedger {
    fn claim_alert(
        &self,
        sign_in: &SignIn,
    ) -> impl Future<Output = Result<AlertClaim, RecordError>> + Send;

    /// Gives the claim back: the alert was not sent, so a replay may send it.
    fn release_alert(
        &self,
        sign_in: &SignIn,
    ) -> impl Future<Output = Result<(), RecordError>> + Send;
}

/// A user's summary, as read back (for tests, the demo and the package README's queries).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub sign_in_count: u64,
    pub new_device_count: u64,
    pub first_sign_in_at: String,
    pub last_sign_in_at: String,
    pub last_client_id: String,
}

#[cfg(any(test, feature = "fakes"))]
pub use fake::*;

/// The in-memory fakes, for tests and benchmarks (the `fakes` feature).
#[cfg(any(test, feature = "fakes"))]
mod fake {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::{AlertClaim, AlertLedger, LoginRecorder, RecordError, Recorded, Summary};
    use crate::signin::SignIn;

    /// Sign-ins counted in memory, for unit tests.
    #[derive(Debug, Default)]
    pub struct InMemoryRecorder {
        seen: Mutex<HashMap<String, ()>>,
        alerts: Mutex<HashMap<String, ()>>,
        summaries: Mutex<HashMap<String, Summary>>,
        /// When set, every write fails with this.
        pub outage: Option<RecordError>,
    }

    impl InMemoryRecorder {
        /// A recorder whose every write fails with `why`.
        pub fn failing(why: &str) -> Self {
            Self {
                outage: Some(RecordError::Unavailable(why.to_owned())),
                ..Self::default()
            }
        }

        pub fn summary(&self, sub: &str) -> Option<Summary> {
            self.summaries.lock().ok()?.get(sub).cloned()
        }
    }

    impl LoginRecorder for InMemoryRecorder {
        async fn record(&self, s: &SignIn) -> Result<Recorded, RecordError> {
            if let Some(why) = &self.outage {
                return Err(why.clone());
            }
            let poisoned = || RecordError::Unavailable("poisoned".into());
            let mut seen = self.seen.lock().map_err(|_| poisoned())?;
            if seen
                .insert(format!("{}#{}", s.sub, s.request_id), ())
                .is_some()
            {
                return Ok(Recorded::AlreadyCounted);
            }
            let mut summaries = self.summaries.lock().map_err(|_| poisoned())?;
            let summary = summaries.entry(s.sub.clone()).or_default();
            summary.sign_in_count += 1;
            summary.new_device_count += u64::from(s.new_device);
            if summary.first_sign_in_at.is_empty() {
                summary.first_sign_in_at = s.timestamp();
            }
            summary.last_sign_in_at = s.timestamp();
            summary.last_client_id = s.client_id.clone();
            Ok(Recorded::Counted)
        }

        async fn was_recorded(&self, s: &SignIn) -> Result<bool, RecordError> {
            if let Some(why) = &self.outage {
                return Err(why.clone());
            }
            let seen = self
                .seen
                .lock()
                .map_err(|_| RecordError::Unavailable("poisoned".into()))?;
            Ok(seen.contains_key(&format!("{}#{}", s.sub, s.request_id)))
        }
    }

    impl AlertLedger for InMemoryRecorder {
        async fn claim_alert(&self, s: &SignIn) -> Result<AlertClaim, RecordError> {
            if let Some(why) = &self.outage {
                return Err(why.clone());
            }
            let mut alerts = self
                .alerts
                .lock()
                .map_err(|_| RecordError::Unavailable("poisoned".into()))?;
            Ok(
                match alerts.insert(format!("{}#{}", s.sub, s.request_id), ()) {
                    None => AlertClaim::Claimed,
                    Some(()) => AlertClaim::AlreadyClaimed,
                },
            )
        }

        async fn release_alert(&self, s: &SignIn) -> Result<(), RecordError> {
            if let Some(why) = &self.outage {
                return Err(why.clone());
            }
            self.alerts
                .lock()
                .map_err(|_| RecordError::Unavailable("poisoned".into()))?
                .remove(&format!("{}#{}", s.sub, s.request_id));
            Ok(())
        }
    }
}
