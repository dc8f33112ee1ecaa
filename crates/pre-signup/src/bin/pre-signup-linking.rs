use pre_signup::lazy::LazyCognitoUsers;
use pre_signup::{handler, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(&[], Config::from_env)?;
    // No SDK client at start: with linking on, the first sign-up that searches the
    // pool builds it (see lazy.rs); with linking off, never.
    let users = config
        .link
        .as_ref()
        .map(|link| LazyCognitoUsers::new(link.budget));
    trigger_core::serve(|event| handler(&config, users.as_ref(), event)).await
}
