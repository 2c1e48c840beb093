//! Variable assignments in the syntax of each shell, and of dotenv and cmd.exe files: a value is
//! always data, never code, in the shell it is meant for.

use anyhow::{Result, bail};

use super::vars::Var;
use crate::term::is_unsafe;

/// A POSIX shell word holding exactly `value`: single quotes, inside which nothing is special;
/// a single quote itself becomes `'\''`. Newlines stay literal, which `eval` and `.` both keep.
pub fn posix_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// A fish word holding exactly `value`. Inside fish single quotes only `\\` and `\'` are escapes;
/// newlines are written as `\n` outside the quotes so that every assignment stays on one line.
pub fn fish_quote(value: &str) -> String {
    let mut out = String::from("'");
    for c in value.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            '\n' => out.push_str(r"'\n'"),
            '\r' => out.push_str(r"'\r'"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A PowerShell expression holding exactly `value`: a single-quoted string, where nothing expands
/// and a quote is doubled. PowerShell also treats the typographic quotes ‘ ’ ‚ ‛ as single quotes,
/// so those are doubled too. Line breaks are joined in as `"`n"` so each statement is one line
/// (`Invoke-Expression` runs piped lines one by one).
pub fn powershell_quote(value: &str) -> String {
    let mut out = String::from("'");
    for c in value.chars() {
        match c {
            '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' => {
                out.push(c);
                out.push(c);
            }
            '\n' => out.push_str("' + \"`n\" + '"),
            '\r' => out.push_str("' + \"`r\" + '"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// True when `value` can be written bare where there is no reliable quoting: dotenv readers
/// disagree on quotes and escapes, and `cmd.exe` expands `%` and `!` even inside quotes. Real
/// keys, tokens (base64), regions and RFC 3339 times only use these characters.
pub fn is_plain(value: &str) -> bool {
    value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+/=._:@,~-".contains(c))
}

/// The shell-like formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `export NAME='value'` (bash, zsh, sh; for `eval` or `.`).
    PosixExport,
    /// `NAME='value'` (shell variables, or `set -a; . FILE`).
    PosixAssign,
    /// `set -gx NAME 'value'` (fish; pipe to `source`).
    Fish,
    /// `$Env:NAME = 'value'` (PowerShell; pipe to `Invoke-Expression`).
    PowerShell,
    /// `set "NAME=value"` (cmd.exe batch files).
    WindowsCmd,
    /// `NAME=value` (dotenv files, `docker --env-file`).
    Dotenv,
}

/// Renders the variables, one statement per variable. Fails, naming the variable, when a value
/// cannot be carried safely in this syntax (a NUL anywhere; anything unusual for dotenv and cmd).
pub fn render(syntax: Syntax, vars: &[Var]) -> Result<String> {
    let mut out = String::new();
    for (name, value) in vars {
        if let Some(value) = value {
            if value.contains('\0') {
                bail!(
                    "the value of `{name}` contains a NUL character, which no environment can hold"
                );
            }
            // Shell text is often read on a terminal before (or instead of) reaching `eval`; an
            // escape sequence in a profile name another tool wrote would act on it there. Real
            // keys, tokens, regions and times never hold one; a line feed is quoted like any text.
            if value.chars().any(|c| c != '\n' && is_unsafe(c)) {
                bail!(
                    "the value of `{name}` holds a control or bidi character, which would act on \
                     a terminal (for a profile name, another tool wrote it); use `--format json`, \
                     or a profile whose name is plain text"
                );
            }
            if matches!(syntax, Syntax::WindowsCmd | Syntax::Dotenv) && !is_plain(value) {
                bail!(
                    "the value of `{name}` has characters this format cannot carry safely; use \
                     `--format json` or a shell format"
                );
            }
        }
        let line = match (syntax, value) {
            (Syntax::PosixExport, Some(v)) => format!("export {name}={}", posix_quote(v)),
            (Syntax::PosixAssign, Some(v)) => format!("{name}={}", posix_quote(v)),
            (Syntax::PosixExport | Syntax::PosixAssign, None) => format!("unset {name}"),
            (Syntax::Fish, Some(v)) => format!("set -gx {name} {}", fish_quote(v)),
            (Syntax::Fish, None) => format!("set -e {name}"),
            (Syntax::PowerShell, Some(v)) => format!("$Env:{name} = {}", powershell_quote(v)),
            (Syntax::PowerShell, None) => {
                format!("Remove-Item -ErrorAction SilentlyContinue Env:{name}")
            }
            (Syntax::WindowsCmd, Some(v)) => format!("set \"{name}={v}\""),
            (Syntax::WindowsCmd, None) => format!("set \"{name}=\""),
            (Syntax::Dotenv, Some(v)) => format!("{name}={v}"),
            // A dotenv file cannot unset; leaving the line out is the closest.
            (Syntax::Dotenv, None) => continue,
        };
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::credentials::Credentials;
    use crate::export::tests::sts;
    use crate::export::vars::{
        ACCESS_KEY_ID, ACCESS_KEY_SECRET, Family, REGION_ID, SECURITY_TOKEN, credential_vars,
    };

    const NASTY: &str = "a'b\"c $(touch x) `id` \\n\nd;e|f&g<h>i*j?k~l#m%n!o ‘p’ ${HOME}";

    #[test]
    fn a_value_that_would_act_on_a_terminal_is_refused_in_every_syntax() {
        for value in ["work\u{1b}]0;owned\u{7}", "a\u{202e}b", "a\rb"] {
            let vars = [("ALIBABA_CLOUD_PROFILE", Some(value.to_owned()))];
            for syntax in [
                Syntax::PosixExport,
                Syntax::Fish,
                Syntax::PowerShell,
                Syntax::Dotenv,
            ] {
                let error = render(syntax, &vars).unwrap_err().to_string();
                assert!(error.contains("ALIBABA_CLOUD_PROFILE"), "{error}");
                assert!(!error.contains(value), "the value is not echoed: {error}");
            }
        }
    }

    #[test]
    fn posix_quote_wraps_everything_in_single_quotes() {
        assert_eq!(posix_quote("plain"), "'plain'");
        assert_eq!(posix_quote("it's"), r"'it'\''s'");
        assert_eq!(posix_quote("$x `y`\nz"), "'$x `y`\nz'");
        assert_eq!(posix_quote(""), "''");
    }

    #[test]
    fn fish_quote_escapes_backslash_and_quote_and_keeps_one_line() {
        assert_eq!(fish_quote(r"a\b'c"), r"'a\\b\'c'");
        assert_eq!(fish_quote("a\nb"), r"'a'\n'b'");
        assert_eq!(fish_quote("$x (y)"), "'$x (y)'");
    }

    #[test]
    fn powershell_quote_doubles_every_kind_of_single_quote() {
        assert_eq!(powershell_quote("it's"), "'it''s'");
        assert_eq!(powershell_quote("a\u{2019}b"), "'a\u{2019}\u{2019}b'");
        assert_eq!(powershell_quote("$x `y`"), "'$x `y`'");
        assert_eq!(powershell_quote("a\nb"), "'a' + \"`n\" + 'b'");
    }

    #[test]
    fn every_statement_but_posix_stays_on_one_line() {
        let vars = vec![(ACCESS_KEY_ID, Some(NASTY.to_owned()))];
        for syntax in [Syntax::Fish, Syntax::PowerShell] {
            let text = render(syntax, &vars).unwrap();
            assert_eq!(text.lines().count(), 1, "{syntax:?}: {text}");
        }
    }

    #[test]
    fn dotenv_and_cmd_refuse_what_they_cannot_carry() {
        for syntax in [Syntax::Dotenv, Syntax::WindowsCmd] {
            let error = render(syntax, &[(ACCESS_KEY_SECRET, Some("a b".into()))]).unwrap_err();
            assert!(error.to_string().contains(ACCESS_KEY_SECRET), "{error}");
            let ok = render(syntax, &[(SECURITY_TOKEN, Some("CAIS+x/y==".into()))]).unwrap();
            assert!(ok.contains("CAIS+x/y=="));
        }
        assert!(render(Syntax::PosixExport, &[(REGION_ID, Some("a\0b".into()))]).is_err());
    }

    #[test]
    fn renders_each_syntax() {
        let vars = credential_vars(&sts(), Some("cn-hangzhou"), "work", &[Family::Alibaba]);
        assert_eq!(
            render(Syntax::PosixExport, &vars).unwrap(),
            "export ALIBABA_CLOUD_ACCESS_KEY_ID='STS.id'\n\
             export ALIBABA_CLOUD_ACCESS_KEY_SECRET='se'\\''cret'\n\
             export ALIBABA_CLOUD_SECURITY_TOKEN='to+ken/='\n\
             export ALIBABA_CLOUD_REGION_ID='cn-hangzhou'\n\
             export ALIBABA_CLOUD_CREDENTIALS_EXPIRATION='2026-11-22T10:00:00Z'\n\
             export ALIBABA_CLOUD_IGNORE_PROFILE='TRUE'\n\
             export ALIBABA_CLOUD_PROFILE='work'\n\
             unset ALIBABACLOUD_PROFILE\n"
        );
        let ak = Credentials {
            security_token: None,
            expiration: None,
            ..sts()
        };
        let vars = credential_vars(&ak, None, "ci", &[Family::Alibaba]);
        let text = render(Syntax::PosixAssign, &vars).unwrap();
        assert!(
            text.contains("unset ALIBABA_CLOUD_SECURITY_TOKEN\n"),
            "{text}"
        );
        assert!(text.contains("unset ALIBABA_CLOUD_REGION_ID\n"), "{text}");
        let text = render(Syntax::WindowsCmd, &vars);
        assert!(text.is_err(), "the quote in the secret is refused");
        let text = render(Syntax::Fish, &vars).unwrap();
        assert!(text.starts_with("set -gx ALIBABA_CLOUD_ACCESS_KEY_ID 'STS.id'\n"));
        assert!(text.contains("set -e ALIBABA_CLOUD_SECURITY_TOKEN\n"));
        let text = render(Syntax::PowerShell, &vars).unwrap();
        assert!(text.contains("$Env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'se''cret'\n"));
    }
}
