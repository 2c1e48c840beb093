//! Token revocation (RFC 7009). Alibaba's revocation endpoint is unconfirmed (docs/protocol.md §2),
//! so alicli only calls one that the user configured.

use url::Url;

use crate::http::{Http, RequestError, send_for_body};
use crate::secret::Secret;

/// Which kind of token is revoked (`token_type_hint`, RFC 7009 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A refresh token: revoking it ends the whole grant (RFC 7009 §2.1).
    RefreshToken,
    /// An access token, when there is no refresh token to revoke.
    AccessToken,
}

impl TokenKind {
    /// The `token_type_hint` value.
    pub fn hint(self) -> &'static str {
        match self {
            TokenKind::RefreshToken => "refresh_token",
            TokenKind::AccessToken => "access_token",
        }
    }
}

/// Revokes `token` at `revoke_url` as the public client `client_id`. Per RFC 7009 §2.2 the server
/// answers 200 whether or not the token was still valid, so success means "it no longer works".
pub async fn revoke(
    http: &Http,
    revoke_url: &Url,
    client_id: &str,
    token: &Secret,
    kind: TokenKind,
) -> Result<(), RequestError> {
    let form = [
        ("token", token.expose()),
        ("token_type_hint", kind.hint()),
        ("client_id", client_id),
    ];
    let what = format!("the token revocation at `{revoke_url}`");
    let request = http.post(revoke_url)?.form(&form);
    send_for_body(http, request, &what).await.map(drop)
}
