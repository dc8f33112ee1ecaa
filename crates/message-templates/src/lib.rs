//! The texts this project sends to users, in every shipped language: one catalog per
//! language (`locales/<lang>.toml`) and one HTML layout (`templates/email.html`),
//! compiled into the binary and rendered with MiniJinja, which HTML-escapes every
//! value. Shared by custom-message (Cognito's messages) and post-authentication
//! (the new-device alert), and later the triggers that send their own messages.

pub mod branding;
pub mod kind;
pub mod language;
pub mod render;

/// The longest text message Cognito sends (custom-message) and the custom SMS sender
/// sends, in characters.
pub const SMS_MAX_CHARS: usize = 140;

pub use branding::{
    looks_like_address, looks_like_sender, verified_email, Branding, Recipient, Sender,
};
pub use kind::MessageKind;
pub use language::resolve_locale;
pub use render::{
    MessageContext, Notice, NoticeContext, Rendered, RenderedNotice, Renderer, SetupError,
};
