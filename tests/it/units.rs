use crate::both;
use crate::helpers::{Backend, Options, TestApp, officer_units};

async fn official_list_is_public(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed: false,
            ..Default::default()
        },
    )
    .await;
    let c = app.client();
    let provinces: Vec<serde_json::Value> = c.get("/api/v1/units?level=province").await.json().await.unwrap();
    assert_eq!(provinces.len(), 34);
    let r = c.get("/api/v1/units/19").await;
    assert_eq!(r.status(), 200);
    let tn: serde_json::Value = r.json().await.unwrap();
    assert_eq!(tn["name"], "Tỉnh Thái Nguyên");
    let communes: Vec<serde_json::Value> = c.get("/api/v1/units/19/children").await.json().await.unwrap();
    assert_eq!(communes.len(), 92);
    assert!(
        communes
            .iter()
            .all(|u| u["code"].as_str().unwrap().len() == 5 && u["parent_code"] == "19")
    );
    // Vietnamese order: no name sorts before the previous one.
    let names: Vec<String> = communes
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = names.clone();
    hocvuso_core::text::sort_natural(&mut sorted, |s| s);
    assert_eq!(names, sorted);
    // Bad level is a clear 400.
    let r = c.get("/api/v1/units?level=galaxy").await;
    assert_eq!(r.status(), 400);
    let (s, page) = c.text("/units/19").await;
    assert_eq!(s, 200);
    assert!(page.contains("Tỉnh Thái Nguyên"));
    app.finish().await;
}
both!(official_list, official_list_is_public);

async fn villages_and_reorganisation(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let page = format!("/units/{}", commune.code);
    // Create a village.
    let r = c
        .post_form(
            &page,
            &format!("{page}/children"),
            &[("kind", "thon"), ("name", "Thôn  Đồng   Mới"), ("code", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let kids = hocvuso_db::units::children(&app.db, commune.id).await.unwrap();
    let new = kids
        .iter()
        .find(|u| u.name == "Thôn Đồng Mới")
        .expect("village created, white space collapsed");
    assert!(new.code.starts_with(&format!("{}.", commune.code)));
    // Bad input: empty name and unknown kind give 422 with a message; nothing created.
    let before = kids.len();
    let r = c
        .post_form(&page, &format!("{page}/children"), &[("kind", "thon"), ("name", "   ")])
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("không được để trống"));
    let r = c
        .post_form(
            &page,
            &format!("{page}/children"),
            &[("kind", "lau-dai"), ("name", "X")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        hocvuso_db::units::children(&app.db, commune.id).await.unwrap().len(),
        before
    );
    // Move the people of another village into the new one by merging; history is kept.
    let old = kids
        .iter()
        .find(|u| u.level() == hocvuso_core::units::Level::Village && u.id != new.id)
        .unwrap()
        .clone();
    let people_old = hocvuso_db::people::count_in(&app.db, &old.path).await.unwrap();
    assert!(people_old > 0);
    let old_page = format!("/units/{}", old.code);
    let r = c
        .post_form(
            &old_page,
            &format!("{old_page}/merge"),
            &[("into", &new.code), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        hocvuso_db::people::count_in(&app.db, &new.path).await.unwrap(),
        people_old
    );
    crate::helpers::kept_counts_match(&app.db).await;
    let old_now = hocvuso_db::units::get(&app.db, old.id).await.unwrap().unwrap();
    assert!(!old_now.active);
    assert_eq!(old_now.successor_id, Some(new.id));
    let events = hocvuso_db::units::events(&app.db, new.id).await.unwrap();
    assert!(events.iter().any(|e| e.event == hocvuso_db::units::EventKind::Absorbed));
    // Renaming keeps the code and records the old name.
    let r = c
        .post_form(
            &format!("/units/{}", new.code),
            &format!("/units/{}/rename", new.code),
            &[("name", "Thôn Đồng Tiến")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let renamed = hocvuso_db::units::by_code(&app.db, &new.code).await.unwrap().unwrap();
    assert_eq!(renamed.name, "Thôn Đồng Tiến");
    // An officer cannot rename the commune itself (official list): only a wider administrator.
    let r = c
        .post_form(&page, &format!("{page}/rename"), &[("name", "Xã Mới")])
        .await;
    assert_eq!(r.status(), 403);
    app.finish().await;
}
both!(reorganisation, villages_and_reorganisation);

async fn denominators_roll_up(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let province = hocvuso_db::units::by_code(&app.db, "19").await.unwrap().unwrap();
    let year = time::OffsetDateTime::now_utc().year().to_string();
    let c = app.login("0900000005").await;
    let page = format!("/units/{}/denominators", commune.code);
    let r = c
        .post_form(
            &page,
            &page,
            &[
                ("year", &year),
                ("value_households", "1.250"),
                ("source_households", "Công an xã, 6/2025"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let lines = hocvuso_db::denominators::for_unit(&app.db, commune.id, year.parse().unwrap())
        .await
        .unwrap();
    let hh = lines.iter().find(|l| l.kind.as_str() == "households").unwrap();
    assert_eq!(hh.own.as_ref().unwrap().value, 1250);
    // A negative or non-numeric figure is refused and nothing changes.
    let r = c
        .post_form(
            &page,
            &page,
            &[("year", &year), ("value_households", "-5"), ("source_households", "x")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = c
        .post_form(
            &page,
            &page,
            &[("year", &year), ("value_households", "12"), ("source_households", "")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let lines = hocvuso_db::denominators::for_unit(&app.db, commune.id, year.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        lines
            .iter()
            .find(|l| l.kind.as_str() == "households")
            .unwrap()
            .own
            .as_ref()
            .unwrap()
            .value,
        1250
    );
    // The province sees the sum of its communes beside its own figure.
    let prov = hocvuso_db::denominators::for_unit(&app.db, province.id, year.parse().unwrap())
        .await
        .unwrap();
    let hh = prov.iter().find(|l| l.kind.as_str() == "households").unwrap();
    assert!(hh.own.is_none());
    assert_eq!(hh.children_reporting, 92);
    let steering = app.login("0900000002").await;
    let (s, body) = steering.text("/units/19/denominators").await;
    assert_eq!(s, 200);
    assert!(body.contains("(92)"), "{body}");
    // Two communes merge: the absorbed commune's figures are added to the successor's, so the
    // province's sum loses nothing; the absorbed commune keeps its own rows as history.
    let y: i32 = year.parse().unwrap();
    let sum_before = hh.children_sum;
    let into = hocvuso_db::units::children(&app.db, province.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id != commune.id && u.level() == hocvuso_core::units::Level::Commune)
        .unwrap();
    let households = |lines: &[hocvuso_db::denominators::Line]| {
        lines.iter().find(|l| l.kind.as_str() == "households").unwrap().clone()
    };
    let into_before = households(&hocvuso_db::denominators::for_unit(&app.db, into.id, y).await.unwrap());
    let into_value = into_before.own.as_ref().map(|d| d.value).unwrap_or(0);
    hocvuso_app::units::merge(&app.app(), &crate::helpers::platform(), &commune, &into.code)
        .await
        .unwrap();
    let after = households(&hocvuso_db::denominators::for_unit(&app.db, into.id, y).await.unwrap());
    let own = after.own.unwrap();
    assert_eq!(own.value, into_value + 1250);
    assert!(own.source.contains(&commune.name), "{}", own.source);
    let prov = households(
        &hocvuso_db::denominators::for_unit(&app.db, province.id, y)
            .await
            .unwrap(),
    );
    assert_eq!(prov.children_sum, sum_before, "the province's sum is unchanged");
    assert_eq!(prov.children_reporting, 91);
    let history = households(
        &hocvuso_db::denominators::for_unit(&app.db, commune.id, y)
            .await
            .unwrap(),
    );
    assert_eq!(
        history.own.unwrap().value,
        1250,
        "the absorbed commune keeps its figure"
    );
    let events = hocvuso_db::units::events(&app.db, into.id).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.event == hocvuso_db::units::EventKind::Absorbed && e.detail.contains("households"))
    );
    app.finish().await;
}
both!(denominators, denominators_roll_up);

async fn village_list_import_and_split(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, other) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let page = format!("/units/{}", commune.code);
    let upload = |bytes: Vec<u8>| {
        let c = c.clone();
        let page = page.clone();
        async move {
            let token = c.csrf(&page).await;
            let form = reqwest::multipart::Form::new()
                .text("_csrf", token)
                .part("file", reqwest::multipart::Part::bytes(bytes).file_name("thon.csv"));
            c.http
                .post(c.url(&format!("{page}/villages/import")))
                .multipart(form)
                .send()
                .await
                .unwrap()
        }
    };
    let before = hocvuso_db::units::children(&app.db, commune.id).await.unwrap().len();
    // A bad row (unknown kind) means nothing is created, and the line is named.
    let r = upload(
        "Tên thôn,Loại\nThôn Nà Lầu,Thôn\nBản Khuổi Ún,Lâu đài\n"
            .as_bytes()
            .to_vec(),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("Lâu đài") && body.contains(">3<"), "{body}");
    assert_eq!(
        hocvuso_db::units::children(&app.db, commune.id).await.unwrap().len(),
        before
    );
    // A good list creates the villages; uploading it again keeps them.
    let good = "DANH SÁCH THÔN\nTên thôn,Loại\nThôn Nà Lầu,Thôn\nBản Khuổi Ún,Bản\n"
        .as_bytes()
        .to_vec();
    let r = upload(good.clone()).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Đã thêm 2"));
    let r = upload(good).await;
    assert!(r.text().await.unwrap().contains("Đã thêm 0"));
    let kids = hocvuso_db::units::children(&app.db, commune.id).await.unwrap();
    assert_eq!(kids.len(), before + 2);
    let ban = kids.iter().find(|u| u.name == "Bản Khuổi Ún").unwrap();
    assert_eq!(ban.kind, hocvuso_core::units::Kind::Ban);
    // Split: the steering committee moves a village (with its people) to the neighbouring commune.
    let mut village = None;
    for u in kids.iter().filter(|u| u.level() == hocvuso_core::units::Level::Village) {
        let n = hocvuso_db::people::count_in(&app.db, &u.path).await.unwrap();
        if n > 0 {
            village = Some((u.clone(), n));
            break;
        }
    }
    let (village, n) = village.expect("a seeded village with people");
    let other_before = hocvuso_db::people::count_in(&app.db, &other.path).await.unwrap();
    // The officer of the first commune may not move it into a commune outside their scope.
    let r = c
        .post_form(
            &format!("/units/{}", village.code),
            &format!("/units/{}/move", village.code),
            &[("to", &other.code)],
        )
        .await;
    assert_eq!(r.status(), 403);
    let steering = app.login("0900000002").await;
    let r = steering
        .post_form(
            &format!("/units/{}", village.code),
            &format!("/units/{}/move", village.code),
            &[("to", &other.code)],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        hocvuso_db::people::count_in(&app.db, &other.path).await.unwrap(),
        other_before + n
    );
    crate::helpers::kept_counts_match(&app.db).await;
    let moved = hocvuso_db::units::get(&app.db, village.id).await.unwrap().unwrap();
    assert_eq!(moved.parent_id, Some(other.id));
    // Search still finds the moved people in their new commune (search keys follow the move).
    let someone = hocvuso_db::people::search(
        &app.db,
        &app.vault,
        &crate::helpers::sees(&moved.path),
        &hocvuso_db::people::SearchTerm::Everyone,
        None,
        1,
    )
    .await
    .unwrap();
    if let Some(p) = someone.people.first() {
        let q = hocvuso_core::text::fold(&p.full_name);
        let found = hocvuso_db::people::search(
            &app.db,
            &app.vault,
            &crate::helpers::sees(&other.path),
            &hocvuso_db::people::SearchTerm::Name(q),
            None,
            50,
        )
        .await
        .unwrap();
        assert!(found.people.iter().any(|f| f.id == p.id));
    }
    app.finish().await;
}
both!(village_import, village_list_import_and_split);

/// The village list is created within the request, so its length is bounded: a list longer than
/// any commune's is refused with the limit named, and nothing is created; a list at the limit
/// goes in.
async fn village_list_is_bounded(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let page = format!("/units/{}", commune.code);
    let max = hocvuso_app::units::MAX_VILLAGES_PER_UPLOAD;
    let list = |n: usize| {
        let mut csv = String::from("Tên thôn,Loại\n");
        for i in 0..n {
            csv.push_str(&format!("Thôn Số {i},Thôn\n"));
        }
        csv.into_bytes()
    };
    let before = hocvuso_db::units::children(&app.db, commune.id).await.unwrap().len();
    for (n, status) in [(max + 1, 422), (max, 200)] {
        let token = c.csrf(&page).await;
        let form = reqwest::multipart::Form::new()
            .text("_csrf", token)
            .part("file", reqwest::multipart::Part::bytes(list(n)).file_name("thon.csv"));
        let r = c
            .http
            .post(c.url(&format!("{page}/villages/import")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{n} rows");
        let body = r.text().await.unwrap();
        let created = hocvuso_db::units::children(&app.db, commune.id).await.unwrap().len() - before;
        if status == 422 {
            assert!(body.contains(&format!("hơn {max} dòng")), "{body}");
            assert_eq!(created, 0);
        } else {
            assert_eq!(created, max);
        }
    }
    app.finish().await;
}
both!(village_list_bounded, village_list_is_bounded);

async fn denominators_from_a_sheet(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, other) = officer_units(&app).await;
    let village = hocvuso_db::units::children(&app.db, commune.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.level() == hocvuso_core::units::Level::Village)
        .unwrap();
    let year = time::OffsetDateTime::now_utc().year();
    let c = app.login("0900000005").await;
    let page = format!("/units/{}/denominators", commune.code);
    let send = |csv: String| {
        let c = c.clone();
        let page = page.clone();
        async move {
            let token = c.csrf(&page).await;
            let form = reqwest::multipart::Form::new()
                .text("_csrf", token)
                .text("year", year.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("mau-so.csv"),
                );
            c.http
                .post(c.url(&format!("{page}/import")))
                .multipart(form)
                .send()
                .await
                .unwrap()
        }
    };
    // A unit outside the officer's scope and an unknown figure: nothing is saved, both lines named.
    let bad = format!(
        "Mã đơn vị,Chỉ tiêu,Giá trị,Nguồn\n{},Hộ gia đình,120,Trưởng thôn\n{},Hộ gia đình,99,X\n{},Số trâu bò,5,X\n",
        village.code, other.code, village.code
    );
    let r = send(bad).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("Dòng 3") && body.contains("Dòng 4"), "{body}");
    let lines = hocvuso_db::denominators::for_unit(&app.db, village.id, year)
        .await
        .unwrap();
    assert!(lines.iter().all(|l| l.own.is_none()));
    let good = format!(
        "Mã đơn vị,Chỉ tiêu,Giá trị,Nguồn\n{},Hộ gia đình,120,Trưởng thôn 6/2025\n{},households,1.300,Công an xã\n",
        village.code, commune.code
    );
    let r = send(good).await;
    assert_eq!(r.status(), 303);
    let lines = hocvuso_db::denominators::for_unit(&app.db, commune.id, year)
        .await
        .unwrap();
    let hh = lines.iter().find(|l| l.kind.as_str() == "households").unwrap();
    assert_eq!(hh.own.as_ref().unwrap().value, 1300);
    assert_eq!(hh.children_sum, 120);
    app.finish().await;
}
both!(denominators_import, denominators_from_a_sheet);

/// Search follows reorganisation: a village moved to another commune (a split) and a commune
/// merged into another take their people's search rows along — found in the new place and in the
/// province exactly once, no longer in the old one.
async fn search_follows_reorganisation(b: Backend) {
    use hocvuso_db::people::{self, SearchTerm};
    let app = TestApp::spawn(b).await;
    let province = hocvuso_db::units::by_code(&app.db, "19").await.unwrap().unwrap();
    let communes = hocvuso_db::units::children(&app.db, province.id).await.unwrap();
    // Two communes with villages that hold people (the seed spreads 300 people over a few).
    let mut with_people = Vec::new();
    for c in &communes {
        for v in hocvuso_db::units::children(&app.db, c.id).await.unwrap() {
            if v.level() == hocvuso_core::units::Level::Village
                && let Some(p) = people::search(
                    &app.db,
                    &app.vault,
                    &crate::helpers::sees(&v.path),
                    &SearchTerm::Everyone,
                    None,
                    1,
                )
                .await
                .unwrap()
                .people
                .first()
                .cloned()
            {
                with_people.push((c.clone(), v, p));
                break;
            }
        }
    }
    assert!(with_people.len() >= 2, "the seed has people in two communes");
    let (from_commune, village, person) = with_people[0].clone();
    let (to_commune, _, other_person) = with_people[1].clone();
    let name = hocvuso_core::text::fold(&person.full_name);
    let find = |scope: String, q: String| {
        let (db, vault) = (app.db.clone(), app.vault.clone());
        async move {
            people::search(
                &db,
                &vault,
                &crate::helpers::sees(&scope),
                &SearchTerm::parse(&q),
                None,
                200,
            )
            .await
            .unwrap()
            .people
            .iter()
            .filter(|p| p.id == person.id)
            .count()
        }
    };
    assert_eq!(find(from_commune.path.clone(), name.clone()).await, 1);
    hocvuso_app::units::move_to(&app.app(), &crate::helpers::platform(), &village, &to_commune)
        .await
        .unwrap();
    let moved = hocvuso_db::units::get(&app.db, village.id).await.unwrap().unwrap();
    assert_eq!(
        find(from_commune.path.clone(), name.clone()).await,
        0,
        "gone from the old commune"
    );
    assert_eq!(
        find(to_commune.path.clone(), name.clone()).await,
        1,
        "found in the new commune"
    );
    assert_eq!(find(moved.path.clone(), name.clone()).await, 1, "found in the village");
    assert_eq!(
        find(province.path.clone(), name.clone()).await,
        1,
        "found once in the province"
    );
    // The receiving commune is merged into a third: everyone in it follows.
    let third = communes
        .iter()
        .find(|c| c.id != from_commune.id && c.id != to_commune.id)
        .unwrap();
    hocvuso_app::units::merge(&app.app(), &crate::helpers::platform(), &to_commune, &third.code)
        .await
        .unwrap();
    assert_eq!(find(third.path.clone(), name.clone()).await, 1, "followed the merge");
    assert_eq!(find(province.path.clone(), name.clone()).await, 1);
    let other = hocvuso_core::text::fold(&other_person.full_name);
    let found = people::search(
        &app.db,
        &app.vault,
        &crate::helpers::sees(&third.path),
        &SearchTerm::parse(&other),
        None,
        200,
    )
    .await
    .unwrap();
    assert!(
        found.people.iter().any(|p| p.id == other_person.id),
        "the merged commune's own people too"
    );
    app.finish().await;
}
both!(search_after_reorganisation, search_follows_reorganisation);
