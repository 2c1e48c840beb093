//! The `process_command` of a keychain profile: alicli itself, by absolute path, printing the
//! profile's credentials in the official tools' External format (docs/protocol.md §7). The SDKs
//! split the command into words themselves (shell rules on Unix; on Windows the Python SDK hands
//! it to `cmd.exe`) and run no shell, so every word that needs it is quoted for that reader.

use std::path::Path;

use super::file_identity;
use crate::shellword::shell_word;

/// The words after the program, with the profile and the file in their places.
fn arguments<'a>(profile: &'a str, config: &'a str) -> [&'a str; 7] {
    [
        "export-credentials",
        "--profile",
        profile,
        "--config-path",
        config,
        "--format",
        "external",
    ]
}

/// The command that prints profile `profile` of the file at `config`, run by `exe`.
pub fn process_command(exe: &Path, profile: &str, config: &Path) -> String {
    let exe = exe.to_string_lossy();
    let config = file_identity(config).to_string_lossy().into_owned();
    std::iter::once(exe.as_ref())
        .chain(arguments(profile, &config))
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when `command` is what [`process_command`] writes for this profile of this file, run by
/// any alicli. The official Go and Java SDKs drop keys they do not know when they write a profile
/// back (docs/protocol.md §4), the storage marker among them; the command they keep still says
/// whose the profile is.
pub fn is_own_command(command: &str, profile: &str, config: &Path) -> bool {
    let Some(words) = split(command) else {
        return false;
    };
    let Some((program, rest)) = words.split_first() else {
        return false;
    };
    let is_alicli = Path::new(program)
        .file_stem()
        .is_some_and(|stem| stem.to_string_lossy().starts_with("alicli"));
    let Some(named) = rest.get(4) else {
        return false;
    };
    let same_file = file_identity(Path::new(named)) == file_identity(config);
    is_alicli
        && same_file
        && rest
            .iter()
            .map(String::as_str)
            .eq(arguments(profile, named))
}

/// A word the SDKs' splitting reads back as `word`. Under Unix they split like a shell, so it is
/// the hints' [`shell_word`]; on Windows, cmd.exe's rules (and the Go SDK's) take double quotes,
/// which a path cannot contain, and a backslash is a path separator, not an escape.
fn quote(word: &str) -> String {
    if !cfg!(windows) {
        return shell_word(word);
    }
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:@%+=,\\".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("\"{word}\"")
    }
}

/// The words of `command`, read back as [`quote`] wrote them; `None` when a quote is left open.
fn split(command: &str) -> Option<Vec<String>> {
    if !cfg!(windows) {
        return shlex::split(command);
    }
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in command.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                word.get_or_insert_default();
            }
            ' ' if !quoted => words.extend(word.take()),
            c => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    (!quoted).then_some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_names_alicli_the_profile_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.json");
        let exe = Path::new("/opt/alicli/bin/alicli");
        let command = process_command(exe, "work", &config);
        let shown = file_identity(&config);
        assert_eq!(
            command,
            format!(
                "/opt/alicli/bin/alicli export-credentials --profile work --config-path {} --format external",
                shown.display()
            )
        );
        assert!(is_own_command(&command, "work", &config));
        assert!(!is_own_command(&command, "other", &config));
        assert!(!is_own_command(
            &command,
            "work",
            &dir.path().join("x.json")
        ));
        let lent = command.replace("/opt/alicli/bin/alicli", "/usr/bin/other-tool");
        assert!(!is_own_command(&lent, "work", &config));
        assert!(!is_own_command(
            "alicli export-credentials",
            "work",
            &config
        ));
    }

    #[cfg(unix)]
    #[test]
    fn awkward_names_are_quoted_so_the_sdks_split_them_back() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("my dir").join("it's.json");
        std::fs::create_dir_all(config.parent().unwrap()).unwrap();
        let command = process_command(Path::new("/usr/bin/alicli"), "a b", &config);
        let words = shlex::split(&command).unwrap();
        assert_eq!(words[3], "a b");
        assert_eq!(Path::new(&words[5]), file_identity(&config));
        assert!(is_own_command(&command, "a b", &config));
    }
}
