//! The AWS implementations of the ports.

mod kms;

pub use kms::{start, KmsCodes, Started, MAX_CIPHERTEXT_CHARS, MAX_DATA_KEYS};
