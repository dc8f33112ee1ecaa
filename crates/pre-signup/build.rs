//! Puts the `mailchecker` crate's disposable-mail domains in canonical form, sorted
//! and without repeats, into a static array: the trigger looks a domain up with a
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
    let mut out = format!(
        "/// {} disposable-mail domains of mailchecker, canonical and sorted.\n\
         pub static DISPOSABLE_DOMAINS: [&str; {}] = [\n",
        domains.len(),
        domains.len()
    );
    for d in &domains {
        // Canonical domains hold only a-z, 0-9, '-' and '.': no escaping needed.
        let _ = writeln!(out, "    \"{d}\",");
    }
    out.push_str("];\n");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default())
        .join("disposable_domains.rs");
    std::fs::write(path, out)
}
