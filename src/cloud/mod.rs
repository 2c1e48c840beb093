//! Alibaba Cloud endpoints, the OAuth-to-STS exchange, and signed API calls.

pub mod credentials;
pub mod credentials_uri;
pub mod encode;
pub mod endpoints;
pub mod exchange;
pub mod federation;
pub mod metadata;
pub mod roles;
pub mod sign;
pub mod sts;
