//! Messages for people, on stderr. `eprintln!` panics when the write fails (stderr on a full disk,
//! a closed pipe), and with `panic = "abort"` that is exit 134 and a core file. A message that
//! cannot be shown must not turn a finished command into a crash, so failed writes are dropped.
//! Every message also passes the terminal filter (`term`), since messages quote profile names
//! and server text. `clippy.toml` disallows `eprint!`/`eprintln!` so new code uses these instead.

use std::fmt;
use std::io::Write;

/// Writes `args` to stderr and flushes; a failed write is ignored (see the module comment). The
/// text passes the terminal filter first: messages quote profile names and server text.
pub fn write(args: fmt::Arguments<'_>) {
    let formatted;
    let text = match args.as_str() {
        Some(text) => text,
        None => {
            formatted = args.to_string();
            &formatted
        }
    };
    let text = crate::term::clean_lines(text);
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// Like `stderr!`, but a failed write is ignored instead of panicking.
macro_rules! stderr {
    ($($arg:tt)*) => {
        $crate::stderr::write(format_args!($($arg)*))
    };
}

/// Like `stderrln!`, but a failed write is ignored instead of panicking.
macro_rules! stderrln {
    () => {
        $crate::stderr::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::stderr::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}
