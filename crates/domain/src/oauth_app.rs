//! OAuth applications ("Sign in with Roster"): their redirect URIs and the
//! scopes they may ask for.
use crate::error::{FieldError, Problem};

/// A scope an OAuth application may be registered for and ask for:
/// GitLab's API scopes and OpenID Connect's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AppScope {
    /// Full read and write access to the API.
    Api,
    /// Read access to the API.
    ReadApi,
    /// Read access to the user.
    ReadUser,
    /// An ID token (OpenID Connect).
    OpenId,
    /// The user's name, user name, profile URL and picture in claims.
    Profile,
    /// The user's address in claims.
    Email,
    /// A refresh token (issued with every code exchange anyway, as GitLab).
    OfflineAccess,
}

impl AppScope {
    const ALL: [Self; 7] = [
        Self::Api,
        Self::ReadApi,
        Self::ReadUser,
        Self::OpenId,
        Self::Profile,
        Self::Email,
        Self::OfflineAccess,
    ];

    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::ReadApi => "read_api",
            Self::ReadUser => "read_user",
            Self::OpenId => "openid",
            Self::Profile => "profile",
            Self::Email => "email",
            Self::OfflineAccess => "offline_access",
        }
    }

    /// Parses one scope name.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value.trim())
            .ok_or_else(|| {
                FieldError::new(
                    "scopes",
                    Problem::NotOneOf("api, read_api, read_user, openid, profile, email, offline_access"),
                )
            })
    }
}

/// A non-empty set of application scopes, sorted, without repeats.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppScopes(Vec<AppScope>);

impl AppScopes {
    /// Parses scope names separated by spaces or commas.
    pub fn parse_joined(value: &str) -> Result<Self, FieldError> {
        let mut scopes = value
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(AppScope::parse)
            .collect::<Result<Vec<_>, _>>()?;
        scopes.sort_unstable();
        scopes.dedup();
        if scopes.is_empty() {
            return Err(FieldError::new("scopes", Problem::Blank));
        }
        Ok(Self(scopes))
    }

    /// The names, joined by spaces (as stored and as OAuth shows them).
    pub fn joined(&self) -> String {
        self.0.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// Whether `scope` is one of them.
    pub fn contains(&self, scope: AppScope) -> bool {
        self.0.contains(&scope)
    }

    /// The scopes.
    pub fn iter(&self) -> impl Iterator<Item = AppScope> + '_ {
        self.0.iter().copied()
    }

    /// Whether every scope of `other` is one of these.
    pub fn covers(&self, other: &AppScopes) -> bool {
        other.iter().all(|s| self.contains(s))
    }

    /// These and `other` together.
    pub fn union(&self, other: &AppScopes) -> AppScopes {
        let mut all: Vec<AppScope> = self.iter().chain(other.iter()).collect();
        all.sort_unstable();
        all.dedup();
        Self(all)
    }

    /// What a token with these scopes may do in the API (`api`,
    /// `read_api`, `read_user`); `None` for a token that only signs in
    /// (`openid`, `profile`, `email`).
    pub fn api_scopes(&self) -> Option<crate::Scopes> {
        let names: Vec<&str> = self
            .iter()
            .filter(|s| matches!(s, AppScope::Api | AppScope::ReadApi | AppScope::ReadUser))
            .map(AppScope::as_str)
            .collect();
        crate::Scopes::parse(&names).ok()
    }
}

/// An application's redirect URIs: one to ten absolute URIs without a
/// fragment, matched exactly (no wildcards). `http` and `https` are taken,
/// and private-use schemes for native apps (`com.example.app:/callback`);
/// schemes a browser would run or read locally are not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUris(Vec<String>);

/// Schemes that are never a place to send a code.
const REFUSED_SCHEMES: &[&str] = &["javascript", "data", "file", "vbscript", "about", "blob"];

impl RedirectUris {
    /// The most an application may register.
    pub const MAX: usize = 10;

    /// Parses URIs separated by new lines or spaces (GitLab's form).
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let err = |why| Err(FieldError::new("redirect_uri", Problem::InvalidBecause(why)));
        let mut uris: Vec<String> = Vec::new();
        for text in value.split_whitespace() {
            if text.len() > 2000 {
                return err("has a URI longer than 2,000 characters");
            }
            let Ok(parsed) = url::Url::parse(text) else {
                return err("must be absolute URIs");
            };
            if parsed.fragment().is_some() {
                return err("cannot contain a fragment");
            }
            if REFUSED_SCHEMES.contains(&parsed.scheme()) {
                return err("cannot use that scheme");
            }
            // The URL parser would read `https:///cb` as `https://cb/`; what
            // is registered must be what a browser is sent to, so a web URI
            // names its host right after `//`.
            let web = matches!(parsed.scheme(), "http" | "https");
            let after_scheme = text.split_once("://").map_or("", |(_, rest)| rest);
            if web && (after_scheme.is_empty() || after_scheme.starts_with('/')) {
                return err("must name a host");
            }
            if !uris.iter().any(|u| u == text) {
                uris.push(text.to_owned());
            }
        }
        if uris.is_empty() {
            return Err(FieldError::new("redirect_uri", Problem::Blank));
        }
        if uris.len() > Self::MAX {
            return err("can name at most ten URIs");
        }
        Ok(Self(uris))
    }

    /// Reads the stored form ([`RedirectUris::joined`]).
    pub fn from_stored(value: &str) -> Self {
        Self(
            value
                .split('\n')
                .filter(|u| !u.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// The URIs, one a line (GitLab's `callback_url`).
    pub fn joined(&self) -> String {
        self.0.join("\n")
    }

    /// Whether `uri` is registered, compared exactly.
    pub fn contains(&self, uri: &str) -> bool {
        self.0.iter().any(|u| u == uri)
    }

    /// The URIs.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_absolute_and_matched_exactly() {
        let uris =
            RedirectUris::parse("https://app.example/cb\nhttp://localhost:3000/cb com.example.app:/oauth")
                .unwrap();
        assert!(uris.contains("https://app.example/cb"));
        assert!(!uris.contains("https://app.example/cb/"));
        assert!(!uris.contains("https://app.example/CB"));
        assert_eq!(RedirectUris::from_stored(&uris.joined()), uris);
        for bad in [
            "",
            "  ",
            "/relative",
            "https://a.example/cb#x",
            "javascript:alert(1)",
            "data:text/html,x",
            "https:///cb",
        ] {
            assert!(RedirectUris::parse(bad).is_err(), "{bad}");
        }
        let many: Vec<String> = (0..11).map(|n| format!("https://a.example/{n}")).collect();
        assert!(RedirectUris::parse(&many.join(" ")).is_err());
    }

    #[test]
    fn application_scopes_include_openid_connects() {
        let s = AppScopes::parse_joined("openid profile,email api openid").unwrap();
        assert_eq!(s.joined(), "api openid profile email");
        assert!(s.contains(AppScope::OpenId) && !s.contains(AppScope::ReadApi));
        assert!(AppScopes::parse_joined("").is_err());
        assert!(AppScopes::parse_joined("sudo").is_err());
    }
}
