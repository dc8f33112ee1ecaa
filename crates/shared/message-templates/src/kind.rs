//! The seven kinds of message Cognito asks custom-message to write, and the
//! passwordless sign-in link.

/// One `CustomMessage_*` trigger source, or the sign-in link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    SignUp,
    AdminCreateUser,
    ResendCode,
    ForgotPassword,
    UpdateUserAttribute,
    VerifyUserAttribute,
    Authentication,
    /// The passwordless sign-in link create-auth-challenge sends (not in [`Self::ALL`]:
    /// no `CustomMessage_` source asks for it).
    SignInLink,
}

impl MessageKind {
    pub const ALL: [MessageKind; 7] = [
        Self::SignUp,
        Self::AdminCreateUser,
        Self::ResendCode,
        Self::ForgotPassword,
        Self::UpdateUserAttribute,
        Self::VerifyUserAttribute,
        Self::Authentication,
    ];

    pub fn from_trigger_source(source: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.trigger_source() == source)
    }

    pub fn trigger_source(self) -> &'static str {
        match self {
            Self::SignUp => "CustomMessage_SignUp",
            Self::AdminCreateUser => "CustomMessage_AdminCreateUser",
            Self::ResendCode => "CustomMessage_ResendCode",
            Self::ForgotPassword => "CustomMessage_ForgotPassword",
            Self::UpdateUserAttribute => "CustomMessage_UpdateUserAttribute",
            Self::VerifyUserAttribute => "CustomMessage_VerifyUserAttribute",
            Self::Authentication => "CustomMessage_Authentication",
            Self::SignInLink => "CreateAuthChallenge_Authentication",
        }
    }

    /// The section of a locale catalog holding this message's texts.
    pub fn key(self) -> &'static str {
        match self {
            Self::SignUp => "sign_up",
            Self::AdminCreateUser => "admin_create_user",
            Self::ResendCode => "resend_code",
            Self::ForgotPassword => "forgot_password",
            Self::UpdateUserAttribute => "update_user_attribute",
            Self::VerifyUserAttribute => "verify_user_attribute",
            Self::Authentication => "authentication",
            Self::SignInLink => "sign_in_link",
        }
    }

    /// Cognito requires the username placeholder in this message as well as the code.
    pub fn needs_username(self) -> bool {
        self == Self::AdminCreateUser
    }

    /// Messages that confirm a sign-up may carry the one-click link (`VERIFY_URL`).
    pub fn carries_link(self) -> bool {
        matches!(self, Self::SignUp | Self::ResendCode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_sources_round_trip() {
        for kind in MessageKind::ALL {
            assert_eq!(
                MessageKind::from_trigger_source(kind.trigger_source()),
                Some(kind)
            );
        }
        assert_eq!(
            MessageKind::from_trigger_source("CustomMessage_Teleport"),
            None
        );
        assert_eq!(
            MessageKind::from_trigger_source("customMessage_SignUp"),
            None
        );
    }
}
