//! Signature known answers, produced by Alibaba's own Python SDK (tests/fixtures/gen_signatures.py).

use alicli::internals::canonical_query;
use alicli::internals::{
    CanonicalRequest, Credentials, RpcCall, STS_VERSION, Secret, sha256_hex, v1_form, v1_signature,
    v1_string_to_sign, v3_authorization, v3_headers, v3_signature,
};
use serde_json::Value;

fn fixtures() -> Value {
    let text = include_str!("../fixtures/signatures.json");
    serde_json::from_str(text).unwrap()
}

fn pairs(object: &Value) -> Vec<(&str, &str)> {
    object
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
        .collect()
}

#[test]
fn v1_matches_the_python_sdk_step_by_step() {
    let fixtures = fixtures();
    let cases = fixtures["v1"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let params = pairs(&case["params"]);
        assert_eq!(
            canonical_query(params.iter().copied()),
            case["canonical_query"].as_str().unwrap(),
            "{name}: canonical query"
        );
        let string_to_sign =
            v1_string_to_sign(case["method"].as_str().unwrap(), params.iter().copied());
        assert_eq!(
            string_to_sign,
            case["string_to_sign"].as_str().unwrap(),
            "{name}: string to sign"
        );
        let signature = v1_signature(case["access_key_secret"].as_str().unwrap(), &string_to_sign);
        assert_eq!(
            signature,
            case["signature"].as_str().unwrap(),
            "{name}: signature"
        );
    }
}

#[test]
fn acs3_matches_the_python_sdk_step_by_step() {
    let fixtures = fixtures();
    let cases = fixtures["v3"].as_array().unwrap();
    assert!(cases.len() >= 5);
    let mut with_token = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let body = case["body"].as_str().unwrap();
        let payload_hash = sha256_hex(body.as_bytes());
        assert_eq!(
            case["headers"]["x-acs-content-sha256"].as_str().unwrap(),
            payload_hash,
            "{name}: body hash"
        );
        with_token += usize::from(case["headers"].get("x-acs-security-token").is_some());
        let request = CanonicalRequest {
            method: case["method"].as_str().unwrap(),
            path: case["pathname"].as_str().unwrap(),
            query: pairs(&case["query"]),
            headers: pairs(&case["headers"]),
            payload_hash: &payload_hash,
        };
        assert_eq!(
            request.to_string(),
            case["canonical_request"].as_str().unwrap(),
            "{name}: canonical request"
        );
        let string_to_sign = request.string_to_sign();
        assert_eq!(
            string_to_sign,
            case["string_to_sign"].as_str().unwrap(),
            "{name}: string to sign"
        );
        let signature = v3_signature(case["access_key_secret"].as_str().unwrap(), &string_to_sign);
        assert_eq!(
            signature,
            case["signature"].as_str().unwrap(),
            "{name}: signature"
        );
        let authorization = v3_authorization(
            case["access_key_id"].as_str().unwrap(),
            &request.signed_headers(),
            &signature,
        );
        assert_eq!(
            authorization,
            case["authorization"].as_str().unwrap(),
            "{name}: Authorization"
        );
    }
    assert!(with_token >= 2, "cases with a security token are covered");
}

fn case<'a>(fixtures: &'a Value, family: &str, name: &str) -> &'a Value {
    fixtures[family]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["name"] == name)
        .unwrap_or_else(|| panic!("fixture {name} is missing"))
}

/// The STS credentials of a fixture case.
fn sts_credentials(case: &Value, access_key_id: &Value, token: &Value) -> Credentials {
    Credentials {
        access_key_id: access_key_id.as_str().unwrap().to_owned(),
        access_key_secret: Secret::new(case["access_key_secret"].as_str().unwrap()),
        security_token: Some(Secret::new(token.as_str().unwrap())),
        expiration: None,
    }
}

const GET_CALLER_IDENTITY: RpcCall<'static> = RpcCall {
    action: "GetCallerIdentity",
    version: STS_VERSION,
    params: Vec::new(),
};

#[test]
fn the_acs3_request_has_the_headers_and_signature_of_the_official_sdk() {
    let fixtures = fixtures();
    let case = case(
        &fixtures,
        "v3",
        "v3_sdk_client_sts_get_caller_identity_as_alicli_sends_it",
    );
    let expected = &case["headers"];
    let credentials = sts_credentials(
        case,
        &case["access_key_id"],
        &expected["x-acs-security-token"],
    );
    let now = alicli::timefmt::parse_rfc3339(expected["x-acs-date"].as_str().unwrap()).unwrap();
    let url = url::Url::parse("https://sts.aliyuncs.com/").unwrap();
    let nonce = expected["x-acs-signature-nonce"].as_str().unwrap();
    let mut headers = v3_headers(&GET_CALLER_IDENTITY, &url, &credentials, now, nonce);
    let (_, authorization) = headers.pop().unwrap();
    assert_eq!(authorization, case["authorization"].as_str().unwrap());
    let sent: serde_json::Map<String, Value> = headers
        .into_iter()
        .map(|(name, value)| (name.to_owned(), Value::String(value)))
        .collect();
    assert_eq!(
        &Value::Object(sent),
        expected,
        "the same headers, name for name"
    );
}

#[test]
fn the_v1_request_has_the_parameters_and_signature_of_the_official_sdk() {
    let fixtures = fixtures();
    let case = case(&fixtures, "v1", "v1_get_caller_identity_sts_special_secret");
    let params = &case["params"];
    let credentials = sts_credentials(case, &params["AccessKeyId"], &params["SecurityToken"]);
    let now = alicli::timefmt::parse_rfc3339(params["Timestamp"].as_str().unwrap()).unwrap();
    let nonce = params["SignatureNonce"].as_str().unwrap();
    let mut form = v1_form(&GET_CALLER_IDENTITY, &credentials, now, nonce);
    assert_eq!(
        form.pop(),
        Some((
            "Signature".to_owned(),
            case["signature"].as_str().unwrap().to_owned()
        ))
    );
    let sent: serde_json::Map<String, Value> = form
        .into_iter()
        .map(|(name, value)| (name, Value::String(value)))
        .collect();
    assert_eq!(&Value::Object(sent), params);
}
