//! The texts this project sends to users, in every shipped language: one catalog per
//! language (`locales/<lang>.toml`) and one HTML layout (`templates/email.html`),
//! compiled into the binary at build time (build.rs parses and checks every text)
//! and rendered with every value HTML-escaped where it lands in HTML. Shared by
//! custom-message (Cognito's messages), the notices of post-authentication and
//! post-confirmation, and the custom email and SMS senders.

pub mod branding;
pub mod kind;
pub mod language;
pub mod render;
// The template language. build.rs compiles it too and alone runs its parser
// (the library's own tests run it as well).
#[allow(dead_code)]
mod syntax;

/// The longest text message Cognito sends (custom-message) and the custom SMS sender
/// sends, in characters.
pub const SMS_MAX_CHARS: usize = 140;

pub use branding::{
    looks_like_address, looks_like_sender, verified_email, Branding, Recipient, Sender,
};
pub use kind::MessageKind;
pub use language::resolve_locale;
pub use render::{
    MessageContext, Notice, NoticeContext, RenderError, Rendered, RenderedNotice, Renderer,
};
