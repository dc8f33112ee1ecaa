//! How long the trigger takes to refuse an unknown user, a known user with a wrong
//! password and a row whose hash cannot be verified (they must look the same from
//! outside), and what one bcrypt verification costs at cost 10 and 12.
//!
//! `make bench` runs this and prints the ratio of the medians.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use trigger_core::Vars;
use user_migration::hash::verify;
use user_migration::ports::InMemoryStore;
use user_migration::secret::Password;
use user_migration::store::{LegacyUser, Status};
use user_migration::{handler, Config};

/// One invocation as the binary runs it.
async fn handle(
    config: &Config,
    store: &InMemoryStore,
    event: serde_json::Value,
) -> Result<serde_json::Value, trigger_core::TriggerError> {
    test_support::answer(|e| handler(config, store, e), event).await
}

fn event(user: &str) -> serde_json::Value {
    json!({
        "version": "1",
        "triggerSource": "UserMigration_Authentication",
        "userName": user,
        "request": {"password": "not-the-password"},
        "response": {}
    })
}

fn answers(c: &mut Criterion) {
    // A real user hashed like the dummy: bcrypt, cost 10.
    let hash = bcrypt::hash("the real password", 10).unwrap();
    let user = |name: &str, password_hash: String| LegacyUser {
        username: name.into(),
        email: name.into(),
        password_hash,
        phone_number: None,
        attributes: Default::default(),
        status: Status::Active,
        migrated_at: None,
    };
    // And a row whose hash cannot be verified (a scheme not read): refused as a
    // wrong password, after verifying the dummy.
    let store = InMemoryStore::with([
        user("known@example.com", hash),
        user(
            "unusable@example.com",
            "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/".into(),
        ),
    ]);
    let config = match Config::from_vars(&Vars::from_pairs([("LEGACY_USERS_TABLE_NAME", "t")])) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let mut group = c.benchmark_group("refusal");
    group.sample_size(30);
    group.bench_function("unknown_user", |b| {
        b.iter(|| {
            runtime
                .block_on(handle(&config, &store, event("nobody@example.com")))
                .is_err()
        })
    });
    group.bench_function("wrong_password", |b| {
        b.iter(|| {
            runtime
                .block_on(handle(&config, &store, event("known@example.com")))
                .is_err()
        })
    });
    group.bench_function("unusable_hash", |b| {
        b.iter(|| {
            runtime
                .block_on(handle(&config, &store, event("unusable@example.com")))
                .is_err()
        })
    });
    group.finish();
}

fn bcrypt_costs(c: &mut Criterion) {
    let password = Password::new("correct horse battery staple");
    let mut group = c.benchmark_group("bcrypt_verify");
    group.sample_size(10);
    for cost in [10u32, 12] {
        let hash = bcrypt::hash("correct horse battery staple", cost).unwrap();
        group.bench_function(format!("cost_{cost}"), |b| {
            b.iter(|| verify(&password, &hash))
        });
    }
    group.finish();
}

criterion_group!(benches, answers, bcrypt_costs);
criterion_main!(benches);
