//! A unit's learning for its officers, on both databases: the residents who have not started (the
//! page, the API and the spreadsheet — exactly the expected people, in the people list's order,
//! never anyone outside the unit, refused without the rights, every view and export in the audit
//! log) and the learning figures as a spreadsheet whose cells are the figures.

use crate::both;
use crate::helpers::{Backend, Client, Options, TestApp, officer_units, principal, sees};
use crate::learning::{COURSE, LESSON};
use hocvuso_app::learning as app;
use hocvuso_core::access::{Principal, act};
use hocvuso_core::learning::ContentLang;
use hocvuso_core::people::TargetGroup;
use hocvuso_db::audit::{self, AuditRow, Filter, Reader};
use hocvuso_db::people::{self, PageAt, SearchTerm};
use hocvuso_db::units::Unit;
use serde_json::Value;

const LEARNER: &str = "0900000008";
const OFFICER_A: &str = "0900000005";
const OFFICER_B: &str = "0900000006";
const INSPECTOR: &str = "0900000003";
const HELPER: &str = "0900000007";
const OTHER_COURSE: &str = "nhan-biet-tin-gia";
/// A course for residents and workers only.
const PHONE_COURSE: &str = "lam-quen-dien-thoai-thong-minh";

/// Residents registered in the commune's villages for these tests: names whose Vietnamese order
/// differs from byte order, and groups some courses are not written for.
const RESIDENTS: &[(&str, &[TargetGroup])] = &[
    ("Nguyễn Văn Ân", &[TargetGroup::Resident]),
    ("Nguyễn Văn An", &[TargetGroup::Worker]),
    ("Trần Thị Ánh", &[TargetGroup::Student]),
    ("Lê Văn Đức", &[TargetGroup::PublicStaff]),
    ("Lê Văn Dũng", &[TargetGroup::Resident, TargetGroup::Worker]),
    ("Phạm Thị Bích", &[TargetGroup::Student, TargetGroup::PublicStaff]),
    ("Hoàng Minh Châu", &[TargetGroup::Resident]),
    ("Đỗ Thị Yến", &[TargetGroup::Worker]),
    ("Vũ Văn Bảo", &[TargetGroup::Student]),
    ("Bùi Thị Ngọc", &[TargetGroup::Resident]),
];

async fn populate(t: &TestApp, commune: &Unit) {
    let today = time::OffsetDateTime::now_utc().date();
    let villages: Vec<Unit> = hocvuso_db::units::children(&t.db, commune.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.level() == hocvuso_core::units::Level::Village)
        .collect();
    assert!(!villages.is_empty(), "the commune has villages");
    for (i, (name, groups)) in RESIDENTS.iter().enumerate() {
        let mut input = hocvuso_core::people::PersonForm {
            full_name: name.to_string(),
            birth_date: "01/01/1990".into(),
            sex: "Nam".into(),
            personal_id: format!("0010907100{:02}", 10 + i),
            phone: format!("09123456{:02}", 10 + i),
            ..Default::default()
        }
        .validate(today)
        .unwrap();
        input.groups = hocvuso_core::people::Groups::default();
        for g in *groups {
            input.groups.insert(*g);
        }
        let mut tx = t.db.begin().await.unwrap();
        people::insert(
            &mut tx,
            &t.vault,
            &input,
            &people::Placement {
                residence: &villages[i % villages.len()],
                workplace_id: None,
                household_id: None,
            },
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

fn seeded() -> Options {
    Options {
        seed: true,
        people: 200,
        ..Options::default()
    }
}

/// A resident as the lists name them: id and full name.
type Named = (i64, String);

/// Everyone living in `unit`'s subtree, in the people list's order, read through the people list
/// itself (not through the query under test), with their groups.
async fn residents(t: &TestApp, unit: &Unit) -> Vec<(i64, String, hocvuso_core::people::Groups)> {
    let scope = sees::<act::ViewPeople>(&unit.path);
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let at = cursor.as_deref().map_or(PageAt::First, PageAt::After);
        let page = people::list(
            &t.db,
            &t.vault,
            &scope,
            &SearchTerm::Everyone,
            people::ListFilter::default(),
            at,
            500,
        )
        .await
        .unwrap();
        out.extend(page.people.iter().map(|p| (p.id, p.full_name.clone(), p.groups)));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    out
}

/// The whole list through the API, page after page of `limit`.
async fn api_list(c: &Client, unit: &Unit, query: &str, limit: u64) -> Vec<Named> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!(
            "/api/v1/units/{}/learning/not-started?limit={limit}{query}{cursor}",
            unit.code
        );
        let r = c.get(&path).await;
        assert_eq!(r.status(), 200, "{path}");
        let j: Value = r.json().await.unwrap();
        for p in j["people"].as_array().unwrap() {
            out.push((p["id"].as_i64().unwrap(), p["full_name"].as_str().unwrap().to_string()));
        }
        match j["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    out
}

async fn entries(t: &TestApp, unit: &Unit, action: &str) -> Vec<AuditRow> {
    let scope = sees::<act::ViewAudit>(&unit.path);
    let f = Filter {
        action: Some(action.to_string()),
        ..Filter::default()
    };
    audit::list(&t.db, Reader::Within(&scope), &f, 1000).await.unwrap()
}

/// A second resident of the unit with an account of their own, who enrols but opens nothing.
async fn enrolled_only(
    t: &TestApp,
    among: &[(i64, String, hocvuso_core::people::Groups)],
    not: i64,
) -> (i64, Principal) {
    for (id, name, _) in among {
        if *id == not || hocvuso_db::accounts::by_person(&t.db, *id).await.unwrap().is_some() {
            continue;
        }
        let mut tx = t.db.begin().await.unwrap();
        let account = hocvuso_db::accounts::create(
            &mut tx,
            hocvuso_db::accounts::NewAccount {
                display_name: name,
                phone: None,
                pid_index: None,
                person_id: Some(*id),
                password_hash: "x".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let p = Principal::account(account, name, "test", Vec::new()).for_person(Some(*id));
        return (*id, p);
    }
    panic!("no resident without an account");
}

fn names(list: &[Named]) -> Vec<String> {
    list.iter().map(|(_, n)| n.clone()).collect()
}

async fn not_started_lists_exactly_those(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let a = t.app();
    let year = time::OffsetDateTime::now_utc().year();
    let (commune, other) = officer_units(&t).await;
    let learner = principal(&t, LEARNER).await;
    let learner_person = learner.person_id.expect("the learner is a resident");
    populate(&t, &commune).await;
    let in_a = residents(&t, &commune).await;
    let in_b = residents(&t, &other).await;
    for (name, _) in RESIDENTS {
        assert!(in_a.iter().any(|(_, n, _)| n == name), "{name} lives in the commune");
    }
    assert!(!in_b.is_empty(), "the other commune has residents");
    assert!(
        in_a.iter().any(|(id, _, _)| *id == learner_person),
        "the learner lives in the officer's commune"
    );
    let officer = t.login(OFFICER_A).await;
    let everyone: Vec<Named> = in_a.iter().map(|(i, n, _)| (*i, n.clone())).collect();

    // Nobody has started: the list is every resident, in the people list's order, page after page.
    assert_eq!(api_list(&officer, &commune, "", 200).await, everyone);
    assert_eq!(api_list(&officer, &commune, "", 3).await, everyone, "pages of 3");

    // Enrolling is not starting: the learner enrols in two courses and a neighbour in one, and all
    // stay. Then the learner opens a lesson of one course and leaves the list.
    app::enrol(&a, &learner, COURSE, ContentLang::Vi).await.unwrap();
    app::enrol(&a, &learner, OTHER_COURSE, ContentLang::Vi).await.unwrap();
    let (neighbour, neighbour_p) = enrolled_only(&t, &in_a, learner_person).await;
    app::enrol(&a, &neighbour_p, COURSE, ContentLang::Vi).await.unwrap();
    assert_eq!(api_list(&officer, &commune, "", 200).await, everyone, "enrolled only");
    app::lesson(&a, Some(&learner), COURSE, LESSON, ContentLang::Vi)
        .await
        .unwrap();
    let without_learner: Vec<Named> = everyone.iter().filter(|(i, _)| *i != learner_person).cloned().collect();
    assert_eq!(api_list(&officer, &commune, "", 200).await, without_learner);
    assert_eq!(api_list(&officer, &commune, "", 4).await, without_learner, "pages of 4");
    assert!(
        without_learner.iter().any(|(i, _)| *i == neighbour),
        "the neighbour has not started"
    );
    // "Started" is the figures' "started": their counts and this list agree.
    let f = app::unit_figures(
        &a,
        &principal(&t, OFFICER_A).await,
        &commune.path,
        year,
        ContentLang::Vi,
    )
    .await
    .unwrap();
    assert_eq!(f.total.started, 1);

    // A course narrows to its target groups, and only its lessons count: for the other course the
    // learner has not started (enrolled, nothing opened), so they are listed if the course is for
    // one of their groups.
    for slug in [COURSE, OTHER_COURSE, PHONE_COURSE] {
        let course = hocvuso_db::learning::course_by_slug(&t.db, slug)
            .await
            .unwrap()
            .unwrap();
        let expected: Vec<Named> = in_a
            .iter()
            .filter(|(_, _, g)| course.groups.is_empty() || g.bits() & course.groups.bits() != 0)
            .filter(|(i, _, _)| !(slug == COURSE && *i == learner_person))
            .map(|(i, n, _)| (*i, n.clone()))
            .collect();
        if slug == PHONE_COURSE {
            assert!(
                !expected.iter().any(|(_, n)| n == "Trần Thị Ánh"),
                "a student only is not in the phone course's groups"
            );
        }
        assert_eq!(
            names(&api_list(&officer, &commune, &format!("&course={slug}"), 200).await),
            names(&expected),
            "course {slug}"
        );
    }
    // Last year nobody enrolled: everybody is on last year's list, the learner too.
    assert_eq!(
        api_list(&officer, &commune, &format!("&year={}", year - 1), 200).await,
        everyone
    );

    // The other commune's residents never appear in this one's list, and are in their own.
    let listed_a = api_list(&officer, &commune, "", 200).await;
    for (id, name, _) in &in_b {
        assert!(
            !listed_a.iter().any(|(i, _)| i == id),
            "{name} of the other commune listed"
        );
    }
    let officer_b = t.login(OFFICER_B).await;
    let listed_b = api_list(&officer_b, &other, "", 200).await;
    assert_eq!(
        listed_b,
        in_b.iter().map(|(i, n, _)| (*i, n.clone())).collect::<Vec<_>>()
    );

    // The page: the same people, first page, Vietnamese order, a link for each; paging back.
    let (s, page) = officer
        .text(&format!("/units/{}/learning/not-started", commune.code))
        .await;
    assert_eq!(s, 200);
    let learner_name = &in_a.iter().find(|(i, _, _)| *i == learner_person).unwrap().1;
    assert!(
        !page.contains(&format!("/people/{learner_person}\"")),
        "{learner_name} started"
    );
    let shown: Vec<i64> = page
        .split("<th scope=\"row\" role=\"rowheader\"><a href=\"/people/")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect();
    assert_eq!(
        shown,
        without_learner.iter().take(50).map(|(i, _)| *i).collect::<Vec<_>>(),
        "first page in the people list's order"
    );
    let total = format!("Số người chưa bắt đầu: {}", without_learner.len());
    assert!(page.contains(&total), "total shown: {total}");
    assert!(page.contains("<caption"), "the table has a caption");
    // The unit page links the list (and the spreadsheet) for its officer only.
    let (_, unit_page) = officer.text(&format!("/units/{}", commune.code)).await;
    assert!(unit_page.contains(&format!("/units/{}/learning/not-started", commune.code)));
    assert!(unit_page.contains(&format!("/units/{}/learning/figures.xlsx", commune.code)));
    // … and the table of what its people must learn, which it follows (its province's or the
    // country's), read-only below a province.
    let requirements = format!("/units/{}/requirements", commune.code);
    assert!(unit_page.contains(&format!("href=\"{requirements}\"")));
    let (s, table) = officer.text(&requirements).await;
    assert_eq!(s, 200, "{table}");
    assert!(table.contains("Yêu cầu năng lực theo nhóm đối tượng"), "{table}");
    let (_, public) = t.client().text(&format!("/units/{}", commune.code)).await;
    assert!(!public.contains("/learning/not-started"));

    // Refusals: another commune's officer, a helper (people but not the figures), the learner; the
    // API answers with problem+json; nothing is listed or recorded for them.
    let before = entries(&t, &commune, "learning.not_started_list").await.len();
    let helper = t.login(HELPER).await;
    let learner_c = t.login(LEARNER).await;
    for (who, c) in [("officer B", &officer_b), ("helper", &helper), ("learner", &learner_c)] {
        for path in [
            format!("/units/{}/learning/not-started", commune.code),
            format!("/api/v1/units/{}/learning/not-started", commune.code),
            format!("/units/{}/learning/not-started.xlsx", commune.code),
        ] {
            let r = c.get(&path).await;
            let s = r.status().as_u16();
            assert!(s == 403 || s == 404, "{who}: {path} gave {s}");
            let body = r.text().await.unwrap();
            assert!(!body.contains(&without_learner[0].1), "{who}: {path} shows a name");
        }
    }
    let r = officer_b
        .get(&format!("/api/v1/units/{}/learning/not-started", commune.code))
        .await;
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert!(
        app::not_started(
            &a,
            &principal(&t, OFFICER_B).await,
            &commune,
            app::NotStartedRequest {
                year,
                course: None,
                group: None,
                at: PageAt::First,
                limit: 10,
                count: false,
                via: hocvuso_app::Via::Page,
            },
            ContentLang::Vi,
        )
        .await
        .is_err()
    );
    assert_eq!(
        entries(&t, &commune, "learning.not_started_list").await.len(),
        before,
        "a refusal records no view"
    );
    let r = t
        .client()
        .get(&format!("/api/v1/units/{}/learning/not-started", commune.code))
        .await;
    assert_eq!(r.status(), 401);

    // Bad input: a Vietnamese problem saying what to do.
    let r = officer
        .get(&format!(
            "/api/v1/units/{}/learning/not-started?group=robots",
            commune.code
        ))
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert!(r.text().await.unwrap().contains("public_staff"));
    let r = officer
        .get(&format!(
            "/api/v1/units/{}/learning/not-started?course=khong-co",
            commune.code
        ))
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Không có khóa học"));
    let r = officer
        .get(&format!("/units/{}/learning/not-started?year=1999", commune.code))
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("2020"));

    // Every view is in the audit log: who, which unit, what was asked and how many were shown.
    let before = entries(&t, &commune, "learning.not_started_list").await;
    let r = officer
        .get(&format!(
            "/api/v1/units/{}/learning/not-started?limit=2&course={COURSE}",
            commune.code
        ))
        .await;
    assert_eq!(r.status(), 200);
    let (s, _) = officer
        .text(&format!("/units/{}/learning/not-started?group=resident", commune.code))
        .await;
    assert_eq!(s, 200);
    let after = entries(&t, &commune, "learning.not_started_list").await;
    assert_eq!(after.len(), before.len() + 2, "one entry per view");
    let officer_id = hocvuso_db::accounts::by_phone(&t.db, OFFICER_A)
        .await
        .unwrap()
        .unwrap()
        .id;
    let (page_view, api_view) = (&after[0], &after[1]);
    for e in [page_view, api_view] {
        assert_eq!(e.actor_id, Some(officer_id));
        assert_eq!(
            (e.object_kind.as_str(), e.object_id.as_str()),
            ("unit", commune.code.as_str())
        );
        assert_eq!(e.unit_path, commune.path);
    }
    let d: Value = serde_json::from_str(&api_view.detail).unwrap();
    assert_eq!(d["via"], "api");
    assert_eq!(d["course"], COURSE);
    assert_eq!(d["shown"], 2);
    assert_eq!(d["year"], year);
    let d: Value = serde_json::from_str(&page_view.detail).unwrap();
    assert_eq!(d["group"], "resident");
    assert!(d.get("via").is_none());
    assert!(audit::verify(&t.db).await.unwrap().ok(), "the chain holds");

    // The OpenAPI document describes the endpoint.
    let doc: Value = t.client().get("/api/openapi.json").await.json().await.unwrap();
    assert!(doc["paths"]["/api/v1/units/{code}/learning/not-started"]["get"].is_object());
    t.finish().await;
}
both!(not_started, not_started_lists_exactly_those);

fn read_xlsx(bytes: &[u8]) -> Vec<Vec<String>> {
    hocvuso_core::xlsx::read_rows(bytes, &hocvuso_core::xlsx::Limits::DEFAULT)
        .expect("the file opens")
        .into_iter()
        .map(|r| r.cells)
        .collect()
}

async fn download(c: &Client, path: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let r = c.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    let h = r.headers().clone();
    (h, r.bytes().await.unwrap().to_vec())
}

async fn spreadsheets_hold_the_figures(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let a = t.app();
    let year = time::OffsetDateTime::now_utc().year();
    let (commune, _) = officer_units(&t).await;
    let learner = principal(&t, LEARNER).await;
    let learner_person = learner.person_id.unwrap();
    populate(&t, &commune).await;
    app::enrol(&a, &learner, COURSE, ContentLang::Vi).await.unwrap();
    app::enrol(&a, &learner, OTHER_COURSE, ContentLang::Vi).await.unwrap();
    app::lesson(&a, Some(&learner), COURSE, LESSON, ContentLang::Vi)
        .await
        .unwrap();
    let f = app::unit_figures(
        &a,
        &principal(&t, OFFICER_A).await,
        &commune.path,
        year,
        ContentLang::Vi,
    )
    .await
    .unwrap();
    assert_eq!(f.courses.len(), 2);
    let officer = t.login(OFFICER_A).await;

    // The figures: a header row in the reader's language, a row per course, a total row.
    let (h, bytes) = download(
        &officer,
        &format!("/units/{}/learning/figures.xlsx?year={year}", commune.code),
    )
    .await;
    assert_eq!(
        h["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = h["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment;")
            && disposition.contains(&commune.code)
            && disposition.contains(&year.to_string()),
        "{disposition}"
    );
    let rows = read_xlsx(&bytes);
    let groups = hocvuso_core::people::TargetGroup::ALL;
    let mut header = vec![
        "Khóa học".to_string(),
        "Đã ghi danh".into(),
        "Đã bắt đầu".into(),
        "Đã hoàn thành".into(),
    ];
    for g in groups {
        let label = hocvuso_core::i18n::t(hocvuso_core::Lang::Vi, &g.label_key());
        for c in ["Đã ghi danh", "Đã bắt đầu", "Đã hoàn thành"] {
            header.push(format!("{label}: {c}"));
        }
    }
    assert_eq!(rows[0], header);
    assert_eq!(rows.len(), f.courses.len() + 2, "header, a row per course, total");
    let n = |x: i64| x.to_string();
    let mut sums = vec![0i64; groups.len() * 3];
    for (row, c) in rows[1..].iter().zip(&f.courses) {
        let mut expected = vec![c.title.clone(), n(c.all.enrolled), n(c.all.started), n(c.all.completed)];
        for (i, g) in groups.into_iter().enumerate() {
            let counts = &c.by_group.iter().find(|(x, _)| *x == g).unwrap().1;
            for (k, v) in [counts.enrolled, counts.started, counts.completed]
                .into_iter()
                .enumerate()
            {
                expected.push(n(v));
                sums[i * 3 + k] += v;
            }
        }
        assert_eq!(*row, expected, "{}", c.slug);
    }
    let mut total = vec![
        "Tổng cộng".to_string(),
        n(f.total.enrolled),
        n(f.total.started),
        n(f.total.completed),
    ];
    total.extend(sums.into_iter().map(n));
    assert_eq!(rows[rows.len() - 1], total);
    assert_eq!(rows[rows.len() - 1][1], "2", "two enrolments");
    assert_eq!(rows[rows.len() - 1][2], "1", "one started");

    // In English for a reader who asked for English.
    let r = officer
        .http
        .get(officer.url(&format!("/units/{}/learning/figures.xlsx", commune.code)))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let rows = read_xlsx(&r.bytes().await.unwrap());
    assert_eq!(rows[0][..4], ["Course", "Enrolled", "Started", "Completed"]);
    assert_eq!(rows[rows.len() - 1][0], "Total");

    // Out of scope or without the figures' right: refused.
    for who in [OFFICER_B, HELPER, LEARNER] {
        let c = t.login(who).await;
        let s = c
            .get(&format!("/units/{}/learning/figures.xlsx", commune.code))
            .await
            .status()
            .as_u16();
        assert!(s == 403 || s == 404, "{who}: {s}");
    }

    // The list as a spreadsheet: the page's people, phone numbers as text; an audited export.
    let in_a = residents(&t, &commune).await;
    let expected: Vec<Vec<String>> = {
        let scope = sees::<act::ViewPeople>(&commune.path);
        let ids: Vec<i64> = in_a
            .iter()
            .map(|(i, _, _)| *i)
            .filter(|i| *i != learner_person)
            .collect();
        let mut all = people::get_many(&t.db, &[scope], &ids).await.unwrap();
        all.sort_by_key(|p| ids.iter().position(|i| *i == p.id));
        all.iter()
            .map(|p| {
                vec![
                    p.full_name.clone(),
                    p.unit_name.clone(),
                    p.groups
                        .iter()
                        .map(|g| hocvuso_core::i18n::t(hocvuso_core::Lang::Vi, &g.label_key()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    p.phone.clone().unwrap_or_default(),
                ]
            })
            .collect()
    };
    let exports_before = entries(&t, &commune, "learning.not_started_export").await.len();
    let (h, bytes) = download(
        &officer,
        &format!("/units/{}/learning/not-started.xlsx?year={year}", commune.code),
    )
    .await;
    let disposition = h["content-disposition"].to_str().unwrap();
    assert!(disposition.contains(&commune.code), "{disposition}");
    let rows = read_xlsx(&bytes);
    assert_eq!(rows[0], ["Họ và tên", "Nơi cư trú", "Đối tượng", "Số điện thoại"]);
    // The reader drops trailing empty cells; compare what a person's row holds.
    let trimmed = |mut r: Vec<String>| {
        while r.last().is_some_and(|c| c.is_empty()) {
            r.pop();
        }
        r
    };
    assert_eq!(
        rows[1..].iter().cloned().map(trimmed).collect::<Vec<_>>(),
        expected.into_iter().map(trimmed).collect::<Vec<_>>()
    );
    let exports = entries(&t, &commune, "learning.not_started_export").await;
    assert_eq!(exports.len(), exports_before + 1, "the export is audited");
    let d: Value = serde_json::from_str(&exports[0].detail).unwrap();
    assert_eq!(d["shown"], (in_a.len() - 1) as i64);
    // The inspector may see the list but not export people.
    let inspector = t.login(INSPECTOR).await;
    let (s, _) = inspector
        .text(&format!("/units/{}/learning/not-started", commune.code))
        .await;
    assert_eq!(s, 200);
    let s = inspector
        .get(&format!("/units/{}/learning/not-started.xlsx", commune.code))
        .await
        .status();
    assert_eq!(s, 403);
    assert_eq!(
        entries(&t, &commune, "learning.not_started_export").await.len(),
        exports_before + 1,
        "a refused export records nothing"
    );
    t.finish().await;
}
both!(spreadsheets, spreadsheets_hold_the_figures);
