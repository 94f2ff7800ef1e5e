//! Reading a point in time from a request.
use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Reads an RFC 3339 time (converted to UTC) or a `YYYY-MM-DD` date (its
/// midnight, UTC), as GitLab's `created_after` and `expires_at` take them.
pub fn parse_instant(value: &str) -> Option<NaiveDateTime> {
    let value = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.naive_utc());
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_dates() {
        let midnight = NaiveDate::from_ymd_opt(2026, 1, 2).and_then(|d| d.and_hms_opt(0, 0, 0));
        assert_eq!(parse_instant(" 2026-01-02 "), midnight);
        assert_eq!(parse_instant("2026-01-02T01:00:00+01:00"), midnight);
        assert_eq!(parse_instant("2026-02-30"), None);
        assert_eq!(parse_instant("yesterday"), None);
    }
}
