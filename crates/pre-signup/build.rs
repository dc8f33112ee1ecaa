//! Puts the `mailchecker` crate's disposable-mail domains in canonical form, sorted
//! and without repeats, into static data: the trigger looks a domain up with a
//! binary search and does no work at start or on the first sign-up.

use std::fmt::Write as _;

#[path = "src/canonical.rs"]
mod canonical;

fn main() -> std::io::Result<()> {
    println!("cargo::rerun-if-changed=src/canonical.rs");
    let mut domains: Vec<String> = mailchecker::blacklist()
        .into_iter()
        .filter_map(canonical::canonical_domain)
        .collect();
    domains.sort_unstable();
    domains.dedup();
    // One text and the end of each domain in it, not an array of `&str`: in a
    // position-independent binary every `&str` in a static is a pointer the loader
    // relocates at start, and 56,359 of them wrote about 0.9 MB of pages on every
    // cold start. Offsets are plain data; only the text's own pointer is relocated.
    let mut text = String::new();
    let mut ends = String::new();
    for d in &domains {
        // Canonical domains hold only a-z, 0-9, '-' and '.': no escaping needed.
        text.push_str(d);
        let _ = write!(ends, "{},", text.len());
    }
    let out = format!(
        "/// The {n} disposable-mail domains of mailchecker, canonical, sorted and\n\
         /// without repeats, one after another; see [`DISPOSABLE_ENDS`].\n\
         static DISPOSABLE_TEXT: &str = \"{text}\";\n\
         /// Where each domain of [`DISPOSABLE_TEXT`] ends (the next one starts there).\n\
         static DISPOSABLE_ENDS: [u32; {n}] = [{ends}];\n",
        n = domains.len(),
    );
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default())
        .join("disposable_domains.rs");
    std::fs::write(path, out)
}
