//! The no-panic properties every trigger has: arbitrary JSON, and sample events with
//! one node replaced or removed.

use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::events::sample_events;

/// A sample event of `function` with one node replaced by `replacement` (or removed
/// when it is `None`); `pick` chooses the event and `node` the place.
pub fn mutated_sample(
    function: &str,
    pick: prop::sample::Index,
    node: prop::sample::Index,
    replacement: Option<Value>,
) -> Value {
    let samples = sample_events(function);
    let (_, event) = &samples[pick.index(samples.len())];
    let all = paths(event);
    mutate(event, &all[node.index(all.len())], replacement)
}

/// Any JSON value, biased towards the shapes Cognito events have.
pub fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".*".prop_map(Value::String),
        Just(Value::String("{####}".into())),
        Just(Value::String("PreSignUp_SignUp".into())),
        Just(Value::String("CustomMessage_SignUp".into())),
        Just(Value::String("a@example.com".into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z:_]{0,16}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Every path (as JSON-pointer segments) to a node of `value`, the root included.
pub fn paths(value: &Value) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                for mut p in paths(v) {
                    p.insert(0, k.clone());
                    out.push(p);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                for mut p in paths(v) {
                    p.insert(0, i.to_string());
                    out.push(p);
                }
            }
        }
        _ => {}
    }
    out
}

/// A copy of `value` where the node at `path` is replaced (or, when `replacement` is
/// `None`, removed).
pub fn mutate(value: &Value, path: &[String], replacement: Option<Value>) -> Value {
    let mut out = value.clone();
    let Some((last, parents)) = path.split_last() else {
        return replacement.unwrap_or(Value::Null);
    };
    let mut node = &mut out;
    for segment in parents {
        node = match node {
            Value::Object(map) => map.get_mut(segment).expect("path exists"),
            Value::Array(items) => &mut items[segment.parse::<usize>().expect("index")],
            _ => unreachable!("paths() only descends into containers"),
        };
    }
    match (node, replacement) {
        (Value::Object(map), Some(v)) => {
            map.insert(last.clone(), v);
        }
        (Value::Object(map), None) => {
            map.remove(last);
        }
        (Value::Array(items), Some(v)) => items[last.parse::<usize>().expect("index")] = v,
        (Value::Array(items), None) => {
            items.remove(last.parse::<usize>().expect("index"));
        }
        _ => unreachable!("paths() only descends into containers"),
    }
    out
}

/// Runs a future to completion on a fresh single-thread runtime (for property tests,
/// which are not async).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// The two no-panic properties every trigger has: `run` on `cases` arbitrary JSON
/// values, and on `cases` sample events of `function` with one node replaced or
/// removed, where `check` judges the answer to the mutated event. A panic in `run`
/// fails the property like a failed check, with the shrunk input.
pub fn check_no_panic<R>(
    function: &str,
    cases: u32,
    run: impl Fn(Value) -> R,
    check: impl Fn(&Value, R) -> Result<(), proptest::test_runner::TestCaseError>,
) {
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config::with_cases(cases));
    if let Err(e) = runner.run(&arb_json(), |value| {
        let _ = run(value);
        Ok(())
    }) {
        panic!("{function}, arbitrary JSON: {e}");
    }
    let mutations = (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        prop::option::of(arb_json()),
    );
    let mut runner = TestRunner::new(Config::with_cases(cases));
    if let Err(e) = runner.run(&mutations, |(pick, node, replacement)| {
        let event = mutated_sample(function, pick, node, replacement);
        let answer = run(event.clone());
        check(&event, answer)
    }) {
        panic!("{function}, mutated sample events: {e}");
    }
}
