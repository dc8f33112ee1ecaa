//! Where a magic link leads: one of `MAGIC_LINK_ALLOWED_ORIGINS`, never anywhere else.

use trigger_core::{ConfigError, Vars};
use url::Url;

/// The link settings create and verify share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSettings {
    /// `MAGIC_LINK_ALLOWED_ORIGINS`: the origins (scheme, host, port) a link may
    /// lead to; the first is where it leads when the app names no page.
    pub allowed_origins: Vec<Url>,
    /// `MAGIC_LINK_TTL_SECONDS` (default 900, 60 to 3600).
    pub ttl_seconds: u64,
}

impl LinkSettings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        const VAR: &str = "MAGIC_LINK_ALLOWED_ORIGINS";
        let listed = vars.list(VAR);
        if listed.is_empty() {
            return Err(ConfigError::new(
                VAR,
                "name at least one origin, such as https://app.example.com",
            ));
        }
        let allowed_origins = listed
            .iter()
            .map(|text| origin(text).ok_or_else(|| {
                ConfigError::new(VAR, format!("{text:?} is not an https origin (scheme and host, no path; http only for localhost)"))
            }))
            .collect::<Result<Vec<_>, _>>()?;
        let ttl_seconds = vars.number("MAGIC_LINK_TTL_SECONDS", 900, 60..=3600)?;
        Ok(Self {
            allowed_origins,
            ttl_seconds,
        })
    }

    /// The page a link leads to: `requested` (the app's `clientMetadata.redirectUri`)
    /// when its origin is allowed, the first allowed origin when none was asked
    /// for; `None` for a page anywhere else (the request is refused, not redirected).
    pub fn landing(&self, requested: Option<&str>) -> Option<Url> {
        let Some(requested) = requested else {
            return self.allowed_origins.first().cloned();
        };
        let url = Url::parse(requested).ok()?;
        let clean =
            url.username().is_empty() && url.password().is_none() && url.fragment().is_none();
        (clean && self.allows(url.origin().ascii_serialization().as_str())).then_some(url)
    }

    /// Whether `origin` (`https://host[:port]`) is one a link may lead to.
    pub fn allows(&self, origin: &str) -> bool {
        self.allowed_origins
            .iter()
            .any(|o| o.origin().ascii_serialization() == origin)
    }
}

/// An origin setting: https (or http for a loopback host), nothing after the host.
fn origin(text: &str) -> Option<Url> {
    let url = Url::parse(text.trim()).ok()?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    let bare = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty();
    (scheme_ok && bare && url.host_str().is_some()).then_some(url)
}

/// The link itself: the landing page with the token in the fragment (the part of a
/// URL a browser never sends to a server, so no server log along the way keeps it).
pub fn link_to(landing: &Url, token: &str) -> String {
    let mut url = landing.clone();
    url.set_fragment(Some(&format!("token={token}")));
    url.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> LinkSettings {
        LinkSettings::from_vars(&Vars::from_pairs([(
            "MAGIC_LINK_ALLOWED_ORIGINS",
            "https://app.example.com, http://localhost:5173",
        )]))
        .unwrap()
    }

    #[test]
    fn a_link_leads_only_to_an_allowed_origin() {
        let s = settings();
        assert_eq!(
            s.landing(None).unwrap().as_str(),
            "https://app.example.com/"
        );
        let page = s
            .landing(Some("https://app.example.com/sign-in/link?x=1"))
            .unwrap();
        assert_eq!(page.path(), "/sign-in/link");
        assert!(s.landing(Some("http://localhost:5173/cb")).is_some());
        for foreign in [
            "https://evil.example.net/",
            "https://app.example.com.evil.net/",
            "http://app.example.com/",
            "https://app.example.com:8443/",
            "https://user@app.example.com/",
            "https://app.example.com/#x",
            "javascript:alert(1)",
            "//app.example.com/",
        ] {
            assert_eq!(s.landing(Some(foreign)), None, "{foreign}");
        }
        let link = link_to(&page, "v1.abc.def");
        assert_eq!(
            link,
            "https://app.example.com/sign-in/link?x=1#token=v1.abc.def"
        );
    }

    #[test]
    fn origins_are_checked_at_start() {
        let read = |v: &str| {
            LinkSettings::from_vars(&Vars::from_pairs([("MAGIC_LINK_ALLOWED_ORIGINS", v)]))
        };
        assert!(read("https://app.example.com").is_ok());
        for bad in [
            "",
            "app.example.com",
            "http://app.example.com",
            "https://app.example.com/path",
            "ftp://x.example",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
