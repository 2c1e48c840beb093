//! `alicli man`: the manual pages, one per command and subcommand (`alicli-session-validate(1)`),
//! printed one at a time; packaging writes them all (`cargo xtask assets`, through [`man_pages`]).
//! Every page that a page names, under SUBCOMMANDS or SEE ALSO, is one of those pages.

use anyhow::{Result, bail};
use clap::CommandFactory;

use super::output;
use crate::cli::{Cli, ManArgs};
use crate::error::{UsageError, printable};

/// Pages worth reading next to a page, besides its parents: commands that do the same thing or the
/// other half of a task. Keys and values are page names without the `alicli-` prefix.
const RELATED: &[(&str, &[&str])] = &[
    ("configure", &["session", "doctor"]),
    ("logout", &["session-terminate"]),
    ("session-terminate", &["logout"]),
    ("session-export", &["session-import"]),
    ("session-import", &["session-export"]),
    ("export-credentials", &["exec"]),
    ("exec", &["export-credentials"]),
    ("doctor", &["configure"]),
    ("completion", &["man"]),
    ("man", &["completion"]),
];

/// Prints one page.
pub fn run(args: ManArgs) -> Result<()> {
    let root = commands();
    let mut parents = Vec::new();
    let mut page = &root;
    for (depth, name) in args.command.iter().enumerate() {
        let Some(sub) = page.find_subcommand(name) else {
            let above: String = args.command[..depth]
                .iter()
                .map(|n| format!(" {n}"))
                .collect();
            bail!(UsageError(format!(
                "no command `{}` in `alicli{above}`; `alicli man{above}` lists them under \
                 SUBCOMMANDS",
                printable(name, 100)
            )));
        };
        parents.push(page);
        page = sub;
    }
    output::print_stdout(&render(page, &parents)?)
}

/// The command tree as the pages show it: built (so each subcommand knows its full name), and
/// without clap's `help` subcommand, which has no page of its own.
fn commands() -> clap::Command {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    root
}

/// Every page, as (file name, roff): `alicli.1`, then `alicli-COMMAND[-SUBCOMMAND].1` for each
/// command, the same pages `alicli man [COMMAND…]` prints. Packaging installs them.
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    fn walk<'a>(
        page: &'a clap::Command,
        parents: &mut Vec<&'a clap::Command>,
        pages: &mut Vec<(String, Vec<u8>)>,
    ) -> Result<()> {
        let roff = render(page, parents)?;
        pages.push((format!("{}.1", page_name(page)), roff.into_bytes()));
        parents.push(page);
        for sub in page.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, parents, pages)?;
        }
        parents.pop();
        Ok(())
    }
    let root = commands();
    let mut pages = Vec::new();
    walk(&root, &mut Vec::new(), &mut pages)?;
    Ok(pages)
}

/// `alicli-session-validate`: the page's name, as SUBCOMMANDS lists it.
fn page_name(page: &clap::Command) -> &str {
    page.get_display_name().unwrap_or_else(|| page.get_name())
}

/// The roff page, with a SEE ALSO section before VERSION; `parents` lead from `alicli` to it.
fn render(page: &clap::Command, parents: &[&clap::Command]) -> Result<String> {
    let man = clap_mangen::Man::new(page.clone())
        .source(format!("alicli {}", env!("CARGO_PKG_VERSION")))
        .manual("alicli manual");
    let mut roff = Vec::new();
    man.render(&mut roff)?;
    let roff = String::from_utf8_lossy(&roff).into_owned();
    let parents: Vec<&str> = parents.iter().map(|p| page_name(p)).collect();
    let see_also = see_also(page_name(page), &parents);
    if see_also.is_empty() {
        return Ok(roff);
    }
    let mut section = String::from(".SH \"SEE ALSO\"\n");
    let count = see_also.len();
    for (index, name) in see_also.iter().enumerate() {
        let comma = if index + 1 < count { "," } else { "" };
        section.push_str(&format!(".BR {} (1){comma}\n", name.replace('-', "\\-")));
    }
    Ok(match roff.find("\n.SH VERSION") {
        Some(at) => format!("{}\n{section}{}", &roff[..at], &roff[at + 1..]),
        None => roff + &section,
    })
}

/// The pages SEE ALSO names for `page`: its parents, nearest first, then the related ones.
fn see_also(page: &str, parents: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = parents.iter().rev().map(|p| (*p).to_owned()).collect();
    let short = page.strip_prefix("alicli-").unwrap_or_default();
    if let Some((_, related)) = RELATED.iter().find(|(name, _)| *name == short) {
        names.extend(related.iter().map(|name| format!("alicli-{name}")));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_a_page_names_is_one_of_the_pages() {
        let pages = man_pages().unwrap();
        let names: Vec<&str> = pages.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names[0], "alicli.1");
        assert!(names.contains(&"alicli-session-validate.1"), "{names:?}");
        let mut references = 0;
        for (name, roff) in &pages {
            let roff = String::from_utf8_lossy(roff);
            let title = format!(".TH {} 1 ", name.trim_end_matches(".1"));
            assert!(roff.contains(&title), "{name}");
            // SUBCOMMANDS lists `alicli\-x(1)`, SEE ALSO `.BR alicli\-x (1)`.
            for line in roff.lines() {
                let named = line
                    .strip_prefix(".BR ")
                    .and_then(|rest| rest.split(' ').next())
                    .or_else(|| line.strip_suffix("(1)"));
                let Some(named) = named.filter(|n| n.starts_with("alicli")) else {
                    continue;
                };
                let file = format!("{}.1", named.replace("\\-", "-"));
                assert!(names.contains(&file.as_str()), "{name} names {file}");
                references += 1;
            }
        }
        assert!(references > 40, "only {references} references");
        assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");
    }
}
