use super::*;
use crate::cloud::credentials::Credentials;
use crate::session::record::Token;

/// A low work factor: these tests check the format, not scrypt's cost.
const FAST: u8 = 2;

fn sample(name: &str) -> SessionArchive {
    let session = OAuthSession {
        access_token: Some(Token {
            secret: Secret::new("at-123"),
            expires_at: Some(5000),
        }),
        refresh_token: Some(Token {
            secret: Secret::new("rt-456"),
            expires_at: Some(90_000),
        }),
        sts: Some(Credentials {
            access_key_id: "STS.abc".into(),
            access_key_secret: Secret::new("sk"),
            security_token: Some(Secret::new("CAIS+x/y==")),
            expiration: Some(4000),
        }),
        account_id: Some("1234567890123456".into()),
    };
    let about = About {
        name,
        site: Site::Intl,
        region_id: "ap-southeast-1",
        language: "en",
    };
    SessionArchive::pack(about, &session, 1000)
}

fn pass(text: &str) -> Secret {
    Secret::new(text)
}

fn decode_fast(bytes: &[u8], passphrase: &Secret) -> Result<SessionArchive, ArchiveError> {
    decode_with_max_work_factor(bytes, passphrase, FAST)
}

#[test]
fn round_trips_and_records_version_and_expiry() {
    let bytes = encode_with_work_factor(&sample("work"), &pass("correct horse"), FAST).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(text.starts_with(ARMOR_BEGIN), "{text}");
    assert!(!text.contains("rt-456") && !text.contains("alicli-session"));
    let archive = decode_fast(&bytes, &pass("correct horse")).unwrap();
    assert_eq!(archive.version, VERSION);
    assert_eq!(archive.exported_at, 1000);
    assert_eq!(archive.expires_at, Some(90_000));
    assert_eq!(archive.profile.name, "work");
    assert_eq!(archive.profile.oauth_refresh_token.expose(), "rt-456");
    assert_eq!(
        archive.profile.account_id.as_deref(),
        Some("1234567890123456")
    );
    let session = archive.session();
    assert_eq!(session.refresh_token.unwrap().expires_at, Some(90_000));
    let sts = session.sts.unwrap();
    assert_eq!(sts.security_token.unwrap().expose(), "CAIS+x/y==");
}

#[test]
fn a_wrong_passphrase_is_refused() {
    let bytes = encode_with_work_factor(&sample("work"), &pass("right"), FAST).unwrap();
    assert!(matches!(
        decode_fast(&bytes, &pass("wrong")),
        Err(ArchiveError::WrongPassphrase)
    ));
    assert!(matches!(
        decode_fast(&bytes, &pass("")),
        Err(ArchiveError::WrongPassphrase)
    ));
}

#[test]
fn every_flipped_byte_and_every_truncation_is_refused() {
    let bytes = encode_with_work_factor(&sample("work"), &pass("p"), FAST).unwrap();
    for index in 0..bytes.len() {
        let mut altered = bytes.clone();
        altered[index] ^= 0x01;
        if let Ok(archive) = decode_fast(&altered, &pass("p")) {
            // Armor tolerates a changed line ending or blank; the contents must be the same.
            assert_eq!(archive.profile.oauth_refresh_token.expose(), "rt-456");
            assert!(
                altered[index].is_ascii_whitespace() || bytes[index].is_ascii_whitespace(),
                "byte {index} flipped was accepted"
            );
        }
    }
    for len in (0..bytes.len() - 1).step_by(3) {
        let cut = &bytes[..len];
        if trim_start(cut).is_empty() || cut.ends_with(b"\n") && len + 1 == bytes.len() {
            continue;
        }
        assert!(
            decode_fast(cut, &pass("p")).is_err(),
            "cut at {len} was accepted"
        );
    }
}

#[test]
fn garbage_and_oversized_input_are_not_archives() {
    assert!(matches!(
        decode_fast(b"{\"profiles\": []}", &pass("p")),
        Err(ArchiveError::NotAnArchive)
    ));
    assert!(matches!(
        decode_fast(&vec![b'a'; MAX_ARCHIVE_LEN + 1], &pass("p")),
        Err(ArchiveError::TooLarge(_))
    ));
    assert!(decode_fast(b"-----BEGIN AGE ENCRYPTED FILE-----\n", &pass("p")).is_err());
    assert!(decode_fast(b"age-encryption.org/v1\n-> scrypt\n", &pass("p")).is_err());
}

#[test]
fn a_work_factor_above_the_limit_is_refused_before_any_work() {
    let bytes = encode_with_work_factor(&sample("work"), &pass("p"), 4).unwrap();
    assert!(matches!(
        decode_with_max_work_factor(&bytes, &pass("p"), 3),
        Err(ArchiveError::ExcessiveWork(4))
    ));
}

#[test]
fn names_travel_as_data_but_must_be_printable() {
    // Another tool's name is carried as it is; import decides whether it can be created here.
    for name in ["team/prod", "a b", "../x", "名前"] {
        let bytes = encode_with_work_factor(&sample(name), &pass("p"), FAST).unwrap();
        assert_eq!(decode_fast(&bytes, &pass("p")).unwrap().profile.name, name);
    }
    for name in ["", "x\u{0}", "x\u{1b}[2J", &"n".repeat(257)] {
        assert!(
            matches!(
                encode_with_work_factor(&sample(name), &pass("p"), FAST),
                Err(ArchiveError::InvalidName(_))
            ),
            "{name:?} encoded"
        );
    }
}

#[test]
fn a_crafted_archive_with_a_bad_name_or_version_is_refused() {
    let encrypt = |json: &str| {
        let mut recipient = age::scrypt::Recipient::new(secret_string(&pass("p")));
        recipient.set_work_factor(FAST);
        age::encrypt(&recipient, json.as_bytes()).unwrap()
    };
    let mut value = serde_json::to_value(sample("work")).unwrap();
    value["profile"]["name"] = "evil\u{1b}]0;title\u{7}".into();
    assert!(matches!(
        decode_fast(&encrypt(&value.to_string()), &pass("p")),
        Err(ArchiveError::InvalidName(_))
    ));
    let mut value = serde_json::to_value(sample("work")).unwrap();
    value["version"] = 2.into();
    assert!(matches!(
        decode_fast(&encrypt(&value.to_string()), &pass("p")),
        Err(ArchiveError::UnsupportedVersion(2))
    ));
    let mut value = serde_json::to_value(sample("work")).unwrap();
    value["profile"]["path"] = "/etc/passwd".into();
    assert!(matches!(
        decode_fast(&encrypt(&value.to_string()), &pass("p")),
        Err(ArchiveError::Invalid(_))
    ));
    assert!(matches!(
        decode_fast(&encrypt("not json"), &pass("p")),
        Err(ArchiveError::Invalid(_))
    ));
}

#[test]
fn an_empty_passphrase_cannot_export() {
    assert!(matches!(
        encode_with_work_factor(&sample("work"), &pass(""), FAST),
        Err(ArchiveError::EmptyPassphrase)
    ));
}
