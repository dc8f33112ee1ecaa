//! What one verification of a legacy password hash costs, per scheme and parameter,
//! on this machine and as projected for the template's 1024 MB function (Lambda gives
//! a whole vCPU at 1,769 MB and a share below): the figures the hash-cost ceilings of
//! `user_migration::hash` are set from (the package README's "Hash costs").
//!
//! `cargo bench -p user-migration --bench hash_costs` (optimized, as deployed). Each
//! row is the median of five verifications, computed with the same crates the trigger
//! verifies with, past the trigger's own ceilings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use user_migration::hash::{self, Scheme};

/// Lambda's CPU share at the template's memory: 1024 of the 1,769 MB of one vCPU.
const SHARE_AT_1024_MB: f64 = 1024.0 / 1769.0;

fn median_of_five(mut f: impl FnMut()) -> Duration {
    let mut runs: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    runs.sort();
    runs[2]
}

fn row(scheme: &str, params: &str, took: Duration, within: bool) {
    let ms = took.as_secs_f64() * 1000.0;
    println!(
        "| {scheme} | {params} | {ms:.0} | {:.0} | {} |",
        ms / SHARE_AT_1024_MB,
        if within { "verified" } else { "refused" }
    );
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (a filter) is ignored.
    let password = b"correct horse battery staple";
    let salt = [7u8; 16];
    println!("| scheme | parameters | ms here (one core) | ms at 1024 MB | the trigger |");
    println!("|---|---|---|---|---|");
    for cost in [10, 11, 12, 13, 14, 15] {
        let h = bcrypt::hash_with_salt(password, cost, salt)
            .unwrap()
            .to_string();
        let took = median_of_five(|| {
            std::hint::black_box(bcrypt::verify(password, &h).unwrap());
        });
        row(
            "bcrypt",
            &format!("cost {cost}"),
            took,
            cost <= hash::MAX_BCRYPT_COST,
        );
    }
    let mut out = [0u8; 32];
    for rounds in [210_000, 600_000, 870_000, 2_000_000, 5_000_000] {
        let took = median_of_five(|| {
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, &salt, rounds, &mut out);
        });
        row(
            "PBKDF2-SHA256",
            &format!("{rounds} rounds"),
            took,
            rounds <= hash::max_pbkdf2_rounds(Scheme::Pbkdf2Sha256),
        );
    }
    let mut out = [0u8; 64];
    for rounds in [210_000, 600_000, 1_000_000, 5_000_000] {
        let took = median_of_five(|| {
            pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, &salt, rounds, &mut out);
        });
        row(
            "PBKDF2-SHA512",
            &format!("{rounds} rounds"),
            took,
            rounds <= hash::max_pbkdf2_rounds(Scheme::Pbkdf2Sha512),
        );
    }
    let mut out = [0u8; 32];
    for (log_n, r, p) in [
        (14, 8, 1),
        (15, 8, 1),
        (16, 8, 1),
        (17, 8, 1),
        (16, 8, 2),
        (18, 8, 1),
    ] {
        let params = scrypt::Params::new(log_n, r, p).unwrap();
        let took = median_of_five(|| {
            scrypt::scrypt(password, &salt, &params, &mut out).unwrap();
        });
        let memory_mib = (128u64 * u64::from(r) * (1u64 << log_n)) >> 20;
        row(
            "scrypt",
            &format!("ln={log_n}, r={r}, p={p} ({memory_mib} MiB)"),
            took,
            hash::scrypt_within_ceiling(log_n, r, p),
        );
    }
    for (m_kib, t, p) in [
        (19_456, 2, 1),
        (65_536, 3, 4),
        (131_072, 3, 1),
        (262_144, 3, 1),
        (262_144, 4, 1),
    ] {
        let params = argon2::Params::new(m_kib, t, p, Some(32)).unwrap();
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let took = median_of_five(|| {
            argon.hash_password_into(password, &salt, &mut out).unwrap();
        });
        row(
            "Argon2id",
            &format!("m={m_kib} KiB, t={t}, p={p}"),
            took,
            hash::argon2_within_ceiling(m_kib, t),
        );
    }
}
