//! The `alicli` binary: parse, run one command, render the error once, map it to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match alicli::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                alicli::error::exit::USAGE
            } else {
                0
            });
        }
    };
    match alicli::commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprint!("{}", alicli::error::render(&error));
            ExitCode::from(alicli::error::exit_code(&error))
        }
    }
}
