//! The AWS implementations of the ports.

mod groups;
mod users;

pub use groups::CognitoGroups;
pub use users::CognitoUsers;
