//! The ports on the network: the provider's siteverify endpoint, and where its
//! secret is kept (Secrets Manager or SSM Parameter Store).

pub mod secret;
pub mod siteverify;

pub use secret::read_secret;
pub use siteverify::SiteVerify;
