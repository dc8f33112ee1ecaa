//! Puts the `mailchecker` crate's disposable-mail domains in canonical form and
//! stores a 62-bit fingerprint of each as static data: the trigger looks a domain up
//! by its fingerprint's bucket and does no work at start or on the first sign-up.

use std::fmt::Write as _;

#[path = "src/canonical.rs"]
mod canonical;
#[path = "../../shared/email-domains/src/canonical.rs"]
mod canonical_domain;

use canonical::{list_key, BUCKET_BITS};
use canonical_domain::canonical_domain;

fn main() -> std::io::Result<()> {
    println!("cargo::rerun-if-changed=src/canonical.rs");
    println!("cargo::rerun-if-changed=../../shared/email-domains/src/canonical.rs");
    let mut domains: Vec<String> = mailchecker::blacklist()
        .into_iter()
        .filter_map(canonical_domain)
        .collect();
    domains.sort_unstable();
    domains.dedup();
    // Fingerprints instead of the names: the names took 1,036 KB of the binary
    // (the text and where each name ends), the fingerprints 404 KB, which keeps
    // pre-signup within 3 MB. A domain not on the list is taken for one only if its
    // 62 bits equal one of the list's: about 56,000 / 2^62, 1.2e-14 per lookup.
    // Plain integers, not `&str`s: a pointer in a static is relocated at every
    // start of a position-independent binary; these are read-only data the loader
    // leaves alone until a lookup touches a page.
    let mut keys: Vec<(usize, [u8; 6])> = domains.iter().map(|d| list_key(d)).collect();
    keys.sort_unstable();
    if let Some(pair) = keys.windows(2).find(|w| w[0] == w[1]) {
        // Not so for the current list; should it ever happen, the key needs more bits.
        return Err(std::io::Error::other(format!(
            "two disposable domains share the fingerprint {pair:?}"
        )));
    }
    let buckets = 1usize << BUCKET_BITS;
    let mut starts = String::new();
    let mut next = 0;
    for bucket in 0..=buckets {
        while next < keys.len() && keys[next].0 < bucket {
            next += 1;
        }
        let _ = write!(starts, "{next},");
    }
    let mut stored = String::new();
    for (_, low) in &keys {
        let _ = write!(stored, "{low:?},");
    }
    let out = format!(
        "/// How many disposable-mail domains of mailchecker (canonical, without\n\
         /// repeats) the list holds.\n\
         const DISPOSABLE_LEN: usize = {n};\n\
         /// Where each fingerprint bucket starts in [`DISPOSABLE_STORED`]; the last\n\
         /// entry is the end of the last bucket.\n\
         static DISPOSABLE_STARTS: [u32; {starts_len}] = [{starts}];\n\
         /// The 48 lowest bits of each domain's fingerprint, big-endian, sorted\n\
         /// within its bucket.\n\
         static DISPOSABLE_STORED: [[u8; 6]; {n}] = [{stored}];\n",
        n = keys.len(),
        starts_len = buckets + 1,
    );
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default())
        .join("disposable_domains.rs");
    std::fs::write(path, out)
}
