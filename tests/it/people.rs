use crate::both;
use crate::helpers::{Backend, TestApp, officer_units};
use hocvuso_db::people::{self, SearchTerm};
use unicode_normalization::UnicodeNormalization;

fn form<'a>(name: &'a str, dob: &'a str, pid: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("full_name", name),
        ("birth_date", dob),
        ("sex", "male"),
        ("personal_id", pid),
        ("phone", "0912345678"),
        ("group_resident", "1"),
        ("consent", "paper"),
    ]
}

async fn register_with_bad_input(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let page = format!("/units/{}/people/new", commune.code);
    let count = || people::count_in(&app.db, &commune.path);
    let before = count().await.unwrap();
    let long = "A".repeat(101);
    // (form fields, expected status, expected words in the page)
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            form("Nguyễn Văn Thử", "31/02/1990", "019090001234"),
            422,
            "không có thật trên lịch",
        ),
        (form("", "01/02/1990", "019090001234"), 422, "không được để trống"),
        (
            form("Nguyễn Văn\u{0007} Thử", "01/02/1990", "019090001234"),
            422,
            "ký tự điều khiển",
        ),
        (form(&long, "01/02/1990", "019090001234"), 422, "quá mức tối đa 100"),
        (
            form("Nguyễn Văn Thử", "01/02/1990", "003090001234"),
            422,
            "không phải mã tỉnh",
        ),
        (
            form("Nguyễn Văn Thử", "01/02/1990", "01909000123"),
            422,
            "đúng 12 chữ số",
        ),
        (
            form("Nguyễn Văn Thử", "01/02/1990", "019190001234"),
            422,
            "không khớp với giới tính",
        ),
        (
            form("Nguyễn Văn Thử", "01/02/1990", "019091001234"),
            422,
            "hai số cuối của năm sinh",
        ),
    ];
    for (fields, status, text) in &cases {
        let r = c.post_form(&page, &page, fields).await;
        assert_eq!(r.status().as_u16(), *status, "{fields:?}");
        let body = r.text().await.unwrap();
        assert!(body.contains(text), "expected «{text}» for {fields:?}");
    }
    // Each message is tied to its field for screen readers.
    let r = c
        .post_form(&page, &page, &form("Nguyễn Văn Thử", "31/02/1990", "019090001234"))
        .await;
    let body = r.text().await.unwrap();
    assert!(
        body.contains("aria-describedby=\"birth-help birth_date-error\"") && body.contains("id=\"birth_date-error\"")
    );
    assert!(body.contains("aria-invalid=\"true\""));
    // Consent is required.
    let mut no_consent = form("Nguyễn Văn Thử", "01/02/1990", "019090001234");
    no_consent.retain(|(k, _)| *k != "consent");
    let r = c.post_form(&page, &page, &no_consent).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("đồng ý"));
    assert_eq!(count().await.unwrap(), before, "nothing stored by refused forms");
    // A name typed in NFD is stored in NFC; HTML and SQL are stored as text and shown escaped.
    let nfd: String = "Trần Thị Ánh <script>alert(1)</script>'; DROP TABLE people;--"
        .nfd()
        .collect();
    let mut ok = form(&nfd, "01/02/1990", "019190001234");
    ok[2] = ("sex", "female");
    let r = c.post_form(&page, &page, &ok).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = loc.rsplit('/').next().unwrap().parse().unwrap();
    let p = people::get(
        &app.db,
        &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
        id,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        p.full_name,
        "Trần Thị Ánh <script>alert(1)</script>'; DROP TABLE people;--"
    );
    let (_, body) = c.text(&loc).await;
    assert!(
        body.contains("&lt;script&gt;alert(1)") || body.contains("&#60;script&#62;alert(1)"),
        "name shown escaped"
    );
    assert!(!body.contains("<script>alert(1)"));
    assert!(body.contains("********1234"), "ID number masked");
    assert!(!body.contains("019190001234"));
    assert_eq!(
        people::consents(&app.db, id).await.unwrap()[0].method,
        people::ConsentMethod::Paper
    );
    // The same ID number a second time is a conflict, and the first record is untouched.
    let mut dup = form("Người Khác", "01/02/1990", "019190001234");
    dup[2] = ("sex", "female");
    let r = c.post_form(&page, &page, &dup).await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Đã có người khác mang số định danh này")
    );
    assert_eq!(
        people::get(
            &app.db,
            &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
            id
        )
        .await
        .unwrap()
        .unwrap()
        .full_name,
        p.full_name
    );
    // Unmasking is a separate, audited action.
    let r = c.post_form(&loc, &format!("{loc}/reveal"), &[]).await;
    assert_eq!(r.status(), 303);
    assert!(c.text(&loc).await.1.contains("019190001234"));
    let log = hocvuso_db::audit::list(
        &app.db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &hocvuso_db::audit::Filter {
            person_id: Some(id),
            ..Default::default()
        },
        10,
    )
    .await
    .unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    assert!(
        actions.contains(&"person.unmask") && actions.contains(&"person.view") && actions.contains(&"person.create"),
        "{actions:?}"
    );
    // The ID number is not stored in clear anywhere in the people table.
    let raw: Vec<hocvuso_db::Scalar<Vec<u8>>> = app
        .db
        .fetch_all(
            hocvuso_db::sea_query::Query::select()
                .column(hocvuso_db::people::People::PidCipher)
                .from(hocvuso_db::people::People::Table),
        )
        .await
        .unwrap();
    assert!(
        raw.iter()
            .all(|r| !String::from_utf8_lossy(&r.0).contains("019190001234"))
    );
    // A workplace given by name without diacritics is found among the province's organisations.
    let school = hocvuso_db::units::children(&app.db, commune.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.kind == hocvuso_core::units::Kind::TruongHoc)
        .unwrap();
    let typed = hocvuso_core::text::fold(&school.name);
    let mut f = form("Vi Văn Giáo", "02/02/1980", "019080222333");
    f.push(("workplace", &typed));
    let r = c.post_form(&page, &page, &f).await;
    assert_eq!(r.status(), 303);
    let id: i64 = r.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        people::get(
            &app.db,
            &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
            id
        )
        .await
        .unwrap()
        .unwrap()
        .workplace_id,
        Some(school.id)
    );
    let mut f = form("Vi Văn Khác", "02/02/1980", "019080222334");
    f.push(("workplace", "Công ty Không Tồn Tại"));
    let r = c.post_form(&page, &page, &f).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Không tìm thấy nơi làm việc"));
    app.finish().await;
}
both!(register, register_with_bad_input);

async fn search_tolerates_missing_diacritics(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let page = format!("/units/{}/people/new", commune.code);
    for (name, pid, sex) in [
        ("Đặng Thị Đào", "019190005551", "female"),
        ("Đỗ Văn Dũng", "019090005552", "male"),
        ("Nguyễn Văn Ân", "019090005553", "male"),
    ] {
        let mut f = form(name, "01/02/1990", pid);
        f[2] = ("sex", sex);
        f[4] = ("phone", "0987000111");
        let r = c.post_form(&page, &page, &f).await;
        assert_eq!(r.status(), 303);
    }
    let list = format!("/units/{}/people", commune.code);
    for (q, expect) in [
        ("dang thi dao", "Đặng Thị Đào"),
        ("ĐANG THI", "Đặng Thị Đào"),
        ("do van dung", "Đỗ Văn Dũng"),
        ("van dung", "Đỗ Văn Dũng"),
        ("nguyen van an", "Nguyễn Văn Ân"),
        ("019090005552", "Đỗ Văn Dũng"),
    ] {
        let (s, body) = c.text(&format!("{list}?q={}", urlencode(q))).await;
        assert_eq!(s, 200);
        assert!(body.contains(expect), "«{q}» should find {expect}");
    }
    // By phone: all three share it.
    let page = people::search(
        &app.db,
        &app.vault,
        &crate::helpers::sees(&commune.path),
        &SearchTerm::parse("0987 000 111"),
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(page.people.len(), 3);
    // Vietnamese order by given name: Ân < Dũng < Đào.
    let names: Vec<&str> = page.people.iter().map(|p| p.full_name.as_str()).collect();
    assert_eq!(names, vec!["Nguyễn Văn Ân", "Đỗ Văn Dũng", "Đặng Thị Đào"]);
    // Paging walks the whole commune in order without repeats.
    let total = people::count_in(&app.db, &commune.path).await.unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut cursor: Option<String> = None;
    let mut last_key: Option<Vec<u8>> = None;
    loop {
        let p = people::search(
            &app.db,
            &app.vault,
            &crate::helpers::sees(&commune.path),
            &SearchTerm::Everyone,
            cursor.as_deref(),
            7,
        )
        .await
        .unwrap();
        for person in &p.people {
            assert!(seen.insert(person.id));
            let k = hocvuso_core::text::person_name_key(&person.full_name);
            if let Some(prev) = &last_key {
                assert!(prev <= &k, "order broken at {}", person.full_name);
            }
            last_key = Some(k);
        }
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, total);
    // A tampered cursor is harmless.
    let (s, _) = c.text(&format!("{list}?cursor=zz'%3B--")).await;
    assert_eq!(s, 200);
    app.finish().await;
}
both!(search, search_tolerates_missing_diacritics);

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A double-clicked (or retried) registration records the person once and shows the same record.
async fn double_submit_records_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let page = format!("/units/{}/people/new", commune.code);
    let (_, html) = c.text(&page).await;
    let token = crate::helpers::extract_csrf(&html).unwrap();
    let idem = html
        .split("name=\"_idem\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let mut fields = form("Nông Văn Bảy", "07/07/1977", "019077123456");
    fields.push(("_csrf", &token));
    fields.push(("_idem", &idem));
    let (a, b2) = tokio::join!(
        c.http.post(c.url(&page)).form(&fields).send(),
        c.http.post(c.url(&page)).form(&fields).send()
    );
    let (a, b2) = (a.unwrap(), b2.unwrap());
    assert_eq!(a.status(), 303);
    assert_eq!(b2.status(), 303, "the repeat is answered with the first result");
    assert_eq!(a.headers()["location"], b2.headers()["location"]);
    let r = c.http.post(c.url(&page)).form(&fields).send().await.unwrap();
    assert_eq!(r.headers()["location"], a.headers()["location"]);
    let found = people::search(
        &app.db,
        &app.vault,
        &crate::helpers::sees(&commune.path),
        &SearchTerm::parse("nong van bay"),
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(found.people.len(), 1);
    // Creating the same village twice (a double click) keeps one.
    let unit_page = format!("/units/{}", commune.code);
    for _ in 0..2 {
        c.post_form(
            &unit_page,
            &format!("{unit_page}/children"),
            &[("kind", "thon"), ("name", "Thôn Hai Lần")],
        )
        .await;
    }
    let kids = hocvuso_db::units::children(&app.db, commune.id).await.unwrap();
    assert_eq!(kids.iter().filter(|u| u.name == "Thôn Hai Lần").count(), 1);
    app.finish().await;
}
both!(double_submit, double_submit_records_once);

/// Storage that returns people or what was done to them reads only inside the reader's scope:
/// names for the audit page, a lookup by ID number, a person's audit history.
async fn storage_reads_stay_in_scope(b: Backend) {
    use crate::helpers::sees;
    use hocvuso_core::access::act;
    use hocvuso_db::audit::{self, Filter, Reader};
    let app = TestApp::spawn(b).await;
    let (here, there) = officer_units(&app).await;
    assert!(!here.path.starts_with(&there.path) && !there.path.starts_with(&here.path));
    let today = time::OffsetDateTime::now_utc().date();
    let input = hocvuso_core::people::PersonForm {
        full_name: "Lò Văn Phạm Vi".into(),
        birth_date: "01/01/1990".into(),
        sex: "Nam".into(),
        personal_id: "001090654321".into(),
        groups: "resident".into(),
        ..Default::default()
    }
    .validate(today)
    .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let id = people::insert(
        &mut tx,
        &app.vault,
        &input,
        &people::Placement {
            residence: &here,
            workplace_id: None,
            household_id: None,
        },
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Viewing the record writes an entry about the person.
    hocvuso_app::people::view(&app.app(), &crate::helpers::platform(), id, "")
        .await
        .unwrap();

    let (in_here, in_there) = (
        sees::<act::ViewPeople>(&here.path),
        sees::<act::ViewPeople>(&there.path),
    );
    let named = people::get_many(&app.db, std::slice::from_ref(&in_here), &[id])
        .await
        .unwrap();
    assert_eq!(named.len(), 1, "named inside its commune");
    let named = people::get_many(&app.db, std::slice::from_ref(&in_there), &[id])
        .await
        .unwrap();
    assert!(named.is_empty(), "not named in another commune");
    assert!(
        people::get_many(&app.db, &[], &[id]).await.unwrap().is_empty(),
        "no scope, no name"
    );

    let pid = &input.personal_id;
    let found = people::find_by_pid(&app.db, &app.vault, &in_here, pid).await.unwrap();
    assert_eq!(found.map(|p| p.id), Some(id));
    let found = people::find_by_pid(&app.db, &app.vault, &in_there, pid).await.unwrap();
    assert!(found.is_none(), "an ID number held elsewhere is not found");

    let history = |path: &str| {
        let scope = sees::<act::ViewAudit>(path);
        let db = app.db.clone();
        async move {
            audit::list(&db, Reader::Person(&scope, id), &Filter::default(), 10)
                .await
                .unwrap()
        }
    };
    let seen = history(&here.path).await;
    assert!(
        seen.iter()
            .any(|e| e.action == "person.view" && e.person_id == Some(id)),
        "the view is in the person's history: {seen:?}"
    );
    assert!(
        history(&there.path).await.is_empty(),
        "an auditor elsewhere reads nothing of them"
    );
    let around = audit::list(
        &app.db,
        Reader::Within(&sees::<act::ViewAudit>(&there.path)),
        &Filter::default(),
        100,
    )
    .await
    .unwrap();
    assert!(
        around.iter().all(|e| e.person_id != Some(id)),
        "nor within their own scope"
    );
    app.finish().await;
}
both!(scoped_reads, storage_reads_stay_in_scope);
