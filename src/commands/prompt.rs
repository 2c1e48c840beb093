//! Questions on a terminal: asked on stderr, answered on stdin, never asked without a terminal.
//!
//! Standard input is read by one background thread into a queue, so that the headless sign-in can
//! wait for a pasted line and for the browser's redirect at once, and a line read ahead while the
//! redirect won is still there for the next question instead of being lost in a cancelled read.

use std::collections::VecDeque;
use std::io::{BufRead, IsTerminal};
use std::sync::{Condvar, Mutex, OnceLock};

use anyhow::{Context, Result, bail};

use crate::secret::Secret;

/// True when a person can answer questions.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// True when a terminal is attached to stdin or stderr: a passphrase can be read from it.
pub fn terminal_attached() -> bool {
    std::io::stdin().is_terminal() || std::io::stderr().is_terminal()
}

#[derive(Default)]
struct Queue {
    lines: VecDeque<String>,
    closed: bool,
}

struct Lines {
    queue: Mutex<Queue>,
    ready: Condvar,
    notify: tokio::sync::Notify,
}

/// The stdin reader, started on first use.
fn lines() -> &'static Lines {
    static LINES: OnceLock<Lines> = OnceLock::new();
    LINES.get_or_init(|| {
        std::thread::spawn(read_stdin);
        Lines {
            queue: Mutex::new(Queue::default()),
            ready: Condvar::new(),
            notify: tokio::sync::Notify::new(),
        }
    })
}

/// The longest line taken from stdin. An answer or a pasted address is far shorter; a longer line
/// (`< /dev/zero`, a file of garbage) ends the reading instead of growing without end.
const MAX_LINE: usize = 64 * 1024;

fn read_stdin() {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    loop {
        let line = read_bounded_line(&mut input, MAX_LINE);
        if line.is_err() {
            stderrln!(
                "warning: standard input sent a line longer than {} KiB; alicli stopped reading it",
                MAX_LINE / 1024
            );
        }
        let line = line.ok().flatten();
        let done = line.is_none();
        let lines = lines();
        let mut queue = lines.queue.lock().unwrap_or_else(|e| e.into_inner());
        match line {
            Some(line) => queue.lines.push_back(line),
            None => queue.closed = true,
        }
        drop(queue);
        lines.ready.notify_all();
        lines.notify.notify_one();
        if done {
            return;
        }
    }
}

/// Reads one line without its line ending: `Ok(None)` at the end of input (or on a read error),
/// `Err(())` when the line grows past `max` bytes, which is then not read further.
fn read_bounded_line(input: &mut impl BufRead, max: usize) -> Result<Option<String>, ()> {
    let mut bytes = Vec::new();
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => &[],
        };
        if available.is_empty() {
            return Ok((!bytes.is_empty()).then(|| decode(bytes)));
        }
        let newline = available.iter().position(|&b| b == b'\n');
        let end = newline.map_or(available.len(), |at| at + 1);
        // Never more than one byte past `max` is kept (`bytes` is at most `max` long here).
        bytes.extend_from_slice(&available[..end.min(max + 1 - bytes.len())]);
        input.consume(end);
        if bytes.len() > max {
            return Err(());
        }
        if newline.is_some() {
            return Ok(Some(decode(bytes)));
        }
    }
}

fn decode(bytes: Vec<u8>) -> String {
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    text.trim_end_matches(['\r', '\n']).to_owned()
}

fn take(queue: &mut Queue) -> Option<Option<String>> {
    match queue.lines.pop_front() {
        Some(line) => Some(Some(line)),
        None if queue.closed => Some(None),
        None => None,
    }
}

/// The next line of stdin, waiting without blocking the runtime; `None` once stdin is closed.
/// Only one task may wait at a time.
pub async fn next_line() -> Option<String> {
    let lines = lines();
    loop {
        if let Some(line) = take(&mut lines.queue.lock().unwrap_or_else(|e| e.into_inner())) {
            return line;
        }
        // A line pushed between the check and this wait leaves a permit, so none is missed.
        lines.notify.notified().await;
    }
}

fn next_line_blocking() -> Option<String> {
    let lines = lines();
    let mut queue = lines.queue.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if let Some(line) = take(&mut queue) {
            return line;
        }
        queue = lines.ready.wait(queue).unwrap_or_else(|e| e.into_inner());
    }
}

/// Asks `question`; an empty answer takes `default`.
pub fn ask(question: &str, default: &str) -> Result<String> {
    stderr!("{question}");
    let Some(answer) = next_line_blocking() else {
        bail!("no answer: standard input was closed");
    };
    let answer = answer.trim();
    Ok(if answer.is_empty() {
        default.to_owned()
    } else {
        answer.to_owned()
    })
}

/// Asks a yes/no question; anything but `y`/`yes` is no.
pub fn confirm(question: &str) -> Result<bool> {
    let answer = ask(&format!("{question} [y/N] "), "n")?;
    Ok(matches!(answer.to_ascii_lowercase().as_str(), "y" | "yes"))
}

/// Reads a passphrase from the terminal without echo; the prompt goes to stderr.
pub fn passphrase(question: &str) -> Result<Secret> {
    stderr!("{question}");
    let text =
        rpassword::read_password().context("failed to read the passphrase from the terminal")?;
    Ok(Secret::new(text))
}

/// Writes a prompt on stderr without a newline.
pub fn show_prompt(text: &str) {
    stderr!("{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_up_to_a_cap() {
        let mut input = std::io::Cursor::new(b"short\r\nx\xffy\nlast".to_vec());
        assert_eq!(
            read_bounded_line(&mut input, 10),
            Ok(Some("short".to_owned()))
        );
        assert_eq!(
            read_bounded_line(&mut input, 10),
            Ok(Some("x\u{fffd}y".to_owned()))
        );
        assert_eq!(
            read_bounded_line(&mut input, 10),
            Ok(Some("last".to_owned()))
        );
        assert_eq!(read_bounded_line(&mut input, 10), Ok(None));
        // An endless line stops at the cap (a small buffer makes it take many reads).
        let mut endless = std::io::BufReader::with_capacity(3, std::io::repeat(0));
        assert_eq!(read_bounded_line(&mut endless, 10), Err(()));
    }

    #[test]
    fn take_drains_lines_before_reporting_the_end() {
        let mut queue = Queue {
            lines: VecDeque::from(["a".to_owned()]),
            closed: true,
        };
        assert_eq!(take(&mut queue), Some(Some("a".to_owned())));
        assert_eq!(take(&mut queue), Some(None));
        let mut open = Queue::default();
        assert_eq!(take(&mut open), None);
    }
}
