//! KMS keys in moto and codes encrypted under them: by the Rust Encryption SDK with a
//! committing or a non-committing algorithm suite, and by cognito-local itself.

use std::path::Path;
use std::process::Command;

use aws_esdk::client::Client as Esdk;
use aws_esdk::material_providers::client::Client as Providers;
use aws_esdk::material_providers::types::keyring::KeyringRef;
use aws_esdk::material_providers::types::material_providers_config::MaterialProvidersConfig;
pub use aws_esdk::material_providers::types::EsdkAlgorithmSuiteId;
use aws_esdk::material_providers::types::EsdkCommitmentPolicy;
use aws_esdk::types::aws_encryption_sdk_config::AwsEncryptionSdkConfig;
use base64::Engine;

/// The region the tests' KMS keys live in.
pub const REGION: &str = "us-east-1";

/// A new symmetric key in moto at `endpoint`: its ARN.
pub async fn create_key(endpoint: &str) -> String {
    let sdk = crate::aws::sdk_config_for(endpoint, std::time::Duration::from_secs(5)).await;
    aws_sdk_kms::Client::new(&sdk)
        .create_key()
        .description("cognito-triggers test codes")
        .send()
        .await
        .expect("create a KMS key in moto")
        .key_metadata
        .and_then(|k| k.arn)
        .expect("a key ARN")
}

/// How a code is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// The SDK's default: key commitment (what cognito-local's SDK also does).
    Committing,
    /// AES-256-GCM with HKDF-SHA384 and ECDSA P-384, no key commitment: what a
    /// message from an older encryptor, or from Cognito, may use.
    NonCommitting,
}

async fn keyring(endpoint: &str, key_arn: &str) -> KeyringRef {
    let sdk = crate::aws::sdk_config_for(endpoint, std::time::Duration::from_secs(5)).await;
    let providers =
        Providers::from_conf(MaterialProvidersConfig::builder().build().expect("config"))
            .expect("material providers");
    providers
        .create_aws_kms_keyring()
        .kms_key_id(key_arn)
        .kms_client(aws_sdk_kms::Client::new(&sdk))
        .send()
        .await
        .expect("a KMS keyring")
}

async fn keyrings(endpoint: &str, key_arns: &[&str]) -> KeyringRef {
    let (first, others) = key_arns.split_first().expect("at least one key");
    if others.is_empty() {
        return keyring(endpoint, first).await;
    }
    let mut children = Vec::new();
    for key in others {
        children.push(keyring(endpoint, key).await);
    }
    Providers::from_conf(MaterialProvidersConfig::builder().build().expect("config"))
        .expect("material providers")
        .create_multi_keyring()
        .generator(keyring(endpoint, first).await)
        .child_keyrings(children)
        .send()
        .await
        .expect("a multi-keyring")
}

/// `code` encrypted under `key_arn` with the Rust Encryption SDK, base64 as in
/// `request.code`.
pub async fn encrypt(endpoint: &str, key_arn: &str, code: &str, suite: Suite) -> String {
    let suite = match suite {
        Suite::Committing => EsdkAlgorithmSuiteId::AlgAes256GcmHkdfSha512CommitKeyEcdsaP384,
        Suite::NonCommitting => EsdkAlgorithmSuiteId::AlgAes256GcmIv12Tag16HkdfSha384EcdsaP384,
    };
    let message = encrypt_with(endpoint, &[key_arn], code.as_bytes(), suite, None).await;
    base64::engine::general_purpose::STANDARD.encode(message)
}

/// Every algorithm suite the Encryption SDK has.
pub const EVERY_SUITE: [EsdkAlgorithmSuiteId; 11] = [
    EsdkAlgorithmSuiteId::AlgAes128GcmIv12Tag16NoKdf,
    EsdkAlgorithmSuiteId::AlgAes192GcmIv12Tag16NoKdf,
    EsdkAlgorithmSuiteId::AlgAes256GcmIv12Tag16NoKdf,
    EsdkAlgorithmSuiteId::AlgAes128GcmIv12Tag16HkdfSha256,
    EsdkAlgorithmSuiteId::AlgAes192GcmIv12Tag16HkdfSha256,
    EsdkAlgorithmSuiteId::AlgAes256GcmIv12Tag16HkdfSha256,
    EsdkAlgorithmSuiteId::AlgAes128GcmIv12Tag16HkdfSha256EcdsaP256,
    EsdkAlgorithmSuiteId::AlgAes192GcmIv12Tag16HkdfSha384EcdsaP384,
    EsdkAlgorithmSuiteId::AlgAes256GcmIv12Tag16HkdfSha384EcdsaP384,
    EsdkAlgorithmSuiteId::AlgAes256GcmHkdfSha512CommitKey,
    EsdkAlgorithmSuiteId::AlgAes256GcmHkdfSha512CommitKeyEcdsaP384,
];

/// `plaintext` encrypted by the Rust Encryption SDK with algorithm suite `suite` and,
/// if given, frames of `frame_length` bytes, its data key wrapped under each of
/// `key_arns` in turn (a multi-keyring past one): the raw message.
pub async fn encrypt_with(
    endpoint: &str,
    key_arns: &[&str],
    plaintext: &[u8],
    suite: EsdkAlgorithmSuiteId,
    frame_length: Option<i64>,
) -> Vec<u8> {
    let committing = matches!(
        suite,
        EsdkAlgorithmSuiteId::AlgAes256GcmHkdfSha512CommitKey
            | EsdkAlgorithmSuiteId::AlgAes256GcmHkdfSha512CommitKeyEcdsaP384
    );
    let policy = if committing {
        EsdkCommitmentPolicy::RequireEncryptRequireDecrypt
    } else {
        EsdkCommitmentPolicy::ForbidEncryptAllowDecrypt
    };
    let esdk = Esdk::from_conf(
        AwsEncryptionSdkConfig::builder()
            .commitment_policy(policy)
            .build()
            .expect("config"),
    )
    .expect("encryption SDK");
    let mut request = esdk
        .encrypt()
        .plaintext(plaintext.to_vec())
        .keyring(keyrings(endpoint, key_arns).await)
        .algorithm_suite_id(suite);
    if let Some(length) = frame_length {
        request = request.frame_length(length);
    }
    request
        .send()
        .await
        .expect("encrypt")
        .ciphertext
        .expect("ciphertext")
        .into_inner()
}

/// `code` encrypted the way cognito-local encrypts it for its CustomEmailSender
/// trigger (its own CryptoService, through `scripts/cognito_local_encrypt.js`; needs
/// `npm ci`, which `make test` runs).
pub fn cognito_local_encrypt(endpoint: &str, key_arn: &str, code: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new("node")
        .arg(root.join("scripts/cognito_local_encrypt.js"))
        .args([endpoint, REGION, key_arn, code])
        .current_dir(&root)
        .output()
        .expect("node (run `make test`, which installs the JavaScript tools)");
    assert!(
        out.status.success(),
        "cognito-local did not encrypt (is node_modules there? `npm ci`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("base64 text")
}

/// The key the codes of `events/custom-*-sender/` are encrypted under (installed in
/// moto by `scripts/moto_server.py`'s `/_local/sample-key`).
pub const SAMPLE_KEY_ARN: &str =
    "arn:aws:kms:eu-west-1:123456789012:key/5f0c3a9e-1b7d-4e2a-9c68-3d4b7a1e2f90";

/// The plaintext of each sample event's code, by file name: `tests/sample-codes.json`,
/// which `tests/no_leak.py` reads too.
static SAMPLE_CODES: std::sync::LazyLock<std::collections::HashMap<String, String>> =
    std::sync::LazyLock::new(|| {
        serde_json::from_str(include_str!("../../../tests/sample-codes.json"))
            .expect("tests/sample-codes.json maps sample files to their codes")
    });

/// The code in clear of sample event `file` (`None`: the event carries none).
pub fn sample_code(file: &str) -> Option<&'static str> {
    SAMPLE_CODES.get(file).map(String::as_str)
}

/// A KMS client on moto (in the sample key's region) that has the sample key.
pub async fn sample_key_client(endpoint: &str, budget: std::time::Duration) -> aws_sdk_kms::Client {
    ureq::post(&format!("{endpoint}/_local/sample-key?region=eu-west-1"))
        .send_empty()
        .expect("the moto server of scripts/moto_server.py installs the sample key");
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-west-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .endpoint_url(endpoint);
    let sdk = trigger_core::aws::within_budget(loader, budget)
        .load()
        .await;
    aws_sdk_kms::Client::new(&sdk)
}

/// `code` encrypted under `key_arn` the three ways a sender must read: the Rust SDK
/// with and without key commitment, and cognito-local. (label, base64 ciphertext).
pub async fn every_encryptor(
    endpoint: &str,
    key_arn: &str,
    code: &str,
) -> Vec<(&'static str, String)> {
    vec![
        (
            "committing (Rust SDK)",
            encrypt(endpoint, key_arn, code, Suite::Committing).await,
        ),
        (
            "non-committing (Rust SDK)",
            encrypt(endpoint, key_arn, code, Suite::NonCommitting).await,
        ),
        (
            "cognito-local",
            cognito_local_encrypt(endpoint, key_arn, code),
        ),
    ]
}
