//! Making personal data fit for a log line.

/// Masks an email address for logs: `alice@example.com` becomes `a***@example.com`.
/// Anything that is not an address becomes `***`.
pub fn mask_email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            let first: String = local.chars().take(1).collect();
            let domain: String = domain.chars().take(253).collect();
            format!("{first}***@{domain}")
        }
        _ => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_first_letter_and_domain_only() {
        assert_eq!(mask_email("alice@example.com"), "a***@example.com");
        assert_eq!(mask_email("Ünal+tag@bücher.de"), "Ü***@bücher.de");
    }

    #[test]
    fn non_addresses_reveal_nothing() {
        assert_eq!(mask_email("alice"), "***");
        assert_eq!(mask_email("@example.com"), "***");
        assert_eq!(mask_email(""), "***");
    }
}
