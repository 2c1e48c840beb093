//! Tests of the session states (state.rs): every state a session can be in, and the margins.

use super::*;

const NOW: i64 = 100_000;
const HOUR: i64 = 3600;

fn times(sts: Option<i64>, access: Option<i64>, refresh: Option<Option<i64>>) -> SessionTimes {
    SessionTimes {
        sts_expires_at: sts.map(|at| NOW + at),
        access_expires_at: access.map(|at| NOW + at),
        refresh_token: match refresh {
            None => RefreshToken::Absent,
            Some(expires_at) => RefreshToken::Present {
                expires_at: expires_at.map(|at| NOW + at),
            },
        },
    }
}

#[test]
fn every_state_of_a_session() {
    use State::*;
    let d = Margins::DEFAULT;
    let rows: &[(&str, SessionTimes, State)] = &[
        ("nothing stored", times(None, None, None), SignedOut),
        (
            "fresh, refresh token of known expiry",
            times(Some(HOUR), Some(HOUR), Some(Some(30 * 24 * HOUR))),
            Fresh {
                sts_expires_at: NOW + HOUR,
                until: Some(NOW + 30 * 24 * HOUR),
            },
        ),
        (
            "fresh, refresh token of unknown expiry",
            times(Some(HOUR), Some(HOUR), Some(None)),
            Fresh {
                sts_expires_at: NOW + HOUR,
                until: None,
            },
        ),
        (
            "STS within the margin, access token long: exchange",
            times(Some(200), Some(HOUR), Some(None)),
            Renewable {
                step: Step::Exchange,
                until: None,
            },
        ),
        (
            "access token within its margin: refresh",
            times(Some(-5), Some(1000), Some(Some(HOUR))),
            Renewable {
                step: Step::Refresh,
                until: Some(NOW + HOUR),
            },
        ),
        (
            "no refresh token: exchange while the access token lives",
            times(Some(-5), Some(600), None),
            Renewable {
                step: Step::Exchange,
                until: Some(NOW + 600),
            },
        ),
        (
            "refresh token expired, access token alive: exchange",
            times(None, Some(HOUR), Some(Some(-10))),
            Renewable {
                step: Step::Exchange,
                until: Some(NOW + HOUR),
            },
        ),
        (
            "both tokens expired",
            times(Some(-5), Some(-5), Some(Some(-10))),
            SignInNeeded(SignInReason::RefreshTokenExpired { at: NOW - 10 }),
        ),
        (
            "access token expired, no refresh token",
            times(Some(-5), Some(-1), None),
            SignInNeeded(SignInReason::AccessTokenExpired { at: NOW - 1 }),
        ),
        (
            "tokens removed after a refused refresh, STS due",
            times(Some(100), None, None),
            SignInNeeded(SignInReason::NoTokens {
                sts_expired_at: Some(NOW + 100),
            }),
        ),
        (
            "tokens removed, STS still fresh",
            times(Some(HOUR), None, None),
            Fresh {
                sts_expires_at: NOW + HOUR,
                until: Some(NOW + HOUR),
            },
        ),
    ];
    for (what, times, expected) in rows {
        assert_eq!(times.state(NOW, d), *expected, "{what}");
    }
}

#[test]
fn margins_are_parameters() {
    let t = times(Some(600), Some(HOUR), Some(None));
    assert!(matches!(
        t.state(NOW, Margins::DEFAULT),
        State::Fresh { .. }
    ));
    assert!(matches!(
        t.state(NOW, Margins::with_min_ttl(900)),
        State::Renewable { .. }
    ));
    let zero = Margins {
        sts: 0,
        access_token: 0,
    };
    assert!(matches!(
        times(Some(1), Some(1), None).state(NOW, zero),
        State::Fresh { .. }
    ));
}

#[test]
fn absurd_expiries_never_wrap_into_fresh() {
    let t = SessionTimes {
        sts_expires_at: Some(i64::MIN),
        access_expires_at: Some(i64::MIN),
        refresh_token: RefreshToken::Absent,
    };
    assert!(t.state(1, Margins::DEFAULT).needs_sign_in());
    assert!(keeps(i64::MAX, -5, STS_RENEW_MARGIN));
    assert!(!keeps(i64::MIN, 1, 0));
}
