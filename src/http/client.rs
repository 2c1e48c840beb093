//! Building the clients: timeouts, no redirects, the proxy rule, and the trust roots of each
//! [`Trust`] level; and recognising a refused server certificate, to name `--ca-bundle`.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use reqwest::{Certificate, Client, Proxy, redirect};

use super::NetSettings;
use crate::error::{NetworkFailure, with_hint};

/// A CA bundle is at most a few hundred kilobytes; anything larger is not one.
const MAX_CA_BUNDLE_SIZE: u64 = 16 * 1024 * 1024;

/// Which trust roots a client has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// None: plain HTTP to loopback.
    Plain,
    /// The bundled webpki roots and `--ca-bundle`.
    Bundled,
    /// Those and the OS trust store (which honours SSL_CERT_FILE / SSL_CERT_DIR).
    WithOs,
}

/// A client with the given trust roots; the CA bundle is read here, on first use.
pub fn build_client(net: &NetSettings, trust: Trust) -> Result<Client> {
    net.proxies.validate()?;
    let proxies = net.proxies.clone();
    let mut builder = Client::builder()
        .user_agent(concat!("alicli/", env!("CARGO_PKG_VERSION")))
        .redirect(redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .proxy(Proxy::custom(move |url| proxies.proxy_for(url)));
    if trust == Trust::Plain {
        builder = builder.tls_built_in_root_certs(false);
    } else {
        let extra = match &net.ca_bundle {
            Some(path) => load_ca_bundle(path)?,
            None => Vec::new(),
        };
        tracing::debug!(
            ?trust,
            ca_bundle = ?net.ca_bundle,
            extra_cas = extra.len(),
            "TLS client"
        );
        for certificate in extra {
            builder = builder.add_root_certificate(certificate);
        }
        builder = builder
            .tls_built_in_webpki_certs(true)
            .tls_built_in_native_certs(trust == Trust::WithOs);
    }
    builder.build().map_err(|e| {
        with_hint(
            anyhow::Error::new(e).context("failed to set up the HTTP client"),
            "check `--ca-bundle` / ALIBABA_CLOUD_CA_BUNDLE and the OS certificate store",
        )
    })
}

/// Reads a PEM CA bundle; a file without any certificate is an error, not an empty trust list.
pub fn load_ca_bundle(path: &Path) -> Result<Vec<Certificate>> {
    let shown = path.display();
    let hint =
        "give a PEM file of CA certificates with `--ca-bundle FILE` or ALIBABA_CLOUD_CA_BUNDLE";
    let read = || -> Result<Vec<u8>> {
        let size = std::fs::metadata(path)?.len();
        anyhow::ensure!(
            size <= MAX_CA_BUNDLE_SIZE,
            "it is {size} bytes; too large for a CA bundle"
        );
        Ok(std::fs::read(path)?)
    };
    let bytes = read()
        .with_context(|| format!("cannot read the CA bundle `{shown}`"))
        .map_err(|e| with_hint(e, hint))?;
    let certificates = Certificate::from_pem_bundle(&bytes).map_err(|e| {
        with_hint(
            anyhow::Error::new(e).context(format!("the CA bundle `{shown}` is not valid PEM")),
            hint,
        )
    })?;
    if certificates.is_empty() {
        return Err(with_hint(
            anyhow::anyhow!("the CA bundle `{shown}` holds no `-----BEGIN CERTIFICATE-----` block"),
            hint,
        ));
    }
    Ok(certificates)
}

/// True when the failure is a server certificate the TLS layer did not trust.
pub fn is_certificate_error(error: &anyhow::Error) -> bool {
    error.chain().any(refused_here)
}

/// The same, for a request's own error.
pub fn certificate_refused(error: &reqwest::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if refused_here(current) {
            return true;
        }
        cause = current.source();
    }
    false
}

fn refused_here(cause: &(dyn std::error::Error + 'static)) -> bool {
    // rustls reports through io::Error, whose `source()` skips the wrapped error itself.
    let rustls_error = cause.downcast_ref::<rustls::Error>().or_else(|| {
        cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    });
    matches!(
        rustls_error,
        Some(rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)
    )
}

/// A request that got no answer, as a [`NetworkFailure`] naming the request and its route; for a
/// refused certificate, with the hint naming `--ca-bundle`.
pub fn explain_failure(
    error: reqwest::Error,
    what: &str,
    route: &str,
    net: &NetSettings,
) -> anyhow::Error {
    let certificate = certificate_refused(&error);
    let error = anyhow::Error::new(NetworkFailure {
        what: what.to_owned(),
        route: route.to_owned(),
        source: Box::new(error),
    });
    if !certificate {
        return error;
    }
    let hint = match &net.ca_bundle {
        Some(path) => format!(
            "the server's certificate is not signed by a trusted CA, nor by one in `{}`; if a proxy \
             inspects TLS, give its CA certificate with `--ca-bundle FILE`",
            path.display()
        ),
        None => "the server's certificate is not signed by a trusted CA; if a proxy inspects TLS, \
                 give its CA certificate with `--ca-bundle FILE` (or ALIBABA_CLOUD_CA_BUNDLE)"
            .to_owned(),
    };
    with_hint(error, hint)
}
