//! Reading and writing the profile file: size-capped reads that never overwrite what they cannot
//! parse, a cross-process lock, and atomic writes (temp file in the same directory, fsync, rename).

use std::fs::{self, File};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::model::ConfigFile;
use crate::atomic_file::parent_dir;
use crate::error::with_hint;
use crate::shellword::shell_word;

/// A profile file is a few kilobytes; anything this large is not one.
const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// How long a file that is empty or cut short is read again before it is reported.
pub const REREAD_FOR: Duration = Duration::from_millis(500);
const REREAD_EVERY: Duration = Duration::from_millis(20);

/// True when `bytes` are nothing, or the start of a JSON text that ends too soon: what a reader
/// sees while another program rewrites the file in place.
fn is_incomplete(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
        || serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err_and(|e| e.is_eof())
}

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
    pub(super) fn real_path(&self) -> PathBuf {
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
    /// and is never overwritten. One that is empty or cut short is read again for up to
    /// [`REREAD_FOR`] first: tools that rewrite it in place (truncate, then write: the Node and
    /// Java SDKs, docs/protocol.md §4) leave it so for a moment.
    pub fn load(&self) -> Result<ConfigFile> {
        let deadline = Instant::now() + REREAD_FOR;
        loop {
            let Some(bytes) = self.read_bytes()? else {
                return Ok(ConfigFile::empty());
            };
            let parsed = if bytes.iter().all(u8::is_ascii_whitespace) {
                Err(anyhow::anyhow!(
                    "profile file `{}` is empty",
                    self.path.display()
                ))
            } else {
                ConfigFile::parse(&bytes, &self.path)
            };
            let error = match parsed {
                Ok(file) => return Ok(file),
                Err(error) => error,
            };
            let incomplete = is_incomplete(&bytes);
            if incomplete && Instant::now() < deadline {
                std::thread::sleep(REREAD_EVERY);
                continue;
            }
            return Err(self.unparsable(error, incomplete));
        }
    }

    /// The error for a file that does not parse, with what to do about it.
    fn unparsable(&self, error: anyhow::Error, incomplete: bool) -> anyhow::Error {
        let shown = self.path.display();
        let aside = format!(
            "move it aside (`mv {} {}`) and sign in again with `alicli login`",
            shell_word(&shown.to_string()),
            shell_word(&format!("{shown}.bad"))
        );
        if incomplete {
            let waited = REREAD_FOR.as_millis();
            return with_hint(
                error.context(format!(
                    "profile file `{shown}` stayed empty or cut short for {waited} ms: another \
                     program may be rewriting it"
                )),
                format!(
                    "run the command again in a moment; alicli left the file untouched. If it \
                     stays so, {aside}"
                ),
            );
        }
        with_hint(
            error,
            format!("alicli left it untouched; fix it by hand, or {aside}"),
        )
    }

    /// The file's bytes; `None` when there is no file.
    fn read_bytes(&self) -> Result<Option<Vec<u8>>> {
        let shown = self.path.display();
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(with_hint(
                    anyhow::Error::new(e).context(format!("cannot read profile file `{shown}`")),
                    format!(
                        "check the permissions of `{shown}` (it should be a file readable by you, mode 0600)"
                    ),
                ));
            }
        };
        let meta = file
            .metadata()
            .with_context(|| format!("cannot read profile file `{shown}`"))?;
        if meta.is_dir() {
            return Err(with_hint(
                anyhow::anyhow!("profile file `{shown}` is a directory"),
                "move the directory aside, or point `--config-path` at a file",
            ));
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(with_hint(
                anyhow::anyhow!(
                    "profile file `{shown}` is {} bytes; a profile file is never that large",
                    meta.len()
                ),
                format!(
                    "move it aside (`mv {} {}`) and sign in again with `alicli login`",
                    shell_word(&shown.to_string()),
                    shell_word(&format!("{shown}.bad"))
                ),
            ));
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.read_to_end(&mut bytes)
            .with_context(|| format!("cannot read profile file `{shown}`"))?;
        Ok(Some(bytes))
    }
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
