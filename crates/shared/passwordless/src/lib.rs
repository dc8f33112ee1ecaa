//! What the three custom authentication triggers share.
//!
//! Cognito runs define → create → (the app answers) → verify → define … until define
//! issues tokens or fails the sign-in, and keeps in `request.session` one entry per
//! answered challenge with the `challengeMetadata` create gave it. This crate names
//! the steps of a passwordless sign-in ([`flow::Step`], written into that metadata),
//! decides from a session what comes next, for define ([`flow::decide`]) and for
//! create ([`flow::to_create`]) alike, and reads the settings the three share
//! ([`Flow`]).
//!
//! With the feature `challenges`: one-time codes ([`code`]), signed magic-link
//! tokens ([`token`]), masked destinations ([`mask`]) and the challenge table's port
//! ([`ports`]); with `aws`, the table in DynamoDB and the KMS key ([`adapters`]).

pub mod flow;
pub mod settings;

pub use flow::{decide, to_create, Decision, Round, Step, ToCreate};
pub use settings::{Captcha, Flow, Method};

#[cfg(feature = "challenges")]
pub mod budget;
#[cfg(feature = "challenges")]
pub mod code;
#[cfg(feature = "challenges")]
pub mod link;
#[cfg(feature = "challenges")]
pub mod mask;
#[cfg(feature = "challenges")]
pub mod ports;
#[cfg(feature = "challenges")]
pub mod remote;
#[cfg(feature = "challenges")]
pub mod token;

#[cfg(feature = "aws")]
pub mod adapters;
