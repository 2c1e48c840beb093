//! Signed-in sessions as a whole: how long one lasts, and the archive that moves one to another
//! machine. Pure functions: no files, no clock, no network.

pub mod archive;
pub mod status;
