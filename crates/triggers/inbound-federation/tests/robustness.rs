#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! No input makes the handler panic; an event it reads is always answered, with a
//! protected attribute never taken from the IdP.

use inbound_federation::{handler, Config};
use proptest::prelude::*;
use serde_json::Value;
use test_support::{block_on, check_no_panic};
use trigger_core::Vars;

fn run(event: Value) -> Result<Value, trigger_core::TriggerError> {
    let config = Config::from_vars(&Vars::from_pairs([])).unwrap();
    block_on(test_support::answer(|e| handler(&config, e), event))
}

#[test]
fn no_event_panics_and_no_idp_sets_a_role() {
    check_no_panic("inbound-federation", 256, run, |_, answer| {
        if let Ok(out) = answer {
            let map = &out["response"]["userAttributesToMap"];
            prop_assert!(map.get("custom:role").is_none(), "{map}");
            prop_assert!(map
                .as_object()
                .is_some_and(|m| m.values().all(Value::is_string)));
        }
        Ok(())
    });
}
