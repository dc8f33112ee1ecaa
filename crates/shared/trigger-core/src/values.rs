//! Checks of values that several triggers and tools share.

/// E.164: a `+`, then 2 to 15 digits, the first not zero (what Cognito stores in
/// `phone_number`).
pub fn is_e164(phone: &str) -> bool {
    let Some(digits) = phone.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// An address a sender or a footer may use: `local@domain`, one line, no spaces,
/// no list separators.
pub fn looks_like_address(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.contains('@')
                && !text
                    .contains(|c: char| c.is_whitespace() || c.is_control() || c == ',' || c == ';')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_must_be_e164() {
        for good in ["+14155550123", "+442071838750", "+33612345678", "+12"] {
            assert!(is_e164(good), "{good}");
        }
        for bad in [
            "",
            "+",
            "14155550123",
            "+0123456",
            "+1 415 555 0123",
            "+1-415-555-0123",
            "+1234567890123456",
            "+١٢٣٤٥٦٧",
        ] {
            assert!(!is_e164(bad), "{bad:?}");
        }
    }
}
