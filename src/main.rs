//! The `alicli` binary; everything it does is in the library's [`alicli::main`].

fn main() -> std::process::ExitCode {
    alicli::main()
}
