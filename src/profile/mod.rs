//! The profile file shared with the official CLI and SDKs.

pub mod chain;
pub mod keys;
pub mod lock;
pub mod mode;
pub mod model;
pub mod name;
mod session_fields;
pub mod storage;
pub mod store;
pub mod summary;
pub mod trust;
pub mod typed;

pub use mode::Mode;
pub use model::{ConfigFile, check_region};
pub use storage::Storage;
pub use store::Store;
pub use typed::Profile;
