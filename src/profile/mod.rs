//! The profile file shared with the official CLI and SDKs.

pub mod model;
pub mod name;
pub mod store;
pub mod summary;

pub use model::{ConfigFile, Profile, check_region};
pub use store::Store;
