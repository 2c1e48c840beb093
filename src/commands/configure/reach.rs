//! While the browser is out: a background check that the sign-in and OAuth hosts can be reached
//! from here (DNS, TCP, TLS, through the proxy in use), so that a sign-in that can never finish
//! says so within seconds instead of at the timeout, and the timeout's hint matches what was seen.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::cloud::endpoints::OAuthEndpoints;
use crate::http::probe::{Limits, Probe, probe};
use crate::http::{Http, NetSettings};

/// Short limits: the point is to warn within a few seconds while the user is still in the browser.
const LIMITS: Limits = Limits {
    step: Duration::from_secs(4),
    http: Duration::from_secs(5),
};

/// The background check of one sign-in.
pub struct Reachability {
    task: Option<JoinHandle<Vec<(&'static str, Probe)>>>,
    failures: Vec<(&'static str, Probe)>,
    finished: bool,
}

impl Reachability {
    /// Starts probing the endpoints on the runtime, with clients of its own (so the sign-in's
    /// requests never wait behind a probe).
    pub fn start(net: &NetSettings, endpoints: &OAuthEndpoints) -> Self {
        let signin = endpoints.signin.clone();
        let oauth = (endpoints.oauth != endpoints.signin).then(|| endpoints.oauth.clone());
        let http = Http::new(net.clone());
        let task = tokio::spawn(async move {
            let check = |label: &'static str, url: url::Url| {
                let http = &http;
                async move {
                    let probe = probe(http, &url, LIMITS).await;
                    tracing::debug!(host = label, result = ?probe.result, "reachability");
                    (label, probe)
                }
            };
            // At once: the warning waits for the slower probe, not for their sum.
            let (signin, oauth) = tokio::join!(check("sign-in", signin), async {
                match oauth {
                    Some(url) => Some(check("OAuth", url).await),
                    None => None,
                }
            });
            [Some(signin), oauth].into_iter().flatten().collect()
        });
        Self {
            task: Some(task),
            failures: Vec::new(),
            finished: false,
        }
    }

    /// True until the probes have reported.
    pub fn pending(&self) -> bool {
        !self.finished
    }

    /// Waits for the probes; returns the warning to show when a host could not be reached.
    pub async fn finish(&mut self) -> Option<String> {
        let probes = match self.task.as_mut() {
            Some(task) => task.await.unwrap_or_default(),
            None => Vec::new(),
        };
        self.task = None;
        self.finished = true;
        self.failures = probes
            .into_iter()
            .filter(|(_, probe)| probe.result.is_err())
            .collect();
        let first = self.failures.first()?;
        Some(format!(
            "warning: {}; the sign-in cannot finish until it can. `alicli doctor` checks the \
             network step by step. Still waiting...",
            describe(first)
        ))
    }

    /// The hint for a sign-in that timed out, matching what the probes saw.
    pub fn timeout_hint(&self) -> String {
        match self.failures.first() {
            Some(failure) => format!(
                "{}: fix the network or the proxy settings (`alicli doctor` checks each step), \
                 then run the command again",
                describe(failure)
            ),
            None if self.finished => "the sign-in and OAuth hosts were reachable, but the \
                                      browser never came back: finish the sign-in in the browser \
                                      in time, or allow more with `--timeout SECS` (0: no limit)"
                .to_owned(),
            None => "run the command again, or allow more time with `--timeout SECS` \
                     (0: no limit); `alicli doctor` checks the network"
                .to_owned(),
        }
    }
}

impl Drop for Reachability {
    fn drop(&mut self) {
        // The sign-in is over: a late probe must not print into whatever comes next.
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// "the sign-in host `https://…` (direct) cannot be reached from here: TCP: …"
fn describe((label, probe): &(&'static str, Probe)) -> String {
    let detail = match &probe.result {
        Err(stopped) => stopped.detail.as_str(),
        Ok(_) => "reachable",
    };
    format!(
        "the {label} host {} cannot be reached from here: {detail}",
        probe.head()
    )
}
