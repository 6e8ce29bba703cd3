use super::*;
use crate::certificate::Code;

fn cert() -> Certificate {
    Certificate {
        code: Code::parse("7K2M-9QXD-4HPA").expect("valid code"),
        holder_name: "Nguyễn Thị Hồng Nhung".into(),
        achievement: "Đạt phổ cập kỹ năng số – Cán bộ, công chức, viên chức".into(),
        criteria: "Đạt bài kiểm tra cuối khóa với ít nhất 80% số điểm.".into(),
        level: "Trung cấp – mức 3".into(),
        issued_on: time::macros::date!(2026 - 12 - 06),
        issuer_name: "Ban Chỉ đạo Phong trào Bình dân học vụ số tỉnh Bắc Ninh".into(),
        verify_url: "https://hocvuso.example.vn/xac-minh/7K2M-9QXD-4HPA".into(),
        kind: Default::default(),
    }
}

fn setup() -> (Issuer, IssuerKey) {
    let issuer = Issuer::did_web("https://hocvuso.example.vn", "Ban Chỉ đạo").expect("did");
    (issuer, IssuerKey::from_seed(&[7u8; 32]))
}

fn issued() -> (Issuer, IssuerKey, Value) {
    let (issuer, key) = setup();
    let vc = issue(
        &cert(),
        &issuer,
        &key,
        StatusEntry::nth("https://hocvuso.example.vn/trang-thai", 131_075),
    )
    .expect("issue");
    (issuer, key, vc)
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).expect("json")
}

#[test]
fn issue_then_verify_round_trip() {
    let (issuer, key, vc) = issued();
    assert_eq!(vc["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    assert_eq!(vc["proof"]["verificationMethod"], "did:web:hocvuso.example.vn#key-1");
    assert_eq!(
        vc["credentialStatus"]["statusListCredential"],
        "https://hocvuso.example.vn/trang-thai/1"
    );
    let v = verify(&bytes(&vc), &issuer, &[key.public_key()]).expect("genuine");
    assert_eq!(v.holder_name, "Nguyễn Thị Hồng Nhung");
    assert_eq!(v.achievement, cert().achievement);
    assert_eq!(v.level, "Trung cấp – mức 3");
    assert_eq!(v.issued, "2026-12-05T17:00:00Z");
    assert_eq!(v.code.as_str(), "7K2M-9QXD-4HPA");
    assert_eq!(v.status_index, 3);
    assert_eq!(v.status_list_url, "https://hocvuso.example.vn/trang-thai/1");
}

#[test]
fn one_changed_character_breaks_the_signature() {
    let (issuer, key, vc) = issued();
    let mut t = vc.clone();
    t["credentialSubject"]["name"] = "Nguyễn Thị Hồng Nhunh".into();
    assert_eq!(
        verify(&bytes(&t), &issuer, &[key.public_key()]),
        Err(Failure::SignatureMismatch)
    );
    let mut t = vc.clone();
    t["credentialSubject"]["result"][0]["value"] = "Nâng cao – mức 4".into();
    assert_eq!(
        verify(&bytes(&t), &issuer, &[key.public_key()]),
        Err(Failure::SignatureMismatch)
    );
    // An added property that no context defines would be dropped from the signed RDF: refused.
    let mut t = vc;
    t["credentialSubject"]["note"] = "x".into();
    assert_eq!(
        verify(&bytes(&t), &issuer, &[key.public_key()]),
        Err(Failure::UndefinedTerm { term: "note".into() })
    );
    let mut t = issued().2;
    t["type"].as_array_mut().expect("types").push("Forged".into());
    assert_eq!(
        verify(&bytes(&t), &issuer, &[key.public_key()]),
        Err(Failure::UndefinedTerm { term: "Forged".into() })
    );
}

#[test]
fn proof_removed_other_key_other_issuer() {
    let (issuer, key, vc) = issued();
    let mut t = vc.clone();
    t.as_object_mut().expect("object").remove("proof");
    assert_eq!(verify(&bytes(&t), &issuer, &[key.public_key()]), Err(Failure::NoProof));

    let stranger = IssuerKey::from_seed(&[8u8; 32]);
    let forged = issue(
        &cert(),
        &issuer,
        &stranger,
        StatusEntry::nth("https://hocvuso.example.vn/trang-thai", 3),
    )
    .expect("issue");
    assert_eq!(
        verify(&bytes(&forged), &issuer, &[key.public_key()]),
        Err(Failure::SignatureMismatch)
    );
    assert!(matches!(
        verify(&bytes(&vc), &issuer, &[]),
        Err(Failure::UnknownKey { .. })
    ));

    let elsewhere = Issuer::did_web("https://khac.example.vn", "Khác").expect("did");
    assert!(matches!(
        verify(&bytes(&vc), &elsewhere, &[key.public_key()]),
        Err(Failure::OtherIssuer { .. })
    ));

    let mut t = vc.clone();
    t["proof"]["cryptosuite"] = "ecdsa-rdfc-2019".into();
    assert_eq!(
        verify(&bytes(&t), &issuer, &[key.public_key()]),
        Err(Failure::WrongCryptosuite {
            found: "ecdsa-rdfc-2019".into()
        })
    );
    assert_eq!(
        verify(b"{not json", &issuer, &[key.public_key()]),
        Err(Failure::NotJson)
    );
    assert_eq!(
        verify(b"[1,2]", &issuer, &[key.public_key()]),
        Err(Failure::NotCredential)
    );
}

#[test]
fn unknown_contexts_are_refused_never_fetched() {
    let (issuer, key, vc) = issued();
    let mut t = vc.clone();
    t["@context"][1] = "https://evil.example/context.json".into();
    assert_eq!(
        verify(&bytes(&t), &issuer, &[key.public_key()]),
        Err(Failure::UnsupportedContext {
            url: "https://evil.example/context.json".into()
        })
    );
    let mut t = vc;
    t["credentialSubject"]["@context"] = json!({"name": "https://evil.example/name"});
    assert!(matches!(
        verify(&bytes(&t), &issuer, &[key.public_key()]),
        Err(Failure::UnsupportedContext { .. })
    ));
    // Even below verify's own check, the JSON-LD processor is never allowed to fetch.
    let doc = json!({"@context": "https://evil.example/c.json", "name": "x"});
    assert_eq!(
        canonical_nquads(&doc),
        Err(Failure::UnsupportedContext {
            url: "https://evil.example/c.json".into()
        })
    );
    let big = vec![b' '; MAX_CREDENTIAL_BYTES + 1];
    assert_eq!(verify(&big, &issuer, &[key.public_key()]), Err(Failure::NotCredential));
}

/// The app's loader is shared by every locale file, so these files are checked on their own:
/// same keys in both languages, and every key the code uses is there.
#[test]
fn every_message_is_in_both_languages() {
    fn keys(ftl: &str) -> Vec<&str> {
        let mut k: Vec<&str> = ftl
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(' '))
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k))
            .collect();
        k.sort_unstable();
        k
    }
    let vi = keys(include_str!("../../../../../locales/vi/certificate.ftl"));
    let en = keys(include_str!("../../../../../locales/en/certificate.ftl"));
    assert_eq!(vi, en);
    let all = [
        Failure::NotJson,
        Failure::NotCredential,
        Failure::NoProof,
        Failure::WrongCryptosuite { found: "x".into() },
        Failure::BadProof,
        Failure::OtherIssuer { found: "x".into() },
        Failure::UnknownKey { found: "x".into() },
        Failure::SignatureMismatch,
        Failure::UndefinedTerm { term: "x".into() },
        Failure::UnsupportedContext { url: "x".into() },
    ];
    let used = all.iter().map(|f| f.message().key).chain(
        [
            "certificate-vc-bad-base-url",
            "certificate-vc-bad-verify-url",
            "certificate-vc-bad-status-index",
            "certificate-vc-internal",
        ]
        .map(String::from),
    );
    for key in used {
        assert!(
            vi.contains(&key.as_str()),
            "{key} missing from locales/*/certificate.ftl"
        );
    }
}

#[test]
fn refuses_a_verify_url_without_the_code() {
    let (issuer, key) = setup();
    let mut c = cert();
    c.verify_url = "https://hocvuso.example.vn/xac-minh/AAAA-BBBB-CCCC".into();
    let e = issue(&c, &issuer, &key, StatusEntry::nth("https://x.vn/s", 0)).expect_err("wrong code");
    assert_eq!(e.key, "certificate-vc-bad-verify-url");
}

#[test]
fn status_list_sets_revoked_bits() {
    let (issuer, key) = setup();
    let url = "https://hocvuso.example.vn/trang-thai/0";
    let revoked = [0, 7, 8, 94_567, 131_071];
    let when = time::macros::datetime!(2026-12-06 10:00 UTC);
    let list = status_list(url, &issuer, &key, &revoked, when).expect("list");
    assert_eq!(list["type"][1], "BitstringStatusListCredential");
    assert_eq!(list["validFrom"], "2026-12-06T10:00:00Z");
    let encoded = list["credentialSubject"]["encodedList"].as_str().expect("encodedList");
    assert!(encoded.starts_with('u'));
    for i in [0u64, 1, 6, 7, 8, 9, 94_566, 94_567, 94_568, 131_070, 131_071] {
        assert_eq!(status_bit(encoded, i), Some(revoked.contains(&i)), "bit {i}");
    }
    assert_eq!(status_bit(encoded, 131_072), None);
    assert!(status_list(url, &issuer, &key, &[131_072], when).is_err());
    // Signed like a credential: the same proof checks pass on it.
    let mut proof = list["proof"].clone();
    let mut doc = list.clone();
    doc.as_object_mut().expect("object").remove("proof");
    let sig = proof
        .as_object_mut()
        .expect("proof")
        .remove("proofValue")
        .expect("proofValue");
    proof["@context"] = doc["@context"].clone();
    let data = hash_data(&proof, &doc).expect("canonical");
    let sig = bs58::decode(&sig.as_str().expect("str")[1..]).into_vec().expect("b58");
    let sig = ed25519_dalek::Signature::from_slice(&sig).expect("64 bytes");
    assert!(key.public_key().0.verify_strict(&data, &sig).is_ok());
}

#[test]
fn did_web_with_port_and_document() {
    let i = Issuer::did_web("http://localhost:8080/", "Thử").expect("did");
    assert_eq!(i.id, "did:web:localhost%3A8080");
    assert_eq!(i.did_document_url(), "https://localhost:8080/.well-known/did.json");
    let i = Issuer::did_web("https://HocVuSo.Example.VN", "Thử").expect("did");
    assert_eq!(i.id, "did:web:hocvuso.example.vn");
    for bad in [
        "hocvuso.vn",
        "https://",
        "https://x.vn/hocvuso",
        "https://x.vn:99999",
        "https://x.vn:",
        "https://user@x.vn",
        "ftp://x.vn",
    ] {
        assert!(Issuer::did_web(bad, "x").is_err(), "{bad}");
    }
    let key = IssuerKey::from_seed(&[1u8; 32]);
    let doc = i.did_document(&[key.public_key()]);
    let mb = doc["verificationMethod"][0]["publicKeyMultibase"]
        .as_str()
        .expect("multibase");
    assert!(mb.starts_with("z6Mk"), "{mb}");
    assert_eq!(PublicKey::from_multibase(mb), Some(key.public_key()));
    assert_eq!(doc["assertionMethod"][0], "did:web:hocvuso.example.vn#key-1");
    assert_eq!(doc["verificationMethod"][0]["type"], "Multikey");
    // The DID document itself is valid JSON-LD with the shipped contexts.
    assert!(canonical_nquads(&doc).is_ok());
    assert!(!format!("{key:?}").contains("1, 1"));
}

#[test]
fn status_entry_numbering() {
    assert_eq!(
        StatusEntry::nth("https://x.vn/trang-thai/", 0),
        StatusEntry {
            list_url: "https://x.vn/trang-thai/0".into(),
            index: 0
        }
    );
    assert_eq!(StatusEntry::nth("https://x.vn/s", 131_071).index, 131_071);
    assert_eq!(StatusEntry::nth("https://x.vn/s", 262_145).list_url, "https://x.vn/s/2");
}

#[test]
fn strict_canonical_form_is_the_plain_one_when_every_term_is_defined() {
    let (_, _, mut vc) = issued();
    let doc = vc.as_object_mut().expect("object");
    doc.remove("proof");
    let strict = strict_canonical(doc).expect("strict");
    assert_eq!(Ok(strict.clone()), canonical_nquads(&vc));
    assert!(strict.contains("\"Nguyễn Thị Hồng Nhung\""), "{strict}");
    assert!(
        strict.contains("<https://www.w3.org/ns/credentials/status#statusListIndex>"),
        "{strict}"
    );
}
