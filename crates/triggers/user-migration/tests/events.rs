#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The handler against every sample event in `events/user-migration/` and every
//! answer it gives, with an in-memory legacy store.

mod common;
use common::handle;

use serde_json::{json, Value};
use test_support::{lost_fields, sample_event, sample_events, upstream_fixtures};
use trigger_core::Vars;
use user_migration::ports::InMemoryStore;
use user_migration::store::{LegacyUser, Status};
use user_migration::{Config, REFUSAL};

const OLIVIA_HASH: &str = "$2b$10$EenKXhUOBMz0.NGWiMWPgeSTu9GAAJ4j8yNjElp.VZvHvnHZUpoP2";

fn config() -> Config {
    Config::from_vars(&Vars::from_pairs([
        ("LEGACY_USERS_TABLE_NAME", "legacy-users"),
        (
            "ATTRIBUTE_MAP",
            "first_name=given_name,last_name=family_name,plan=custom:plan",
        ),
    ]))
    .unwrap()
}

fn olivia(status: Status) -> LegacyUser {
    LegacyUser {
        username: "olivia.martin@example.com".into(),
        email: "olivia.martin@example.com".into(),
        password_hash: OLIVIA_HASH.into(),
        phone_number: Some("+33612345678".into()),
        attributes: [
            ("first_name", "Olivia"),
            ("last_name", "Martin"),
            ("plan", "pro"),
            ("shoe_size", "38"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
        status,
        migrated_at: None,
    }
}

#[tokio::test]
async fn every_sample_event_migrates_the_legacy_user() {
    for (file, event) in sample_events("user-migration") {
        let store = InMemoryStore::with([olivia(Status::Active)]);
        let out = handle(&config(), &store, event.clone())
            .await
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let r = &out["response"];
        let forgot = event["triggerSource"] == "UserMigration_ForgotPassword";
        assert_eq!(
            r["finalUserStatus"],
            if forgot {
                "RESET_REQUIRED"
            } else {
                "CONFIRMED"
            },
            "{file}"
        );
        assert_eq!(r["messageAction"], "SUPPRESS", "{file}");
        assert_eq!(r["desiredDeliveryMediums"], json!(["EMAIL"]), "{file}");
        let attrs = &r["userAttributes"];
        assert_eq!(attrs["email"], "olivia.martin@example.com", "{file}");
        assert_eq!(attrs["email_verified"], "true", "{file}");
        assert_eq!(attrs["phone_number"], "+33612345678", "{file}");
        assert_eq!(attrs["given_name"], "Olivia", "{file}: mapped");
        assert_eq!(attrs["custom:plan"], "pro", "{file}: mapped");
        assert!(
            attrs.get("shoe_size").is_none(),
            "{file}: unmapped attributes stay behind"
        );
        assert!(
            store
                .get("olivia.martin@example.com")
                .unwrap()
                .migrated_at
                .is_some(),
            "{file}: migration time recorded"
        );
        // The whole event comes back, but for the password, which is not handed back.
        let mut sent = event.clone();
        let password = sent["request"].as_object_mut().unwrap().remove("password");
        let lost = lost_fields(&sent, &out);
        assert!(lost.is_empty(), "{file}: {lost:?}");
        if let Some(Value::String(password)) = password {
            assert!(
                !out.to_string().contains(&password),
                "{file}: the answer echoes the password"
            );
        }
    }
}

async fn refusal(store: &InMemoryStore, event: Value) -> String {
    let err = handle(&config(), store, event).await.unwrap_err();
    assert_eq!(err.error_type(), "Refused");
    err.user_message().to_owned()
}

#[tokio::test]
async fn unknown_user_wrong_password_and_disabled_user_read_the_same() {
    let sign_in = sample_event("user-migration", "UserMigration_Authentication.json");
    let active = InMemoryStore::with([olivia(Status::Active)]);
    let disabled = InMemoryStore::with([olivia(Status::Disabled)]);

    let mut wrong = sign_in.clone();
    wrong["request"]["password"] = "legacy-passw0rd!".into();
    let mut unknown = sign_in.clone();
    unknown["userName"] = "nobody@example.com".into();

    assert_eq!(refusal(&active, wrong).await, REFUSAL);
    assert_eq!(refusal(&active, unknown).await, REFUSAL);
    assert_eq!(refusal(&disabled, sign_in.clone()).await, REFUSAL);
    assert!(disabled
        .get("olivia.martin@example.com")
        .unwrap()
        .migrated_at
        .is_none());

    let forgot = sample_event("user-migration", "UserMigration_ForgotPassword.json");
    let mut forgot_unknown = forgot.clone();
    forgot_unknown["userName"] = "nobody@example.com".into();
    assert_eq!(refusal(&active, forgot_unknown).await, REFUSAL);
    assert_eq!(refusal(&disabled, forgot).await, REFUSAL);
}

#[tokio::test]
async fn a_missing_password_is_a_wrong_password() {
    let mut event = sample_event("user-migration", "UserMigration_Authentication.json");
    event["request"].as_object_mut().unwrap().remove("password");
    let store = InMemoryStore::with([olivia(Status::Active)]);
    assert_eq!(refusal(&store, event).await, REFUSAL);
}

#[tokio::test]
async fn a_row_whose_hash_cannot_be_verified_reads_as_a_wrong_password() {
    // Unknown scheme, past a ceiling, or no hash at all: the same sentence as a wrong
    // password (and the dummy's verification, so the same time), never an error
    // that tells the row apart.
    let event = sample_event("user-migration", "UserMigration_Authentication.json");
    for hash in [
        "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
        "$pbkdf2-sha256$i=5000000,l=32$IWQMAcA4R2hN6d17D0HonQ$lxrY5L5HgrpAEriKPDQcz.lhz9gqNGslyjAzZTgiW7Q",
        "$scrypt$ln=20,r=8,p=1$1B23rhot0B2b5Umadj8ZZg$kPCd4aRDFjubPjSiZOs9Qa2FbPa1U+uu3Ij7r/sY+yE",
        "",
    ] {
        let mut row = olivia(Status::Active);
        row.password_hash = hash.into();
        let store = InMemoryStore::with([row]);
        let err = handle(&config(), &store, event.clone()).await.unwrap_err();
        assert_eq!(err.error_type(), "Refused", "{hash}");
        assert_eq!(err.user_message(), REFUSAL, "{hash}");
        assert!(
            hash.len() < 12 || !format!("{err:?}").contains(&hash[hash.len() - 12..]),
            "the hash is never shown"
        );
    }
}

#[tokio::test]
async fn a_store_outage_is_internal() {
    let event = sample_event("user-migration", "UserMigration_Authentication.json");
    let down = InMemoryStore::failing("connection refused");
    let err = handle(&config(), &down, event).await.unwrap_err();
    assert_eq!(err.error_type(), "LookupFailed");
    assert!(!err.user_message().contains("refused"));
}

#[test]
fn a_dummy_hash_that_cannot_be_verified_refuses_the_start() {
    // bcrypt cannot read its salt: an unknown user would be answered at once, a
    // wrong password after a verification. The start (the settings read, then the
    // dummy verified once) is refused, naming the variable.
    let broken = format!("$2b$10${}", "!".repeat(53));
    let started = Config::from_vars(&Vars::from_pairs([
        ("LEGACY_USERS_TABLE_NAME", "legacy-users"),
        ("DUMMY_HASH", broken.as_str()),
    ]))
    .and_then(|config| config.check_dummy());
    assert_eq!(started.unwrap_err().var, "DUMMY_HASH");
    assert!(self::config().check_dummy().is_ok(), "the default verifies");
}

#[test]
fn a_dummy_hash_of_another_cost_than_the_legacy_users_refuses_the_start() {
    let config = config();
    assert_eq!(
        config
            .check_dummy_against(Some("Pbkdf2Sha256 i=600000,l=32"))
            .unwrap_err()
            .var,
        "DUMMY_HASH"
    );
    assert!(config.check_dummy_against(Some("Bcrypt cost 11")).is_err());
    assert!(config.check_dummy_against(Some("Bcrypt cost 10")).is_ok());
    assert!(
        config.check_dummy_against(None).is_ok(),
        "nothing recorded: nothing to compare"
    );
}

/// A legacy table that answers after `delay`, and never records a migration.
struct Slow {
    inner: InMemoryStore,
    delay: std::time::Duration,
}

impl user_migration::ports::LegacyUserStore for Slow {
    async fn find(
        &self,
        username: &str,
    ) -> Result<Option<LegacyUser>, user_migration::ports::StoreError> {
        tokio::time::sleep(self.delay).await;
        self.inner.find(username).await
    }

    async fn mark_migrated(
        &self,
        _: &str,
        _: &str,
    ) -> Result<(), user_migration::ports::StoreError> {
        std::future::pending().await
    }

    async fn hash_profile(&self) -> Result<Option<String>, user_migration::ports::StoreError> {
        Ok(None)
    }
}

#[tokio::test]
async fn the_lookup_the_verification_and_the_write_share_one_budget() {
    let budget = std::time::Duration::from_millis(600);
    let config = Config::from_vars(&Vars::from_pairs([
        ("LEGACY_USERS_TABLE_NAME", "legacy-users"),
        ("MIGRATION_BUDGET_MS", "600"),
        ("STORE_BUDGET_MS", "500"),
    ]))
    .unwrap();
    // A lookup of 450 ms, a bcrypt cost 10 verification, a write that never
    // answers: per call each fitted its own budget; together they must fit one.
    let slow = Slow {
        inner: InMemoryStore::with([olivia(Status::Active)]),
        delay: std::time::Duration::from_millis(450),
    };
    let event = sample_event("user-migration", "UserMigration_Authentication.json");
    let started = std::time::Instant::now();
    let out = handle(&config, &slow, event.clone()).await;
    let took = started.elapsed();
    assert!(out.is_ok(), "migrated, the write given up: {out:?}");
    assert!(
        took < budget + std::time::Duration::from_millis(100),
        "took {took:?}"
    );

    // A verification that does not fit what is left fails inside the budget.
    let mut costly = olivia(Status::Active);
    costly.password_hash = bcrypt::hash("Legacy-Passw0rd!", 13).unwrap();
    let slow = Slow {
        inner: InMemoryStore::with([costly]),
        delay: std::time::Duration::from_millis(300),
    };
    let started = std::time::Instant::now();
    let err = handle(&config, &slow, event).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.error_type(), "LookupFailed");
    assert!(
        took < budget + std::time::Duration::from_millis(100),
        "took {took:?}"
    );
}

#[tokio::test]
async fn other_sources_and_bad_config() {
    let mut event = sample_event("user-migration", "UserMigration_Authentication.json");
    event["triggerSource"] = "UserMigration_Teleport".into();
    let err = handle(&config(), &InMemoryStore::default(), event)
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "UnsupportedTriggerSource");
    for (var, value) in [
        ("ATTRIBUTE_MAP", "first_name=email"),
        ("ATTRIBUTE_MAP", "oops"),
        ("ATTRIBUTE_MAP", "first_name=given_name,first_name=nickname"),
        ("ATTRIBUTE_MAP", "first_name=given_name,forename=given_name"),
        ("DUMMY_HASH", "plain"),
        ("STORE_BUDGET_MS", "0"),
    ] {
        let err = Config::from_vars(&Vars::from_pairs([
            ("LEGACY_USERS_TABLE_NAME", "t"),
            (var, value),
        ]))
        .unwrap_err();
        assert_eq!(err.var, var);
    }
}

#[tokio::test]
async fn usernames_are_matched_case_insensitively_when_they_are_emails() {
    let mut event = sample_event("user-migration", "UserMigration_Authentication.json");
    event["userName"] = "  OLIVIA.MARTIN@example.COM ".into();
    let store = InMemoryStore::with([olivia(Status::Active)]);
    assert!(handle(&config(), &store, event).await.is_ok());
}

#[tokio::test]
async fn the_aws_lambda_events_fixtures_are_answered() {
    // The crate's fixtures hold placeholders ("<userName>", "<password>"): an unknown
    // user to this store, refused like any other.
    for (name, event) in upstream_fixtures("migrateuser") {
        let store = InMemoryStore::with([olivia(Status::Active)]);
        let err = handle(&config(), &store, event.clone()).await.unwrap_err();
        assert_eq!(err.user_message(), REFUSAL, "{name}");
        let mut known = event;
        known["userName"] = "olivia.martin@example.com".into();
        known["request"]["password"] = "Legacy-Passw0rd!".into();
        let out = handle(&config(), &store, known)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            out["response"]["userAttributes"]["given_name"], "Olivia",
            "{name}"
        );
    }
}
