//! Limits for a child that must not run away: memory and time.

use std::process::Command;

/// Bounds for an alicli that would read without end or wait forever: 1 GiB of memory, then an
/// allocation failure; 10 s, then SIGALRM. Either shows as a failure instead of a stuck test.
#[cfg(unix)]
pub fn bounded(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit and alarm only change the child, between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            libc::alarm(10);
            Ok(())
        });
    }
}
