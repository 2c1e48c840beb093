//! RFC 3339 / ISO 8601 conversions between unix seconds and the strings the APIs use.

use anyhow::{Context, Result};

use crate::term::printable;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// The last second of year 9999, the end of RFC 3339's four-digit years. An expiry past it (or
/// before 1970) is not a time any server issued: a hand edit, another tool's bug, or an attack.
pub const LATEST: i64 = 253_402_300_799;

/// `2026-11-22T10:00:00Z`: the form of `Timestamp`, `x-acs-date` and `Expiration`. Times outside
/// years 1970–9999 are written as the nearer end of that range (for programs, which need a time;
/// people see [`shown`]).
pub fn to_rfc3339(unix: i64) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    OffsetDateTime::from_unix_timestamp(unix.clamp(0, LATEST))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&format)
        .unwrap_or_default()
}

/// True for times in years 1970–9999.
pub fn is_sane(unix: i64) -> bool {
    (0..=LATEST).contains(&unix)
}

/// A time for people: RFC 3339, or `invalid` for one outside years 1970–9999 (an expiry of
/// i64::MAX used to show as 1970-01-01).
pub fn shown(unix: i64) -> String {
    if is_sane(unix) {
        to_rfc3339(unix)
    } else {
        format!("invalid ({unix})")
    }
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

/// Parses a duration for flags such as `--min-ttl`: a number of seconds (`900`), or numbers with
/// units `s`, `m`, `h`, `d` (`900s`, `15m`, `1h`, `1h30m`). Returns seconds.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "`{text}` is not a duration: write seconds (`900`) or use s, m, h, d (`15m`, `1h30m`)"
        )
    };
    if text.is_empty() {
        return Err(bad());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| bad());
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let value: i64 = number.parse().map_err(|_| bad())?;
        number.clear();
        total = value
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
    }
    if !number.is_empty() {
        return Err(bad());
    }
    Ok(total)
}

/// `45s`, `53m`, `2h05m`, `3d04h`: a short time span for shell prompts.
pub fn compact(seconds: i64) -> String {
    let s = seconds.max(0);
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m", s / 60)
    } else if s < 86_400 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else {
        format!("{}d{:02}h", s / 86_400, s % 86_400 / 3600)
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
    fn absurd_times_are_invalid_for_people_and_clamped_for_programs() {
        assert_eq!(shown(1_795_341_600), "2026-11-22T10:00:00Z");
        assert_eq!(shown(i64::MAX), format!("invalid ({})", i64::MAX));
        assert_eq!(shown(-1), "invalid (-1)");
        assert_eq!(to_rfc3339(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(to_rfc3339(i64::MIN), "1970-01-01T00:00:00Z");
        assert_eq!(to_rfc3339(LATEST), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn relative_reads_naturally() {
        assert_eq!(relative(1000 + 53 * 60, 1000), "in 53 min");
        assert_eq!(relative(1000, 1000 + 125), "2 min ago");
        assert_eq!(relative(1000 + 7500, 1000), "in 2 h 5 min");
    }
    #[test]
    fn durations_take_bare_seconds_and_units() {
        assert_eq!(parse_duration("900"), Ok(900));
        assert_eq!(parse_duration("900s"), Ok(900));
        assert_eq!(parse_duration("15m"), Ok(900));
        assert_eq!(parse_duration("1h"), Ok(3600));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("0"), Ok(0));
        for bad in [
            "",
            "m",
            "-5",
            "1.5h",
            "15 m",
            "10x",
            "1h30",
            "99999999999999999999",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn compact_spans_fit_a_prompt() {
        assert_eq!(compact(45), "45s");
        assert_eq!(compact(53 * 60 + 59), "53m");
        assert_eq!(compact(2 * 3600 + 5 * 60), "2h05m");
        assert_eq!(compact(3 * 86_400 + 4 * 3600), "3d04h");
        assert_eq!(compact(-5), "0s");
    }
}
