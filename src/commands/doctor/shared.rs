//! Whether other people are logged in to this machine. The browser is started with the sign-in
//! URL on its command line, which every local user can read (`/proc/PID/cmdline`): its `state`
//! and PKCE challenge let another user finish a sign-in to *their* account into this one's
//! listener first (login CSRF). On a shared machine, `--no-browser` keeps the URL in the terminal.

use super::Check;

const CHECK: &str = "other users";

/// Warns when someone other than this user has a login session (utmp).
pub fn shared_machine_check() -> Check {
    match (logged_in_users(), my_name()) {
        (Some(users), Some(me)) => verdict(&others(&users, &me)),
        _ => Check::skip(
            CHECK,
            "cannot tell who is logged in here (no login records)",
        ),
    }
}

fn verdict(others: &[String]) -> Check {
    if others.is_empty() {
        return Check::pass(CHECK, "nobody else is logged in");
    }
    Check::warn(
        CHECK,
        format!(
            "{} logged in; they can read the sign-in URL from the browser's command line and \
             complete your sign-in with their own account first",
            others.join(", ")
        ),
        "on a shared machine, sign in with `alicli configure --mode OAuth --no-browser` (the URL \
         then appears only in your terminal)",
    )
}

/// The distinct names in `users` other than `me`, in order.
fn others(users: &[String], me: &str) -> Vec<String> {
    let mut others: Vec<String> = Vec::new();
    for user in users {
        if user != me && !user.is_empty() && !others.contains(user) {
            others.push(user.clone());
        }
    }
    others
}

/// The user names of the login sessions in utmp; `None` where there is no utmp (containers).
#[cfg(target_os = "linux")]
fn logged_in_users() -> Option<Vec<String>> {
    if !std::path::Path::new("/var/run/utmp").exists() {
        return None;
    }
    let mut users = Vec::new();
    // SAFETY: the utmpx functions are used from this one thread; each entry is copied out
    // before the next call, and `ut_user` is a fixed array that may lack a terminating NUL.
    unsafe {
        libc::setutxent();
        loop {
            let entry = libc::getutxent();
            if entry.is_null() {
                break;
            }
            if (*entry).ut_type == libc::USER_PROCESS {
                let name = &(*entry).ut_user;
                let bytes: Vec<u8> = name
                    .iter()
                    .take_while(|&&c| c != 0)
                    .map(|&c| c as u8)
                    .collect();
                users.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        libc::endutxent();
    }
    Some(users)
}

#[cfg(not(target_os = "linux"))]
fn logged_in_users() -> Option<Vec<String>> {
    None
}

/// This user's login name.
#[cfg(unix)]
fn my_name() -> Option<String> {
    let mut buffer = vec![0 as libc::c_char; 4096];
    // SAFETY: getpwuid_r writes into `entry` and `buffer`, both ours and large enough (or it
    // reports ERANGE); `found` then points at `entry`, whose strings live in `buffer`.
    unsafe {
        let mut entry: libc::passwd = std::mem::zeroed();
        let mut found = std::ptr::null_mut();
        let status = libc::getpwuid_r(
            libc::geteuid(),
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut found,
        );
        if status != 0 || found.is_null() || entry.pw_name.is_null() {
            return None;
        }
        Some(
            std::ffi::CStr::from_ptr(entry.pw_name)
                .to_string_lossy()
                .into_owned(),
        )
    }
}

#[cfg(not(unix))]
fn my_name() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::doctor::Status;

    #[test]
    fn only_other_people_count() {
        let users = ["me", "bob", "me", "carol", "bob", ""].map(String::from);
        assert_eq!(others(&users, "me"), ["bob", "carol"]);
        assert_eq!(verdict(&[]).status, Status::Pass);
        let shared = verdict(&others(&users, "me"));
        assert_eq!(shared.status, Status::Warn);
        assert!(
            shared.detail.starts_with("bob, carol logged in"),
            "{shared:?}"
        );
        assert!(shared.fix.unwrap().contains("--no-browser"));
    }
}
