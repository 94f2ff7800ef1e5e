//! Access tokens: their kinds, scopes, secrets and the digests stored for them.
use crate::error::{FieldError, Problem};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// What a token is, told by its prefix so that secret scanners (and Roster)
/// recognise it without a look-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A personal access token, `roster_pat_…`.
    Personal,
    /// An OAuth access token, `roster_oat_…`.
    OAuthAccess,
    /// An OAuth refresh token, `roster_ort_…`.
    OAuthRefresh,
    /// A group access token, `roster_gat_…`: a personal access token of
    /// the group's bot member.
    GroupAccess,
    /// An OAuth application's secret, `roster_oas_…` (never a bearer token).
    ApplicationSecret,
}

impl TokenKind {
    /// The prefix every token of this kind starts with.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Personal => "roster_pat_",
            Self::OAuthAccess => "roster_oat_",
            Self::OAuthRefresh => "roster_ort_",
            Self::GroupAccess => "roster_gat_",
            Self::ApplicationSecret => "roster_oas_",
        }
    }

    /// The kind a presented token claims by its prefix.
    pub fn of(token: &str) -> Option<Self> {
        [
            Self::Personal,
            Self::OAuthAccess,
            Self::OAuthRefresh,
            Self::GroupAccess,
            Self::ApplicationSecret,
        ]
        .into_iter()
        .find(|k| token.starts_with(k.prefix()))
    }
}

/// A freshly made token secret: a prefix and 192 random bits in hex. It is
/// shown to its owner once and only its [`TokenDigest`] is stored. `Debug` is
/// redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// Random bytes in a secret.
    pub const RANDOM_BYTES: usize = 24;

    /// Makes a new random secret of `kind` from the operating system's generator.
    pub fn generate(kind: TokenKind) -> Self {
        let mut bytes = [0u8; Self::RANDOM_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(format!("{}{}", kind.prefix(), hex::encode(bytes)))
    }

    /// The secret, to hand to its owner.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The digest to store and look up.
    pub fn digest(&self) -> TokenDigest {
        TokenDigest::of(&self.0)
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(<redacted>)")
    }
}

/// The SHA-256 of a token, in hex: what the database stores and indexes.
/// A fast hash is right here (unlike for passwords): the secret has 192 random
/// bits, so it cannot be guessed, and the look-up must be O(1).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct TokenDigest(String);

impl TokenDigest {
    /// The digest of a presented token, whatever its form.
    pub fn of(token: &str) -> Self {
        Self::of_bytes(token.as_bytes())
    }

    /// The SHA-256 of any bytes, in hex.
    pub fn of_bytes(bytes: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(bytes)))
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a token may do, with GitLab's scope names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Full read and write access.
    Api,
    /// Read access to the whole API.
    ReadApi,
    /// Read access to users (which in Roster is the whole API).
    ReadUser,
    /// Acting as another user with the `Sudo` header or `sudo` parameter;
    /// admins only, and only beside a scope that reads or writes.
    Sudo,
}

impl Scope {
    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::ReadApi => "read_api",
            Self::ReadUser => "read_user",
            Self::Sudo => "sudo",
        }
    }

    /// Parses one scope name.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        match value.trim() {
            "api" => Ok(Self::Api),
            "read_api" => Ok(Self::ReadApi),
            "read_user" => Ok(Self::ReadUser),
            "sudo" => Ok(Self::Sudo),
            _ => Err(FieldError::new(
                "scopes",
                Problem::NotOneOf("api, read_api, read_user, sudo"),
            )),
        }
    }
}

/// A non-empty set of scopes, kept sorted and without repeats.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// Parses a list of scope names; empty lists are refused.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, FieldError> {
        let mut scopes = names
            .iter()
            .filter(|n| !n.as_ref().trim().is_empty())
            .map(|n| Scope::parse(n.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Err(FieldError::new("scopes", Problem::Blank));
        }
        Ok(Self(scopes))
    }

    /// Parses the stored or OAuth form: names separated by spaces or commas.
    pub fn parse_joined(joined: &str) -> Result<Self, FieldError> {
        let names: Vec<&str> = joined.split([' ', ',']).collect();
        Self::parse(&names)
    }

    /// Only the given scope.
    pub fn only(scope: Scope) -> Self {
        Self(vec![scope])
    }

    /// The scopes, sorted.
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    /// The names, for JSON.
    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|s| s.as_str()).collect()
    }

    /// The stored and OAuth form: names joined by single spaces.
    pub fn joined(&self) -> String {
        self.names().join(" ")
    }

    /// Whether a token with these scopes may change anything.
    pub fn can_write(&self) -> bool {
        self.0.contains(&Scope::Api)
    }

    /// Whether a token with these scopes may read (`sudo` alone may not:
    /// it only lets a token that reads or writes act as someone else).
    pub fn can_read(&self) -> bool {
        self.0.iter().any(|s| *s != Scope::Sudo)
    }

    /// Whether these scopes hold `scope`.
    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    /// Whether every scope of `other` is also in `self` (a refreshed or
    /// rotated token never gains scopes).
    pub fn covers(&self, other: &Scopes) -> bool {
        other.0.iter().all(|s| self.0.contains(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_random_and_redacted() {
        let a = TokenSecret::generate(TokenKind::Personal);
        let b = TokenSecret::generate(TokenKind::Personal);
        assert_ne!(a, b);
        assert!(a.expose().starts_with("roster_pat_"));
        assert_eq!(a.expose().len(), "roster_pat_".len() + 48);
        assert_eq!(TokenKind::of(a.expose()), Some(TokenKind::Personal));
        assert!(!format!("{a:?}").contains(&a.expose()[11..]));
        let r = TokenSecret::generate(TokenKind::OAuthRefresh);
        assert_eq!(TokenKind::of(r.expose()), Some(TokenKind::OAuthRefresh));
        assert_eq!(TokenKind::of("glpat-xyz"), None);
    }

    #[test]
    fn digest_is_sha256_hex() {
        assert_eq!(
            TokenDigest::of("abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let s = TokenSecret::generate(TokenKind::OAuthAccess);
        assert_eq!(s.digest(), TokenDigest::of(s.expose()));
    }

    #[test]
    fn scopes() {
        let s = Scopes::parse(&["read_user", "api", "api"]).unwrap();
        assert_eq!(s.names(), vec!["api", "read_user"]);
        assert!(s.can_write());
        assert!(!Scopes::only(Scope::ReadApi).can_write());
        assert!(!Scopes::only(Scope::Sudo).can_read());
        let sudo = Scopes::parse(&["sudo", "read_api"]).unwrap();
        assert!(sudo.can_read() && sudo.contains(Scope::Sudo) && !sudo.can_write());
        assert!(Scopes::parse::<&str>(&[]).is_err());
        assert!(Scopes::parse(&["write_repository"]).is_err());
        assert_eq!(Scopes::parse_joined("api read_user").unwrap(), s);
        assert_eq!(Scopes::parse_joined("api,read_user").unwrap(), s);
        assert!(s.covers(&Scopes::only(Scope::Api)));
        assert!(!Scopes::only(Scope::Api).covers(&s));
    }
}

/// The expiry date of a personal access token: after today, and at most
/// [`TokenExpiry::MAX_DAYS`] days ahead (GitLab's default limit). The token
/// stops working at the start of that day, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TokenExpiry(chrono::NaiveDate);

impl TokenExpiry {
    /// The furthest allowed expiry, in days from today.
    pub const MAX_DAYS: i64 = 365;

    /// Parses `YYYY-MM-DD`, judged against `today`.
    pub fn parse(value: &str, today: chrono::NaiveDate) -> Result<Self, FieldError> {
        let err = |p| Err(FieldError::new("expires_at", p));
        let Ok(date) = chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") else {
            return err(Problem::InvalidBecause("must be a date as YYYY-MM-DD"));
        };
        if date <= today {
            return err(Problem::InvalidBecause("must be in the future"));
        }
        if date > today + chrono::Days::new(Self::MAX_DAYS as u64) {
            return err(Problem::InvalidBecause("must be at most 365 days from today"));
        }
        Ok(Self(date))
    }

    /// `days` days after `today` (the default when none is given), capped at
    /// the maximum.
    pub fn days_after(today: chrono::NaiveDate, days: u64) -> Self {
        Self(today + chrono::Days::new(days.clamp(1, Self::MAX_DAYS as u64)))
    }

    /// The date.
    pub fn date(self) -> chrono::NaiveDate {
        self.0
    }
}

#[cfg(test)]
mod expiry_tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn expiry_rules() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        let ok = |s: &str| TokenExpiry::parse(s, today).map(|e| e.date().to_string());
        assert_eq!(ok("2026-01-11").unwrap(), "2026-01-11");
        assert!(ok("2026-01-10").is_err());
        assert!(ok("2025-12-31").is_err());
        assert_eq!(ok("2027-01-10").unwrap(), "2027-01-10");
        assert!(ok("2027-01-11").is_err());
        assert!(ok("tomorrow").is_err());
        assert_eq!(
            TokenExpiry::days_after(today, 7).date(),
            NaiveDate::from_ymd_opt(2026, 1, 17).unwrap()
        );
    }
}
