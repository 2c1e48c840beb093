//! Clock skew: the local clock against the server's `Date` header. Signatures carry a timestamp
//! and STS credentials an absolute expiry, so a clock that is minutes off makes requests fail in
//! ways that look like bad credentials; this names the real cause.

use crate::cloud::sts::ServiceError;
use crate::error::SignInNeeded;
use crate::error::{Hint, with_hint};
use crate::http::ServerError;

/// Beyond this difference (seconds) the clock is called out: Alibaba Cloud refuses signatures
/// whose timestamp is 15 minutes off, and STS expiry checks shift by the whole difference.
pub const MAX_SKEW: i64 = 300;

/// The local clock minus the server's, in seconds, when it is beyond [`MAX_SKEW`].
pub fn skew(server_date: Option<i64>, now: i64) -> Option<i64> {
    let skew = now.saturating_sub(server_date?);
    (skew.unsigned_abs() > MAX_SKEW as u64).then_some(skew)
}

/// "the local clock is 12 min ahead of the server's".
pub fn describe(skew: i64) -> String {
    let minutes = skew.unsigned_abs().div_ceil(60);
    let side = if skew > 0 { "ahead of" } else { "behind" };
    format!("the local clock is {minutes} min {side} the server's")
}

/// The fix, for hints and `doctor`.
pub const FIX: &str = "set the system clock right (e.g. enable time sync with `sudo timedatectl set-ntp true`), then run the command again";

/// Checks STS credentials that just arrived against the local clock. They must keep `margin`
/// seconds, or half the lifetime the server gave them (by its own `Date`) when that is shorter, so
/// that deliberately short-lived credentials pass. Otherwise they are refused: used, they fail or
/// are renewed again at once, on every use. The error compares the server's `Date` with the local
/// clock to say which of the two is wrong.
pub fn check_arrival(
    expires_at: i64,
    server_date: Option<i64>,
    now: i64,
    margin: i64,
) -> anyhow::Result<()> {
    let left = expires_at.saturating_sub(now);
    let issued_for = server_date.map(|date| expires_at.saturating_sub(date));
    let needed = margin.min(issued_for.map_or(margin, |life| life.max(0) / 2));
    if left > 0 && left >= needed {
        return Ok(());
    }
    let state = if left <= 0 {
        format!("expired {} ago", span(left))
    } else {
        format!("expire in {}", span(left))
    };
    let what = format!(
        "the new STS credentials {state} by the local clock (they expire at {})",
        crate::timefmt::shown(expires_at)
    );
    let error = match (server_date, skew(server_date, now)) {
        (Some(_), Some(skew)) => with_hint(
            anyhow::anyhow!("{what}: {}", describe(skew)),
            FIX.to_owned(),
        ),
        (Some(date), None) => with_hint(
            anyhow::anyhow!(
                "{what}, and the server's clock agrees (its `Date` is {}): the service issued them so",
                crate::timefmt::shown(date)
            ),
            "the local clock is right; try again later, and report it to Alibaba Cloud if it persists",
        ),
        (None, _) => with_hint(
            anyhow::anyhow!("{what}; the server sent no `Date` to compare clocks with"),
            format!("check the local clock; if it is wrong, {FIX}"),
        ),
    };
    Err(error)
}

/// "2 h 5 min", "40 s": a span for these messages.
fn span(seconds: i64) -> String {
    let text = crate::timefmt::relative(seconds.saturating_abs(), 0);
    text.trim_start_matches("in ").to_owned()
}

/// Adds the clock as the named cause to an error the server gave (a refused signature, an expired
/// token), when the last response's `Date` shows a skew. Other errors are returned as they are.
pub fn explain(error: anyhow::Error, server_date: Option<i64>, now: i64) -> anyhow::Error {
    let Some(skew) = skew(server_date, now) else {
        return error;
    };
    let refused = error.downcast_ref::<ServiceError>().is_some()
        || error.downcast_ref::<ServerError>().is_some()
        || error.downcast_ref::<SignInNeeded>().is_some();
    if !refused {
        return error;
    }
    let had_hint = error.downcast_ref::<Hint>().is_some();
    let error = error.context(format!(
        "{}: signatures and expiry checks fail on a skewed clock",
        describe(skew)
    ));
    if had_hint {
        error.context(format!("the clock is off: {FIX}"))
    } else {
        with_hint(error, FIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::render;

    #[test]
    fn only_more_than_five_minutes_counts() {
        assert_eq!(skew(Some(1000), 1300), None);
        assert_eq!(skew(Some(1000), 1301), Some(301));
        assert_eq!(skew(Some(1000), 400), Some(-600));
        assert_eq!(skew(None, 0), None);
        assert_eq!(
            describe(-600),
            "the local clock is 10 min behind the server's"
        );
        assert_eq!(
            describe(301),
            "the local clock is 6 min ahead of the server's"
        );
    }

    #[test]
    fn credentials_that_arrive_expired_name_the_clock_at_fault() {
        let now = 1_000_000;
        // Fine: an hour left; or 4 s of a 4 s lifetime (short on purpose, as the server says).
        assert!(check_arrival(now + 3600, Some(now), now, 300).is_ok());
        assert!(check_arrival(now + 4, Some(now), now, 300).is_ok());
        // The local clock is 2 h ahead: an hour-long credential looks an hour past.
        let text = render(&check_arrival(now - 3600, Some(now - 7200), now, 300).unwrap_err());
        assert!(
            text.contains("expired 1 h 0 min ago by the local clock"),
            "{text}"
        );
        assert!(
            text.contains("the local clock is 120 min ahead of the server's"),
            "{text}"
        );
        assert!(text.ends_with(&format!("hint: {FIX}\n")), "{text}");
        // 58 min ahead: inside the margin, refused too.
        let text = render(&check_arrival(now + 120, Some(now - 3480), now, 300).unwrap_err());
        assert!(
            text.contains("expire in 2 min by the local clock"),
            "{text}"
        );
        // The server agrees it issued them expired: the service is at fault, not the clock.
        let text = render(&check_arrival(now - 60, Some(now), now, 300).unwrap_err());
        assert!(text.contains("the server's clock agrees"), "{text}");
        assert!(text.contains("hint: the local clock is right"), "{text}");
        // No `Date` to compare with.
        let text = render(&check_arrival(now - 60, None, now, 300).unwrap_err());
        assert!(text.contains("sent no `Date`"), "{text}");
    }

    #[test]
    fn a_refusal_names_the_clock_and_other_errors_stay_as_they_are() {
        let refusal = || -> anyhow::Error {
            ServiceError {
                status: 400,
                code: "InvalidTimeStamp.Expired".into(),
                message: "expired".into(),
                request_id: "r".into(),
            }
            .into()
        };
        let text = render(&explain(refusal(), Some(0), 1200));
        assert!(
            text.starts_with("error: the local clock is 20 min ahead"),
            "{text}"
        );
        assert!(
            text.contains("caused by: the API answered HTTP 400"),
            "{text}"
        );
        assert!(text.ends_with(&format!("hint: {FIX}\n")), "{text}");
        let plain = explain(anyhow::anyhow!("no such file"), Some(0), 1200);
        assert_eq!(render(&plain), "error: no such file\n");
        assert_eq!(render(&explain(refusal(), Some(0), 10)).lines().count(), 1);
    }
}
