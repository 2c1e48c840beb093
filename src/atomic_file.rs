//! Files only their owner may read, written so that a crash leaves the old file or the new one:
//! a 0600 temp file in the same directory, fsync, rename, fsync of the directory. The profile file
//! and the session archive are both written this way.

use std::fs::{self, File, OpenOptions};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

pub fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("cannot create directory `{}`", dir.display()))
}

pub fn open_private(path: &Path, create_new: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true);
    if create_new {
        options.create_new(true);
    } else {
        options.create(true).truncate(false);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Temp files are named `.<file>.<pid>.<random>.alicli-tmp`; any left behind is from a writer that
/// died mid-write, since writers hold the lock.
pub const TEMP_SUFFIX: &str = ".alicli-tmp";

/// Writes `bytes` to `path` atomically: a 0600 temp file in the same directory, fsync, rename over
/// the target, fsync the directory. A failure removes the temp file and leaves the target as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    Prepared::new(path, 0)?.commit(bytes)
}

/// A temp file beside the target with room reserved: made before a request whose answer cannot
/// be asked for twice (a refresh that retires its token), so that storing the answer cannot fail
/// for want of disk space or a writable directory. Dropped uncommitted, it is removed.
pub struct Prepared {
    target: PathBuf,
    temp: PathBuf,
    file: Option<File>,
}

impl Prepared {
    /// Creates the temp file for `target` and fills `reserve` bytes, so the space is taken now.
    pub fn new(target: &Path, reserve: u64) -> Result<Self> {
        let dir = parent_dir(target);
        create_private_dir(dir)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "config.json".into());
        remove_stale_temp_files(dir, &name);
        let temp = dir.join(format!(
            ".{name}.{}.{:08x}{TEMP_SUFFIX}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let mut file = open_private(&temp, true)
            .with_context(|| format!("cannot create temp file `{}`", temp.display()))?;
        let mut prepared = Self {
            target: target.to_owned(),
            temp,
            file: None,
        };
        let zeros = vec![0u8; reserve.min(1 << 20) as usize];
        file.write_all(&zeros).with_context(|| {
            format!(
                "cannot reserve {reserve} bytes in `{}`",
                prepared.temp.display()
            )
        })?;
        prepared.file = Some(file);
        Ok(prepared)
    }

    /// Writes `bytes` over the reserved room, fsyncs, and renames the file over the target.
    pub fn commit(mut self, bytes: &[u8]) -> Result<()> {
        let mut file = self.file.take().expect("a prepared file is committed once");
        file.rewind()?;
        file.write_all(bytes)?;
        file.set_len(bytes.len() as u64)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&self.temp, &self.target)?;
        if let Ok(dir) = File::open(parent_dir(&self.target)) {
            let _ = dir.sync_all();
        }
        // Renamed: nothing is left for `drop` to remove.
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for Prepared {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

fn remove_stale_temp_files(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if file_name.starts_with(&prefix) && file_name.ends_with(TEMP_SUFFIX) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Refuses a path that exists but is not a regular file (or a link to one).
pub fn ensure_writable_target(path: &Path) -> Result<()> {
    if let Ok(meta) = fs::metadata(path)
        && !meta.is_file()
    {
        bail!("`{}` exists but is not a regular file", path.display());
    }
    Ok(())
}
