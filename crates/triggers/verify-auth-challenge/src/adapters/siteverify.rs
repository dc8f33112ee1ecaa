//! The bot-check providers' siteverify endpoint: Cloudflare Turnstile, hCaptcha and
//! reCAPTCHA all take a form POST of `secret` and `response` and answer JSON with a
//! boolean `success`. `CAPTCHA_VERIFY_URL` overrides the provider's address (tests
//! point it at a stand-in on 127.0.0.1).

use std::time::Duration;

use zeroize::Zeroizing;

use crate::ports::{BotCheck, BotCheckError};

/// The largest answer read from the provider.
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

#[derive(Debug, Clone)]
pub struct SiteVerify {
    agent: ureq::Agent,
    url: String,
    secret: Zeroizing<String>,
}

impl SiteVerify {
    /// Every call is cut off at `budget` (the callers cut it off there too).
    pub fn new(url: impl Into<String>, secret: Zeroizing<String>, budget: Duration) -> Self {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(std::sync::Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .build();
        let agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .timeout_global(Some(budget))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            agent,
            url: url.into(),
            secret,
        }
    }
}

#[derive(serde::Deserialize)]
struct Answer {
    success: bool,
}

impl BotCheck for SiteVerify {
    async fn passes(&self, token: &str) -> Result<bool, BotCheckError> {
        let (agent, url, secret) = (self.agent.clone(), self.url.clone(), self.secret.clone());
        let token = Zeroizing::new(token.to_owned());
        // ureq blocks: the call runs on tokio's blocking threads.
        tokio::task::spawn_blocking(move || {
            let mut response = agent
                .post(&url)
                .send_form([("secret", secret.as_str()), ("response", token.as_str())])
                .map_err(|e| BotCheckError(e.to_string()))?;
            let status = response.status().as_u16();
            if status != 200 {
                return Err(BotCheckError(format!(
                    "the provider answered HTTP {status}"
                )));
            }
            let answer: Answer = response
                .body_mut()
                .with_config()
                .limit(MAX_ANSWER_BYTES)
                .read_json()
                .map_err(|_| BotCheckError("the provider's answer is not its JSON".into()))?;
            Ok(answer.success)
        })
        .await
        .map_err(|_| BotCheckError("the call's thread failed".into()))?
    }
}
