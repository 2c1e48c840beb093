//! alicli: sign in to Alibaba Cloud through the browser and hand short-lived STS credentials to
//! everything that needs them. The binary is a thin shell over [`main`]; every module is private to
//! the crate, so the compiler reports what nothing uses. [`internals`] lends the few pieces that the
//! emulator, the fuzz targets and the integration tests need.

// First, so that `stderr!`/`stderrln!` are in scope in every module below.
#[macro_use]
mod stderr;

mod atomic_file;
mod cli;
pub mod clock;
mod cloud;
mod commands;
mod credserver;
mod error;
mod export;
mod external;
mod http;
mod keychain;
mod loopback;
mod nodump;
mod oauth;
mod offload;
mod profile;
mod region;
mod renew;
mod roles;
mod secret;
mod session;
mod shellword;
mod site;
mod skew;
mod term;
pub mod timefmt;

use std::process::ExitCode;

use clap::Parser;

/// The whole program: parse, run one command, render the error once, map it to an exit code.
pub fn main() -> ExitCode {
    // First, before any secret is read from the environment or the profile file.
    nodump::forbid();
    if let Some(code) = commands::completion::serve() {
        return code;
    }
    // A write past the file-size limit then fails with EFBIG, which alicli reports, instead of
    // killing the process mid-renewal (the default action of SIGXFSZ).
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN has no memory-safety preconditions.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                error::exit::USAGE
            } else {
                0
            });
        }
    };
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            stderr!("{}", error::render(&error));
            ExitCode::from(error::exit_code(&error))
        }
    }
}

/// Not an API: the pieces that the emulator (signature checks), the fuzz targets (parsers), the
/// integration tests (signature known answers) and packaging (`cargo xtask`: man pages and
/// completion scripts) use. It changes whenever they do.
#[doc(hidden)]
pub mod internals {
    pub use crate::cloud::credentials::Credentials;
    pub use crate::cloud::encode::canonical_query;
    pub use crate::cloud::exchange::parse_exchange_response;
    pub use crate::cloud::metadata::parse_metadata_answer;
    pub use crate::cloud::roles::{
        RoleSpec, SplitRequest, assume_role_request, oidc_request, role_credentials,
    };
    pub use crate::cloud::sign::{
        Acs3Authorization, CanonicalRequest, parse_v3_authorization, sha256_hex, v1_signature,
        v1_string_to_sign, v3_authorization, v3_signature,
    };
    pub use crate::cloud::sts::{
        RpcCall, STS_VERSION, parse_api_response, v1_form, v3_headers, v3_sign,
    };
    pub use crate::commands::completion::completion_script;
    pub use crate::commands::man::man_pages;
    pub use crate::http::parse_server_error;
    pub use crate::oauth::callback::{CallbackResult, parse_callback_query};
    pub use crate::oauth::paste::{Pasted, parse_pasted};
    pub use crate::oauth::token::parse_token_response;
    pub use crate::profile::ConfigFile;
    pub use crate::profile::name::check_carried_name;
    pub use crate::secret::Secret;
    pub use crate::session::archive::{decode_with_max_work_factor, parse_contents};
    pub use crate::session::state::Margins;
    pub use crate::site::Site;
}
