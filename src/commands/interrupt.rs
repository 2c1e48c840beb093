//! Ctrl-C, listened for from the moment the listener is created. `tokio::signal::ctrl_c()` only
//! registers when first polled, so a Ctrl-C pressed just after the "Waiting" line could still kill
//! the process the default way; creating the stream up front closes that gap.

use anyhow::{Context, Result};

/// A registered Ctrl-C listener.
pub struct Interrupt {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
    #[cfg(windows)]
    signal: tokio::signal::windows::CtrlC,
}

impl Interrupt {
    /// Registers the handler now. Must run inside the tokio runtime.
    pub fn install() -> Result<Self> {
        #[cfg(unix)]
        let signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
        #[cfg(windows)]
        let signal = tokio::signal::windows::ctrl_c();
        Ok(Self {
            signal: signal.context("cannot listen for Ctrl-C")?,
        })
    }

    /// Resolves when Ctrl-C is pressed.
    pub async fn recv(&mut self) {
        self.signal.recv().await;
    }
}
