//! The browser sign-in: PKCE, the authorize URL, the loopback callback, the browser, pasted
//! callbacks for headless sign-in, tokens and their revocation.

pub mod authorize;
pub mod browser;
pub mod callback;
pub mod paste;
pub mod pkce;
pub mod revoke;
pub mod token;
