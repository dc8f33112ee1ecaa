//! Making personal data fit for a log line.

/// Masks an email address for logs: `alice@example.com` becomes `a***@example.com`.
/// Anything that is not an address becomes `***`.
pub fn mask_email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            let first = local.chars().next().map_or(0, char::len_utf8);
            let domain_end = domain
                .char_indices()
                .nth(253)
                .map_or(domain.len(), |(i, _)| i);
            let mut masked = String::with_capacity(first + 4 + domain_end);
            masked.push_str(&local[..first]);
            masked.push_str("***@");
            masked.push_str(&domain[..domain_end]);
            masked
        }
        _ => "***".to_owned(),
    }
}

/// Masks a phone number for logs: `+14155550123` becomes `+*******0123` (the first
/// character and the last four digits).
pub fn mask_phone(phone: &str) -> String {
    let chars = phone.chars().count();
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| if i == 0 || i + 4 >= chars { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keep_the_first_character_and_the_last_four_digits() {
        assert_eq!(mask_phone("+14155550123"), "+*******0123");
        assert_eq!(mask_phone("+33612345678"), "+*******5678");
    }

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
