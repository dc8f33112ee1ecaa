//! The user migration handler against serde on the forgot-password sample (`make
//! bench`): the legacy row from memory and no hash to verify (answer_time.rs times
//! the verification).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use test_support::bench::handler_vs_serde;
use trigger_core::events::CognitoEventUserPoolsMigrateUser;
use trigger_core::Vars;
use user_migration::ports::InMemoryStore;
use user_migration::store::{LegacyUser, Status};
use user_migration::{handler, Config};

fn bench(c: &mut Criterion) {
    let config = Config::from_vars(&Vars::from_pairs([
        ("LEGACY_USERS_TABLE_NAME", "legacy-users"),
        (
            "ATTRIBUTE_MAP",
            "first_name=given_name,last_name=family_name",
        ),
    ]))
    .unwrap();
    let store = InMemoryStore::with([LegacyUser {
        username: "olivia.martin@example.com".into(),
        email: "olivia.martin@example.com".into(),
        password_hash: "$2b$10$EenKXhUOBMz0.NGWiMWPgeSTu9GAAJ4j8yNjElp.VZvHvnHZUpoP2".into(),
        phone_number: Some("+33612345678".into()),
        attributes: [("first_name", "Olivia"), ("last_name", "Martin")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        status: Status::Active,
        migrated_at: None,
    }]);
    handler_vs_serde::<CognitoEventUserPoolsMigrateUser, _, _, _>(
        c,
        "user-migration",
        "UserMigration_ForgotPassword.json",
        |e| handler(&config, &store, e),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
