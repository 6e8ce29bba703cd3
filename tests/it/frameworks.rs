//! Frameworks corrected by the national steering committee and the tables of required levels a
//! province sets per year (issue 9 §1), on both databases: a correction is stored as a new version
//! with the original kept, shown on the pages and the API, audited; a stale second correction is
//! refused and the first kept; installing the shipped data again keeps the correction; a province's
//! table changes what its learners must learn and nobody else's; years fall back; bad cells are
//! refused with nothing stored; other provinces' steering committees are refused.

use crate::both;
use crate::helpers::{Backend, Client, TestApp, officer_units, sees};
use hocvuso_app::learning::admin::{self, RequirementSource};
use hocvuso_core::access::act;
use hocvuso_db::audit::{self, Filter, Reader};
use hocvuso_db::learning as db;
use hocvuso_db::units::{self, Unit};
use serde_json::Value;

const ADMIN: &str = "0900000001"; // system administrator of the country
const STEERING: &str = "0900000002"; // steering committee of province 19

fn digest_of(page: &str) -> String {
    let i = page.find("name=\"digest\" value=\"").expect("a digest in the form");
    let rest = &page[i + 21..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn post(c: &Client, page: &str, action: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
    let r = c.post_form(page, action, fields).await;
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, location, r.text().await.unwrap_or_default())
}

async fn entries(t: &TestApp, action: &str) -> Vec<audit::AuditRow> {
    audit::list(
        &t.db,
        Reader::Within(&sees::<act::ViewAudit>("/")),
        &Filter::default(),
        100_000,
    )
    .await
    .unwrap()
    .into_iter()
    .filter(|r| r.action == action)
    .collect()
}

fn competence_name(doc: &str, code: &str) -> String {
    let f: hocvuso_core::learning::Framework = serde_json::from_str(doc).unwrap();
    f.competence(code).unwrap().name.clone()
}

async fn corrections(b: Backend) {
    let t = TestApp::spawn(b).await;
    let shipped = db::framework(&t.db, "digcomp22").await.unwrap().unwrap();
    assert!(shipped.corrected_from.is_none());
    let original_11 = competence_name(&shipped.document, "1.1");
    let original_12 = competence_name(&shipped.document, "1.2");

    // Public pages: the list says it is as shipped.
    let anon = t.client();
    let (s, list) = anon.text("/frameworks").await;
    assert_eq!(s, 200);
    assert!(
        list.contains("/frameworks/digcomp22") && list.contains("Như dữ liệu phát hành"),
        "{list}"
    );
    let (s, page) = anon.text("/frameworks/digcomp22").await;
    assert_eq!(s, 200);
    assert!(page.contains(&original_11));

    // The province's steering committee may not correct a national framework.
    let province = t.login(STEERING).await;
    assert_eq!(province.get("/frameworks/digcomp22/edit").await.status(), 403);
    let token = province.csrf("/me").await;
    let r = province
        .http
        .post(province.url("/frameworks/digcomp22/edit"))
        .form(&[
            ("_csrf", token.as_str()),
            ("digest", shipped.digest.as_str()),
            ("competence:1.1:name", "Không được lưu"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        db::framework(&t.db, "digcomp22").await.unwrap().unwrap().digest,
        shipped.digest
    );

    // The national administrator corrects one name.
    let admin = t.login(ADMIN).await;
    let (s, form) = admin.text("/frameworks/digcomp22/edit").await;
    assert_eq!(s, 200);
    let digest = digest_of(&form);
    assert_eq!(digest, shipped.digest);
    let corrected = "Duyệt, tìm kiếm và lọc dữ liệu (đã hiệu đính)";
    let (s, location, _) = post(
        &admin,
        "/frameworks/digcomp22/edit",
        "/frameworks/digcomp22/edit",
        &[("digest", &digest), ("competence:1.1:name", corrected)],
    )
    .await;
    assert_eq!((s, location.as_str()), (303, "/frameworks/digcomp22?saved=1"));
    let stored = db::framework(&t.db, "digcomp22").await.unwrap().unwrap();
    assert_eq!(competence_name(&stored.document, "1.1"), corrected);
    assert_eq!(competence_name(&stored.document, "1.2"), original_12);
    assert_eq!(stored.corrected_from.as_deref(), Some(shipped.digest.as_str()));
    assert_ne!(stored.digest, shipped.digest);
    // Both versions kept: the shipped original as version 0, the correction as 1.
    let versions = db::framework_versions(&t.db, "digcomp22").await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.version_no, v.digest.clone()))
            .collect::<Vec<_>>(),
        vec![(0, shipped.digest.clone()), (1, stored.digest.clone())]
    );
    assert_eq!(versions[0].document, shipped.document);
    assert_eq!(versions[1].document, stored.document);

    // Shown on the pages and served by the API.
    let (_, page) = anon.text("/frameworks/digcomp22").await;
    assert!(page.contains(corrected) && !page.contains(&original_11), "{page}");
    let (_, list) = anon.text("/frameworks").await;
    assert!(list.contains("Đã được Ban Chỉ đạo hiệu đính"), "{list}");
    let api: Value = anon.get("/api/v1/frameworks/digcomp22").await.json().await.unwrap();
    let api_11 = api["areas"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["competences"].as_array().unwrap().iter())
        .find(|c| c["code"] == "1.1")
        .unwrap()["name"]
        .clone();
    assert_eq!(api_11, corrected);

    // The audit event says what changed.
    let audited = entries(&t, "framework.correct").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].object_id, "digcomp22");
    let detail: Value = serde_json::from_str(&audited[0].detail).unwrap();
    assert_eq!(
        detail["changes"],
        serde_json::json!([{"field": "competence:1.1:name", "before": original_11, "after": corrected}])
    );
    assert_eq!(detail["from"], shipped.digest.as_str());
    assert_eq!(detail["to"], stored.digest.as_str());

    // A second correction made from the page as it was before the first one is refused and
    // stores nothing: the first stays.
    let (s, _, text) = post(
        &admin,
        "/frameworks/digcomp22/edit",
        "/frameworks/digcomp22/edit",
        &[("digest", &digest), ("competence:1.2:name", "Bản cũ ghi đè")],
    )
    .await;
    assert_eq!(s, 409);
    assert!(text.contains("vừa được người khác hiệu đính"), "{text}");
    let after = db::framework(&t.db, "digcomp22").await.unwrap().unwrap();
    assert_eq!(after.digest, stored.digest);
    assert_eq!(competence_name(&after.document, "1.1"), corrected);
    assert_eq!(competence_name(&after.document, "1.2"), original_12);
    assert_eq!(entries(&t, "framework.correct").await.len(), 1);

    // A bad correction names the field and stores nothing.
    let (s, _, text) = post(
        &admin,
        "/frameworks/digcomp22/edit",
        "/frameworks/digcomp22/edit",
        &[("digest", &stored.digest), ("level:1:name", "   ")],
    )
    .await;
    assert_eq!(s, 422);
    assert!(text.contains("không được để trống"), "{text}");
    assert_eq!(
        db::framework(&t.db, "digcomp22").await.unwrap().unwrap().digest,
        stored.digest
    );

    // Two corrections from the same version at once: one is stored, the other is told.
    let first = [("digest", stored.digest.as_str()), ("competence:2.1:name", "Bản A")];
    let second = [("digest", stored.digest.as_str()), ("competence:2.2:name", "Bản B")];
    let edit = "/frameworks/digcomp22/edit";
    let (a, b2) = tokio::join!(post(&admin, edit, edit, &first), post(&admin, edit, edit, &second));
    let mut statuses = [a.0, b2.0];
    statuses.sort();
    assert_eq!(statuses, [303, 409]);
    let now = db::framework(&t.db, "digcomp22").await.unwrap().unwrap();
    let (a_name, b_name) = (
        competence_name(&now.document, "2.1"),
        competence_name(&now.document, "2.2"),
    );
    assert!(
        (a.0 == 303 && a_name == "Bản A" && b_name != "Bản B")
            || (b2.0 == 303 && b_name == "Bản B" && a_name != "Bản A"),
        "{a_name} / {b_name}"
    );
    assert_eq!(db::framework_versions(&t.db, "digcomp22").await.unwrap().len(), 3);

    // Installing the shipped data again (as every start does) keeps the correction.
    let report = hocvuso_app::learning::install_shipped(&t.app()).await.unwrap();
    assert_eq!(report.frameworks_kept_local, 1);
    let reinstalled = db::framework(&t.db, "digcomp22").await.unwrap().unwrap();
    assert_eq!(reinstalled.document, now.document);
    assert_eq!(reinstalled.corrected_from.as_deref(), Some(shipped.digest.as_str()));
    // The others are still as shipped.
    assert!(
        db::framework(&t.db, "tt02-2025")
            .await
            .unwrap()
            .unwrap()
            .corrected_from
            .is_none()
    );
    t.finish().await;
}
both!(framework_corrections, corrections);

/// A resident (target group: residents) with an account in `unit`, signed in.
async fn learner_in(t: &TestApp, unit: &Unit, pid: &str, phone: &str) -> Client {
    let today = time::OffsetDateTime::now_utc().date();
    let input = hocvuso_core::people::PersonForm {
        full_name: "Người Học Thử".into(),
        birth_date: "01/01/1990".into(),
        sex: "Nam".into(),
        personal_id: pid.into(),
        groups: "Người dân".into(),
        ..Default::default()
    }
    .validate(today)
    .unwrap();
    let pw = "Hoc@2026vui";
    let mut tx = t.db.begin().await.unwrap();
    let person = hocvuso_db::people::insert(
        &mut tx,
        &t.vault,
        &input,
        &hocvuso_db::people::Placement {
            residence: unit,
            workplace_id: None,
            household_id: None,
        },
        None,
    )
    .await
    .unwrap();
    hocvuso_db::accounts::create(
        &mut tx,
        hocvuso_db::accounts::NewAccount {
            display_name: "Người Học Thử",
            phone: Some(phone),
            pid_index: None,
            person_id: Some(person),
            password_hash: hocvuso_core::password::hash(pw),
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let c = t.client();
    assert_eq!(c.login(phone, pw).await.status(), 303);
    c
}

/// What the signed-in learner must learn, as the API says: (framework, competence, level).
async fn must_learn(c: &Client) -> Vec<(String, String, String)> {
    let p: Value = c.get("/api/v1/me/progress").await.json().await.unwrap();
    let mut out: Vec<(String, String, String)> = p["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["framework"].as_str().unwrap().to_string(),
                r["competence"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The courses the catalogue marks as teaching a competence the signed-in learner must reach.
async fn marked_for_me(c: &Client) -> Vec<String> {
    let (_, page) = c.text("/learn").await;
    let mut out: Vec<String> = page
        .split("<li class=\"card\">")
        .skip(1)
        .filter(|card| card.contains("class=\"for-me\""))
        .map(|card| {
            let at = card.find("href=\"/learn/").expect("a course link") + 13;
            card[at..].split(['"', '?']).next().unwrap().to_string()
        })
        .collect();
    out.sort();
    out
}

/// The published courses teaching any of `competences`, as the catalogue should mark them.
async fn teaching(t: &TestApp, competences: &[(String, String, String)]) -> Vec<String> {
    let links = db::course_competences(&t.db).await.unwrap();
    let mut out: Vec<String> = db::courses(&t.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.status.open_to_learners())
        .filter(|c| {
            links.iter().any(|l| {
                l.owner_id == c.id
                    && competences
                        .iter()
                        .any(|(f, code, _)| *f == l.framework_id && *code == l.code)
            })
        })
        .map(|c| c.slug)
        .collect();
    out.sort();
    out
}

fn resident_rows(rows: &[db::Requirement]) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = rows
        .iter()
        .filter(|r| r.target_group == "resident")
        .map(|r| (r.framework_id.clone(), r.competence.clone(), r.level.clone()))
        .collect();
    out.sort();
    out
}

async fn province_tables(b: Backend) {
    let t = TestApp::spawn(b).await;
    let year = time::OffsetDateTime::now_utc().year();
    let (commune, _) = officer_units(&t).await;
    let province = units::by_code(&t.db, "19").await.unwrap().unwrap();
    let hanoi = units::by_code(&t.db, "01").await.unwrap().unwrap();
    let hanoi_commune = units::children(&t.db, hanoi.id).await.unwrap().remove(0);
    let country = admin::country(&t.app()).await.unwrap();
    let national = db::requirements_of(&t.db, &country.path, year).await.unwrap();
    assert!(
        !resident_rows(&national).is_empty(),
        "the shipped national table is installed"
    );

    let here = learner_in(&t, &commune, "019090000777", "0911000001").await;
    let there = learner_in(&t, &hanoi_commune, "001090000778", "0911000002").await;
    assert_eq!(must_learn(&here).await, resident_rows(&national));
    assert_eq!(must_learn(&there).await, resident_rows(&national));

    // The province's steering committee sets its table for this year.
    let steering = t.login(STEERING).await;
    let page = format!("/units/{}/requirements", province.code);
    let (s, text) = steering.text(&page).await;
    assert_eq!(s, 200);
    assert!(
        text.contains("name=\"resident:digcomp22:1.1\""),
        "the form has a cell per competence"
    );
    let y = year.to_string();
    let (s, location, _) = post(
        &steering,
        &page,
        &page,
        &[
            ("year", &y),
            ("resident:digcomp22:3.4", "7"),
            ("resident:digcomp22:1.1", "4"),
            ("resident:digcomp22:1.2", ""),
            ("worker:digcomp22:1.1", "3"),
        ],
    )
    .await;
    assert_eq!((s, location), (303, format!("{page}?year={year}&saved=1")));
    let mine = vec![
        ("digcomp22".to_string(), "1.1".to_string(), "4".to_string()),
        ("digcomp22".to_string(), "3.4".to_string(), "7".to_string()),
    ];
    assert_eq!(must_learn(&here).await, mine);
    // A learner of another province still follows the national table.
    assert_eq!(must_learn(&there).await, resident_rows(&national));
    // The catalogue marks the courses teaching what each must learn.
    let here_marked = teaching(&t, &mine).await;
    assert!(!here_marked.is_empty(), "a shipped course teaches digcomp22 1.1");
    assert_eq!(marked_for_me(&here).await, here_marked);
    let there_marked = teaching(&t, &resident_rows(&national)).await;
    assert_ne!(here_marked, there_marked, "the two tables mark different courses");
    assert_eq!(marked_for_me(&there).await, there_marked);
    assert!(
        marked_for_me(&t.client()).await.is_empty(),
        "nothing marked for a visitor"
    );
    let audited = entries(&t, "requirements.set").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].object_id, "19");
    let detail: Value = serde_json::from_str(&audited[0].detail).unwrap();
    assert_eq!(detail["year"], year);
    assert_eq!(detail["rows"], 3);
    // The commune's officer reads the table that applies there (the province's).
    let officer = t.login("0900000005").await;
    let (s, text) = officer.text(&format!("/units/{}/requirements", commune.code)).await;
    assert_eq!(s, 200);
    assert!(
        text.contains(&format!("Đang áp dụng bảng của {}, năm {year}", province.name)),
        "{text}"
    );
    assert!(!text.contains("<select"), "read only for an officer");

    // Bad cells: each named, 422, nothing stored.
    let before = db::requirements_of(&t.db, &province.path, year).await.unwrap();
    let (s, _, text) = post(
        &steering,
        &page,
        &page,
        &[
            ("year", &y),
            ("alien:digcomp22:1.1", "1"),
            ("resident:digcomp22:9.9", "1"),
            ("resident:digcomp22:2.1", "99"),
            ("resident:khong-co:1.1", "1"),
        ],
    )
    .await;
    assert_eq!(s, 422);
    for m in [
        "Không có nhóm đối tượng “alien”",
        "không có năng lực mã “9.9”",
        "không có mức “99”",
        "Không có khung năng lực “khong-co”",
    ] {
        assert!(text.contains(m), "{m} missing from {text}");
    }
    assert_eq!(db::requirements_of(&t.db, &province.path, year).await.unwrap(), before);
    assert_eq!(entries(&t, "requirements.set").await.len(), 1);

    // Another province's steering committee is refused, and nothing is stored there.
    let hanoi_page = format!("/units/{}/requirements", hanoi.code);
    assert_eq!(steering.get(&hanoi_page).await.status(), 403);
    let token = steering.csrf("/me").await;
    let r = steering
        .http
        .post(steering.url(&hanoi_page))
        .form(&[("_csrf", token.as_str()), ("year", &y), ("resident:digcomp22:1.1", "8")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(db::requirement_years(&t.db, &hanoi.path).await.unwrap().is_empty());
    assert_eq!(must_learn(&there).await, resident_rows(&national));

    // Years: a table for next year does not apply yet; last year's applies when this year has none.
    let next = (year + 1).to_string();
    let (s, _, _) = post(
        &steering,
        &page,
        &page,
        &[("year", &next), ("resident:digcomp22:5.1", "8")],
    )
    .await;
    assert_eq!(s, 303);
    assert_eq!(must_learn(&here).await, mine);
    let applied = admin::requirements_for(&t.app(), Some(&commune.path), year + 1)
        .await
        .unwrap();
    assert_eq!(
        applied.source,
        RequirementSource::Unit {
            unit_path: province.path.clone(),
            year: year + 1
        }
    );
    let last = (year - 1).to_string();
    let (s, _, _) = post(
        &steering,
        &page,
        &page,
        &[("year", &last), ("resident:digcomp22:4.2", "6")],
    )
    .await;
    assert_eq!(s, 303);
    // Deleting this year's table: the learner follows the province's table of last year.
    let delete = format!("{page}/delete");
    let (s, location, _) = post(&steering, &page, &delete, &[("year", &y)]).await;
    assert_eq!((s, location), (303, format!("{page}?year={year}&deleted=1")));
    assert_eq!(
        must_learn(&here).await,
        vec![("digcomp22".to_string(), "4.2".to_string(), "6".to_string())]
    );
    let deleted = entries(&t, "requirements.delete").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(serde_json::from_str::<Value>(&deleted[0].detail).unwrap()["rows"], 3);
    // Deleting it again: nothing to delete, told so.
    let (s, _, text) = post(&steering, &page, &delete, &[("year", &y)]).await;
    assert_eq!(s, 422);
    assert!(text.contains("không có bảng riêng cho năm"), "{text}");
    // Last year's deleted too: the national table again.
    let (s, _, _) = post(&steering, &page, &delete, &[("year", &last)]).await;
    assert_eq!(s, 303);
    assert_eq!(must_learn(&here).await, resident_rows(&national));
    // Before any stored table: the shipped national data.
    let old = admin::requirements_for(&t.app(), Some(&commune.path), 2000)
        .await
        .unwrap();
    assert_eq!(old.source, RequirementSource::Shipped);
    assert_eq!(resident_rows(&old.rows), resident_rows(&national));
    // A commune has no table of its own.
    let admin_c = t.login(ADMIN).await;
    let commune_page = format!("/units/{}/requirements", commune.code);
    let (s, _, text) = post(
        &admin_c,
        &commune_page,
        &commune_page,
        &[("year", &y), ("resident:digcomp22:1.1", "1")],
    )
    .await;
    assert_eq!(s, 422);
    assert!(text.contains("chỉ đặt cho cả nước hoặc cho một tỉnh"), "{text}");
    t.finish().await;
}
both!(province_requirement_tables, province_tables);
