//! `alicli-emulator browse URL`: plays the user's browser. It opens the authorize URL, takes the
//! redirect the emulator answers with, and visits the loopback callback, as a browser would.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

/// How the pretend user behaves.
pub struct BrowseOptions {
    /// First visit the callback with a forged `state` (must get a 400), then the real one.
    pub wrong_state_first: bool,
    /// Write the callback URL to this file instead of visiting it (the headless paste flow).
    pub write_final_url: Option<PathBuf>,
}

pub async fn browse(url: &str, options: BrowseOptions) -> Result<()> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()?;
    let response = client
        .get(url)
        .send()
        .await
        .context("cannot reach the authorize URL")?;
    let Some(location) = response.headers().get("location") else {
        bail!(
            "the authorize URL answered {} without a redirect",
            response.status()
        );
    };
    let callback = location.to_str()?.to_owned();
    if let Some(path) = options.write_final_url {
        std::fs::write(&path, format!("{callback}\n"))
            .with_context(|| format!("cannot write {}", path.display()))?;
        return Ok(());
    }
    if options.wrong_state_first {
        let mut forged = url::Url::parse(&callback)?;
        let pairs: Vec<(String, String)> = forged
            .query_pairs()
            .map(|(k, v)| {
                let value = if k == "state" {
                    "forged-state".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), value)
            })
            .collect();
        forged.query_pairs_mut().clear().extend_pairs(pairs);
        let status = client.get(forged).send().await?.status();
        if status != reqwest::StatusCode::BAD_REQUEST {
            bail!("the callback accepted a forged state (HTTP {status})");
        }
    }
    // A browser asks for the favicon too; it must not disturb the sign-in.
    if let Ok(mut favicon) = url::Url::parse(&callback) {
        favicon.set_path("/favicon.ico");
        favicon.set_query(None);
        let _ = client.get(favicon).send().await;
    }
    let response = client
        .get(&callback)
        .send()
        .await
        .context("cannot reach the callback")?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if !status.is_success() {
        bail!("the callback answered HTTP {status}: {body}");
    }
    Ok(())
}
