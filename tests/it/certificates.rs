//! Certificates after a passed final assessment, over HTTP on both databases (issue 10 §3–§4):
//! the holder downloads the PDF and the signed credential; a stranger checks the page the QR
//! code opens, the API and the credential file (with the key the platform publishes); one changed
//! character, a removed proof or another key's signature fails with its reason; an officer
//! revokes with a reason and the page, the API and the status list all say so; the unit's page
//! counts the confirmed person and the officer lists and exports them, audited.

use crate::assessment::{answer_all, attempt_of, stock_bank};
use crate::both;
use crate::helpers::{Backend, Client, TestApp, principal};
use hocvuso_core::certificate::credential::{self, Issuer, IssuerKey, PublicKey, StatusEntry};
use hocvuso_db::attainments;

const LEARNER: &str = "0900000008";
const OFFICER: &str = "0900000005";

/// The learner passes the final assessment: their certificate's code and the stored row.
async fn passed(t: &TestApp) -> (Client, attainments::Certificate) {
    stock_bank(t).await;
    let c = t.login(LEARNER).await;
    let r = c.post_form("/tests", "/tests/final", &[]).await;
    let id = attempt_of(&r);
    answer_all(t, &c, &id, |_| true).await;
    crate::assessment::submit(&c, &id).await;
    let person = principal(t, LEARNER).await.person_id.expect("a resident");
    let certs = attainments::certificates_of_person(&t.db, person).await.unwrap();
    assert_eq!(certs.len(), 1, "one certificate");
    (c, certs.into_iter().next().unwrap())
}

async fn post_json(c: &Client, path: &str, body: Vec<u8>) -> (u16, serde_json::Value) {
    let r = c
        .http
        .post(c.url(path))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

async fn certificate_journey(b: Backend) {
    let t = TestApp::spawn(b).await;
    let (learner, cert) = passed(&t).await;
    let code = cert.code.clone();

    // The holder's downloads.
    let r = learner.get(&format!("/certificates/{code}/pdf")).await;
    assert_eq!(r.status().as_u16(), 200, "{:?}", r.text().await);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let r = learner.get(&format!("/certificates/{code}/credential")).await;
    assert_eq!(r.status().as_u16(), 200, "{:?}", r.text().await);
    let vc_bytes = r.bytes().await.unwrap().to_vec();
    let vc: serde_json::Value = serde_json::from_slice(&vc_bytes).unwrap();
    assert_eq!(vc["credentialSubject"]["name"], cert.holder_name.as_str());
    assert_eq!(vc["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    // Nobody else downloads them: the officer of the commune neither.
    let officer = t.login(OFFICER).await;
    for path in [
        format!("/certificates/{code}/pdf"),
        format!("/certificates/{code}/credential"),
    ] {
        assert_eq!(officer.get(&path).await.status().as_u16(), 404, "{path}");
    }

    // A stranger: the page the QR code opens, no sign-in, the name masked.
    let stranger = t.client();
    let (s, page) = stranger.text(&format!("/xac-minh/{code}")).await;
    assert_eq!(s, 200);
    let masked = hocvuso_app::assessment::certificate::mask_name(&cert.holder_name);
    assert!(page.contains(&masked), "{page}");
    assert!(!page.contains(&cert.holder_name), "the full name is not public");
    assert!(page.contains("Giấy chứng nhận hợp lệ"), "{page}");
    // Typed from paper: lower case, no dashes, O for 0 — the same certificate.
    let typed = code.replace('-', "").to_lowercase();
    let r = stranger.get(&format!("/xac-minh/{typed}")).await;
    assert_eq!(r.status().as_u16(), 308);
    assert_eq!(r.headers()["location"], format!("/xac-minh/{code}").as_str());
    // A code that names nothing, or is no code: a Vietnamese 404.
    for bad in ["ZZZZ-ZZZZ-ZZZZ", "abc", "%27%20OR%201%3D1"] {
        let (s, body) = stranger.text(&format!("/xac-minh/{bad}")).await;
        assert_eq!(s, 404, "{bad}");
        assert!(body.contains("Không tìm thấy giấy chứng nhận"), "{bad}: {body}");
    }
    let (s, api) = stranger.text(&format!("/api/v1/certificates/{code}")).await;
    assert_eq!(s, 200);
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["status"], "valid");
    assert_eq!(api["holder"], masked.as_str());
    assert_eq!(
        stranger
            .get("/api/v1/certificates/ZZZZ-ZZZZ-ZZZZ")
            .await
            .status()
            .as_u16(),
        404
    );

    // The credential offline, with nothing but the key the platform publishes.
    let (s, did) = stranger.text(credential::DID_DOCUMENT_PATH).await;
    assert_eq!(s, 200);
    let did: serde_json::Value = serde_json::from_str(&did).unwrap();
    let published = PublicKey::from_multibase(did["verificationMethod"][0]["publicKeyMultibase"].as_str().unwrap())
        .expect("a Multikey");
    let issuer = Issuer {
        id: did["id"].as_str().unwrap().to_string(),
        name: String::new(),
    };
    let v = credential::verify(&vc_bytes, &issuer, &[published]).expect("verifies with the published key");
    assert_eq!(v.code.as_str(), code);
    assert_eq!(v.holder_name, cert.holder_name);

    // And through the API and the page's upload: genuine, then each forgery with its reason.
    let (s, ok) = post_json(&stranger, "/api/v1/credentials/verify", vc_bytes.clone()).await;
    assert_eq!(s, 200, "{ok}");
    assert_eq!(ok["certificate"]["status"], "valid");
    let changed = String::from_utf8(vc_bytes.clone())
        .unwrap()
        .replacen(&cert.holder_name, &format!("{}a", cert.holder_name), 1)
        .into_bytes();
    let mut no_proof = vc.clone();
    no_proof.as_object_mut().unwrap().remove("proof");
    let other_key = {
        let printed = hocvuso_app::assessment::certificate::printed(&t.app(), &cert).unwrap();
        let entry = StatusEntry::nth("http://x/credentials/status", cert.id as u64);
        let i = hocvuso_app::assessment::certificate::issuer(&t.app()).unwrap();
        credential::issue(&printed, &i, &IssuerKey::from_seed(&[7; 32]), entry).unwrap()
    };
    for (what, body, reason) in [
        ("one character changed", changed, "đã bị sửa đổi"),
        (
            "proof removed",
            serde_json::to_vec(&no_proof).unwrap(),
            "không có chữ ký số",
        ),
        ("another key", serde_json::to_vec(&other_key).unwrap(), "không khớp"),
        ("not JSON", b"{not json".to_vec(), "JSON"),
    ] {
        let (s, problem) = post_json(&stranger, "/api/v1/credentials/verify", body).await;
        assert_eq!(s, 422, "{what}: {problem}");
        let detail = problem.to_string();
        assert!(detail.contains(reason), "{what}: {detail}");
    }
    let checked = check_file(&stranger, &vc_bytes).await;
    assert!(checked.contains("Chữ ký số đúng"), "{checked}");
    let kind = hocvuso_core::i18n::t(hocvuso_core::Lang::Vi, "verify-kind-attainment");
    assert!(checked.contains(&format!("<dd>{kind}</dd>")), "{checked}");

    // The commune's page counts them; the officer lists and exports them, audited.
    let who = principal(&t, LEARNER).await;
    let w = hocvuso_db::people::whereabouts(&t.db, who.person_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    let path_ids: Vec<i64> = w.unit_path.split('/').filter_map(|s| s.parse().ok()).collect();
    let commune = hocvuso_db::units::get(&t.db, path_ids[2]).await.unwrap().unwrap();
    let (s, unit_page) = officer.text(&format!("/units/{}", commune.code)).await;
    assert_eq!(s, 200);
    let section = unit_page
        .split("id=\"confirmed-figures\"")
        .nth(1)
        .expect("the unit page shows confirmed figures");
    let group = hocvuso_core::i18n::t(hocvuso_core::Lang::Vi, &cert_group(&t, &cert).await.label_key());
    assert!(
        section.contains(&format!("<th scope=\"row\">{group}</th><td>1</td>")),
        "{section}"
    );
    let (s, list) = officer.text(&format!("/units/{}/confirmed", commune.code)).await;
    assert_eq!(s, 200);
    assert!(list.contains(&cert.holder_name), "{list}");
    let r = officer.get(&format!("/units/{}/confirmed.xlsx", commune.code)).await;
    assert_eq!(r.status().as_u16(), 200);
    let xlsx = r.bytes().await.unwrap();
    let rows = hocvuso_core::xlsx::read_rows(&xlsx, &hocvuso_core::xlsx::Limits::DEFAULT).expect("a workbook");
    assert!(
        rows.iter()
            .any(|r| r.cells.first().map(String::as_str) == Some(cert.holder_name.as_str())),
        "{rows:?}"
    );
    let r = officer.get(&format!("/units/{}/certificates.pdf", commune.code)).await;
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let actions = audit_actions(&t).await;
    for a in ["attainment.list", "attainment.export", "certificate.batch"] {
        assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
    }

    // Revocation: a reason is required; then the page, the API and the status list say so.
    let person_page = format!("/people/{}", cert.person_id);
    let action = format!("/people/{}/certificates/revoke", cert.person_id);
    let r = officer
        .post_form(&person_page, &action, &[("code", code.as_str()), ("reason", "  ")])
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(
        attainments::certificate_by_code(&t.db, &code)
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_none()
    );
    let r = officer
        .post_form(
            &person_page,
            &action,
            &[("code", code.as_str()), ("reason", "Thi hộ, đã xác minh lại")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = officer
        .post_form(&person_page, &action, &[("code", code.as_str()), ("reason", "lần nữa")])
        .await;
    assert_eq!(r.status().as_u16(), 409, "revoked once");
    let (_, page) = stranger.text(&format!("/xac-minh/{code}")).await;
    assert!(page.contains("đã bị thu hồi"), "{page}");
    let (_, api) = stranger.text(&format!("/api/v1/certificates/{code}")).await;
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["status"], "revoked");
    let list_url = vc["credentialStatus"]["statusListCredential"].as_str().unwrap();
    let index: u64 = vc["credentialStatus"]["statusListIndex"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let path = list_url
        .split_once("/credentials/")
        .map(|(_, p)| format!("/credentials/{p}"))
        .unwrap();
    let (s, list) = stranger.text(&path).await;
    assert_eq!(s, 200);
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let bits = list["credentialSubject"]["encodedList"].as_str().unwrap();
    assert_eq!(credential::status_bit(bits, index), Some(true), "revoked in the list");
    assert_eq!(credential::status_bit(bits, index + 1), Some(false));
    assert!(audit_actions(&t).await.contains(&"certificate.revoke".to_string()));
    t.finish().await;
}
both!(certificates_end_to_end, certificate_journey);

async fn cert_group(t: &TestApp, cert: &attainments::Certificate) -> hocvuso_core::people::TargetGroup {
    attainments::of_person(&t.db, cert.person_id).await.unwrap()[0].target_group
}

async fn audit_actions(t: &TestApp) -> Vec<String> {
    use sea_query::{Expr, Query};
    let rows: Vec<hocvuso_db::Scalar<String>> =
        t.db.fetch_all(
            Query::select()
                .expr(Expr::col(hocvuso_db::audit::AuditLog::Action))
                .from(hocvuso_db::audit::AuditLog::Table),
        )
        .await
        .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

/// A final assessment conducted in person (issue 10 §2): the commune's officer starts it from the
/// person's page, enters the answers on their own device, and the confirmation and certificate
/// say it was taken in person; an officer of another commune cannot start one.
async fn conducted_in_person(b: Backend) {
    use hocvuso_db::people::SearchTerm;
    let t = TestApp::spawn(b).await;
    use hocvuso_core::people::TargetGroup;
    let (commune, other) = crate::helpers::officer_units(&t).await;
    let learner = principal(&t, LEARNER).await.person_id;
    // An elderly resident the officer registers: no account, the test read to them.
    let officer = t.login(OFFICER).await;
    let form = format!("/units/{}/people/new", commune.code);
    let r = officer
        .post_form(
            &form,
            &form,
            &[
                ("full_name", "Hà Thị Lụa"),
                ("birth_date", "12/03/1948"),
                ("sex", "female"),
                ("personal_id", "019148000777"),
                ("consent", "paper"),
                ("group_resident", "1"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{:?}", r.text().await);
    let group = TargetGroup::Resident;
    let found = hocvuso_db::people::search(
        &t.db,
        &t.vault,
        &crate::helpers::sees(&commune.path),
        &SearchTerm::Everyone,
        None,
        200,
    )
    .await
    .unwrap()
    .people;
    let person = found.iter().find(|p| p.full_name == "Hà Thị Lụa").expect("registered");
    assert!(Some(person.id) != learner);
    let page = format!("/people/{}", person.id);
    let action = format!("/people/{}/assessment", person.id);

    // Not from another commune.
    let stranger = t.login("0900000006").await;
    assert_ne!(other.id, commune.id);
    let r = stranger.post_form("/me", &action, &[("group", group.as_str())]).await;
    assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());

    let (s, body) = officer.text(&page).await;
    assert_eq!(s, 200);
    assert!(
        body.contains(&format!("action=\"{action}\"")),
        "the person's page offers it"
    );
    let r = officer.post_form(&page, &action, &[("group", group.as_str())]).await;
    let id = attempt_of(&r);
    let a = hocvuso_db::attempts::by_public_id(&t.db, &id).await.unwrap().unwrap();
    assert_eq!(a.person_id, Some(person.id));
    assert_eq!(a.mode, hocvuso_core::assessment::exam::Mode::InPerson);
    let me = hocvuso_db::accounts::by_phone(&t.db, OFFICER).await.unwrap().unwrap();
    assert_eq!(a.conducted_by, Some(me.id));
    // The learner of the commune cannot open it.
    let learner_c = t.login(LEARNER).await;
    assert_eq!(learner_c.text(&format!("/tests/attempt/{id}/1")).await.0, 404);
    answer_all(&t, &officer, &id, |_| true).await;
    crate::assessment::submit(&officer, &id).await;
    let confirmed = attainments::of_person(&t.db, person.id).await.unwrap();
    assert_eq!(confirmed.len(), 1);
    assert_eq!(confirmed[0].method, attainments::Method::InPerson);
    assert_eq!(
        attainments::certificates_of_person(&t.db, person.id)
            .await
            .unwrap()
            .len(),
        1
    );
    let (_, list) = officer.text(&format!("/units/{}/confirmed", commune.code)).await;
    assert!(list.contains("Đánh giá trực tiếp"), "the list says how");
    t.finish().await;
}
both!(in_person_assessment, conducted_in_person);

/// A credential file checked from the verification page, as a stranger uploads it: the page.
pub(crate) async fn check_file(c: &Client, bytes: &[u8]) -> String {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("chung-nhan.json"),
    );
    let r = c
        .http
        .post(c.url("/xac-minh/tep"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.text().await.unwrap()
}
