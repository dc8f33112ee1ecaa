//! Choosing the language of a message.

/// The shipped language for a user's `locale` attribute (`fr`, `fr-CA`, `pt_BR`,
/// `DE`): the exact tag, else its primary language, else `default`.
pub fn resolve_locale(
    attribute: Option<&str>,
    default: &str,
    shipped: impl Fn(&str) -> bool,
) -> String {
    if let Some(raw) = attribute {
        let tag = raw.trim().replace('_', "-").to_ascii_lowercase();
        if !tag.is_empty() {
            if shipped(&tag) {
                return tag;
            }
            if let Some(primary) = tag.split('-').next() {
                if shipped(primary) {
                    return primary.to_owned();
                }
            }
        }
    }
    default.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(tag: &str) -> bool {
        ["en", "fr", "de", "es"].contains(&tag)
    }

    #[test]
    fn locale_falls_back_from_region_to_language_to_default() {
        assert_eq!(resolve_locale(Some("fr"), "en", shipped), "fr");
        assert_eq!(resolve_locale(Some("fr-CA"), "en", shipped), "fr");
        assert_eq!(resolve_locale(Some("DE_at"), "en", shipped), "de");
        assert_eq!(resolve_locale(Some(" es "), "en", shipped), "es");
        assert_eq!(resolve_locale(Some("pt-BR"), "en", shipped), "en");
        assert_eq!(resolve_locale(Some(""), "de", shipped), "de");
        assert_eq!(resolve_locale(None, "fr", shipped), "fr");
        assert_eq!(resolve_locale(Some("<script>"), "en", shipped), "en");
    }
}
