//! Cognito's codes: ciphertext of the AWS Encryption SDK, decrypted under the pool's
//! KMS key by the SDK itself (`adapters/kms.rs`) into a [`Code`] that never prints.

use std::fmt;

use zeroize::Zeroizing;

/// A code (or a temporary password) in clear. Wiped from memory when dropped; its
/// `Debug` shows `Code(..)`; it has no `Display` and no `Serialize`, so it cannot end
/// up in a log line, an error or an answer by accident.
pub struct Code(Zeroizing<String>);

impl Code {
    pub fn new(text: String) -> Self {
        Self(Zeroizing::new(text))
    }

    /// The code itself, for the one place that needs it: the message.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Code(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_never_prints() {
        let code = Code::new("482913".into());
        assert_eq!(format!("{code:?}"), "Code(..)");
        assert_eq!(code.expose(), "482913");
    }
}
