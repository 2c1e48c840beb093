//! The cross-process lock of the profile file: an exclusive advisory lock on `<file>.lock` beside
//! it, which says who holds it, tells when a wait gets long, and gives up after a bound. Reads and
//! writes made through the held lock cannot interleave with another alicli's.

use std::fs::{self, File};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};

use super::model::ConfigFile;
use super::store::Store;
use crate::atomic_file::{Prepared, create_private_dir, open_private, parent_dir};
use crate::error::with_hint;
use crate::offload::blocking;

/// A wait for the lock is reported after this long.
pub const NOTICE_AFTER: Duration = Duration::from_secs(1);
/// A wait for the lock ends in an error after this long. A renewal holds the lock for a refresh
/// and an exchange, each bounded to 30 s plus retries, so a holder that takes longer is stuck.
pub const LOCK_BOUND: Duration = Duration::from_secs(120);

/// How a wait for another process's lock is reported and bounded.
#[derive(Clone)]
pub struct LockWait {
    /// Called once, after [`NOTICE_AFTER`] of waiting, with the holder's pid when it is known.
    pub notice: Arc<dyn Fn(Option<u32>) + Send + Sync>,
    /// How long to wait at most.
    pub bound: Duration,
}

impl LockWait {
    /// A wait that reports nothing, bounded by [`LOCK_BOUND`].
    pub fn quiet() -> Self {
        Self {
            notice: Arc::new(|_| {}),
            bound: LOCK_BOUND,
        }
    }
}

impl Store {
    /// Takes the lock, waiting quietly. The OS drops it when the holder dies, so a crashed
    /// holder never blocks anyone.
    pub fn lock(&self) -> Result<StoreLock> {
        self.lock_waiting(&LockWait::quiet())
    }

    /// Takes the lock, reporting and bounding the wait as `wait` says.
    pub fn lock_waiting(&self, wait: &LockWait) -> Result<StoreLock> {
        let real = self.real_path();
        let dir = parent_dir(&real);
        create_private_dir(dir)?;
        let mut lock_name = real.file_name().unwrap_or_default().to_os_string();
        lock_name.push(".lock");
        let lock_path = dir.join(lock_name);
        let mut lock_file = open_private(&lock_path, false)
            .with_context(|| format!("cannot create lock file `{}`", lock_path.display()))?;
        acquire(&lock_file, &lock_path, wait)?;
        // Who holds it, for the message of the next process that has to wait.
        let _ = lock_file
            .set_len(0)
            .and_then(|()| lock_file.rewind())
            .and_then(|()| writeln!(lock_file, "{}", std::process::id()));
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

fn acquire(file: &File, path: &Path, wait: &LockWait) -> Result<()> {
    let started = Instant::now();
    let mut noticed = false;
    let mut pause = Duration::from_millis(2);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(fs::TryLockError::WouldBlock) => {}
            Err(fs::TryLockError::Error(error)) => {
                return Err(error).with_context(|| format!("cannot lock `{}`", path.display()));
            }
        }
        let waited = started.elapsed();
        if !noticed && waited >= NOTICE_AFTER {
            noticed = true;
            (wait.notice)(holder(path));
        }
        if waited >= wait.bound {
            return Err(gave_up(path, wait.bound));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// The pid the holder wrote into the lock file, when it did.
fn holder(path: &Path) -> Option<u32> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn gave_up(path: &Path, bound: Duration) -> anyhow::Error {
    let (who, stop) = match holder(path) {
        Some(pid) => (format!("process {pid}"), format!("stop it (`kill {pid}`)")),
        None => ("another process".to_owned(), "stop it".to_owned()),
    };
    with_hint(
        anyhow!(
            "gave up after {} s: {who} held the lock `{}` all that time",
            bound.as_secs(),
            path.display()
        ),
        format!(
            "if {who} is stuck, {stop} and run the command again; the lock goes with the process"
        ),
    )
}

/// The held lock.
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
        self.update_into(None, change)
    }

    /// A temp file with room for the next write, made before a request whose answer must be
    /// stored (see [`Prepared`]); [`StoreLock::update_into`] writes into it.
    pub fn prepare(&self) -> Result<Prepared> {
        let size = fs::metadata(&self.real).map_or(0, |meta| meta.len());
        let reserve = (size * 2).max(size + 16 * 1024);
        Prepared::new(&self.real, reserve).with_context(|| {
            format!(
                "cannot make room to store new tokens beside `{}`",
                self.store.path().display()
            )
        })
    }

    /// [`StoreLock::update`], writing into `prepared` when given.
    pub fn update_into<T>(
        &self,
        prepared: Option<Prepared>,
        change: impl FnOnce(&mut ConfigFile) -> Result<T>,
    ) -> Result<T> {
        let _sdk_lock = lock_sdk(&self.real)?;
        let mut file = self.load()?;
        let result = change(&mut file)?;
        let prepared = match prepared {
            Some(prepared) => prepared,
            None => Prepared::new(&self.real, 0)?,
        };
        prepared.commit(&file.to_bytes()).with_context(|| {
            format!(
                "failed to write profile file `{}`; it was left as it was",
                self.store.path().display()
            )
        })?;
        Ok(result)
    }
}

/// The held lock, for async code: the wait for it and every file access through it run off the
/// runtime ([`blocking`]).
#[derive(Clone)]
pub struct SharedLock(Arc<StoreLock>);

impl SharedLock {
    /// Takes the lock as [`Store::lock_waiting`] does.
    pub async fn acquire(store: &Store, wait: LockWait) -> Result<Self> {
        let store = store.clone();
        let lock = blocking(move || store.lock_waiting(&wait)).await?;
        Ok(Self(Arc::new(lock)))
    }

    /// [`StoreLock::load`].
    pub async fn load(&self) -> Result<ConfigFile> {
        let lock = self.0.clone();
        blocking(move || lock.load()).await
    }

    /// [`StoreLock::prepare`].
    pub async fn prepare(&self) -> Result<Prepared> {
        let lock = self.0.clone();
        blocking(move || lock.prepare()).await
    }

    /// [`StoreLock::update_into`].
    pub async fn update_into<T: Send + 'static>(
        &self,
        prepared: Option<Prepared>,
        change: impl FnOnce(&mut ConfigFile) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let lock = self.0.clone();
        blocking(move || lock.update_into(prepared, change)).await
    }
}

/// Takes the lock the official SDKs take before they write back: `flock` on the file itself
/// (docs/protocol.md §4). `None` when there is no file yet. A file we cannot open is left for the
/// read to report. Windows has no such SDK lock, and a locked file there could not be replaced.
#[cfg(unix)]
fn lock_sdk(path: &Path) -> Result<Option<File>> {
    use std::os::unix::fs::MetadataExt;
    loop {
        let Ok(file) = File::open(path) else {
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
    use std::sync::Mutex;

    #[test]
    fn a_long_wait_names_the_holder_and_ends_at_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("config.json"));
        let held = store.lock().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let wait = LockWait {
            notice: Arc::new({
                let seen = seen.clone();
                move |pid| seen.lock().unwrap().push(pid)
            }),
            bound: Duration::from_millis(1300),
        };
        let started = Instant::now();
        let error = store.lock_waiting(&wait).err().unwrap();
        assert!(started.elapsed() >= Duration::from_millis(1300));
        assert_eq!(*seen.lock().unwrap(), [Some(std::process::id())]);
        let shown = format!("{error:#}");
        assert!(
            shown.contains(&format!("process {} held the lock", std::process::id())),
            "{shown}"
        );
        drop(held);
        assert!(
            store.lock_waiting(&wait).is_ok(),
            "free once the holder is gone"
        );
    }
}
