//! Adopting a user pool you already have: `pool-attach` writes this stack's functions
//! into the pool's `LambdaConfig` (and takes them out again) without resetting any other
//! setting, and `pool-doctor` says, trigger by trigger, what will not work in a pool as
//! configured, with the fix.
//!
//! `UpdateUserPool` resets every setting its request leaves out, so the write carries
//! every setting `DescribeUserPool` showed ([`carry`]), and the pool is read again and
//! compared field by field afterwards.

pub mod aws;
pub mod carry;
pub mod doctor;
pub mod outputs;
pub mod plan;
pub mod points;
