//! What the disposable-domain check costs: one lookup per domain and parent, a
//! fingerprint and a scan of its bucket in the static data build.rs makes.

use criterion::{criterion_group, criterion_main, Criterion};
use pre_signup::domain::{is_disposable, Domain};

fn disposable(c: &mut Criterion) {
    for address in ["mail.example.com", "inbox.mailinator.com"] {
        let domain = Domain::parse(address);
        c.bench_function(&format!("disposable_lookup {address}"), |b| {
            b.iter(|| domain.as_ref().map(is_disposable))
        });
    }
}

criterion_group!(benches, disposable);
criterion_main!(benches);
