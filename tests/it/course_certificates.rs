//! Certificates of completing a course (issue 10 §4, "and for courses where the author asks"),
//! over HTTP on both databases: a shipped course that asks for one gives the learner exactly one
//! when they complete every lesson — PDF, public page, API, signed credential, status list and
//! revocation as for attainments — and it counts nowhere attainments are counted; a course that
//! does not ask gives none; an account with no person record gets none and is told why; an author
//! turns the setting on from the course's page, audited, and the package carries it.

use crate::both;
use crate::helpers::{Backend, Client, TestApp, principal, sees};
use hocvuso_core::certificate::credential::{self, Issuer, PublicKey};
use hocvuso_db::attainments;
use hocvuso_db::learning as ldb;
use std::process::Command;

const LEARNER: &str = "0900000008";
const OFFICER: &str = "0900000005";
/// Shipped with `completion_certificate = true` (a course for civil servants).
const COURSE: &str = "van-ban-dien-tu-chu-ky-so";
/// Shipped without it.
const PLAIN: &str = "nhan-biet-lua-dao";

/// Enrols and marks every lesson done, as the learner's buttons do; the slugs of the lessons.
async fn complete(t: &TestApp, c: &Client, slug: &str) -> Vec<String> {
    let course = ldb::course_by_slug(&t.db, slug).await.unwrap().unwrap();
    let r = c
        .post_form(&format!("/learn/{slug}"), &format!("/learn/{slug}/enrol"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303, "{slug}: enrol");
    let lessons: Vec<String> = ldb::lessons(&t.db, course.id)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.slug)
        .collect();
    for l in &lessons {
        let r = c
            .post_form(&format!("/learn/{slug}/{l}"), &format!("/learn/{slug}/{l}/done"), &[])
            .await;
        assert_eq!(r.status().as_u16(), 303, "{slug}/{l}: {:?}", r.text().await);
    }
    lessons
}

async fn course_certificates(t: &TestApp, slug: &str) -> Vec<attainments::Certificate> {
    let course = ldb::course_by_slug(&t.db, slug).await.unwrap().unwrap();
    let mut out = Vec::new();
    for p in [LEARNER, OFFICER] {
        if let Some(person) = principal(t, p).await.person_id {
            out.extend(attainments::course_certificate(&t.db, person, course.id).await.unwrap());
        }
    }
    out
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

/// The words of a PDF as poppler reads them (poppler-utils is installed by scripts/test).
fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args([path.as_os_str(), std::ffi::OsStr::new("-")])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    // Lines wrap where the page does: compare the words.
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn completing_a_certificate_course(b: Backend) {
    let t = TestApp::spawn(b).await;
    let course = ldb::course_by_slug(&t.db, COURSE).await.unwrap().unwrap();
    assert!(course.completion_certificate, "the shipped course.toml asks for it");
    let plain = ldb::course_by_slug(&t.db, PLAIN).await.unwrap().unwrap();
    assert!(!plain.completion_certificate);
    let title = ldb::texts_of_course(&t.db, course.id)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.lang == hocvuso_core::learning::ContentLang::Vi)
        .unwrap()
        .title;
    let who = principal(&t, LEARNER).await;
    let person = who.person_id.expect("the demo learner has a person record");
    let learner = t.login(LEARNER).await;

    // The course page says what completing it gives.
    let (_, page) = learner.text(&format!("/learn/{COURSE}")).await;
    assert!(page.contains("Giấy chứng nhận hoàn thành"), "{page}");

    // A course that does not ask gives nothing.
    complete(&t, &learner, PLAIN).await;
    assert!(
        attainments::certificates_of_person(&t.db, person)
            .await
            .unwrap()
            .is_empty()
    );

    let lessons = complete(&t, &learner, COURSE).await;
    let certs = attainments::certificates_of_person(&t.db, person).await.unwrap();
    assert_eq!(certs.len(), 1, "{certs:?}");
    let cert = certs[0].clone();
    assert_eq!(cert.course_id, Some(course.id));
    assert_eq!(cert.attainment_id, None);
    assert_eq!(cert.achievement, format!("Hoàn thành khóa học «{title}»"));
    let w = hocvuso_db::people::whereabouts(&t.db, person).await.unwrap().unwrap();
    let holder = hocvuso_db::people::get(
        &t.db,
        &sees::<hocvuso_core::access::act::ViewPeople>(&w.unit_path),
        person,
    )
    .await
    .unwrap()
    .unwrap()
    .full_name;
    assert_eq!(cert.holder_name, holder);
    // The shipped course is of DigComp level 3.
    assert_eq!(course.level, "3");
    assert_eq!(cert.level, "Trung cấp – mức 3", "the course's level, named");
    // The issuing body as for attainments: the platform's, with the holder's province.
    let province_id: i64 = w.unit_path.split('/').filter_map(|s| s.parse().ok()).nth(1).unwrap();
    let province = hocvuso_db::units::get(&t.db, province_id).await.unwrap().unwrap();
    assert_eq!(cert.issuer_name, format!("{} – {}", t.app().issuer_name, province.name));
    assert!(audit_actions(&t).await.contains(&"certificate.issue".to_string()));
    let code = cert.code.clone();

    // Completing again (a lesson posted twice) issues no second one.
    let last = lessons.last().unwrap();
    let r = learner
        .post_form(
            &format!("/learn/{COURSE}/{last}"),
            &format!("/learn/{COURSE}/{last}/done"),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        attainments::certificates_of_person(&t.db, person).await.unwrap().len(),
        1
    );

    // Where the learner finds it: the course page and the tests page with their certificates.
    let (_, page) = learner.text(&format!("/learn/{COURSE}")).await;
    assert!(page.contains(&format!("href=\"/certificates/{code}/pdf\"")), "{page}");
    let (_, hub) = learner.text("/tests").await;
    assert!(hub.contains(&format!("href=\"/certificates/{code}/pdf\"")), "{hub}");
    assert!(hub.contains(&cert.achievement), "{hub}");

    // The PDF names the holder and the course.
    let r = learner.get(&format!("/certificates/{code}/pdf")).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let words = pdftotext(&r.bytes().await.unwrap());
    assert!(words.contains(&holder), "{words}");
    let achievement_words = cert.achievement.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains(&achievement_words), "{words}");
    assert!(words.contains("Trình độ của khóa học: Trung cấp – mức 3"), "{words}");
    assert!(words.contains(&code), "{words}");

    // A stranger: the page (masked name, a course completion, valid) and the API.
    let stranger = t.client();
    let masked = hocvuso_app::assessment::certificate::mask_name(&holder);
    let (s, page) = stranger.text(&format!("/xac-minh/{code}")).await;
    assert_eq!(s, 200);
    assert!(page.contains(&masked), "{page}");
    assert!(!page.contains(&holder), "the full name is not public");
    assert!(page.contains("Hoàn thành một khóa học"), "{page}");
    assert!(page.contains("Giấy chứng nhận hợp lệ"), "{page}");
    let (s, api) = stranger.text(&format!("/api/v1/certificates/{code}")).await;
    assert_eq!(s, 200);
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["kind"], "course_completion");
    assert_eq!(api["status"], "valid");
    assert_eq!(api["holder"], masked.as_str());
    assert_eq!(api["achievement"], cert.achievement.as_str());

    // The signed credential: an OB 3.0 "Course" achievement, checked with the published key.
    let r = learner.get(&format!("/certificates/{code}/credential")).await;
    assert_eq!(r.status().as_u16(), 200);
    let vc_bytes = r.bytes().await.unwrap().to_vec();
    let vc: serde_json::Value = serde_json::from_slice(&vc_bytes).unwrap();
    assert_eq!(vc["credentialSubject"]["achievement"]["achievementType"], "Course");
    assert_eq!(vc["credentialSubject"]["name"], holder.as_str());
    let (_, did) = stranger.text(credential::DID_DOCUMENT_PATH).await;
    let did: serde_json::Value = serde_json::from_str(&did).unwrap();
    let key = PublicKey::from_multibase(did["verificationMethod"][0]["publicKeyMultibase"].as_str().unwrap()).unwrap();
    let issuer = Issuer {
        id: did["id"].as_str().unwrap().to_string(),
        name: String::new(),
    };
    let v = credential::verify(&vc_bytes, &issuer, &[key]).expect("verifies");
    assert_eq!(v.code.as_str(), code);
    assert_eq!(v.achievement, cert.achievement);
    let r = stranger
        .http
        .post(stranger.url("/api/v1/credentials/verify"))
        .header("content-type", "application/json")
        .body(vc_bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // The file checked from the verification page says which kind it is too.
    let checked = crate::certificates::check_file(&stranger, &vc_bytes).await;
    assert!(checked.contains("Chữ ký số đúng"), "{checked}");
    let kind = hocvuso_core::i18n::t(hocvuso_core::Lang::Vi, "verify-kind-course_completion");
    assert!(checked.contains(&format!("<dd>{kind}</dd>")), "{checked}");

    // Never an attainment: the person has none, the unit's figures, the officer's list, its
    // spreadsheet and the batch to print do not have them.
    assert!(attainments::of_person(&t.db, person).await.unwrap().is_empty());
    let ids: Vec<i64> = w.unit_path.split('/').filter_map(|s| s.parse().ok()).collect();
    let commune = hocvuso_db::units::get(&t.db, ids[2]).await.unwrap().unwrap();
    let officer = t.login(OFFICER).await;
    let (_, unit_page) = officer.text(&format!("/units/{}", commune.code)).await;
    let figures = unit_page
        .split("id=\"confirmed-figures\"")
        .nth(1)
        .expect("the unit page shows confirmed figures");
    for g in w.groups.iter() {
        let label = hocvuso_core::i18n::t(hocvuso_core::Lang::Vi, &g.label_key());
        assert!(
            figures.contains(&format!("<th scope=\"row\">{label}</th><td>0</td>")),
            "{label}: {figures}"
        );
    }
    let (s, list) = officer.text(&format!("/units/{}/confirmed", commune.code)).await;
    assert_eq!(s, 200);
    assert!(!list.contains(&holder), "{list}");
    let r = officer.get(&format!("/units/{}/confirmed.xlsx", commune.code)).await;
    let rows = hocvuso_core::xlsx::read_rows(&r.bytes().await.unwrap(), &hocvuso_core::xlsx::Limits::DEFAULT).unwrap();
    assert!(!rows.iter().any(|r| r.cells.iter().any(|c| c == &holder)), "{rows:?}");
    assert!(
        attainments::certificates_in_scope(&t.db, &sees(&commune.path), 100)
            .await
            .unwrap()
            .is_empty(),
        "a unit's batch prints certificates of attainment only"
    );

    // Revoked by the commune's officer: the page, the API, the status list and the course page.
    let person_page = format!("/people/{person}");
    let r = officer
        .post_form(
            &person_page,
            &format!("/people/{person}/certificates/revoke"),
            &[("code", code.as_str()), ("reason", "Học hộ, đã xác minh lại")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
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
    let (_, list) = stranger.text(&path).await;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let bits = list["credentialSubject"]["encodedList"].as_str().unwrap();
    assert_eq!(credential::status_bit(bits, index), Some(true));
    let (_, page) = learner.text(&format!("/learn/{COURSE}")).await;
    assert!(page.contains("Đã thu hồi"), "{page}");

    // An account with no person record (the officer's own) completes it: no certificate, no
    // error, and the course page says why.
    assert!(principal(&t, OFFICER).await.person_id.is_none());
    complete(&t, &officer, COURSE).await;
    assert_eq!(
        course_certificates(&t, COURSE).await.len(),
        1,
        "still the learner's only"
    );
    let (s, page) = officer.text(&format!("/learn/{COURSE}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("chưa gắn với hồ sơ người dân"), "{page}");
    t.finish().await;
}
both!(course_certificate_end_to_end, completing_a_certificate_course);

/// An author turns the certificate on from the course's page (no file edited), audited; an
/// author of another unit cannot; the exported package carries the setting; a learner who
/// completes the course then gets one.
async fn an_author_asks_for_a_certificate(b: Backend) {
    let t = TestApp::spawn(b).await;
    let author = t.login("0900000009").await;
    let page = format!("/author/{PLAIN}");
    let (s, body) = author.text(&page).await;
    assert_eq!(s, 200);
    assert!(body.contains("id=\"completion-certificate\""), "{body}");
    assert!(!body.contains("name=\"on\" value=\"1\" checked"));

    // A province's author may not change a national course.
    let other = t.login("0900000004").await;
    let r = other
        .post_form("/author", &format!("/author/{PLAIN}/certificate"), &[("on", "1")])
        .await;
    assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
    assert!(
        !ldb::course_by_slug(&t.db, PLAIN)
            .await
            .unwrap()
            .unwrap()
            .completion_certificate
    );

    let r = author
        .post_form(&page, &format!("/author/{PLAIN}/certificate"), &[("on", "1")])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(
        ldb::course_by_slug(&t.db, PLAIN)
            .await
            .unwrap()
            .unwrap()
            .completion_certificate
    );
    let (_, body) = author.text(&page).await;
    assert!(body.contains("name=\"on\" value=\"1\" checked"), "{body}");
    assert!(audit_actions(&t).await.contains(&"course.certificate_set".to_string()));

    let r = author.get(&format!("/author/{PLAIN}/package")).await;
    assert_eq!(r.status().as_u16(), 200);
    let files = hocvuso_core::learning::package::read_zip(&r.bytes().await.unwrap()).expect("a package");
    let back = hocvuso_core::learning::Course::from_files(&files).expect("reads back");
    assert!(back.completion_certificate, "the package carries the setting");

    let learner = t.login(LEARNER).await;
    complete(&t, &learner, PLAIN).await;
    let certs = course_certificates(&t, PLAIN).await;
    assert_eq!(certs.len(), 1);
    assert!(certs[0].achievement.starts_with("Hoàn thành khóa học «"));

    // Turned off again (the box unticked): later completions give none.
    let r = author
        .post_form(&page, &format!("/author/{PLAIN}/certificate"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(
        !ldb::course_by_slug(&t.db, PLAIN)
            .await
            .unwrap()
            .unwrap()
            .completion_certificate
    );
    t.finish().await;
}
both!(author_sets_course_certificate, an_author_asks_for_a_certificate);
