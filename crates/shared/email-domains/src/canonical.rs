//! The canonical form of a domain name, in a file of its own because two places
//! compile it: this library, and pre-signup's `build.rs`, which puts the
//! disposable-mail list in this form at build time.

/// IDNA (UTS-46) ASCII form, lower case, without the trailing root dot; `None` when
/// the input is not a usable host name (empty labels, bad characters, over-long
/// labels, invalid IDNA).
pub fn canonical_domain(input: &str) -> Option<String> {
    if input.is_empty() || input.len() > 1024 {
        return None;
    }
    let ascii = idna::domain_to_ascii(input).ok()?;
    // UTS-46 maps the ideographic full stop to '.', so strip the root dot after mapping.
    let ascii = ascii.strip_suffix('.').unwrap_or(&ascii);
    if ascii.is_empty() || ascii.len() > 253 {
        return None;
    }
    for label in ascii.split('.') {
        let well_formed = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !well_formed {
            return None;
        }
    }
    Some(ascii.to_owned())
}
