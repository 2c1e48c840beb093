//! Questions on a terminal: asked on stderr, answered on stdin, never asked without a terminal.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result};

/// True when a person can answer questions.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks `question`; an empty answer takes `default`.
pub fn ask(question: &str, default: &str) -> Result<String> {
    let mut stderr = std::io::stderr();
    write!(stderr, "{question}")?;
    stderr.flush()?;
    let mut answer = String::new();
    let read = std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("failed to read the answer")?;
    if read == 0 {
        anyhow::bail!("no answer: standard input was closed");
    }
    let answer = answer.trim();
    Ok(if answer.is_empty() {
        default.to_owned()
    } else {
        answer.to_owned()
    })
}
