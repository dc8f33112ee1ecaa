//! pre-signup without account linking, the binary most pools run: nothing in it
//! calls AWS, so no SDK, HTTP client or TLS is linked or loaded. With
//! `LINK_FEDERATED_USERS=true` it refuses to start and names `pre-signup-linking`.

use pre_signup::{handler, Config, LINKING_OFF};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(Config::without_linking_from_env)?;
    trigger_core::serve(|event| handler(&config, LINKING_OFF, event)).await
}
