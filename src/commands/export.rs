//! `alicli export-credentials`: a profile's credentials, renewed first when due, in the format the
//! consumer reads. With fresh credentials in the file it makes no request and builds no runtime.

use anyhow::Result;

use super::credentials::Resolved;
use super::output;
use super::resolve::Target;
use super::settings::Settings;
use crate::cli::{ExportArgs, ExportFormat, FamiliesArg, VarFamily};
use crate::export::shell::{Syntax, render};
use crate::export::vars::{Family, credential_vars};
use crate::export::{external_document, json_document};
use crate::http::Http;
use crate::{clock, timefmt};

/// Prints the credentials.
pub fn run(args: ExportArgs, settings: &Settings, http: &Http) -> Result<()> {
    let target = Target::locate(settings, &args.profile)?;
    let resolved = target.credentials_blocking(settings, http, args.min_ttl)?;
    warn_if_short(&target.name, &resolved, args.min_ttl);
    let Resolved {
        profile,
        credentials,
        ..
    } = resolved;
    let region = Some(profile.region_id.as_str());
    let syntax = match args.format {
        ExportFormat::Json => {
            return output::print_json(&json_document(&target.name, &credentials, region));
        }
        ExportFormat::External => return output::print_json(&external_document(&credentials)),
        ExportFormat::Env => Syntax::PosixExport,
        ExportFormat::EnvNoExport => Syntax::PosixAssign,
        ExportFormat::Fish => Syntax::Fish,
        ExportFormat::Powershell => Syntax::PowerShell,
        ExportFormat::WindowsCmd => Syntax::WindowsCmd,
        ExportFormat::Dotenv => Syntax::Dotenv,
    };
    let vars = credential_vars(
        &credentials,
        region,
        &target.name,
        &families(&args.families),
    );
    output::print_stdout(&render(syntax, &vars)?)
}

/// The families `--families` names.
pub fn families(arg: &FamiliesArg) -> Vec<Family> {
    arg.families
        .iter()
        .map(|family| match family {
            VarFamily::Alibaba => Family::Alibaba,
            VarFamily::Alicloud => Family::Alicloud,
            VarFamily::Oss => Family::Oss,
        })
        .collect()
}

/// Renewed credentials that still fall short of `--min-ttl` mean every call renews again: say so.
pub fn warn_if_short(name: &str, resolved: &Resolved, min_ttl: i64) {
    let Some(left) = resolved.credentials.seconds_left(clock::now_unix()) else {
        return;
    };
    if resolved.renewed && left < min_ttl {
        stderrln!(
            "warning: the new credentials of profile `{name}` last {}, less than --min-ttl {}; \
             each call will renew them again",
            timefmt::compact(left),
            timefmt::compact(min_ttl)
        );
    }
}
