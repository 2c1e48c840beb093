//! Text shown to a person, made harmless for the terminal. Anything from a server (an `Arn`, an
//! error description) or from config.json (a profile name, a region another tool wrote) may hold
//! escape sequences that retitle the window, clear the screen or rewrite earlier lines, and bidi
//! controls that make text display in another order than it is (U+202E). Every such string goes
//! through this one filter before a terminal sees it: `stderr!` applies it to every message, the
//! debug log writer to every log line, and the commands to what they print for people on stdout.
//! JSON on stdout stays exact JSON: [`json_for_terminal`] only changes how characters are written.

use std::borrow::Cow;

/// True for characters a terminal acts on instead of showing: the C0 and C1 controls and DEL
/// (ESC starts every escape sequence; CR and BS overwrite), the Unicode bidi controls (they
/// reorder what follows) and the line and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

fn escape(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) && !keep(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line for a person: every unsafe character written as an escape (`\u{1b}`, `\u{202e}`).
pub fn clean(text: &str) -> Cow<'_, str> {
    escape(text, |_| false)
}

/// A message of several lines: as [`clean`], but line feeds (and tabs) stay what they are.
pub fn clean_lines(text: &str) -> Cow<'_, str> {
    escape(text, |c| c == '\n' || c == '\t')
}

/// [`clean`], cut to at most `max` characters (an ellipsis marks the cut): for server text, which
/// can be of any length.
pub fn printable(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", clean(&text[..end])),
        None => clean(text).into_owned(),
    }
}

/// Serialized JSON with the characters a terminal would act on, which JSON allows raw inside
/// strings (DEL, the C1 controls, bidi controls), written as `\uXXXX` escapes instead. Parsers
/// read back exactly the same value; a terminal shows them as text.
pub fn json_for_terminal(json: String) -> String {
    if !json.chars().any(is_unsafe) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        // serde_json already escapes C0 controls; only the rest can reach here, and only inside
        // strings, where `\uXXXX` means the same character. All of them are in the BMP.
        if is_unsafe(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bidi_controls_become_visible_text() {
        assert_eq!(
            clean("a\u{1b}]0;pwned\u{7}b\u{1b}[2Jc"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{1b}[2Jc"
        );
        assert_eq!(clean("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(clean("x\u{9b}31m\u{7f}"), "x\\u{9b}31m\\u{7f}");
        assert_eq!(clean("line\nnext\r"), "line\\nnext\\r");
        assert!(matches!(clean("plain 中文 ✓"), Cow::Borrowed(_)));
        assert_eq!(clean_lines("one\n\ttwo\r\n"), "one\n\ttwo\\r\n");
    }

    #[test]
    fn printable_cuts_long_text() {
        assert_eq!(printable(&"x".repeat(10), 3), "xxx…");
        assert_eq!(printable("ab\u{1b}", 3), "ab\\u{1b}");
        assert_eq!(printable("é\u{202e}é", 2), "é\\u{202e}…");
    }

    #[test]
    fn json_keeps_its_value_and_loses_its_escapes() {
        let value = serde_json::json!({"Arn": "acs:ram::1:user/\u{202e}x\u{1b}[2J\u{9b}\u{7f}"});
        let text = json_for_terminal(serde_json::to_string_pretty(&value).unwrap());
        assert!(!text.chars().any(is_unsafe_but_newline), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    fn is_unsafe_but_newline(c: char) -> bool {
        is_unsafe(c) && c != '\n'
    }
}
