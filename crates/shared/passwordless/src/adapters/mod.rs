//! The ports on AWS: the challenge table in DynamoDB, the signing key in KMS.

pub mod dynamodb;
pub mod kms;

pub use dynamodb::DynamoChallenges;
pub use kms::{public_key, KmsSigner};
