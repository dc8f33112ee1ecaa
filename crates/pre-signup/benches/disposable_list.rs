//! What the disposable-domain check costs: building the set (once per process, on
//! the first sign-up after a cold start) and one lookup.

use criterion::{criterion_group, criterion_main, Criterion};
use pre_signup::domain::{disposable_set, is_disposable, Domain};

fn disposable(c: &mut Criterion) {
    c.bench_function("disposable_set_build", |b| {
        b.iter(|| disposable_set().len())
    });
    let domain = Domain::parse("mail.example.com");
    c.bench_function("disposable_lookup", |b| {
        b.iter(|| domain.as_ref().map(is_disposable))
    });
}

criterion_group!(benches, disposable);
criterion_main!(benches);
