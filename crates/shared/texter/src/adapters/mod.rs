//! The AWS implementations of the ports.

mod sns;

pub use sns::SnsTexter;
