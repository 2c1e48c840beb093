//! The profile file shared with the official CLI and SDKs.

pub mod model;
pub mod store;
pub mod summary;
pub mod trust;

pub use model::{ConfigFile, Profile, check_region};
pub use store::Store;
