//! Sending one text message: the `Texter` port, and its in-memory fake (behind the
//! `fakes` feature). Amazon SNS implements it in `adapters/sns.rs`.

use std::future::Future;

/// Why a text was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("text not sent: {0}")]
pub struct TextError(pub String);

pub trait Texter {
    /// Sends `text` to `phone` (E.164).
    fn send(&self, phone: &str, text: &str) -> impl Future<Output = Result<(), TextError>> + Send;
}

#[cfg(any(test, feature = "fakes"))]
pub use fake::*;

/// The in-memory fakes, for tests and benchmarks (the `fakes` feature).
#[cfg(any(test, feature = "fakes"))]
mod fake {
    use std::sync::Mutex;

    use super::{TextError, Texter};

    /// Texts kept in memory (phone, text), for tests.
    #[derive(Debug, Default)]
    pub struct InMemoryTexter {
        sent: Mutex<Vec<(String, String)>>,
        /// When set, every send fails with this.
        pub outage: Option<TextError>,
    }

    impl InMemoryTexter {
        pub fn failing(why: &str) -> Self {
            Self {
                outage: Some(TextError(why.to_owned())),
                ..Self::default()
            }
        }

        pub fn sent(&self) -> Vec<(String, String)> {
            self.sent.lock().map(|s| s.clone()).unwrap_or_default()
        }
    }

    impl Texter for InMemoryTexter {
        async fn send(&self, phone: &str, text: &str) -> Result<(), TextError> {
            if let Some(why) = &self.outage {
                return Err(why.clone());
            }
            self.sent
                .lock()
                .map_err(|_| TextError("poisoned".into()))?
                .push((phone.to_owned(), text.to_owned()));
            Ok(())
        }
    }
}
