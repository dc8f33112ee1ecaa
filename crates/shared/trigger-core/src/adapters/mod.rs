//! The AWS side of what triggers share (feature `aws`): SDK settings that keep each
//! call inside a budget, and the warm-up at init.

pub mod aws;
