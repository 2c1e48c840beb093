//! Signed-in sessions as a whole: what one is ([`record`]), what it is good for now ([`state`]),
//! and the archive that moves one to another machine. Pure: no files, no clock, no network.

pub mod archive;
pub mod record;
pub mod state;
