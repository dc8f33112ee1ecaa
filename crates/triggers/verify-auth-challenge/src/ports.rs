//! The bot-check provider's port, and its fake (behind the `fakes` feature).

use std::future::Future;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bot check unavailable: {0}")]
pub struct BotCheckError(pub String);

/// The provider's siteverify: whether `token` (what the app's widget gave the user)
/// passes.
pub trait BotCheck {
    fn passes(&self, token: &str) -> impl Future<Output = Result<bool, BotCheckError>> + Send;
}

#[cfg(any(test, feature = "fakes"))]
pub use fake::FixedBotCheck;

#[cfg(any(test, feature = "fakes"))]
mod fake {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::{BotCheck, BotCheckError};

    /// Passes exactly the tokens it was given; counts its calls.
    #[derive(Debug, Default)]
    pub struct FixedBotCheck {
        pub passing: Vec<String>,
        pub outage: Option<String>,
        calls: AtomicUsize,
    }

    impl FixedBotCheck {
        pub fn passing(tokens: &[&str]) -> Self {
            Self {
                passing: tokens.iter().map(|t| (*t).to_owned()).collect(),
                ..Self::default()
            }
        }

        pub fn calls(&self) -> usize {
            self.calls.load(Ordering::Relaxed)
        }
    }

    impl BotCheck for FixedBotCheck {
        async fn passes(&self, token: &str) -> Result<bool, BotCheckError> {
            self.calls.fetch_add(1, Ordering::Relaxed);
            if let Some(why) = &self.outage {
                return Err(BotCheckError(why.clone()));
            }
            Ok(self.passing.iter().any(|t| t == token))
        }
    }
}
