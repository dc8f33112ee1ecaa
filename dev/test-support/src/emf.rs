//! The Embedded Metric Format documents a test's invocation emitted (feature `metrics`).

use serde_json::Value;

/// Installs the process-wide recorder for `namespace`, as a trigger's `main` does.
pub fn collector(namespace: &str) -> &'static metrics_cloudwatch_embedded::Collector {
    trigger_core::emf::collector(namespace).expect("the one recorder of this test process")
}

/// What was counted since the last flush, one JSON document per dimension set.
pub fn documents(collector: &metrics_cloudwatch_embedded::Collector) -> Vec<Value> {
    let mut out = Vec::new();
    collector.flush(&mut out).expect("flush to memory");
    String::from_utf8(out)
        .expect("UTF-8 documents")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON document"))
        .collect()
}
