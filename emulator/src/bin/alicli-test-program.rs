//! `alicli-test-program`: a portable stand-in for the `sh -c …`, `printf`, `true` and `false` that
//! the integration tests run as `exec` children, `process_command`s and `BROWSER`s, so that those
//! tests mean the same on Linux, macOS and Windows. It never ships.
//!
//! Steps run in order; the exit code is the last `--exit` (0 without one):
//!
//!     --print TEXT       print TEXT and a newline
//!     --env NAME         print the variable's value, or `none` when it is unset
//!     --to FILE          send what the following steps print to FILE (written when done)
//!     --wait-for FILE    wait until FILE exists
//!     --exit CODE        the exit code
//!
//! Any other argument is ignored, as a browser command is handed the URL last.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut out: (Option<PathBuf>, String) = (None, String::new());
    let mut code: u8 = 0;
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--print" => out.1 += &format!("{}\n", value()),
            "--env" => {
                let shown = std::env::var(value()).unwrap_or_else(|_| "none".to_owned());
                out.1 += &format!("{shown}\n");
            }
            "--to" => {
                flush(&mut out);
                out.0 = Some(PathBuf::from(value()));
            }
            "--wait-for" => {
                flush(&mut out);
                let file = PathBuf::from(value());
                while !file.exists() {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            "--exit" => code = value().parse().expect("--exit takes a number"),
            _ => {}
        }
    }
    flush(&mut out);
    ExitCode::from(code)
}

/// Writes what was printed so far to its destination: the file whole, so a reader polling for it
/// never sees half of it, or stdout.
fn flush(out: &mut (Option<PathBuf>, String)) {
    let text = std::mem::take(&mut out.1);
    if text.is_empty() {
        return;
    }
    match &out.0 {
        Some(file) => {
            let partial = file.with_extension("partial");
            std::fs::write(&partial, &text).expect("write the output file");
            std::fs::rename(&partial, file).expect("rename the output file");
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes()).expect("write stdout");
            stdout.flush().expect("flush stdout");
        }
    }
}
