#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The handler against the sample events in `events/inbound-federation/` (an OIDC
//! provider, Google, a SAML provider), with the settings of `local.env`.

use std::collections::HashMap;

use inbound_federation::{handler, Config};
use serde_json::Value;
use test_support::{lost_fields, sample_event, sample_events};
use trigger_core::Vars;

/// Microsoft's email from `preferred_username`; Okta's role from its role claim.
const MAPPINGS: &str = r#"{
  "Microsoft": {"email": ["email", "preferred_username"]},
  "Okta": {"custom:role": "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"}
}"#;

/// Google is the provider trusted to say an address is verified.
fn config() -> Config {
    Config::from_vars(&Vars::from_pairs([
        ("ATTRIBUTE_MAPPINGS", MAPPINGS),
        ("VERIFIED_EMAIL_PROVIDERS", "Google"),
    ]))
    .unwrap()
}

async fn mapped(file: &str) -> HashMap<String, String> {
    let config = config();
    let event = sample_event("inbound-federation", file);
    let out = test_support::answer(|e| handler(&config, e), event.clone())
        .await
        .unwrap();
    let lost = lost_fields(&event, &out);
    assert!(lost.is_empty(), "{file}: {lost:?}");
    serde_json::from_value(out["response"]["userAttributesToMap"].clone()).unwrap()
}

fn pairs(map: &HashMap<String, String>) -> Vec<(&str, &str)> {
    let mut v: Vec<_> = map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    v.sort();
    v
}

#[tokio::test]
async fn an_oidc_provider_maps_its_own_claims() {
    let m = mapped("InboundFederation_ExternalProvider-oidc.json").await;
    assert_eq!(
        pairs(&m),
        vec![
            ("email", "lukas.schmidt@contoso.example"),
            ("family_name", "Schmidt"),
            ("given_name", "Lukas"),
            ("locale", "de-DE"),
            ("name", "Schmidt, Lukas"),
        ],
        "no email_verified without a claim saying so; the roles claim sets no role"
    );
}

#[tokio::test]
async fn google_maps_with_the_built_in_mappings() {
    let m = mapped("InboundFederation_ExternalProvider-google.json").await;
    assert_eq!(m["email"], "maria.garcia@example.com");
    assert_eq!(m["email_verified"], "true");
    assert_eq!(m["name"], "María García");
    assert_eq!(m["locale"], "es");
    assert!(m["picture"].starts_with("https://"));
    assert!(
        !m.values().any(|v| v.contains("ya29")),
        "no token reaches an attribute"
    );
}

#[tokio::test]
async fn a_saml_provider_maps_claim_uris_and_its_explicit_role_only() {
    let m = mapped("InboundFederation_ExternalProvider-saml.json").await;
    assert_eq!(m["email"], "noah.fischer@example.ch");
    assert_eq!(m["name"], "Noah Fischer", "given name and surname joined");
    // The assertion also carries an attribute literally named custom:role (admin):
    // only the role claim Okta's mapping names counts.
    assert_eq!(m["custom:role"], "editor");
    assert!(!m.contains_key("department"));
    // Without that mapping, no role at all.
    let unconfigured = Config::from_vars(&Vars::from_pairs([])).unwrap();
    let event = sample_event(
        "inbound-federation",
        "InboundFederation_ExternalProvider-saml.json",
    );
    let out = test_support::answer(|e| handler(&unconfigured, e), event)
        .await
        .unwrap();
    assert!(out["response"]["userAttributesToMap"]
        .get("custom:role")
        .is_none());
}

#[tokio::test]
async fn every_sample_event_is_answered_with_the_request_untouched() {
    let config = config();
    for (file, event) in sample_events("inbound-federation") {
        let out = test_support::answer(|e| handler(&config, e), event.clone())
            .await
            .unwrap();
        assert_eq!(out["request"], event["request"], "{file}");
        assert_eq!(out["triggerSource"], "InboundFederation_ExternalProvider");
        let map = out["response"]["userAttributesToMap"].as_object().unwrap();
        assert!(map.values().all(Value::is_string), "{file}");
        assert!(!map.is_empty(), "{file}");
    }
}
