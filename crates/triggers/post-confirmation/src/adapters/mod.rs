//! The AWS implementations of the ports.

mod dynamodb;

pub use dynamodb::DynamoProfiles;
