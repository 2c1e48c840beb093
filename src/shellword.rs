//! Quoting for the user's shell, so that a command shown in a hint can be pasted as it is, even
//! with a profile name or path that holds blanks, quotes or `$(…)` (such names come from other
//! tools, or from an imported archive).

/// A word the user's shell reads back as `text`: bare when safe, else quoted (single quotes; on
/// Windows, PowerShell's).
pub fn shell_word(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if safe {
        text.to_owned()
    } else if cfg!(windows) {
        // PowerShell, Windows' shell: single quotes, with `'` doubled.
        format!("'{}'", text.replace('\'', "''"))
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_shell_would_split_or_expand_is_quoted() {
        assert_eq!(shell_word("work"), "work");
        assert_eq!(
            shell_word("/home/u/.aliyun/x.json"),
            "/home/u/.aliyun/x.json"
        );
        if cfg!(unix) {
            assert_eq!(shell_word("my work"), "'my work'");
            assert_eq!(shell_word("it's"), "'it'\\''s'");
            assert_eq!(shell_word("$(rm -rf ~)"), "'$(rm -rf ~)'");
            assert_eq!(shell_word(""), "''");
        }
    }
}
