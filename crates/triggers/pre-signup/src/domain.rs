//! The disposable-mail list, looked up by canonical domain (the canonical form and
//! the configured lists are `email_domains`', shared with post-confirmation).

pub use email_domains::{Domain, DomainList, EmailAddress};

// DISPOSABLE_LEN, DISPOSABLE_STARTS and DISPOSABLE_STORED, made by build.rs.
include!(concat!(env!("OUT_DIR"), "/disposable_domains.rs"));

/// The disposable-mail list made at build time: a 62-bit fingerprint of each
/// canonical domain ([`crate::canonical::fingerprint`]), in buckets by its leading
/// bits.
pub mod disposable_list {
    use super::{DISPOSABLE_LEN, DISPOSABLE_STARTS, DISPOSABLE_STORED};
    use crate::canonical::{list_key, BUCKET_BITS};

    /// How many domains the list holds.
    pub fn len() -> usize {
        DISPOSABLE_LEN
    }

    /// The stored fingerprints of bucket `b` (empty past the last bucket).
    pub fn bucket(b: usize) -> &'static [[u8; 6]] {
        let start = DISPOSABLE_STARTS.get(b).copied().unwrap_or(0) as usize;
        let end = DISPOSABLE_STARTS.get(b + 1).copied().unwrap_or(0) as usize;
        DISPOSABLE_STORED.get(start..end).unwrap_or_default()
    }

    /// How many buckets the list has.
    pub fn buckets() -> usize {
        1 << BUCKET_BITS
    }

    /// Whether `domain` (canonical) is on the list: its bucket (about four
    /// fingerprints) searched for its stored bits.
    pub fn contains(domain: &str) -> bool {
        let (b, stored) = list_key(domain);
        bucket(b).contains(&stored)
    }
}

/// True when the domain or one of its parents is on the disposable-mail list
/// maintained in the `mailchecker` crate: a fingerprint looked up in static data
/// made at build time, so nothing is built at start or on the first sign-up.
pub fn is_disposable(domain: &Domain) -> bool {
    domain.self_and_parents().any(disposable_list::contains)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Domain {
        Domain::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn every_entry_of_the_crate_is_found_in_any_spelling() {
        let entries = mailchecker::blacklist();
        for entry in &entries {
            let d = Domain::parse(entry).unwrap_or_else(|| panic!("{entry} parses"));
            assert!(is_disposable(&d), "{entry} missing as {}", d.as_str());
            let shouted = Domain::parse(&format!("{}.", entry.to_uppercase()));
            assert!(shouted.is_some_and(|d| is_disposable(&d)), "{entry}");
        }
        let n = disposable_list::len();
        assert!(n > entries.len() * 99 / 100);
        assert!(n <= entries.len());
        let stored: usize = (0..disposable_list::buckets())
            .map(|b| disposable_list::bucket(b).len())
            .sum();
        assert_eq!(stored, n, "every domain in one bucket");
        assert!(
            (0..disposable_list::buckets())
                .all(|b| disposable_list::bucket(b).windows(2).all(|w| w[0] < w[1])),
            "sorted within buckets, no repeats"
        );
        assert!(disposable_list::bucket(disposable_list::buckets()).is_empty());
    }

    #[test]
    fn domains_off_the_list_are_not_taken_for_disposable_ones() {
        // The fingerprints, not the names, are stored: 300,000 domains that are not
        // on the list, none read as on it (each would be a person refused for
        // nothing). Their parents are not checked here: `com`, `org` are not listed.
        let listed: std::collections::HashSet<String> = mailchecker::blacklist()
            .into_iter()
            .filter_map(|e| Domain::parse(e).map(|d| d.as_str().to_owned()))
            .collect();
        let mut checked = 0;
        for i in 0..100_000u32 {
            for name in [
                format!("user{i}.example.com"),
                format!("mail-{i}.org"),
                format!("{}.net", i.wrapping_mul(2_654_435_761)),
            ] {
                if listed.contains(&name) {
                    continue;
                }
                assert!(
                    !disposable_list::contains(&name),
                    "{name} taken for a disposable domain"
                );
                checked += 1;
            }
        }
        assert!(checked > 299_000, "{checked}");
        // And the list's buckets are used evenly enough for a short scan.
        let fullest = (0..disposable_list::buckets())
            .map(|b| disposable_list::bucket(b).len())
            .max();
        assert!(fullest.is_some_and(|m| m <= 20), "{fullest:?}");
    }

    #[test]
    fn disposable_list_comes_from_the_crate_and_covers_subdomains() {
        assert!(mailchecker::blacklist().len() > 1000);
        assert!(is_disposable(&d("mailinator.com")));
        assert!(is_disposable(&d("inbox.mailinator.com")));
        assert!(is_disposable(&d("MAILINATOR.COM.")));
        assert!(!is_disposable(&d("example.com")));
        assert!(!is_disposable(&d("gmail.com")));
    }
}
