//! What a user pastes to finish a headless sign-in: the address the browser ended on, or the code.
//!
//! On a machine without a browser the user signs in elsewhere; the browser then tries to load
//! `http://127.0.0.1:<port>/cli/callback?code=…&state=…`, which fails there, and the user copies
//! that address (or just the code) back into the terminal. This is a pure function of the pasted
//! text and the expected `state`, so it can be tested and fuzzed on its own.

use url::Url;

use super::authorize::CALLBACK_PATH;
use super::callback::{CallbackResult, Rejection, parse_callback_query};
use crate::secret::Secret;

/// The longest input looked at. A real callback address is a few hundred characters.
pub const MAX_PASTE_LEN: usize = 8192;
/// A bare code shorter than this is a typo or a stray word, not an authorization code.
pub const MIN_CODE_LEN: usize = 8;
/// A bare code longer than this is not an authorization code either.
pub const MAX_CODE_LEN: usize = 2048;

/// What the pasted text was.
#[derive(Debug)]
pub enum Pasted {
    /// The callback address (or its query), with the right `state`: as good as the listener's.
    Callback(CallbackResult),
    /// A bare code. There is no `state` to check; PKCE binds it to this sign-in (see below).
    BareCode(Secret),
}

/// Why a paste was refused; the sign-in keeps waiting for another.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasteError {
    /// Nothing but blanks.
    #[error("nothing was pasted")]
    Empty,
    /// Longer than any address or code.
    #[error("the pasted text is too long ({0} characters) to be the sign-in address or code")]
    TooLong(usize),
    /// A URL, but not the loopback callback.
    #[error(
        "that address is not the sign-in callback: it should start with `http://127.0.0.1:<port>{CALLBACK_PATH}?`"
    )]
    NotTheCallback,
    /// The callback, but refused by the same checks the listener makes.
    #[error("{0}; paste the address from the sign-in you started here")]
    Rejected(Rejection),
    /// Neither an address nor something shaped like a code.
    #[error(
        "that is neither the address the browser ended on (`http://127.0.0.1:<port>{CALLBACK_PATH}?code=…&state=…`) nor a code"
    )]
    NotACode,
}

/// Parses a pasted line.
///
/// Accepted, after trimming blanks and surrounding quotes or angle brackets:
/// - the full callback address, `http://127.0.0.1:<port>/cli/callback?code=…&state=…` (also with
///   `localhost`, or without the `http://` that some address bars hide);
/// - its query alone, `code=…&state=…` or `?code=…&state=…`;
/// - the bare code: 8 to 2048 characters from `A-Z a-z 0-9 - . _ ~ + / =`.
///
/// An address or query must carry the `state` of this sign-in, checked exactly as the listener
/// does ([`parse_callback_query`]). A bare code carries no `state`; it is accepted because the
/// user typed it into this very process (the cross-site forgery that `state` stops cannot reach a
/// terminal), and a code from another sign-in cannot be redeemed anyway: the server checks it
/// against this sign-in's PKCE challenge and `redirect_uri`.
pub fn parse_pasted(input: &str, expected_state: &str) -> Result<Pasted, PasteError> {
    if input.len() > MAX_PASTE_LEN {
        return Err(PasteError::TooLong(input.chars().count()));
    }
    let text = strip_wrapping(input.trim());
    if text.is_empty() {
        return Err(PasteError::Empty);
    }
    if let Some(query) = callback_query(text)? {
        return parse_callback_query(&query, expected_state)
            .map(Pasted::Callback)
            .map_err(PasteError::Rejected);
    }
    if looks_like_query(text) {
        let query = text.strip_prefix('?').unwrap_or(text);
        return parse_callback_query(query, expected_state)
            .map(Pasted::Callback)
            .map_err(PasteError::Rejected);
    }
    if is_code_shaped(text) {
        return Ok(Pasted::BareCode(Secret::new(text)));
    }
    Err(PasteError::NotACode)
}

/// Terminals and chat tools wrap copied links in quotes or `<…>`.
fn strip_wrapping(text: &str) -> &str {
    for (open, close) in [('"', '"'), ('\'', '\''), ('<', '>'), ('`', '`')] {
        if let Some(inner) = text
            .strip_prefix(open)
            .and_then(|rest| rest.strip_suffix(close))
        {
            return inner.trim();
        }
    }
    text
}

/// `Some(query)` when the text is the callback address; `None` when it is not an address at all.
fn callback_query(text: &str) -> Result<Option<String>, PasteError> {
    let lower = text
        .get(..text.len().min(32))
        .unwrap_or("")
        .to_ascii_lowercase();
    let with_scheme = lower.starts_with("http://") || lower.starts_with("https://");
    let bare_host = lower.starts_with("127.0.0.1:") || lower.starts_with("localhost:");
    if !with_scheme && !bare_host && !text.contains("://") {
        return Ok(None);
    }
    let parsed = if bare_host {
        Url::parse(&format!("http://{text}"))
    } else {
        Url::parse(text)
    };
    let url = parsed.map_err(|_| PasteError::NotTheCallback)?;
    let host_ok = matches!(url.host_str(), Some("127.0.0.1") | Some("localhost"));
    if url.scheme() != "http" || !host_ok || url.path() != CALLBACK_PATH {
        return Err(PasteError::NotTheCallback);
    }
    // Still percent-encoded, so it parses exactly like the listener's raw query.
    Ok(Some(url.query().unwrap_or("").to_owned()))
}

fn looks_like_query(text: &str) -> bool {
    let query = text.strip_prefix('?').unwrap_or(text);
    ["code=", "state=", "error="]
        .iter()
        .any(|key| query.starts_with(key) || query.contains(&format!("&{key}")))
}

fn is_code_shaped(text: &str) -> bool {
    (MIN_CODE_LEN..=MAX_CODE_LEN).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(result: Result<Pasted, PasteError>) -> String {
        match result {
            Ok(Pasted::Callback(CallbackResult::Code(code))) => format!("url:{}", code.expose()),
            Ok(Pasted::BareCode(code)) => format!("bare:{}", code.expose()),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn the_full_address_with_the_right_state_gives_its_code() {
        let url = "http://127.0.0.1:12345/cli/callback?code=code-abc%2Bdef&state=st1";
        assert_eq!(code_of(parse_pasted(url, "st1")), "url:code-abc+def");
        assert_eq!(
            code_of(parse_pasted(&format!("  \"{url}\"\n"), "st1")),
            "url:code-abc+def"
        );
        assert_eq!(
            code_of(parse_pasted(
                "127.0.0.1:12345/cli/callback?state=st1&code=c1",
                "st1"
            )),
            "url:c1"
        );
        assert_eq!(code_of(parse_pasted("?code=c2&state=st1", "st1")), "url:c2");
    }

    #[test]
    fn a_wrong_or_missing_state_is_refused() {
        let url = "http://127.0.0.1:12345/cli/callback?code=c&state=other";
        assert_eq!(
            parse_pasted(url, "st1").unwrap_err(),
            PasteError::Rejected(Rejection::WrongState)
        );
        assert_eq!(
            parse_pasted("http://127.0.0.1:1/cli/callback?code=c", "st1").unwrap_err(),
            PasteError::Rejected(Rejection::MissingState)
        );
        let message = parse_pasted(url, "st1").unwrap_err().to_string();
        assert!(message.contains("`state` does not match"), "{message}");
    }

    #[test]
    fn other_addresses_and_garbage_are_refused() {
        for text in [
            "https://evil.example/cli/callback?code=c&state=st1",
            "http://127.0.0.1:12345/other?code=c&state=st1",
            "ftp://127.0.0.1/cli/callback?code=c&state=st1",
            "http://[::1",
        ] {
            assert_eq!(
                parse_pasted(text, "st1").unwrap_err(),
                PasteError::NotTheCallback,
                "{text}"
            );
        }
        for text in [
            "this is not a url",
            "short",
            "code with spaces",
            "日本語のテキスト",
        ] {
            assert_eq!(
                parse_pasted(text, "st1").unwrap_err(),
                PasteError::NotACode,
                "{text}"
            );
        }
        assert_eq!(parse_pasted(" \t ", "s").unwrap_err(), PasteError::Empty);
        assert!(matches!(
            parse_pasted(&"a".repeat(MAX_PASTE_LEN + 1), "s"),
            Err(PasteError::TooLong(_))
        ));
    }

    #[test]
    fn a_bare_code_is_taken_as_it_is() {
        assert_eq!(
            code_of(parse_pasted(" code-AbC123xyz/+= ", "st1")),
            "bare:code-AbC123xyz/+="
        );
    }

    #[test]
    fn a_refusal_in_the_address_is_reported_as_the_listener_would() {
        let pasted = parse_pasted(
            "http://127.0.0.1:5/cli/callback?error=access_denied&state=st1",
            "st1",
        );
        assert!(matches!(
            pasted,
            Ok(Pasted::Callback(CallbackResult::Refused { ref error, .. })) if error == "access_denied"
        ));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "\u{0}",
            "?",
            "&",
            "=",
            "http://",
            "127.0.0.1:",
            "localhost:99999/cli/callback?",
            "%",
            "?state=%FF&code=%00",
            "<>",
            "\"",
        ] {
            let _ = parse_pasted(text, "s");
        }
        // A `?` inside the fragment is not a query.
        assert_eq!(
            parse_pasted("http://127.0.0.1:1/cli/callback#?code=x&state=s", "s").unwrap_err(),
            PasteError::Rejected(Rejection::MissingState)
        );
    }

    #[test]
    fn a_url_wrapped_over_lines_still_needs_the_exact_state() {
        // Found by the pasted_url fuzz target: the URL standard drops tabs and line breaks, so a
        // terminal-wrapped address still parses, and its state must still match exactly.
        let wrapped = "http://127.0.0.1:12345/cli/callback?code=abc123&state=s\r\nt4te";
        assert_eq!(code_of(parse_pasted(wrapped, "st4te")), "url:abc123");
        let spaced = "http://127.0.0.1:12345/cli/callback?code=abc123&state=s%20t4te";
        assert!(parse_pasted(spaced, "st4te").is_err());
    }
}
