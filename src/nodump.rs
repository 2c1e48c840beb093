//! No core file and no debugger for alicli's memory. A process holding tokens and STS secrets that
//! aborts (a panic under `panic = "abort"`, a SIGQUIT) would otherwise leave them in a core file,
//! and any process of the same user could read them with ptrace or `/proc/PID/mem`.
//!
//! Linux clears the flag for a program alicli starts: `execve` sets a new program dumpable again,
//! so the command of `exec`, the browser and a `process_command` keep the system's defaults.

/// Marks this process non-dumpable (Linux `PR_SET_DUMPABLE` = 0); elsewhere it does nothing.
pub fn forbid() {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    // SAFETY: prctl(PR_SET_DUMPABLE) takes plain integers and only changes this process's flag.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}
