//! The inbound federation handler against serde on the same samples (`make bench`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use inbound_federation::{handler, Config};
use test_support::bench::handler_vs_serde;
use trigger_core::events::CognitoEventUserPoolsInboundFederation;
use trigger_core::Vars;

fn bench(c: &mut Criterion) {
    let config = Config::from_vars(&Vars::from_pairs([(
        "ATTRIBUTE_MAPPINGS",
        r#"{"Okta": {"custom:role": "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"}}"#,
    )]))
    .unwrap();
    for sample in [
        "InboundFederation_ExternalProvider-oidc.json",
        "InboundFederation_ExternalProvider-saml.json",
    ] {
        handler_vs_serde::<CognitoEventUserPoolsInboundFederation, _, _, _>(
            c,
            "inbound-federation",
            sample,
            |e| handler(&config, e),
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
