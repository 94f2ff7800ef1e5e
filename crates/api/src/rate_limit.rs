//! Rate limits: fixed windows counted in the database (so every node counts
//! into the same window), answered with `429` and `Retry-After` in seconds.
use crate::http::error::ApiError;
use crate::limits::Limit;
use crate::state::AppState;
use actix_web::HttpRequest;
use roster_persistence::{now, rate_limits};

/// The client's address: the peer's, or — behind a trusted proxy
/// (`ROSTER_TRUST_PROXY`) — the one `Forwarded`/`X-Forwarded-For` names.
pub fn client_address(req: &HttpRequest, trust_proxy: bool) -> String {
    let info = req.connection_info();
    let address = if trust_proxy {
        info.realip_remote_addr()
    } else {
        info.peer_addr()
    };
    let address = address.unwrap_or("unknown");
    // Drop a port, keep IPv6 addresses whole.
    match address.parse::<std::net::SocketAddr>() {
        Ok(socket) => socket.ip().to_string(),
        Err(_) => address.to_owned(),
    }
}

/// Counts one hit in each `(bucket, limit)`; `429` with the seconds until the
/// window ends when any is over its limit. Limits that are off are skipped.
pub async fn check(state: &AppState, hits: Vec<(String, Option<Limit>)>) -> Result<(), ApiError> {
    let hits: Vec<(String, Limit)> = hits.into_iter().filter_map(|(b, l)| l.map(|l| (b, l))).collect();
    if hits.is_empty() {
        return Ok(());
    }
    let retry_after = state
        .db
        .run(move |conn| {
            let at = now();
            let epoch = at.and_utc().timestamp();
            let mut wait = 0u64;
            for (bucket, limit) in &hits {
                let window = limit.window.as_secs().max(1) as i64;
                let start = epoch - epoch.rem_euclid(window);
                let window_start = chrono::DateTime::from_timestamp(start, 0)
                    .unwrap_or_default()
                    .naive_utc();
                let count = rate_limits::hit(conn, bucket, window_start)?;
                if count as u32 > limit.max {
                    wait = wait.max((start + window - epoch).max(1) as u64);
                }
            }
            // Now and then, drop windows that ended long ago.
            if rand::random::<u8>() == 0 {
                rate_limits::sweep(conn, at - chrono::Duration::days(2))?;
            }
            Ok(wait)
        })
        .await?;
    if retry_after > 0 {
        return Err(ApiError::TooManyRequests(retry_after));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_parse() {
        assert_eq!(Limit::parse("30/60").unwrap(), Some(Limit::per(30, 60)));
        assert_eq!(Limit::parse(" 5 / 3600 ").unwrap(), Some(Limit::per(5, 3600)));
        assert_eq!(Limit::parse("off").unwrap(), None);
        assert_eq!(Limit::parse("0").unwrap(), None);
        assert!(Limit::parse("30").is_err());
        assert!(Limit::parse("0/60").is_err());
        assert!(Limit::parse("x/y").is_err());
    }
}
