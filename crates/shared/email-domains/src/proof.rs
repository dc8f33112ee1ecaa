//! How a user's address was verified, as post-confirmation records it in the profile
//! row when the user is confirmed and as linking (pre-signup) reads it back: one
//! definition of the row's two attributes and their values for the writer and the
//! reader. Cognito's `email_verified` alone does not say how it became true.

/// The profile row's attribute holding the address as it was when verified, in
/// [`recorded_form`].
pub const VERIFIED_EMAIL: &str = "verified_email";
/// The profile row's attribute saying how ([`VerifiedBy::as_str`]).
pub const VERIFIED_BY: &str = "email_verified_by";

/// How an address was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifiedBy {
    /// The user typed the code Cognito sent there (`code`): the one proof linking
    /// trusts.
    Code,
    /// pre-signup marked it verified at sign-up (`AUTO_CONFIRM_VERIFIES_EMAIL` at an
    /// `AUTO_CONFIRM_EMAIL_DOMAINS` domain): `pre-signup`.
    PreSignUp,
    /// Which it was is unknown (post-confirmation could not read pre-signup's
    /// settings), or a value this build does not know: `unknown`.
    Unknown,
}

impl VerifiedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::PreSignUp => "pre-signup",
            Self::Unknown => "unknown",
        }
    }

    /// A recorded value; anything else reads as [`VerifiedBy::Unknown`].
    pub fn parse(text: &str) -> Self {
        match text {
            "code" => Self::Code,
            "pre-signup" => Self::PreSignUp,
            _ => Self::Unknown,
        }
    }
}

/// The form an address is recorded in and compared in: trimmed, lower case.
pub fn recorded_form(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_as_written_and_nothing_else_reads_as_a_code() {
        for by in [VerifiedBy::Code, VerifiedBy::PreSignUp, VerifiedBy::Unknown] {
            assert_eq!(VerifiedBy::parse(by.as_str()), by);
        }
        for other in ["Code", "code ", "", "admin"] {
            assert_eq!(VerifiedBy::parse(other), VerifiedBy::Unknown, "{other:?}");
        }
        assert_eq!(recorded_form(" Maria@Example.COM "), "maria@example.com");
    }
}
