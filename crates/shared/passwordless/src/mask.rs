//! The destination a challenge names ("we sent a code to r***@e***.com"), of one
//! form whether the user exists or not.

use sha2::{Digest, Sha256};

/// An address as the app shows it: the first character of the local part and of
/// the domain, and the last label: `rosa.diaz@example.com` is `r***@e***.com`.
pub fn email(address: &str) -> Option<String> {
    let (local, domain) = address.trim().rsplit_once('@')?;
    let first = local.chars().next()?;
    let (name, tld) = domain.rsplit_once('.')?;
    let host = name.chars().next()?;
    let tld_ok = !tld.is_empty() && tld.chars().all(char::is_alphanumeric);
    tld_ok.then(|| format!("{first}***@{host}***.{tld}"))
}

/// A phone number as the app shows it: `+` and the last four digits.
pub fn phone(number: &str) -> Option<String> {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 8 && number.trim().starts_with('+')).then(|| {
        format!(
            "+*******{}",
            digits[digits.len() - 4..].iter().collect::<String>()
        )
    })
}

/// For a user name that has no account: an address if the name is one (what the
/// user typed), otherwise one of the same form made from the name, the same every
/// time it is asked for, so that two answers for one name never differ.
pub fn stand_in_email(user_name: &str) -> String {
    if let Some(masked) = email(user_name) {
        return masked;
    }
    let hash = Sha256::digest(user_name.as_bytes());
    let first = user_name
        .chars()
        .next()
        .filter(char::is_ascii_alphanumeric)
        .unwrap_or(char::from(b'a' + hash[0] % 26))
        .to_ascii_lowercase();
    let host = char::from(b'a' + hash[1] % 26);
    let tld = ["com", "com", "com", "net", "org", "de", "fr"][usize::from(hash[2] % 7)];
    format!("{first}***@{host}***.{tld}")
}

/// A phone number of the same form as [`phone`]'s, made from the user name.
pub fn stand_in_phone(user_name: &str) -> String {
    let hash = Sha256::digest(user_name.as_bytes());
    let last: String = hash[..4]
        .iter()
        .map(|b| char::from(b'0' + b % 10))
        .collect();
    format!("+*******{last}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_destinations_have_one_form() {
        assert_eq!(email("rosa.diaz@example.com").unwrap(), "r***@e***.com");
        assert_eq!(email("ana@mail.example.co.uk").unwrap(), "a***@m***.uk");
        assert_eq!(email("not an address"), None);
        assert_eq!(phone("+14155550123").unwrap(), "+*******0123");
        assert_eq!(phone("0123"), None);
        assert_eq!(stand_in_email("nobody@example.org"), "n***@e***.org");
        let made = stand_in_email("jdoe");
        assert_eq!(made, stand_in_email("jdoe"), "the same every time");
        let shape = |m: &str| {
            let (l, d) = m.split_once("***@").unwrap();
            l.chars().count() == 1 && d.contains("***.")
        };
        assert!(shape(&made), "{made}");
        let p = stand_in_phone("jdoe");
        assert_eq!(p.len(), phone("+14155550123").unwrap().len());
        assert!(p[8..].bytes().all(|b| b.is_ascii_digit()));
    }
}
