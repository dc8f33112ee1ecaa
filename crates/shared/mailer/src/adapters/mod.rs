//! The AWS implementations of the ports.

mod ses;

pub use ses::SesMailer;
