//! The cost of writing and reading the tables' times (`trigger_core::time`): once per
//! row user-migration, post-authentication and post-confirmation write.

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion};
use trigger_core::time::{human_time, parse_rfc3339, rfc3339};

fn times(c: &mut Criterion) {
    let at = UNIX_EPOCH + Duration::new(1_795_338_904, 931_318_000);
    c.bench_function("rfc3339", |b| b.iter(|| rfc3339(black_box(at))));
    c.bench_function("human_time", |b| b.iter(|| human_time(black_box(at))));
    let text = "2026-11-22T10:15:04.931318+01:00";
    c.bench_function("parse_rfc3339", |b| {
        b.iter(|| parse_rfc3339(black_box(text)))
    });
}

criterion_group!(benches, times);
criterion_main!(benches);
