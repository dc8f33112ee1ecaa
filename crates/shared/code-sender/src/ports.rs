//! The port the senders read Cognito's codes through, and its in-memory fake.

use std::future::Future;

use crate::Code;

/// Why a code could not be read. None of them carries the code, the ciphertext or
/// key material: only what the Encryption SDK or KMS said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    #[error("the code is not base64")]
    NotBase64,
    /// The Encryption SDK refused the message (another key, too many data keys, a
    /// truncated or altered message, a suite without key derivation) or KMS refused,
    /// failed or did not answer.
    #[error("the code was not decrypted: {0}")]
    Refused(String),
    #[error("the decrypted code is not text")]
    NotText,
}

/// Turns `request.code` into the code.
pub trait CodeReader {
    fn read(&self, ciphertext: &str) -> impl Future<Output = Result<Code, DecryptError>>;
}

#[cfg(any(test, feature = "fakes"))]
pub use fake::*;

/// The in-memory fakes, for tests and benchmarks (the `fakes` feature).
#[cfg(any(test, feature = "fakes"))]
mod fake {
    use std::collections::HashMap;

    use super::{CodeReader, DecryptError};
    use crate::Code;

    /// Codes kept in memory (ciphertext -> code), for tests of what happens around the
    /// decryption; the decryption itself is tested with [`KmsCodes`] against KMS.
    #[derive(Debug, Default)]
    pub struct InMemoryCodes {
        codes: HashMap<String, String>,
    }

    impl InMemoryCodes {
        pub fn with<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
            Self {
                codes: pairs
                    .into_iter()
                    .map(|(c, p)| (c.to_owned(), p.to_owned()))
                    .collect(),
            }
        }
    }

    impl CodeReader for InMemoryCodes {
        async fn read(&self, ciphertext: &str) -> Result<Code, DecryptError> {
            self.codes
                .get(ciphertext)
                .map(|code| Code::new(code.clone()))
                .ok_or_else(|| DecryptError::Refused("not a code this store holds".into()))
        }
    }
}
