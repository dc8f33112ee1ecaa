//! Sending one text message: the `Texter` port (`ports.rs`, with an in-memory fake
//! behind the `fakes` feature) and its Amazon SNS implementation (`adapters/sns.rs`,
//! `Publish` to a phone number). Shared by every trigger that texts users.

pub mod adapters;
pub mod ports;

pub use adapters::SnsTexter;
#[cfg(any(test, feature = "fakes"))]
pub use ports::InMemoryTexter;
pub use ports::{TextError, Texter};
