//! The authorize URL and the loopback redirect URI (docs/protocol.md §2).

use url::Url;

/// The path the official CLI registers for its loopback redirect.
pub const CALLBACK_PATH: &str = "/cli/callback";

/// `http://127.0.0.1:<port>/cli/callback`: the literal address, never `localhost`.
pub fn redirect_uri(port: u16) -> String {
    format!("http://127.0.0.1:{port}{CALLBACK_PATH}")
}

/// The authorize URL, parameters in the official CLI's order, and no `scope`.
pub fn authorize_url(
    endpoint: &Url,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
) -> Url {
    let mut url = endpoint.clone();
    url.query_pairs_mut()
        .clear()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256");
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_come_in_the_official_order() {
        let endpoint = Url::parse("https://signin.aliyun.com/oauth2/v1/auth").unwrap();
        let url = authorize_url(
            &endpoint,
            "4038181954557748008",
            &redirect_uri(12345),
            "st",
            "ch",
        );
        assert_eq!(
            url.as_str(),
            "https://signin.aliyun.com/oauth2/v1/auth?response_type=code&client_id=4038181954557748008\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A12345%2Fcli%2Fcallback&state=st&code_challenge=ch\
             &code_challenge_method=S256"
        );
    }
}
