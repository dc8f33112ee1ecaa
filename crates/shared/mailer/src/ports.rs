//! The port: sending one [`Mail`], and a fake that keeps what it is given.

use std::future::Future;

use crate::Mail;

/// Why an email was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The mail could not be put together (an empty part, say).
    #[error("mail not built: {0}")]
    Build(String),
    /// The service refused it, failed, or did not answer.
    #[error("mail not sent: {0}")]
    Send(String),
}

pub trait Mailer {
    fn send(&self, mail: &Mail) -> impl Future<Output = Result<(), MailError>> + Send;
}

#[cfg(any(test, feature = "fakes"))]
pub use fake::InMemoryMailer;

#[cfg(any(test, feature = "fakes"))]
mod fake {
    use std::sync::Mutex;

    use super::{MailError, Mailer};
    use crate::Mail;

    /// Mail kept in memory, for tests.
    #[derive(Debug, Default)]
    pub struct InMemoryMailer {
        sent: Mutex<Vec<Mail>>,
        /// When set, every send fails with this.
        pub outage: Option<MailError>,
    }

    impl InMemoryMailer {
        /// A mailer whose every send fails with `why`.
        pub fn failing(why: &str) -> Self {
            Self {
                outage: Some(MailError::Send(why.to_owned())),
                ..Self::default()
            }
        }

        /// What was sent, in order.
        pub fn sent(&self) -> Vec<Mail> {
            self.sent.lock().map(|s| s.clone()).unwrap_or_default()
        }
    }

    impl Mailer for InMemoryMailer {
        async fn send(&self, mail: &Mail) -> Result<(), MailError> {
            if let Some(why) = &self.outage {
                return Err(why.clone());
            }
            self.sent
                .lock()
                .map_err(|_| MailError::Send("poisoned".into()))?
                .push(mail.clone());
            Ok(())
        }
    }
}
