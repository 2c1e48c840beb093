//! `cargo xtask`: build steps that are not compiling. One for now:
//!
//!     cargo xtask assets [DIR]    # man pages and completion scripts, default target/assets
//!
//! They are generated on the machine that packages, from alicli's own command definitions, rather
//! than by a build script: a build script would run on every build and at `cargo install`, where
//! nobody needs them, and a cross-compiled `alicli` cannot be run to print them.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap_complete::Shell;

/// Completion scripts, named the way each shell looks them up in its standard directory:
/// bash-completion's `completions/alicli`, zsh's `_alicli` in `$fpath`, fish's
/// `vendor_completions.d/alicli.fish`. PowerShell has no such directory; users dot-source it.
const COMPLETIONS: [(Shell, &str); 4] = [
    (Shell::Bash, "alicli.bash"),
    (Shell::Zsh, "_alicli"),
    (Shell::Fish, "alicli.fish"),
    (Shell::PowerShell, "_alicli.ps1"),
];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["assets"] => assets(&workspace_root().join("target").join("assets")),
        ["assets", dir] => assets(Path::new(dir)),
        _ => bail!("usage: cargo xtask assets [DIR]"),
    }
}

/// Writes `DIR/man/*.1` and `DIR/completions/*`, replacing what an earlier run left there.
fn assets(dir: &Path) -> Result<()> {
    let man = dir.join("man");
    let completions = dir.join("completions");
    for sub in [&man, &completions] {
        if sub.exists() {
            std::fs::remove_dir_all(sub)
                .with_context(|| format!("cannot clear {}", sub.display()))?;
        }
        std::fs::create_dir_all(sub).with_context(|| format!("cannot create {}", sub.display()))?;
    }
    let pages = alicli::internals::man_pages()?;
    for (name, roff) in &pages {
        write(&man.join(name), roff)?;
    }
    for (shell, name) in COMPLETIONS {
        write(
            &completions.join(name),
            &alicli::internals::completion_script(shell),
        )?;
    }
    println!(
        "{} man pages and {} completion scripts in {}",
        pages.len(),
        COMPLETIONS.len(),
        dir.display()
    );
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// The workspace root: this crate's parent directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ sits in the workspace")
        .to_path_buf()
}
