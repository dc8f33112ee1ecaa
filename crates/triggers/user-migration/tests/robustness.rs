#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic, and no answer but a migration carries data.

use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic};
use trigger_core::Vars;
use user_migration::ports::InMemoryStore;
use user_migration::store::{LegacyUser, Status};
use user_migration::{handler, Config};

fn run(event: Value) -> Result<Value, trigger_core::TriggerError> {
    // Cheap hashes (bcrypt cost 4) keep hundreds of cases fast; the cost is not the point.
    let config = Config::from_vars(&Vars::from_pairs([
        ("LEGACY_USERS_TABLE_NAME", "legacy-users"),
        (
            "DUMMY_HASH",
            "$2b$04$b8UV74odsoHWLusPkfjmE.n.7CWzeLgjQpw3DZ4ZAUwUI4ZF0lS0C",
        ),
    ]))
    .unwrap();
    let store = InMemoryStore::with([LegacyUser {
        username: "olivia.martin@example.com".into(),
        email: "olivia.martin@example.com".into(),
        password_hash: "$2b$04$TXGTmEKuqXEIBtu0TMumKeT8j4OhU0SkRoqLpBYOuZKM3.x7FXF9.".into(),
        phone_number: None,
        attributes: Default::default(),
        status: Status::Active,
        migrated_at: None,
    }]);
    block_on(test_support::answer(|e| handler(&config, &store, e), event))
}

#[test]
fn no_event_makes_the_handler_panic() {
    check_no_panic("user-migration", 256, run, |_, answer| {
        if let Ok(out) = answer {
            // Only a verified (or forgot-password) user gets attributes back.
            prop_assert_eq!(
                &out["response"]["userAttributes"]["email"],
                "olivia.martin@example.com"
            );
        }
        Ok(())
    });
}
