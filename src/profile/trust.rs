//! Whether other users could change the profile file. An External profile's `process_command` is
//! run as the user, so a file that someone else can write (or that someone else owns, or that
//! sits in a directory someone else can write) is a way for them to run commands as the user.
//! The rule is the one OpenSSH applies to `authorized_keys`: owned by the user or root, and not
//! writable by group or others; a directory may be others-writable only with the sticky bit
//! (like `/tmp`), where nobody can replace another user's file.

use std::path::Path;

#[cfg(unix)]
use crate::shellword::shell_word;

/// What makes the profile file changeable by others, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// E.g. "`/home/u/.aliyun/config.json` can be written by other users (mode 0666)".
    pub problem: String,
    /// The command that fixes it, e.g. `chmod 600 /home/u/.aliyun/config.json`.
    pub fix: String,
}

/// The first exposure of the file at `path`: the file (after following links), its directory, and
/// the directory of the link itself when `path` is one.
#[cfg(unix)]
pub fn exposure(path: &Path, real: &Path) -> Option<Exposure> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let file = std::fs::metadata(real).ok()?;
    let mut dirs = vec![crate::atomic_file::parent_dir(real).to_path_buf()];
    let link_dir = crate::atomic_file::parent_dir(path).to_path_buf();
    if !dirs.contains(&link_dir) {
        dirs.push(link_dir);
    }
    check(real, &file, me).or_else(|| {
        dirs.iter().find_map(|dir| {
            let meta = std::fs::metadata(dir).ok()?;
            check(dir, &meta, me)
        })
    })
}

#[cfg(not(unix))]
pub fn exposure(_path: &Path, _real: &Path) -> Option<Exposure> {
    None
}

#[cfg(unix)]
fn check(path: &Path, meta: &std::fs::Metadata, me: u32) -> Option<Exposure> {
    use std::os::unix::fs::MetadataExt;
    let shown = path.display();
    let mode = meta.mode() & 0o7777;
    let is_dir = meta.is_dir();
    if meta.uid() != me && meta.uid() != 0 {
        return Some(Exposure {
            problem: format!(
                "`{shown}` belongs to another user (uid {}; check what is in it)",
                meta.uid()
            ),
            fix: format!("sudo chown {me} {}", shell_word(&path.to_string_lossy())),
        });
    }
    let sticky = mode & 0o1000 != 0;
    if mode & 0o022 != 0 && !(is_dir && sticky) {
        let (kind, private) = if is_dir {
            ("directory", "700")
        } else {
            ("file", "600")
        };
        return Some(Exposure {
            problem: format!(
                "the {kind} `{shown}` can be written by other users (mode {mode:04o})"
            ),
            fix: format!("chmod {private} {}", shell_word(&path.to_string_lossy())),
        });
    }
    None
}
