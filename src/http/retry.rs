//! Retrying requests through transient failures (connect errors, timeouts, HTTP 5xx and 429),
//! with backoff and jitter, a few times within about ten seconds. A request that must not reach
//! the server twice (a refresh, whose token the server retires) is retried only when it
//! certainly never left: the connection was not made.

use std::future::Future;
use std::time::{Duration, Instant};

use super::{RequestError, is_certificate_error};

/// What may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Any transient failure: the request may reach the server twice (an exchange, an STS read).
    Transient,
    /// Only failures to connect: the request never left.
    Unsent,
}

/// How a failure may go away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transience {
    /// It will not (a refusal, a malformed answer, an untrusted certificate).
    Permanent,
    /// The connection was not made: the request never left.
    Unsent,
    /// A timeout, a dropped connection, HTTP 5xx or 429: the server may have acted on it.
    Answered,
}

/// The pauses between attempts, before jitter; their count is the number of retries.
const PAUSES: [Duration; 3] = [
    Duration::from_millis(400),
    Duration::from_millis(1200),
    Duration::from_millis(3000),
];
/// No retry starts later than this after the first attempt.
const BUDGET: Duration = Duration::from_secs(10);

/// The service did not answer usably, retries included: an outage, not a refusal. A command
/// seeing it in an error's chain knows the session was kept and can point at `doctor`.
#[derive(Debug, thiserror::Error)]
#[error("{what} failed{}; the session was kept", times(*.attempts))]
pub struct Outage {
    /// The request, e.g. "the STS exchange".
    pub what: String,
    /// How many attempts were made.
    pub attempts: u32,
}

fn times(attempts: u32) -> String {
    if attempts > 1 {
        format!(" {attempts} times")
    } else {
        String::new()
    }
}

/// How a failure of the network itself may go away.
pub fn network_transience(error: &anyhow::Error) -> Transience {
    if is_certificate_error(error) {
        return Transience::Permanent;
    }
    let transport = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<reqwest::Error>());
    match transport {
        Some(e) if e.is_connect() => Transience::Unsent,
        Some(e) if e.is_timeout() || e.is_request() || e.is_body() => Transience::Answered,
        _ => Transience::Permanent,
    }
}

/// How a failed OAuth request may go away.
pub fn request_transience(error: &RequestError) -> Transience {
    match error {
        RequestError::Server(server) if server.status >= 500 || server.status == 429 => {
            Transience::Answered
        }
        RequestError::Server(_) => Transience::Permanent,
        RequestError::Other(other) => network_transience(other),
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the retries `retry` allows are used up.
/// A transient failure that ends the attempts comes back with [`Outage`] as its context.
pub async fn with_retries<T, E, F, Fut>(
    what: &str,
    retry: Retry,
    transience: impl Fn(&E) -> Transience,
    mut attempt: F,
) -> Result<T, E>
where
    E: Into<anyhow::Error> + From<anyhow::Error> + std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let started = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let error = match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let retryable = match (transience(&error), retry) {
            (Transience::Permanent, _) => return Err(error),
            (Transience::Unsent, _) | (Transience::Answered, Retry::Transient) => true,
            (Transience::Answered, Retry::Unsent) => false,
        };
        let pause = PAUSES
            .get(attempts as usize - 1)
            .map(|&pause| jitter(pause));
        match pause {
            Some(pause) if retryable && started.elapsed() + pause < BUDGET => {
                tracing::debug!(what, attempts, ?pause, error = %error, "retrying");
                tokio::time::sleep(pause).await;
            }
            _ => {
                let outage = Outage {
                    what: what.to_owned(),
                    attempts,
                };
                return Err(E::from(error.into().context(outage)));
            }
        }
    }
}

/// `pause` plus up to half of it at random, so that many clients do not retry in step.
fn jitter(pause: Duration) -> Duration {
    pause + pause.mul_f64(rand::random::<f64>() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::ServerError;

    fn status(status: u16) -> RequestError {
        RequestError::Server(ServerError {
            status,
            error: format!("http_{status}"),
            description: None,
            request_id: None,
        })
    }

    #[test]
    fn only_answers_that_may_pass_are_transient() {
        for code in [500, 502, 503, 429] {
            assert_eq!(request_transience(&status(code)), Transience::Answered);
        }
        for code in [400, 401, 403] {
            assert_eq!(request_transience(&status(code)), Transience::Permanent);
        }
        let other = RequestError::Other(anyhow::anyhow!("the body was not JSON"));
        assert_eq!(request_transience(&other), Transience::Permanent);
    }

    #[tokio::test(start_paused = true)]
    async fn an_answered_failure_of_an_unrepeatable_request_is_not_retried() {
        let mut calls = 0;
        let result: Result<(), _> = with_retries(
            "the token refresh",
            Retry::Unsent,
            request_transience,
            || {
                calls += 1;
                async { Err(status(503)) }
            },
        )
        .await;
        assert_eq!(calls, 1);
        let RequestError::Other(error) = result.unwrap_err() else {
            panic!("marked as an outage");
        };
        assert_eq!(
            error.to_string(),
            "the token refresh failed; the session was kept"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_lasting_outage_ends_as_one_within_the_budget() {
        let started = tokio::time::Instant::now();
        let mut calls = 0;
        let result: Result<(), _> = with_retries(
            "the STS exchange",
            Retry::Transient,
            request_transience,
            || {
                calls += 1;
                async { Err(status(503)) }
            },
        )
        .await;
        let RequestError::Other(error) = result.unwrap_err() else {
            panic!("an outage is reported as one");
        };
        let outage = error.downcast_ref::<Outage>().expect("marked as an outage");
        assert_eq!((calls, outage.attempts), (4, 4));
        assert!(started.elapsed() < BUDGET);
        assert!(format!("{error:#}").contains("HTTP 503"), "{error:#}");
    }

    #[tokio::test(start_paused = true)]
    async fn one_transient_failure_is_absorbed() {
        let mut calls = 0;
        let result = with_retries("x", Retry::Transient, request_transience, || {
            calls += 1;
            let answer = if calls == 1 { Err(status(502)) } else { Ok(7) };
            async move { answer }
        })
        .await;
        assert_eq!(result.unwrap(), 7);
        assert_eq!(calls, 2);
    }
}
