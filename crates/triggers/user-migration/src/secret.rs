//! The user's plaintext password, kept out of every log, error and Debug output.

use zeroize::Zeroize;

/// A password from a migration event. It has no `Display`, its `Debug` prints
/// nothing of it, and its memory is wiped when it is dropped.
pub struct Password(String);

impl Password {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The bytes, for a hash function and nothing else.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(redacted)")
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let p = Password::new("hunter2-Secret!");
        let shown = format!("{p:?} {:#?}", Some(&p));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(p.expose(), b"hunter2-Secret!");
    }
}
