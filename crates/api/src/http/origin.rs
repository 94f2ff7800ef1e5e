//! Where a request comes from: its client's address (see
//! `ROSTER_TRUST_PROXY`) and user agent, as kept with the sessions it opens.
use crate::rate_limit::client_address;
use actix_web::HttpRequest;

/// The longest user agent kept; longer ones are cut.
const MAX_USER_AGENT: usize = 255;

/// A request's address and user agent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The client's address.
    pub ip: String,
    /// Its `User-Agent`, if it sent one.
    pub user_agent: Option<String>,
}

impl Origin {
    /// The origin of `req`.
    pub fn of(req: &HttpRequest, trust_proxy: bool) -> Self {
        Self {
            ip: client_address(req, trust_proxy),
            user_agent: req
                .headers()
                .get("User-Agent")
                .and_then(|v| v.to_str().ok())
                .map(|a| a.chars().take(MAX_USER_AGENT).collect()),
        }
    }
}
