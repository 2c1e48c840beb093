//! Writing results to stdout. A closed pipe (`alicli … | head`) is not an error. What is written
//! for people passes the terminal filter; JSON stays exact JSON (see `term`).

use std::io::{ErrorKind, Write};

use anyhow::Result;

/// Writes `text` to stdout; a broken pipe counts as success.
pub fn print_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Text for people (a table, `KEY=VALUE` lines, a report): through the terminal filter.
pub fn print_for_people(text: &str) -> Result<()> {
    print_stdout(&crate::term::clean_lines(text))
}

/// Pretty JSON, keys in the order they came, and a newline. Characters a terminal would act on
/// are written as `\uXXXX` escapes, which parsers read back as the same value.
pub fn print_json(value: &serde_json::Value) -> Result<()> {
    let mut text = crate::term::json_for_terminal(serde_json::to_string_pretty(value)?);
    text.push('\n');
    print_stdout(&text)
}
