//! Reading and writing the profile file: size-capped reads that never overwrite what they cannot
//! parse, a cross-process lock, and atomic writes (temp file in the same directory, fsync, rename).

use std::fs::{self, File};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::model::ConfigFile;
use crate::atomic_file::{
    create_private_dir, open_nonblocking, open_private, parent_dir, special_kind, write_atomic,
};
use crate::error::with_hint;

/// A profile file is a few kilobytes; anything this large is not one.
const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// The profile file at one path.
#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
}

impl Store {
    /// The store at `path` (from `--config-path`, `ALIBABA_CLOUD_CONFIG_FILE` or the default).
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// `~/.aliyun/config.json` under `home`.
    pub fn default_path(home: &Path) -> PathBuf {
        home.join(".aliyun").join("config.json")
    }

    /// The path as given (what messages show).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file to read and replace: the target of a symlink, so the link itself is kept. A link
    /// whose target does not exist yet resolves to that target, which the first write creates.
    fn real_path(&self) -> PathBuf {
        let mut path = self.path.clone();
        // A bounded walk, so a link loop ends (the read then reports it).
        for _ in 0..40 {
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => match fs::read_link(&path) {
                    Ok(target) => path = parent_dir(&path).join(target),
                    Err(_) => break,
                },
                _ => break,
            }
        }
        path
    }

    /// Reads the file; a missing file is an empty one. A file that cannot be parsed is an error
    /// and is never overwritten.
    pub fn load(&self) -> Result<ConfigFile> {
        let shown = self.path.display();
        // Checked before opening: opening a FIFO waits for a writer, and a device never ends.
        let Some(meta) = self.metadata()? else {
            return Ok(ConfigFile::empty());
        };
        self.check_size_and_kind(&meta)?;
        let file = open_nonblocking(&self.path).map_err(|e| self.unreadable(e))?;
        // Checked again on what was opened: the path may have been swapped in between.
        let meta = file.metadata().map_err(|e| self.unreadable(e))?;
        self.check_size_and_kind(&meta)?;
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read profile file `{shown}`"))?;
        if bytes.len() as u64 > MAX_FILE_SIZE {
            return Err(self.too_large(bytes.len() as u64));
        }
        let parsed = if bytes.iter().all(u8::is_ascii_whitespace) {
            Err(anyhow::anyhow!("profile file `{shown}` is empty"))
        } else {
            ConfigFile::parse(&bytes, &self.path)
        };
        parsed.map_err(|e| {
            with_hint(
                e,
                format!(
                    "alicli left it untouched; fix it by hand, or move it aside \
                     (`mv {shown} {shown}.bad`) and sign in again with `alicli configure --mode OAuth`"
                ),
            )
        })
    }

    /// The file's metadata, following symlinks; `None` when there is no file.
    fn metadata(&self) -> Result<Option<fs::Metadata>> {
        match fs::metadata(&self.path) {
            Ok(meta) => Ok(Some(meta)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.unreadable(e)),
        }
    }

    /// Refuses what is not a regular file of a profile file's size.
    fn check_size_and_kind(&self, meta: &fs::Metadata) -> Result<()> {
        let shown = self.path.display();
        if meta.is_dir() {
            return Err(with_hint(
                anyhow::anyhow!("profile file `{shown}` is a directory"),
                "move the directory aside, or point `--config-path` at a file",
            ));
        }
        if !meta.is_file() {
            return Err(with_hint(
                anyhow::anyhow!(
                    "profile file `{shown}` is not a regular file but {}; alicli did not read it",
                    special_kind(meta)
                ),
                "point `--config-path` (or ALIBABA_CLOUD_CONFIG_FILE) at a regular file",
            ));
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(self.too_large(meta.len()));
        }
        Ok(())
    }

    fn too_large(&self, len: u64) -> anyhow::Error {
        let shown = self.path.display();
        with_hint(
            anyhow::anyhow!(
                "profile file `{shown}` is {len} bytes or more; a profile file is never that large"
            ),
            format!("move `{shown}` aside and sign in again with `alicli configure --mode OAuth`"),
        )
    }

    fn unreadable(&self, error: std::io::Error) -> anyhow::Error {
        let shown = self.path.display();
        with_hint(
            anyhow::Error::new(error).context(format!("cannot read profile file `{shown}`")),
            format!(
                "check the permissions of `{shown}` (it should be a file readable by you, mode 0600)"
            ),
        )
    }

    /// What would let other users change this file (and so run a `process_command` as the
    /// user), if anything.
    pub fn exposure(&self) -> Option<super::trust::Exposure> {
        super::trust::exposure(&self.path, &self.real_path())
    }

    /// Takes the cross-process lock: an exclusive advisory lock on `<file>.lock` beside the file.
    /// The OS drops it when the process dies, so a crashed holder never blocks anyone.
    pub fn lock(&self) -> Result<StoreLock> {
        let real = self.real_path();
        let dir = parent_dir(&real);
        create_private_dir(dir)?;
        let mut lock_name = real.file_name().unwrap_or_default().to_os_string();
        lock_name.push(".lock");
        let lock_path = dir.join(lock_name);
        let lock_file = open_private(&lock_path, false)
            .with_context(|| format!("cannot create lock file `{}`", lock_path.display()))?;
        lock_file
            .lock()
            .with_context(|| format!("cannot lock `{}`", lock_path.display()))?;
        Ok(StoreLock {
            store: self.clone(),
            real,
            _lock_file: lock_file,
        })
    }

    /// Read, change and write the file under the lock, re-reading once the lock is held.
    pub fn update<T>(&self, change: impl FnOnce(&mut ConfigFile) -> Result<T>) -> Result<T> {
        self.lock()?.update(change)
    }
}

/// The held lock; reads and writes made through it cannot interleave with another alicli's.
pub struct StoreLock {
    store: Store,
    real: PathBuf,
    _lock_file: File,
}

impl StoreLock {
    /// Reads the file as it is now, under the lock.
    pub fn load(&self) -> Result<ConfigFile> {
        self.store.load()
    }

    /// Reads, changes and writes the file while also holding the SDKs' lock, so that a write-back
    /// an SDK made while we were busy (on the network, say) is read and kept, not overwritten.
    /// An error from `change` writes nothing.
    pub fn update<T>(&self, change: impl FnOnce(&mut ConfigFile) -> Result<T>) -> Result<T> {
        let _sdk_lock = lock_sdk(&self.real)?;
        let mut file = self.load()?;
        let result = change(&mut file)?;
        self.write(&file)?;
        Ok(result)
    }

    fn write(&self, file: &ConfigFile) -> Result<()> {
        let shown = self.store.path.display();
        write_atomic(&self.real, &file.to_bytes()).with_context(|| {
            format!("failed to write profile file `{shown}`; it was left as it was")
        })
    }
}

/// Takes the lock the official SDKs take before they write back: `flock` on the file itself
/// (PROTOCOL.md §4). `None` when there is no file yet. A file we cannot open is left for the read
/// to report. Windows has no such SDK lock, and a locked file there could not be replaced.
#[cfg(unix)]
fn lock_sdk(path: &Path) -> Result<Option<File>> {
    use std::os::unix::fs::MetadataExt;
    loop {
        // Non-blocking: a FIFO in its place must not hang us here (the read then refuses it).
        let Ok(file) = open_nonblocking(path) else {
            return Ok(None);
        };
        file.lock()
            .with_context(|| format!("cannot lock `{}`", path.display()))?;
        // A writer may have renamed a new file over the path while we waited: the lock we hold
        // is then on a file nobody opens any more, so take the lock of the new one instead.
        let held = file.metadata()?;
        match fs::metadata(path) {
            Ok(current) if current.dev() == held.dev() && current.ino() == held.ino() => {
                return Ok(Some(file));
            }
            Ok(_) => continue,
            Err(_) => return Ok(None),
        }
    }
}

#[cfg(not(unix))]
fn lock_sdk(_path: &Path) -> Result<Option<File>> {
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atomic_file::TEMP_SUFFIX;

    #[test]
    fn update_creates_a_private_file_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("sub/config.json"));
        store
            .update(|file| {
                file.set_fields("p", [("mode", "AK".into())]);
                Ok(())
            })
            .unwrap();
        let names: Vec<String> = fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(TEMP_SUFFIX)), "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("sub/config.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = fs::metadata(dir.path().join("sub"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        assert_eq!(store.load().unwrap().names(), ["p"]);
    }

    #[test]
    fn corrupt_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        fs::write(&path, b"{ not json").unwrap();
        let store = Store::new(path.clone());
        let error = store.update(|_| Ok(())).unwrap_err();
        assert!(format!("{error:#}").contains("line 1"), "{error:#}");
        assert_eq!(fs::read(&path).unwrap(), b"{ not json");
    }
}
