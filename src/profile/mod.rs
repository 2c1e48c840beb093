//! The profile file shared with the official CLI and SDKs.

pub mod model;
pub mod store;

pub use model::{ConfigFile, Profile};
pub use store::Store;
