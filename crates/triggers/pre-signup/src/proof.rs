//! How a native user's address was verified, as post-confirmation records it in the
//! profile table when the user is confirmed (`verified_email`, `email_verified_by`),
//! read by linking: only an address its owner proved with a code may bring a
//! federated identity into their account. Cognito's `email_verified` alone does not
//! say how it became true (a pre sign-up trigger, an administrator or a migration may
//! set it without any proof).
//!
//! Read through the `EmailProofs` port (`ports.rs`).

use email_domains::proof::recorded_form;
pub use email_domains::proof::{VerifiedBy, VERIFIED_BY, VERIFIED_EMAIL};

/// What the profile row says about a user's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailProof {
    pub email: String,
    pub by: VerifiedBy,
}

impl EmailProof {
    /// Whether the row proves `email`: verified with a code, and that same address
    /// (a user who changed their address since has proven the old one only).
    pub fn proves(&self, email: &str) -> bool {
        self.by == VerifiedBy::Code && recorded_form(&self.email) == recorded_form(email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_code_proves_and_only_the_address_it_proved() {
        let proof = |by| EmailProof {
            email: "maria.garcia@example.com".into(),
            by,
        };
        assert!(proof(VerifiedBy::Code).proves("Maria.Garcia@example.com "));
        assert!(!proof(VerifiedBy::Code).proves("maria@example.com"));
        // Whatever else the row says, read as written or not, proves nothing.
        for text in ["pre-signup", "unknown", "Code", ""] {
            let by = VerifiedBy::parse(text);
            assert!(!proof(by).proves("maria.garcia@example.com"), "{text}");
        }
        assert_eq!(VerifiedBy::parse("code"), VerifiedBy::Code);
    }
}
