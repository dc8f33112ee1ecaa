//! The AWS implementations of the ports.

pub mod dynamodb;

pub use dynamodb::DynamoRecorder;
