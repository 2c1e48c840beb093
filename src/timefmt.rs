//! RFC 3339 / ISO 8601 conversions between unix seconds and the strings the APIs use.

use anyhow::{Context, Result};

use crate::error::printable;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// `2026-11-22T10:00:00Z`: the form of `Timestamp`, `x-acs-date` and `Expiration`.
pub fn to_rfc3339(unix: i64) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&format)
        .unwrap_or_default()
}

/// Parses an RFC 3339 time with any offset into unix seconds.
pub fn parse_rfc3339(text: &str) -> Result<i64> {
    let parsed = OffsetDateTime::parse(text.trim(), &Rfc3339)
        .with_context(|| format!("`{}` is not an RFC 3339 time", printable(text, 64)))?;
    Ok(parsed.unix_timestamp())
}

/// Parses an HTTP `Date` header (RFC 9110 §5.6.7) into unix seconds.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let at = httpdate::parse_http_date(text.trim()).ok()?;
    let since = at.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_secs()).ok()
}

/// "in 53 min", "in 2 h 5 min", "3 min ago": how far `then` is from `now`, for people.
pub fn relative(then: i64, now: i64) -> String {
    let delta = then.saturating_sub(now);
    let span = delta.unsigned_abs();
    let text = if span < 60 {
        format!("{span} s")
    } else if span < 3600 {
        format!("{} min", span / 60)
    } else if span < 86_400 {
        format!("{} h {} min", span / 3600, span % 3600 / 60)
    } else {
        format!("{} d {} h", span / 86_400, span % 86_400 / 3600)
    };
    if delta >= 0 {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_utc_and_accepts_offsets() {
        assert_eq!(to_rfc3339(1_795_341_600), "2026-11-22T10:00:00Z");
        assert_eq!(
            parse_rfc3339("2026-11-22T10:00:00Z").unwrap(),
            1_795_341_600
        );
        assert_eq!(
            parse_rfc3339("2026-11-22T18:00:00+08:00").unwrap(),
            1_795_341_600
        );
        assert!(parse_rfc3339("yesterday").is_err());
        assert_eq!(
            parse_http_date("Sun, 22 Nov 2026 10:00:00 GMT"),
            Some(1_795_341_600)
        );
        assert_eq!(parse_http_date("soon"), None);
    }

    #[test]
    fn relative_reads_naturally() {
        assert_eq!(relative(1000 + 53 * 60, 1000), "in 53 min");
        assert_eq!(relative(1000, 1000 + 125), "2 min ago");
        assert_eq!(relative(1000 + 7500, 1000), "in 2 h 5 min");
    }
}
