//! `alicli doctor`: placeholder while the checks are written.
use anyhow::Result;

use super::settings::Settings;
use crate::cli::DoctorArgs;
use crate::http::Http;

/// Runs the checks.
pub async fn run(_args: DoctorArgs, _settings: &Settings, _http: &Http) -> Result<()> {
    Ok(())
}
