//! Role sessions: `AssumeRole` (signed, any valid caller, roles chain) and `AssumeRoleWithOIDC`
//! (unsigned; the proof is an OIDC token this emulator issued). Strict on parameters where STS
//! is: the role ARN's shape, the session name's characters and length, the duration's range.

// Refusals are ready-made responses; boxing them would only add noise to a test server.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use alicli::timefmt::to_rfc3339;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::state::{Issued, Principal, State as EmulatorState, random_text};
use crate::sts::api_error;

fn invalid(code: &str, message: &str) -> Response {
    api_error(StatusCode::BAD_REQUEST, code, message)
}

/// A role's stable id, made up from its account and name.
pub fn role_id(account_id: &str, role_name: &str) -> String {
    let hash = format!("{account_id}/{}", role_name.to_ascii_lowercase())
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("3{:018}", hash % 1_000_000_000_000_000_000)
}

/// `acs:ram::<account>:<kind>/<name>` → (account, name).
fn parse_arn<'a>(arn: &'a str, kind: &str) -> Option<(&'a str, &'a str)> {
    let rest = arn.strip_prefix("acs:ram::")?;
    let (account, resource) = rest.split_once(':')?;
    let (found, name) = resource.split_once('/')?;
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    (!account.is_empty()
        && account.chars().all(|c| c.is_ascii_digit())
        && found.eq_ignore_ascii_case(kind)
        && name_ok)
        .then_some((account, name))
}

/// The parameters both role actions share, checked.
struct RoleRequest {
    account_id: String,
    role_name: String,
    session_name: String,
    duration: i64,
}

fn role_request(
    state: &EmulatorState,
    params: &BTreeMap<String, String>,
) -> Result<RoleRequest, Response> {
    let get = |key: &str| params.get(key).map(String::as_str).unwrap_or_default();
    let arn = get("RoleArn");
    if arn.is_empty() {
        return Err(invalid(
            "MissingRoleArn",
            "RoleArn is mandatory for this action.",
        ));
    }
    let Some((account_id, role_name)) = parse_arn(arn, "role") else {
        return Err(invalid(
            "InvalidParameter.RoleArn",
            "The parameter RoleArn is wrongly formed.",
        ));
    };
    let session_name = get("RoleSessionName");
    let session_ok = (2..=64).contains(&session_name.len())
        && session_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_'));
    if !session_ok {
        return Err(invalid(
            "InvalidParameter.RoleSessionName",
            "The parameter RoleSessionName is wrongly formed.",
        ));
    }
    let max = state.settings.role_max_session_duration;
    let duration = match params.get("DurationSeconds") {
        None => 3600.min(max),
        Some(text) => match text.parse::<i64>() {
            Ok(value) if (900..=max).contains(&value) => value,
            _ => {
                return Err(invalid(
                    "InvalidParameter.DurationSeconds",
                    &format!(
                        "The Min/Max value of DurationSeconds is 15min/{}min.",
                        max / 60
                    ),
                ));
            }
        },
    };
    if let Some(policy) = params.get("Policy")
        && serde_json::from_str::<Value>(policy).is_err()
    {
        return Err(invalid(
            "InvalidParameter.PolicyGrammar",
            "The parameter Policy has not passed grammar check.",
        ));
    }
    Ok(RoleRequest {
        account_id: account_id.to_owned(),
        role_name: role_name.to_owned(),
        session_name: session_name.to_owned(),
        duration,
    })
}

/// Issues the role session and shapes the answer both actions share.
fn grant(
    state: &mut EmulatorState,
    request: RoleRequest,
    extra: Option<(&str, Value)>,
) -> Response {
    let now = state.now();
    let role_id = role_id(&request.account_id, &request.role_name);
    let arn = format!(
        "acs:ram::{}:role/{}/{}",
        request.account_id, request.role_name, request.session_name
    );
    let assumed_role_id = format!("{role_id}:{}", request.session_name);
    let principal = Principal::Role {
        account_id: request.account_id,
        role_name: request.role_name,
        session_name: request.session_name,
    };
    let Issued {
        id,
        secret,
        token,
        expires_at,
    } = state.issue_sts(principal, now, request.duration);
    let mut body = json!({
        "RequestId": random_text(12),
        "AssumedRoleUser": {"AssumedRoleId": assumed_role_id, "Arn": arn},
        "Credentials": {
            "SecurityToken": token,
            "AccessKeyId": id,
            "AccessKeySecret": secret,
            "Expiration": to_rfc3339(expires_at),
        },
    });
    if let Some((key, value)) = extra {
        body[key] = value;
    }
    axum::Json(body).into_response()
}

/// `AssumeRole`, for a caller whose signature and token were already checked.
pub fn assume_role(
    state: &mut EmulatorState,
    params: &BTreeMap<String, String>,
) -> Result<Response, Response> {
    let request = role_request(state, params)?;
    let arn = params.get("RoleArn").cloned().unwrap_or_default();
    let no_permission = || {
        api_error(
            StatusCode::FORBIDDEN,
            "NoPermission",
            "You are not authorized to do this action. You should be authorized by RAM.",
        )
    };
    if state
        .settings
        .denied_roles
        .iter()
        .any(|denied| denied.eq_ignore_ascii_case(&arn))
    {
        return Err(no_permission());
    }
    if let Some(required) = &state.settings.required_external_id
        && params.get("ExternalId") != Some(required)
    {
        return Err(no_permission());
    }
    state.counters.assume_role += 1;
    Ok(grant(state, request, None))
}

/// `AssumeRoleWithOIDC`: no signature; the token must be one this emulator issued, for a
/// well-formed OIDC provider ARN.
pub fn assume_role_with_oidc(
    state: &mut EmulatorState,
    params: &BTreeMap<String, String>,
) -> Result<Response, Response> {
    let get = |key: &str| params.get(key).map(String::as_str).unwrap_or_default();
    let Some((_, provider)) = parse_arn(get("OIDCProviderArn"), "oidc-provider") else {
        return Err(invalid(
            "InvalidParameter.OIDCProviderArn",
            "The parameter OIDCProviderArn is wrongly formed.",
        ));
    };
    let token = get("OIDCToken").trim();
    state.secrets_seen.push(token.to_owned());
    if !state.oidc_tokens.contains(token) {
        return Err(invalid(
            "AuthenticationFail.OIDCToken.Invalid",
            "The OIDC token is invalid.",
        ));
    }
    let request = role_request(state, params)?;
    let info = json!({
        "Subject": "system:serviceaccount:ci:deployer",
        "Issuer": format!("https://oidc.example/{provider}"),
        "ClientIds": "sts.aliyuncs.com",
    });
    state.counters.assume_role_with_oidc += 1;
    Ok(grant(state, request, Some(("OIDCTokenInfo", info))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_are_read_strictly() {
        assert_eq!(
            parse_arn("acs:ram::123:role/Admin", "role"),
            Some(("123", "Admin"))
        );
        assert_eq!(
            parse_arn("acs:ram::123:oidc-provider/gh", "oidc-provider"),
            Some(("123", "gh"))
        );
        assert_eq!(parse_arn("acs:ram::12a:role/x", "role"), None);
        assert_eq!(parse_arn("acs:ram::123:user/x", "role"), None);
        assert_eq!(parse_arn("acs:ram::123:role/x y", "role"), None);
        assert_eq!(role_id("1", "Admin"), role_id("1", "admin"));
    }
}
