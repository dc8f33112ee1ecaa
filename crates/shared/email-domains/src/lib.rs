//! Email addresses and their domains in one canonical form, so that every spelling of
//! a domain compares equal (IDNA UTS-46 ASCII form, lower case, without the trailing
//! root dot), and configured lists of domains. Shared by pre-signup, which applies
//! the domain rules, and post-confirmation, which must tell the addresses pre-signup
//! auto-verified from those proven with a code exactly as pre-signup matched them.

mod canonical;
pub mod proof;

pub use canonical::canonical_domain;

use trigger_core::ConfigError;

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

    /// True when the domain is itself on the public suffix list (`com`, `co.uk`,
    /// `github.io`), or a top-level domain it does not know: a name under which
    /// anyone can register one of their own, so no rule can trust it as a whole.
    pub fn is_public_suffix(&self) -> bool {
        psl::suffix(self.0.as_bytes()).is_none_or(|suffix| suffix.as_bytes() == self.0.as_bytes())
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

    /// The same list, or an error naming `var` when an entry is a public suffix
    /// ([`Domain::is_public_suffix`]): for a rule that trusts everyone under an
    /// entry (auto-confirmation), `com` or `co.uk` would trust the whole world.
    pub fn refusing_public_suffixes(self, var: &str) -> Result<Self, ConfigError> {
        match self.0.iter().find(|d| d.is_public_suffix()) {
            Some(suffix) => Err(ConfigError::new(
                var,
                format!(
                    "{:?} is a public suffix: anyone can register an address under it; \
                     name your own domain (example.com, not com)",
                    suffix.as_str()
                ),
            )),
            None => Ok(self),
        }
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
    fn public_suffixes_are_told_from_registered_domains() {
        for suffix in [
            "com",
            "co.uk",
            "CO.UK.",
            "github.io",
            "xn--p1ai",
            "рф",
            "corp",
        ] {
            assert!(d(suffix).is_public_suffix(), "{suffix}");
        }
        for domain in [
            "example.com",
            "corp.example.com",
            "example.co.uk",
            "acme.github.io",
        ] {
            assert!(!d(domain).is_public_suffix(), "{domain}");
        }
        let list = |entries: &[&str]| {
            DomainList::from_entries(
                "AUTO_CONFIRM_EMAIL_DOMAINS",
                &entries.iter().map(|e| (*e).to_owned()).collect::<Vec<_>>(),
            )
            .unwrap()
            .refusing_public_suffixes("AUTO_CONFIRM_EMAIL_DOMAINS")
        };
        assert!(list(&["corp.example.com", "example.co.uk"]).is_ok());
        let err = list(&["corp.example.com", "co.uk"]).unwrap_err();
        assert_eq!(err.var, "AUTO_CONFIRM_EMAIL_DOMAINS");
        assert!(
            err.reason.contains("\"co.uk\" is a public suffix"),
            "{}",
            err.reason
        );
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
}
