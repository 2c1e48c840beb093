//! The browser sign-in: PKCE, the authorize URL, the loopback callback, the browser, and tokens.

pub mod authorize;
pub mod browser;
pub mod callback;
pub mod listener;
pub mod pkce;
pub mod token;
