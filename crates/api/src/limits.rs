//! The rate limits Roster applies, as configured (`ROSTER_RATE_LIMIT_*`);
//! `rate_limit` counts requests against them.
use std::time::Duration;

/// At most `max` hits per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Hits allowed per window.
    pub max: u32,
    /// The window.
    pub window: Duration,
}

impl Limit {
    /// `max` per `seconds`.
    pub const fn per(max: u32, seconds: u64) -> Self {
        Self {
            max,
            window: Duration::from_secs(seconds),
        }
    }

    /// Reads `COUNT/SECONDS` (e.g. `30/60`); `off` or `0` means no limit.
    pub fn parse(text: &str) -> Result<Option<Self>, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") || text == "0" {
            return Ok(None);
        }
        let (max, seconds) = text
            .split_once('/')
            .ok_or_else(|| format!("{text:?} is not COUNT/SECONDS"))?;
        let max: u32 = max
            .trim()
            .parse()
            .map_err(|_| format!("{text:?} is not COUNT/SECONDS"))?;
        let seconds: u64 = seconds
            .trim()
            .parse()
            .map_err(|_| format!("{text:?} is not COUNT/SECONDS"))?;
        if max == 0 || seconds == 0 {
            return Err(format!("{text:?}: both numbers must be positive"));
        }
        Ok(Some(Self::per(max, seconds)))
    }
}

/// Every limit Roster applies; `None` switches one off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// Password sign-ins per client address (`ROSTER_RATE_LIMIT_SIGNIN_IP`).
    pub signin_ip: Option<Limit>,
    /// Password sign-ins per account name (`ROSTER_RATE_LIMIT_SIGNIN_ACCOUNT`).
    pub signin_account: Option<Limit>,
    /// Token refreshes per client address (`ROSTER_RATE_LIMIT_REFRESH_IP`).
    pub refresh_ip: Option<Limit>,
    /// Sign-ups per client address (`ROSTER_RATE_LIMIT_SIGNUP_IP`).
    pub signup_ip: Option<Limit>,
    /// Reset requests per client address (`ROSTER_RATE_LIMIT_RESET_IP`).
    pub reset_ip: Option<Limit>,
    /// Reset requests per address asked about (`ROSTER_RATE_LIMIT_RESET_ADDRESS`).
    pub reset_address: Option<Limit>,
    /// Confirmation resends per client address (`ROSTER_RATE_LIMIT_RESEND_IP`).
    pub resend_ip: Option<Limit>,
    /// Confirmation resends per address (`ROSTER_RATE_LIMIT_RESEND_ADDRESS`).
    pub resend_address: Option<Limit>,
    /// Addresses added per account (`ROSTER_RATE_LIMIT_EMAIL_ADD_ACCOUNT`).
    pub email_add_account: Option<Limit>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            signin_ip: Some(Limit::per(60, 60)),
            signin_account: Some(Limit::per(30, 60)),
            refresh_ip: Some(Limit::per(120, 60)),
            signup_ip: Some(Limit::per(20, 3600)),
            reset_ip: Some(Limit::per(20, 3600)),
            reset_address: Some(Limit::per(5, 3600)),
            resend_ip: Some(Limit::per(20, 3600)),
            resend_address: Some(Limit::per(5, 3600)),
            email_add_account: Some(Limit::per(20, 3600)),
        }
    }
}

impl RateLimits {
    /// No limit at all (for tests about other things).
    pub fn off() -> Self {
        Self {
            signin_ip: None,
            signin_account: None,
            refresh_ip: None,
            signup_ip: None,
            reset_ip: None,
            reset_address: None,
            resend_ip: None,
            resend_address: None,
            email_add_account: None,
        }
    }

    /// The environment variables and the field each sets.
    pub fn fields_mut(&mut self) -> [(&'static str, &mut Option<Limit>); 9] {
        [
            ("ROSTER_RATE_LIMIT_SIGNIN_IP", &mut self.signin_ip),
            ("ROSTER_RATE_LIMIT_SIGNIN_ACCOUNT", &mut self.signin_account),
            ("ROSTER_RATE_LIMIT_REFRESH_IP", &mut self.refresh_ip),
            ("ROSTER_RATE_LIMIT_SIGNUP_IP", &mut self.signup_ip),
            ("ROSTER_RATE_LIMIT_RESET_IP", &mut self.reset_ip),
            ("ROSTER_RATE_LIMIT_RESET_ADDRESS", &mut self.reset_address),
            ("ROSTER_RATE_LIMIT_RESEND_IP", &mut self.resend_ip),
            ("ROSTER_RATE_LIMIT_RESEND_ADDRESS", &mut self.resend_address),
            ("ROSTER_RATE_LIMIT_EMAIL_ADD_ACCOUNT", &mut self.email_add_account),
        ]
    }
}
