//! Profile names: the one rule for the names alicli gives to profiles it creates (`login`,
//! `configure`, `configure set`, `session import`), and the looser check for names that merely
//! pass through (a session archive carries whatever name the exporting side had).
//!
//! The rule guards creation only. Profiles that other tools created under other names stay usable
//! everywhere: they are looked up, signed in again, exported and deleted by their name as it is.

/// The longest name alicli creates.
pub const MAX_LEN: usize = 64;

/// The longest name a session archive may carry (another tool may have written a long one).
pub const MAX_CARRIED_LEN: usize = 256;

/// The rule, as one sentence for hints and help.
pub const RULE: &str = "profile names are 1 to 64 letters, digits, `-`, `_`, `.` or `@`, \
                        and start with neither `-` nor `.`";

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid profile name `{shown}`: {reason}")]
pub struct NameError {
    /// The name, escaped and cut short, safe to print.
    shown: String,
    /// What is wrong with it.
    reason: String,
}

impl NameError {
    fn new(name: &str, reason: impl Into<String>) -> Self {
        let shown: String = name.chars().take(80).collect();
        Self {
            shown: shown.escape_debug().to_string(),
            reason: reason.into(),
        }
    }
}

/// Separators allowed besides letters and digits. None of them is special to a shell or in a path,
/// so a name can be pasted into a command line and used as a file name as it is.
const SEPARATORS: [char; 4] = ['-', '_', '.', '@'];

/// Checks the name of a profile about to be created: 1 to [`MAX_LEN`] letters (any script),
/// digits and [`SEPARATORS`]; no leading `-` (it would read as a flag) or `.` (`.`, `..` and hidden
/// files).
pub fn check_new_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::new(name, "it is empty"));
    }
    if name.chars().count() > MAX_LEN {
        return Err(NameError::new(
            name,
            format!("it is longer than {MAX_LEN} characters"),
        ));
    }
    if let Some(first @ ('-' | '.')) = name.chars().next() {
        return Err(NameError::new(name, format!("it starts with `{first}`")));
    }
    match name
        .chars()
        .find(|&c| !c.is_alphanumeric() && !SEPARATORS.contains(&c))
    {
        None => Ok(()),
        Some(c) => Err(NameError::new(name, format!("it contains {}", describe(c)))),
    }
}

/// Checks a name that only passes through (the one inside a session archive): not empty, not
/// absurdly long, and printable, so that messages can show it. Whether it can become a profile
/// here is [`check_new_name`]'s decision.
pub fn check_carried_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        Err(NameError::new(name, "it is empty"))
    } else if name.chars().count() > MAX_CARRIED_LEN {
        Err(NameError::new(
            name,
            format!("it is longer than {MAX_CARRIED_LEN} characters"),
        ))
    } else if let Some(c) = name.chars().find(|&c| !printable(c)) {
        Err(NameError::new(name, format!("it contains {}", describe(c))))
    } else {
        Ok(())
    }
}

/// True for characters a terminal shows as themselves: not control or format characters (such as
/// the right-to-left override), which `escape_debug` would escape.
fn printable(c: char) -> bool {
    matches!(c, '\'' | '"' | '\\') || c.escape_debug().count() == 1
}

/// A refused character, shown so that it cannot act on the terminal: only visible ASCII as it is.
fn describe(c: char) -> String {
    match c {
        '/' | '\\' => format!("`{c}`, a path separator"),
        ' ' => "a space".to_owned(),
        c if c.is_ascii_graphic() => format!("`{c}`"),
        c => format!("the character `{}`", c.escape_unicode()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_names_are_letters_digits_and_a_few_separators() {
        for name in [
            "default",
            "work-2",
            "prod_cn",
            "a.b",
            "alice@corp",
            "名前",
            "x",
            &"n".repeat(64),
        ] {
            assert_eq!(check_new_name(name), Ok(()), "{name:?}");
        }
    }

    #[test]
    fn new_names_refuse_paths_flags_blanks_and_control_characters() {
        let refused = [
            ("", "it is empty"),
            ("../x", "it starts with `.`"),
            (".hidden", "it starts with `.`"),
            ("-p", "it starts with `-`"),
            ("team/prod", "it contains `/`, a path separator"),
            ("a\\b", "it contains `\\`, a path separator"),
            ("a b", "it contains a space"),
            ("a'b", "it contains `'`"),
            ("a$(x)", "it contains `$`"),
            ("x\u{1b}[2J", "it contains the character `\\u{1b}`"),
            ("rtl\u{202e}", "it contains the character `\\u{202e}`"),
            ("tab\tname", "it contains the character `\\u{9}`"),
        ];
        for (name, reason) in refused {
            let error = check_new_name(name).unwrap_err();
            assert_eq!(error.reason, reason, "{name:?}");
        }
        let error = check_new_name(&"n".repeat(65)).unwrap_err();
        assert_eq!(error.reason, "it is longer than 64 characters");
        assert_eq!(
            check_new_name("x\u{1b}y").unwrap_err().to_string(),
            "invalid profile name `x\\u{1b}y`: it contains the character `\\u{1b}`"
        );
    }

    #[test]
    fn carried_names_only_need_to_be_printable() {
        for name in ["team/prod", "a b", "../x", "-p", &"n".repeat(256)] {
            assert_eq!(check_carried_name(name), Ok(()), "{name:?}");
        }
        for name in ["", "x\u{0}", "x\ny", "rtl\u{202e}", &"n".repeat(257)] {
            assert!(check_carried_name(name).is_err(), "{name:?}");
        }
    }
}
