use define_auth_challenge::{handler, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = trigger_core::start(Config::from_env)?;
    trigger_core::serve(|event| handler(&config, event)).await
}
