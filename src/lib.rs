//! alicli: sign in to Alibaba Cloud through the browser and hand short-lived STS credentials to
//! everything that needs them. The binary is a thin shell over this library; the emulator of
//! Alibaba's endpoints uses its signing code to verify requests.

pub mod cli;
pub mod clock;
pub mod cloud;
pub mod commands;
pub mod credserver;
pub mod error;
pub mod export;
pub mod external;
pub mod http;
pub mod oauth;
pub mod profile;
pub mod renew;
pub mod secret;
pub mod session;
pub mod skew;
pub mod timefmt;
