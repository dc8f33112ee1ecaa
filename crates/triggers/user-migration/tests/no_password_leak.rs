#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The password never appears in a log line (at TRACE), an error, a Debug output,
//! the answer or the runtime's own trace of the raw event.

use test_support::logs::Captured;
use test_support::sample_event;
use trigger_core::error::diagnose;
use trigger_core::Vars;
use user_migration::ports::InMemoryStore;
use user_migration::store::{LegacyUser, Status};
use user_migration::{handler, Config};

const PASSWORD: &str = "Legacy-Passw0rd!";
const HASH: &str = "$2b$10$EenKXhUOBMz0.NGWiMWPgeSTu9GAAJ4j8yNjElp.VZvHvnHZUpoP2";
/// A hash of a scheme the trigger does not verify: logged as a problem, never shown.
const UNUSABLE_HASH: &str = "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/";

fn user(hash: &str, status: Status) -> LegacyUser {
    LegacyUser {
        username: "olivia.martin@example.com".into(),
        email: "olivia.martin@example.com".into(),
        password_hash: hash.into(),
        phone_number: None,
        attributes: Default::default(),
        status,
        migrated_at: None,
    }
}

#[tokio::test]
async fn the_password_is_in_no_log_error_or_debug_output() {
    let logs = Captured::default();
    let _guard = logs.everything();

    let config = Config::from_vars(&Vars::from_pairs([(
        "LEGACY_USERS_TABLE_NAME",
        "legacy-users",
    )]))
    .unwrap();
    let event = sample_event("user-migration", "UserMigration_Authentication.json");
    assert_eq!(event["request"]["password"], PASSWORD);
    let mut wrong = event.clone();
    wrong["request"]["password"] = format!("{PASSWORD}x").into();
    let mut unknown = event.clone();
    unknown["userName"] = "someone.else@example.com".into();

    let stores = [
        InMemoryStore::with([user(HASH, Status::Active)]),
        InMemoryStore::with([user(HASH, Status::Disabled)]),
        InMemoryStore::with([user(UNUSABLE_HASH, Status::Active)]),
        InMemoryStore::failing("connection refused"),
    ];
    let mut errors = String::new();
    let mut successes = 0;
    for store in &stores {
        for e in [&event, &wrong, &unknown] {
            match test_support::answer(|ev| handler(&config, store, ev), e.clone()).await {
                Ok(answer) => {
                    successes += 1;
                    errors.push_str(&format!("{answer}\n"));
                }
                Err(err) => {
                    errors.push_str(&format!(
                        "{err} | {err:?} | {} | {}\n",
                        err.user_message(),
                        err.error_type()
                    ));
                    // Turning it into the Lambda error logs it too.
                    let d = diagnose(err);
                    errors.push_str(&format!("{d:?}\n"));
                }
            }
        }
    }
    assert_eq!(
        successes, 1,
        "only the right password for the active user gets in"
    );
    // What lambda_runtime does with each raw event at TRACE, under the cap the binary
    // sets, even when the operator asks for RUST_LOG=trace.
    // A directive for a target under the capped one does not lift the cap either.
    use tracing_subscriber::prelude::*;
    let capped = tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .with_writer({
                let w = logs.clone();
                move || w.clone()
            })
            .with_filter(trigger_core::logging::filter_from(
                Some("trace,lambda_runtime::layers=trace".into()),
                trigger_core::logging::SECRET_CAPS,
            )),
    );
    tracing::subscriber::with_default(capped, || {
        tracing::trace!(target: "lambda_runtime::layers::api_response", body = %event, "raw JSON event received from Lambda");
        tracing::trace!(target: "user_migration", "other targets still log at TRACE");
    });

    let logs = logs.text();
    assert!(
        logs.contains("sign-in refused"),
        "logging was captured:\n{logs}"
    );
    assert!(
        logs.contains("other targets still log at TRACE"),
        "the cap is only for the runtime"
    );
    assert!(
        logs.contains("legacy hash cannot be verified"),
        "the unusable row was logged as a problem:\n{logs}"
    );
    for hash in [HASH, UNUSABLE_HASH] {
        assert!(!logs.contains(hash), "a stored hash in the logs:\n{logs}");
        assert!(
            !errors.contains(hash),
            "a stored hash in an error:\n{errors}"
        );
    }
    for needle in [PASSWORD, &format!("{PASSWORD}x")] {
        assert!(!logs.contains(needle), "password in the logs:\n{logs}");
        assert!(
            !errors.contains(needle),
            "password in an error or answer:\n{errors}"
        );
    }
}
