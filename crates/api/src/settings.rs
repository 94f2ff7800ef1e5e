//! Settings, read once from the environment in `main` and passed in.
use std::time::Duration;

/// Whether and how new addresses must be confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailConfirmation {
    /// No confirmation.
    Off,
    /// Sign-in allowed before confirming.
    Soft,
    /// Sign-in refused until the primary address is confirmed.
    Hard,
}

/// Who may use the OAuth password grant (`ROSTER_PASSWORD_GRANT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordGrant {
    /// Anyone; an application's credentials, when sent, bind the tokens to it.
    Open,
    /// Only registered confidential applications, with their credentials.
    Clients,
    /// No one.
    Off,
}

/// Who must have a second factor (`ROSTER_REQUIRE_TWO_FACTOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequireTwoFactor {
    /// No one (the default).
    Off,
    /// Administrators.
    Admins,
    /// Everyone.
    All,
}

impl RequireTwoFactor {
    /// Whether a user with `is_admin` must have a second factor.
    pub fn applies_to(self, is_admin: bool) -> bool {
        match self {
            Self::Off => false,
            Self::Admins => is_admin,
            Self::All => true,
        }
    }
}

/// Everything Roster can be told. See `docs/configuration.md`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`.
    pub database_url: String,
    /// `ROSTER_BIND`.
    pub bind: String,
    /// `ROSTER_PUBLIC_URL`, without a trailing slash; `None` means
    /// `http://<bound address>`.
    pub public_url: Option<String>,
    /// `ROSTER_BCRYPT_COST`.
    pub bcrypt_cost: u32,
    /// `ROSTER_HASH_WORKERS`: threads that hash passwords (default: CPUs).
    pub hash_workers: usize,
    /// `ROSTER_HASH_WORKERS_UNDER_LOAD`: hashes at once while other requests
    /// are being answered (default: half the hash workers, at least one).
    pub hash_workers_under_load: usize,
    /// `ROSTER_HASH_QUEUE`: hashing jobs that may wait before sign-ins get 503.
    pub hash_queue: usize,
    /// `ROSTER_SIGNUP_ENABLED`.
    pub signup_enabled: bool,
    /// `ROSTER_SIGNUP_APPROVAL`: sign-ups wait, blocked, in
    /// `blocked_pending_approval` until an admin approves them.
    pub signup_approval: bool,
    /// `ROSTER_EMAIL_CONFIRMATION`.
    pub email_confirmation: EmailConfirmation,
    /// `ROSTER_SMTP_URL`.
    pub smtp_url: Option<String>,
    /// `ROSTER_MAIL_FROM`.
    pub mail_from: String,
    /// `ROSTER_DB_POOL_SIZE`.
    pub db_pool_size: u32,
    /// `ROSTER_WORKERS`: HTTP worker threads (default: CPUs).
    pub http_workers: usize,
    /// `ROSTER_ACCESS_TOKEN_TTL` (seconds): life of an OAuth access token.
    pub access_token_ttl: Duration,
    /// `ROSTER_MAX_FAILED_SIGN_INS`: failures in a row that lock an account.
    pub max_failed_sign_ins: i32,
    /// `ROSTER_LOCKOUT_SECONDS`: how long a lock lasts.
    pub lockout: Duration,
    /// `ROSTER_CONFIRMATION_TTL_HOURS`: life of an e-mail confirmation token.
    pub confirmation_ttl: Duration,
    /// `ROSTER_MIN_RSA_BITS`: the smallest RSA key accepted.
    pub min_rsa_bits: u32,
    /// `ROSTER_RESET_TTL_HOURS`: life of a password reset token.
    pub reset_ttl: Duration,
    /// `ROSTER_MAIL_POLL_MS`: how often the sender looks for due mail.
    pub mail_poll: Duration,
    /// `ROSTER_HOOKS_ALLOW_PRIVATE`: system hooks may post to loopback,
    /// link-local and private addresses.
    pub hooks_allow_private: bool,
    /// `ROSTER_HOOKS_TIMEOUT_SECONDS`: how long one delivery may take.
    pub hooks_timeout: Duration,
    /// `ROSTER_HOOKS_RETRY_MS`: the first wait after a failed delivery; it
    /// doubles with each failure in a row, up to a day.
    pub hooks_retry: Duration,
    /// `ROSTER_HOOKS_POLL_MS`: how often a node looks for events to deliver.
    pub hooks_poll: Duration,
    /// `ROSTER_RATE_LIMIT_*`: the rate limits.
    pub rate_limits: crate::limits::RateLimits,
    /// `ROSTER_TRUST_PROXY`: take the client address from `Forwarded` /
    /// `X-Forwarded-For` (only behind a proxy that sets them).
    pub trust_proxy: bool,
    /// `ROSTER_MAIL_RETRY_SECONDS`: the first retry delay after a failed
    /// delivery; it doubles with each failure, up to an hour.
    pub mail_retry: Duration,
    /// `ROSTER_PASSWORD_GRANT`: `open`, `clients` or `off`.
    pub password_grant: PasswordGrant,
    /// `ROSTER_SECRET_KEY`: the key that seals secrets at rest (base64 of
    /// 32 bytes); see `crate::secret_key`.
    pub secret_key: Option<roster_domain::SecretKey>,
    /// `ROSTER_SECRET_KEY_FILE`: the file holding that key when it is not
    /// given (made at first start).
    pub secret_key_file: Option<std::path::PathBuf>,
    /// `ROSTER_REQUIRE_TWO_FACTOR`: `off`, `admins` or `all`.
    pub require_two_factor: RequireTwoFactor,
    /// `ROSTER_TOTP_ISSUER`: the issuer an authenticator app shows.
    pub totp_issuer: String,
    /// Serve `GET /-/testkit/mail`, the captured mail. Only `roster testkit
    /// serve` sets this; no environment variable does.
    pub testkit: bool,
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {reason}")]
pub struct SettingsError {
    name: &'static str,
    reason: String,
}

/// Whether `value` is `host:port` (a name or an address; IPv6 in
/// brackets) with a port number.
fn is_host_and_port(value: &str) -> bool {
    if value.parse::<std::net::SocketAddr>().is_ok() {
        return true;
    }
    match value.rsplit_once(':') {
        Some((host, port)) => {
            !host.is_empty()
                && !host.contains(['/', ' ', '[', ']'])
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                && port.parse::<u16>().is_ok()
        }
        None => false,
    }
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn half_of(workers: usize) -> usize {
    (workers / 2).max(1)
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: "sqlite://roster.db".into(),
            bind: "127.0.0.1:8080".into(),
            public_url: None,
            bcrypt_cost: 12,
            hash_workers: cpus(),
            hash_workers_under_load: half_of(cpus()),
            hash_queue: 256,
            signup_enabled: true,
            signup_approval: false,
            email_confirmation: EmailConfirmation::Soft,
            smtp_url: None,
            mail_from: "Roster <roster@localhost>".into(),
            db_pool_size: 10,
            http_workers: cpus(),
            access_token_ttl: Duration::from_secs(7200),
            max_failed_sign_ins: 10,
            lockout: Duration::from_secs(600),
            confirmation_ttl: Duration::from_secs(72 * 3600),
            min_rsa_bits: roster_domain::DEFAULT_MIN_RSA_BITS,
            reset_ttl: Duration::from_secs(48 * 3600),
            mail_poll: Duration::from_millis(1000),
            hooks_allow_private: false,
            hooks_timeout: Duration::from_secs(10),
            hooks_retry: Duration::from_secs(60),
            hooks_poll: Duration::from_millis(500),
            mail_retry: Duration::from_secs(30),
            rate_limits: crate::limits::RateLimits::default(),
            trust_proxy: false,
            password_grant: PasswordGrant::Open,
            secret_key: None,
            secret_key_file: None,
            require_two_factor: RequireTwoFactor::Off,
            totp_issuer: "Roster".into(),
            testkit: false,
        }
    }
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let d = Self::default();
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        fn parse<T: std::str::FromStr>(
            name: &'static str,
            v: Option<String>,
            default: T,
        ) -> Result<T, SettingsError>
        where
            T::Err: std::fmt::Display,
        {
            match v {
                None => Ok(default),
                Some(v) => v.trim().parse().map_err(|e: T::Err| SettingsError {
                    name,
                    reason: e.to_string(),
                }),
            }
        }
        let bool_of = |name: &'static str, default: bool| -> Result<bool, SettingsError> {
            match get(name).map(|v| v.trim().to_ascii_lowercase()) {
                None => Ok(default),
                Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
                Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
                Some(v) => Err(SettingsError {
                    name,
                    reason: format!("{v:?} is not a boolean"),
                }),
            }
        };
        let bcrypt_cost = parse("ROSTER_BCRYPT_COST", get("ROSTER_BCRYPT_COST"), d.bcrypt_cost)?;
        if !(4..=31).contains(&bcrypt_cost) {
            return Err(SettingsError {
                name: "ROSTER_BCRYPT_COST",
                reason: "must be 4 to 31".into(),
            });
        }
        let email_confirmation = match get("ROSTER_EMAIL_CONFIRMATION").as_deref().map(str::trim) {
            None | Some("soft") => EmailConfirmation::Soft,
            Some("off") => EmailConfirmation::Off,
            Some("hard") => EmailConfirmation::Hard,
            Some(other) => {
                return Err(SettingsError {
                    name: "ROSTER_EMAIL_CONFIRMATION",
                    reason: format!("{other:?} is not off, soft or hard"),
                })
            }
        };
        let password_grant = match get("ROSTER_PASSWORD_GRANT").as_deref().map(str::trim) {
            None | Some("open") => PasswordGrant::Open,
            Some("clients") => PasswordGrant::Clients,
            Some("off") => PasswordGrant::Off,
            Some(other) => {
                return Err(SettingsError {
                    name: "ROSTER_PASSWORD_GRANT",
                    reason: format!("{other:?} is not open, clients or off"),
                })
            }
        };
        let require_two_factor = match get("ROSTER_REQUIRE_TWO_FACTOR").as_deref().map(str::trim) {
            None | Some("off") => RequireTwoFactor::Off,
            Some("admins") => RequireTwoFactor::Admins,
            Some("all") => RequireTwoFactor::All,
            Some(other) => {
                return Err(SettingsError {
                    name: "ROSTER_REQUIRE_TWO_FACTOR",
                    reason: format!("{other:?} is not off, admins or all"),
                })
            }
        };
        let totp_issuer = match get("ROSTER_TOTP_ISSUER").map(|t| t.trim().to_owned()) {
            None => "Roster".to_owned(),
            Some(text) if text.is_empty() || text.contains(':') || text.len() > 64 => {
                return Err(SettingsError {
                    name: "ROSTER_TOTP_ISSUER",
                    reason: "must be 1 to 64 characters without a colon".into(),
                })
            }
            Some(text) => text,
        };
        let secret_key = match get("ROSTER_SECRET_KEY") {
            None => None,
            Some(text) => Some(
                roster_domain::SecretKey::from_base64(&text).map_err(|e| SettingsError {
                    name: "ROSTER_SECRET_KEY",
                    reason: e.to_string(),
                })?,
            ),
        };
        let secret_key_file = get("ROSTER_SECRET_KEY_FILE")
            .filter(|p| !p.trim().is_empty())
            .map(std::path::PathBuf::from);
        let public_url = match get("ROSTER_PUBLIC_URL") {
            None => None,
            Some(v) => {
                let parsed = url::Url::parse(v.trim()).map_err(|e| SettingsError {
                    name: "ROSTER_PUBLIC_URL",
                    reason: e.to_string(),
                })?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(SettingsError {
                        name: "ROSTER_PUBLIC_URL",
                        reason: "must be http or https".into(),
                    });
                }
                Some(v.trim().trim_end_matches('/').to_owned())
            }
        };
        let positive = |name: &'static str, v: usize| {
            if v == 0 {
                Err(SettingsError {
                    name,
                    reason: "must be at least 1".into(),
                })
            } else {
                Ok(v)
            }
        };
        let mut rate_limits = d.rate_limits.clone();
        for (name, slot) in rate_limits.fields_mut() {
            if let Some(value) = get(name) {
                *slot =
                    crate::limits::Limit::parse(&value).map_err(|reason| SettingsError { name, reason })?;
            }
        }
        let trust_proxy = bool_of("ROSTER_TRUST_PROXY", d.trust_proxy)?;
        let hash_workers = positive(
            "ROSTER_HASH_WORKERS",
            parse("ROSTER_HASH_WORKERS", get("ROSTER_HASH_WORKERS"), d.hash_workers)?,
        )?;
        let hash_workers_under_load = positive(
            "ROSTER_HASH_WORKERS_UNDER_LOAD",
            parse(
                "ROSTER_HASH_WORKERS_UNDER_LOAD",
                get("ROSTER_HASH_WORKERS_UNDER_LOAD"),
                half_of(hash_workers),
            )?,
        )?;
        if hash_workers_under_load > hash_workers {
            return Err(SettingsError {
                name: "ROSTER_HASH_WORKERS_UNDER_LOAD",
                reason: format!("must not exceed ROSTER_HASH_WORKERS ({hash_workers})"),
            });
        }
        let bind = get("ROSTER_BIND").unwrap_or(d.bind);
        if !is_host_and_port(&bind) {
            return Err(SettingsError {
                name: "ROSTER_BIND",
                reason: "must be an address and a port, like 127.0.0.1:8080 or [::]:8080".into(),
            });
        }
        let mail_from = get("ROSTER_MAIL_FROM").unwrap_or(d.mail_from);
        // Checked even without SMTP: a From that does not parse would only
        // show when SMTP is switched on.
        if let Err(e) = mail_from.parse::<lettre::message::Mailbox>() {
            return Err(SettingsError {
                name: "ROSTER_MAIL_FROM",
                reason: format!("must be an address, like \"Roster <roster@example.com>\" ({e})"),
            });
        }
        Ok(Self {
            database_url: get("DATABASE_URL").unwrap_or(d.database_url),
            bind,
            public_url,
            bcrypt_cost,
            hash_workers,
            hash_workers_under_load,
            hash_queue: positive(
                "ROSTER_HASH_QUEUE",
                parse("ROSTER_HASH_QUEUE", get("ROSTER_HASH_QUEUE"), d.hash_queue)?,
            )?,
            signup_enabled: bool_of("ROSTER_SIGNUP_ENABLED", d.signup_enabled)?,
            signup_approval: bool_of("ROSTER_SIGNUP_APPROVAL", d.signup_approval)?,
            email_confirmation,
            smtp_url: get("ROSTER_SMTP_URL"),
            mail_from,
            db_pool_size: positive(
                "ROSTER_DB_POOL_SIZE",
                parse(
                    "ROSTER_DB_POOL_SIZE",
                    get("ROSTER_DB_POOL_SIZE"),
                    d.db_pool_size as usize,
                )?,
            )? as u32,
            http_workers: positive(
                "ROSTER_WORKERS",
                parse("ROSTER_WORKERS", get("ROSTER_WORKERS"), d.http_workers)?,
            )?,
            access_token_ttl: Duration::from_secs(positive(
                "ROSTER_ACCESS_TOKEN_TTL",
                parse(
                    "ROSTER_ACCESS_TOKEN_TTL",
                    get("ROSTER_ACCESS_TOKEN_TTL"),
                    d.access_token_ttl.as_secs() as usize,
                )?,
            )? as u64),
            max_failed_sign_ins: positive(
                "ROSTER_MAX_FAILED_SIGN_INS",
                parse(
                    "ROSTER_MAX_FAILED_SIGN_INS",
                    get("ROSTER_MAX_FAILED_SIGN_INS"),
                    d.max_failed_sign_ins as usize,
                )?,
            )? as i32,
            lockout: Duration::from_secs(parse(
                "ROSTER_LOCKOUT_SECONDS",
                get("ROSTER_LOCKOUT_SECONDS"),
                d.lockout.as_secs(),
            )?),
            confirmation_ttl: Duration::from_secs(
                positive(
                    "ROSTER_CONFIRMATION_TTL_HOURS",
                    parse(
                        "ROSTER_CONFIRMATION_TTL_HOURS",
                        get("ROSTER_CONFIRMATION_TTL_HOURS"),
                        (d.confirmation_ttl.as_secs() / 3600) as usize,
                    )?,
                )? as u64
                    * 3600,
            ),
            min_rsa_bits: {
                let bits = parse("ROSTER_MIN_RSA_BITS", get("ROSTER_MIN_RSA_BITS"), d.min_rsa_bits)?;
                if !(1024..=16384).contains(&bits) {
                    return Err(SettingsError {
                        name: "ROSTER_MIN_RSA_BITS",
                        reason: "must be 1024 to 16384".into(),
                    });
                }
                bits
            },
            reset_ttl: Duration::from_secs(
                positive(
                    "ROSTER_RESET_TTL_HOURS",
                    parse("ROSTER_RESET_TTL_HOURS", get("ROSTER_RESET_TTL_HOURS"), 48usize)?,
                )? as u64
                    * 3600,
            ),
            mail_poll: Duration::from_millis(positive(
                "ROSTER_MAIL_POLL_MS",
                parse("ROSTER_MAIL_POLL_MS", get("ROSTER_MAIL_POLL_MS"), 1000usize)?,
            )? as u64),
            hooks_allow_private: bool_of("ROSTER_HOOKS_ALLOW_PRIVATE", d.hooks_allow_private)?,
            hooks_timeout: Duration::from_secs(positive(
                "ROSTER_HOOKS_TIMEOUT_SECONDS",
                parse(
                    "ROSTER_HOOKS_TIMEOUT_SECONDS",
                    get("ROSTER_HOOKS_TIMEOUT_SECONDS"),
                    10usize,
                )?,
            )? as u64),
            hooks_retry: Duration::from_millis(positive(
                "ROSTER_HOOKS_RETRY_MS",
                parse("ROSTER_HOOKS_RETRY_MS", get("ROSTER_HOOKS_RETRY_MS"), 60_000usize)?,
            )? as u64),
            hooks_poll: Duration::from_millis(positive(
                "ROSTER_HOOKS_POLL_MS",
                parse("ROSTER_HOOKS_POLL_MS", get("ROSTER_HOOKS_POLL_MS"), 500usize)?,
            )? as u64),
            mail_retry: Duration::from_secs(positive(
                "ROSTER_MAIL_RETRY_SECONDS",
                parse(
                    "ROSTER_MAIL_RETRY_SECONDS",
                    get("ROSTER_MAIL_RETRY_SECONDS"),
                    30usize,
                )?,
            )? as u64),
            rate_limits,
            trust_proxy,
            password_grant,
            secret_key,
            secret_key_file,
            require_two_factor,
            totp_issuer,
            testkit: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_and_overrides() {
        let s = read(&[]).unwrap();
        assert_eq!(s.database_url, "sqlite://roster.db");
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.bcrypt_cost, 12);
        assert_eq!(s.email_confirmation, EmailConfirmation::Soft);
        assert_eq!(s.password_grant, PasswordGrant::Open);
        let s = read(&[
            ("ROSTER_BCRYPT_COST", "4"),
            ("ROSTER_SIGNUP_ENABLED", "false"),
            ("ROSTER_SIGNUP_APPROVAL", "true"),
            ("ROSTER_PUBLIC_URL", "https://id.example.com/"),
            ("ROSTER_EMAIL_CONFIRMATION", "hard"),
            ("ROSTER_PASSWORD_GRANT", "clients"),
        ])
        .unwrap();
        assert_eq!(s.password_grant, PasswordGrant::Clients);
        assert_eq!(s.bcrypt_cost, 4);
        assert!(!s.signup_enabled);
        assert!(s.signup_approval);
        assert_eq!(s.public_url.as_deref(), Some("https://id.example.com"));
        assert_eq!(s.email_confirmation, EmailConfirmation::Hard);
    }

    #[test]
    fn refuses_bad_values() {
        assert!(read(&[("ROSTER_BCRYPT_COST", "3")]).is_err());
        assert!(read(&[("ROSTER_BCRYPT_COST", "x")]).is_err());
        assert!(read(&[("ROSTER_PASSWORD_GRANT", "sometimes")]).is_err());
        assert!(read(&[("ROSTER_SECRET_KEY", "c2hvcnQ=")]).is_err());
        assert!(read(&[(
            "ROSTER_SECRET_KEY",
            &roster_domain::SecretKey::generate().to_base64()
        )])
        .is_ok());
        assert!(read(&[("ROSTER_SIGNUP_ENABLED", "maybe")]).is_err());
        assert!(read(&[("ROSTER_EMAIL_CONFIRMATION", "strict")]).is_err());
        assert!(read(&[("ROSTER_PUBLIC_URL", "ftp://x")]).is_err());
        assert!(read(&[("ROSTER_DB_POOL_SIZE", "0")]).is_err());
        assert!(read(&[("ROSTER_BIND", "garbage")]).is_err());
        assert!(read(&[("ROSTER_BIND", "host:99999")]).is_err());
        assert!(read(&[("ROSTER_BIND", "[::]:8080")]).is_ok());
        assert!(read(&[("ROSTER_BIND", "localhost:8080")]).is_ok());
        assert!(read(&[("ROSTER_MAIL_FROM", "not an address")]).is_err());
        assert!(read(&[("ROSTER_MAIL_FROM", "Roster Team <team@example.com>")]).is_ok());
        assert!(read(&[("ROSTER_RATE_LIMIT_SIGNIN_IP", "lots")]).is_err());
        assert!(read(&[("ROSTER_REQUIRE_TWO_FACTOR", "yes")]).is_err());
        assert!(read(&[("ROSTER_TOTP_ISSUER", "a:b")]).is_err());
        let s = read(&[
            ("ROSTER_REQUIRE_TWO_FACTOR", "admins"),
            ("ROSTER_TOTP_ISSUER", "Acme"),
        ])
        .unwrap();
        assert!(s.require_two_factor.applies_to(true) && !s.require_two_factor.applies_to(false));
        assert_eq!(s.totp_issuer, "Acme");
        let s = read(&[
            ("ROSTER_RATE_LIMIT_SIGNIN_IP", "5/10"),
            ("ROSTER_RATE_LIMIT_RESET_IP", "off"),
        ])
        .unwrap();
        assert_eq!(s.rate_limits.signin_ip, Some(crate::limits::Limit::per(5, 10)));
        assert_eq!(s.rate_limits.reset_ip, None);
    }

    #[test]
    fn hash_workers_under_load_default_to_half_and_never_exceed_the_workers() {
        let s = read(&[("ROSTER_HASH_WORKERS", "4")]).unwrap();
        assert_eq!((s.hash_workers, s.hash_workers_under_load), (4, 2));
        let s = read(&[("ROSTER_HASH_WORKERS", "1")]).unwrap();
        assert_eq!(s.hash_workers_under_load, 1);
        let s = read(&[
            ("ROSTER_HASH_WORKERS", "4"),
            ("ROSTER_HASH_WORKERS_UNDER_LOAD", "4"),
        ])
        .unwrap();
        assert_eq!(s.hash_workers_under_load, 4);
        assert!(read(&[
            ("ROSTER_HASH_WORKERS", "2"),
            ("ROSTER_HASH_WORKERS_UNDER_LOAD", "3")
        ])
        .is_err());
        assert!(read(&[("ROSTER_HASH_WORKERS_UNDER_LOAD", "0")]).is_err());
    }
}
