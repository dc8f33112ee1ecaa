//! Email domains in one canonical form, so that every spelling of a domain compares
//! equal: IDNA (UTS-46) ASCII form, lower case, without the trailing root dot.

use trigger_core::ConfigError;

use crate::canonical::canonical_domain;

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

/// A domain name in canonical form (`bücher.de`, `XN--BCHER-KVA.DE.` and
/// `xn--bcher-kva.de` are the same `Domain`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Domain(String);

impl Domain {
    /// Normalizes a domain, or `None` when it is not a usable host name
    /// (empty labels, bad characters, over-long labels, invalid IDNA).
    pub fn parse(input: &str) -> Option<Self> {
        canonical_domain(input).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This domain and each parent: `a.b.example.com`, `b.example.com`,
    /// `example.com`, `com`.
    pub fn self_and_parents(&self) -> impl Iterator<Item = &str> {
        let name = self.0.as_str();
        std::iter::once(name).chain(
            name.char_indices()
                .filter(|&(_, c)| c == '.')
                .map(move |(i, _)| &name[i + 1..]),
        )
    }

    /// True when this is `parent` or one of its subdomains (`mail.evil.com` is within
    /// `evil.com`; `notevil.com` and `evil.com.au` are not).
    pub fn is_within(&self, parent: &Domain) -> bool {
        self.self_and_parents().any(|d| d == parent.0)
    }
}

/// A configured list of domains; an entry also covers its subdomains.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainList(Vec<Domain>);

impl DomainList {
    /// Parses configured entries; an entry that is not a domain is a config error
    /// naming the variable (a typo must not silently switch a rule off).
    pub fn from_entries(var: &str, entries: &[String]) -> Result<Self, ConfigError> {
        entries
            .iter()
            .map(|entry| {
                // Tolerate "@example.com", a common way to write a domain rule.
                let bare = entry.strip_prefix('@').unwrap_or(entry);
                Domain::parse(bare)
                    .ok_or_else(|| ConfigError::new(var, format!("{entry:?} is not a domain name")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, domain: &Domain) -> bool {
        self.0.iter().any(|entry| domain.is_within(entry))
    }
}

/// An email address split into its local part and canonical domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress {
    pub local: String,
    pub domain: Domain,
}

impl EmailAddress {
    /// Parses `local@domain`. The local part must be non-empty, at most 64
    /// characters, without whitespace, control characters or a second `@`; the domain
    /// must be a valid host name with at least one dot. Plus-addressing
    /// (`alice+tag@example.com`) is an ordinary local part.
    pub fn parse(input: &str) -> Option<Self> {
        let (local, domain) = input.rsplit_once('@')?;
        let local_ok = !local.is_empty()
            && local.chars().count() <= 64
            && !local
                .chars()
                .any(|c| c == '@' || c.is_whitespace() || c.is_control());
        if !local_ok || domain.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        let domain = Domain::parse(domain)?;
        if !domain.as_str().contains('.') {
            return None;
        }
        Some(Self {
            local: local.to_owned(),
            domain,
        })
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
    fn spellings_of_one_domain_are_equal() {
        assert_eq!(d("Example.COM"), d("example.com"));
        assert_eq!(d("example.com."), d("example.com"));
        assert_eq!(d("bücher.de"), d("xn--bcher-kva.de"));
        assert_eq!(d("BÜCHER.de."), d("XN--BCHER-KVA.DE"));
        assert_eq!(d("example。com"), d("example.com"));
    }

    #[test]
    fn broken_domains_do_not_parse() {
        for bad in [
            "",
            ".",
            "a..b",
            "-a.com",
            "a-.com",
            "a b.com",
            "a_b.com",
            "example.com..",
            &"a".repeat(64),
        ] {
            assert!(Domain::parse(bad).is_none(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn subdomains_match_but_look_alike_suffixes_do_not() {
        let evil = d("evil.com");
        assert!(d("evil.com").is_within(&evil));
        assert!(d("mail.evil.com").is_within(&evil));
        assert!(d("a.b.evil.com").is_within(&evil));
        assert!(!d("notevil.com").is_within(&evil));
        assert!(!d("evil.com.au").is_within(&evil));
        assert!(!d("com").is_within(&evil));
    }

    #[test]
    fn config_lists_name_the_bad_entry() {
        let err = DomainList::from_entries(
            "DENIED_EMAIL_DOMAINS",
            &["ok.com".into(), "bad domain".into()],
        )
        .unwrap_err();
        assert_eq!(err.var, "DENIED_EMAIL_DOMAINS");
        assert!(err.reason.contains("bad domain"));
        let list = DomainList::from_entries("X", &["@Example.com".into()]).unwrap();
        assert!(list.matches(&d("example.com")));
    }

    #[test]
    fn addresses_split_at_the_last_at_sign() {
        let e = EmailAddress::parse("Alice+news@Mail.Example.com.").unwrap();
        assert_eq!(e.local, "Alice+news");
        assert_eq!(e.domain, d("mail.example.com"));
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "a@b@example.com",
            "al ice@example.com",
            "alice@localhost",
            "alice@exa mple.com",
        ] {
            assert!(
                EmailAddress::parse(bad).is_none(),
                "{bad:?} should not parse"
            );
        }
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
