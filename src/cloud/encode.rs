//! RFC 3986 percent-encoding as Alibaba's signatures want it (docs/protocol.md §6): only
//! `A-Za-z0-9-_.~` stay; everything else, space and `*` included, becomes `%XX` of its UTF-8 bytes.

use std::fmt::Write;

/// Percent-encodes `text` for a signature or a canonical query.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// `k=v&k=v` with names and values percent-encoded, sorted by the raw name (then value) as
/// Alibaba's SDKs do before encoding; both signature versions canonicalize a query this way.
pub fn canonical_query<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut raw: Vec<(&str, &str)> = params.into_iter().collect();
    raw.sort_unstable();
    let pairs: Vec<(String, String)> = raw
        .into_iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    let mut out = String::new();
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_unreserved_and_encodes_the_rest() {
        assert_eq!(percent_encode("aZ09-_.~"), "aZ09-_.~");
        assert_eq!(percent_encode("a b*c/d+e=f"), "a%20b%2Ac%2Fd%2Be%3Df");
        assert_eq!(percent_encode("中"), "%E4%B8%AD");
    }

    #[test]
    fn canonical_query_sorts_by_raw_name() {
        let query = canonical_query([("b", "2"), ("B", "x y"), ("a:", "1"), ("a-", "3")]);
        assert_eq!(query, "B=x%20y&a-=3&a%3A=1&b=2");
    }
}
