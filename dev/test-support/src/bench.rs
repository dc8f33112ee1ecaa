//! The handler of a trigger against serde on the same sample event (`make bench`):
//! how much an invocation costs beyond reading and writing its JSON.

use std::future::Future;

use criterion::Criterion;
use lambda_runtime::{Context, LambdaEvent};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;
use trigger_core::{TriggerError, TriggerEvent};

use crate::events::events_dir;

/// Benchmarks, in the group `hvs/<function>/<sample without its trigger prefix>`
/// (criterion cuts directory names at 64 characters):
///
/// - `serde`: the sample's bytes parsed into `Typed` (the event's serde type) and
///   written back to bytes, the least any Rust trigger does;
/// - `decode_encode`: the invocation as the binary runs it with a handler that gives
///   the event back: the bytes checked as JSON text (as `lambda_runtime` hands them
///   over), the decoding step, the answer back to bytes (as the runtime sends it);
/// - `handler`: the same with the trigger's handler;
/// - `serde_answer`: the sample's bytes parsed into `Typed` and the handler's answer
///   (parsed beforehand) written to bytes: the least a Rust trigger does to read
///   this event and write this answer, which differs from the first where the
///   trigger adds to the event (a rendered message, claims).
///
/// `scripts/bench_report.py` prints their ratio.
pub fn handler_vs_serde<Typed, E, H, Fut>(
    c: &mut Criterion,
    function: &str,
    sample: &str,
    handler: H,
) where
    Typed: Serialize + DeserializeOwned,
    E: TriggerEvent,
    H: Fn(LambdaEvent<E>) -> Fut,
    Fut: Future<Output = Result<E, TriggerError>>,
{
    let path = events_dir(function).join(sample);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let invoke = |identity: bool| {
        runtime.block_on(async {
            let text: Box<RawValue> = serde_json::from_slice(&bytes).expect("JSON");
            let event = LambdaEvent::new(text, Context::default());
            let answer = if identity {
                trigger_core::answer(|e: LambdaEvent<E>| async move { Ok(e.payload) }, event).await
            } else {
                trigger_core::answer(&handler, event).await
            };
            let answer = answer.unwrap_or_else(|e| panic!("{sample}: {e:?}"));
            serde_json::to_vec(&answer).expect("an answer")
        })
    };
    let answer: Typed =
        serde_json::from_slice(&invoke(false)).expect("the serde type reads the answer");
    let stem = sample.trim_end_matches(".json");
    let stem = stem.split_once('_').map_or(stem, |(_, rest)| rest);
    let mut group = c.benchmark_group(format!("hvs/{function}/{stem}"));
    group.bench_function("serde", |b| {
        b.iter(|| {
            let typed: Typed =
                serde_json::from_slice(&bytes).expect("the serde type reads the sample");
            serde_json::to_vec(&typed).expect("bytes")
        })
    });
    group.bench_function("serde_answer", |b| {
        b.iter(|| {
            let typed: Typed =
                serde_json::from_slice(&bytes).expect("the serde type reads the sample");
            drop(typed);
            serde_json::to_vec(&answer).expect("bytes")
        })
    });
    group.bench_function("decode_encode", |b| b.iter(|| invoke(true)));
    group.bench_function("handler", |b| b.iter(|| invoke(false)));
    group.finish();
}
