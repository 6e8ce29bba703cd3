//! The officer's pages as people use them (issue 7, section 6): irreversible actions confirmed on a
//! page of their own, natural order of villages, the people list's total, filters and paging both
//! ways, the reveal of an ID number through a redirect, the unit picker of role grants and the
//! audit page's filters and names.

use crate::both;
use crate::helpers::{Backend, TestApp, officer_units};
use hocvuso_core::people::PersonForm;
use hocvuso_core::units::Kind;
use hocvuso_db::audit::{self, Filter};
use hocvuso_db::people::{self, Placement};
use hocvuso_db::units::{self, Unit};

/// Registers a person directly (the pages are what is tested, not registration).
async fn add_person(app: &TestApp, residence: &Unit, name: &str, pid: &str, groups: &str) -> i64 {
    let today = time::OffsetDateTime::now_utc().date();
    let input = PersonForm {
        full_name: name.into(),
        birth_date: "01/01/1990".into(),
        // The fourth digit of an ID number says the sex: even for men, odd for women.
        sex: if pid.as_bytes()[3].is_multiple_of(2) {
            "Nam"
        } else {
            "Nữ"
        }
        .into(),
        personal_id: pid.into(),
        groups: groups.into(),
        ..Default::default()
    }
    .validate(today)
    .unwrap_or_else(|e| panic!("{name} {pid}: {e:?}"));
    let mut tx = app.db.begin().await.unwrap();
    let id = people::insert(
        &mut tx,
        &app.vault,
        &input,
        &Placement {
            residence,
            workplace_id: None,
            household_id: None,
        },
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn add_village(app: &TestApp, commune: &Unit, name: &str) -> Unit {
    let new = hocvuso_app::units::NewChild {
        kind: Kind::Thon,
        name,
        code: None,
    };
    hocvuso_app::units::create_child(&app.app(), &crate::helpers::platform(), commune, new)
        .await
        .unwrap()
}

/// Where each of `needles` first appears in `hay`, in the order given; panics if one is missing.
fn positions(hay: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| hay.find(n).unwrap_or_else(|| panic!("{n} not on the page")))
        .collect()
}

fn ascending(v: &[usize]) -> bool {
    v.windows(2).all(|w| w[0] < w[1])
}

/// The `href` values of links with `rel` on a page, `&amp;` decoded.
fn rel_link(body: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\"");
    let end = body.find(&marker)?;
    let start = body[..end].rfind("href=\"")? + 6;
    let href = &body[start..];
    Some(href[..href.find('"')?].replace("&amp;", "&").replace("&#38;", "&"))
}

/// The people linked from a list page, in the order shown.
fn listed_ids(body: &str) -> Vec<i64> {
    body.split("<a href=\"/people/")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect()
}

async fn merge_is_confirmed_on_its_own_page(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let from = add_village(&app, &commune, "Thôn Đồng Xuân").await;
    let into = add_village(&app, &commune, "Thôn Bãi Bằng").await;
    add_person(&app, &from, "Lò Văn Sáp", "001090000101", "resident").await;
    add_person(&app, &from, "Lò Thị Nhập", "001190000102", "resident").await;
    let c = app.login("0900000005").await;
    let page = format!("/units/{}/merge", from.code);

    // The unit's page links to the merge page instead of offering a preselected target.
    let (_, unit_page) = c.text(&format!("/units/{}", from.code)).await;
    assert!(unit_page.contains(&format!("href=\"{page}\"")), "merge page linked");
    assert!(
        !unit_page.contains("name=\"into\""),
        "no merge target on the unit's page"
    );

    // Siblings are found by a name typed without diacritics, or by code; nothing is chosen.
    let (s, body) = c.text(&format!("{page}?q=bai+bang")).await;
    assert_eq!(s, 200);
    assert!(body.contains("Thôn Bãi Bằng") && !body.contains(&format!("value=\"{}\">", from.code)));
    assert!(
        !body.contains("checked") && !body.contains("selected"),
        "nothing preselected"
    );
    assert!(
        !body.contains("method=\"post\" action=\"/units"),
        "no merge form before a choice"
    );
    let other = units::children(&app.db, commune.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id != from.id && u.id != into.id && u.level() == hocvuso_core::units::Level::Village)
        .expect("a demo village");
    assert!(
        !body.contains(&other.name),
        "the search narrowed the list: {}",
        other.name
    );
    let (_, by_code) = c.text(&format!("{page}?q={}", into.code)).await;
    assert!(by_code.contains("Thôn Bãi Bằng"), "found by code");

    // The confirmation page says what will happen, in plain words, with the box unticked.
    let (s, confirm) = c.text(&format!("{page}?into={}", into.code)).await;
    assert_eq!(s, 200);
    for said in [
        "2 người dân đang ở Thôn Đồng Xuân",
        "sẽ chuyển sang Thôn Bãi Bằng",
        "Mẫu số",
        "ngừng hoạt động",
        "Không thể hoàn tác",
    ] {
        assert!(confirm.contains(said), "confirmation page says «{said}»");
    }
    assert!(
        confirm.contains("name=\"confirm\" value=\"yes\" required>"),
        "box present, unticked"
    );
    assert!(!confirm.contains("checked"));

    // A POST without the confirmation does nothing and leads back to the confirmation page.
    let r = c.post_form(&page, &page, &[("into", &into.code)]).await;
    assert_eq!(r.status(), 303);
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert!(back.starts_with(&format!("{page}?into={}", into.code)), "{back}");
    let (s, again) = c.text(&back).await;
    assert_eq!(s, 422);
    assert!(again.contains("Chưa sáp nhập"), "the page says it was not done");
    let still = units::get(&app.db, from.id).await.unwrap().unwrap();
    assert!(still.active && still.successor_id.is_none(), "not merged");
    assert_eq!(people::count_in(&app.db, &from.path).await.unwrap(), 2);
    let r = c
        .post_form(&page, &page, &[("into", &into.code), ("confirm", "on")])
        .await;
    assert_eq!(r.status(), 303, "any other value is not a confirmation");
    assert!(units::get(&app.db, from.id).await.unwrap().unwrap().active);

    // A target that is not a sibling is refused even when confirmed.
    let r = c
        .post_form(&page, &page, &[("into", &commune.code), ("confirm", "yes")])
        .await;
    assert_eq!(r.status(), 422);
    assert!(units::get(&app.db, from.id).await.unwrap().unwrap().active);

    // Confirmed: merged.
    let r = c
        .post_form(&page, &page, &[("into", &into.code), ("confirm", "yes")])
        .await;
    assert_eq!(r.status(), 303);
    let done = units::get(&app.db, from.id).await.unwrap().unwrap();
    assert!(!done.active);
    assert_eq!(done.successor_id, Some(into.id));
    assert_eq!(people::count_in(&app.db, &into.path).await.unwrap(), 2);
    crate::helpers::kept_counts_match(&app.db).await;
    app.finish().await;
}
both!(merge_confirmation, merge_is_confirmed_on_its_own_page);

async fn temporary_password_is_confirmed_on_its_own_page(b: Backend) {
    let app = TestApp::spawn(b).await;
    // The seeded learner has an account linked to a person of the officer's commune.
    let learner = hocvuso_db::accounts::by_phone(&app.db, "0900000008")
        .await
        .unwrap()
        .unwrap();
    let person = learner.person_id.expect("learner is a resident");
    let c = app.login("0900000005").await;
    let show = format!("/people/{person}");
    let page = format!("/people/{person}/reset-password");
    let (_, record) = c.text(&show).await;
    assert!(
        record.contains(&format!("href=\"{page}\"")),
        "the record links to the confirmation"
    );
    assert!(
        !record.contains(&format!("action=\"{page}\"")),
        "no one-click reset on the record"
    );
    let (s, confirm) = c.text(&page).await;
    assert_eq!(s, 200);
    for said in [
        "sẽ không đăng nhập được nữa",
        "bị đăng xuất",
        "phải đổi mật khẩu tạm",
        "hiện một lần duy nhất",
    ] {
        assert!(confirm.contains(said), "confirmation page says «{said}»");
    }
    assert!(confirm.contains("name=\"confirm\" value=\"yes\" required>") && !confirm.contains("checked"));

    // Without the confirmation nothing is issued: same password hash, no audit entry.
    let resets = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            audit::list(
                &db,
                hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
                &Filter {
                    person_id: Some(person),
                    action: Some("person.password_reset".into()),
                    ..Default::default()
                },
                10,
            )
            .await
            .unwrap()
            .len()
        }
    };
    let r = c.post_form(&page, &page, &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{page}?unconfirmed=1").as_str());
    let (s, again) = c.text(&format!("{page}?unconfirmed=1")).await;
    assert_eq!(s, 422);
    assert!(again.contains("Chưa cấp mật khẩu"));
    let after = hocvuso_db::accounts::by_phone(&app.db, "0900000008")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.password_hash, learner.password_hash, "password unchanged");
    assert_eq!(resets(&app).await, 0);
    let still = app.login("0900000008").await;
    assert_eq!(still.get("/me").await.status(), 200, "the old password still signs in");

    // Confirmed: a temporary password, shown once.
    let r = c.post_form(&page, &page, &[("confirm", "yes")]).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("class=\"big\"><strong>"));
    assert_eq!(resets(&app).await, 1);
    let changed = hocvuso_db::accounts::by_phone(&app.db, "0900000008")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(changed.password_hash, learner.password_hash);
    app.finish().await;
}
both!(reset_confirmation, temporary_password_is_confirmed_on_its_own_page);

async fn villages_in_natural_order(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    // Names the demo does not use ("Tổ dân phố N" may already exist in a ward).
    for name in ["Xóm 10", "Xóm 9", "Xóm 2", "Khu 10", "Khu 2"] {
        add_village(&app, &commune, name).await;
    }
    let order = ["Khu 2", "Khu 10", "Xóm 2", "Xóm 9", "Xóm 10"];
    // "Xóm 10" also contains "Xóm 1…": look for the closing tag after each name.
    let tagged = |end: &str| order.iter().map(|n| format!("{n}{end}")).collect::<Vec<_>>();
    let c = app.login("0900000005").await;
    let (_, unit_page) = c.text(&format!("/units/{}", commune.code)).await;
    let names = tagged("</a>");
    let p = positions(&unit_page, &names.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(ascending(&p), "unit page lists villages naturally: {p:?}");
    let options = tagged("</option>");
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    for page in [
        format!("/units/{}/people/new", commune.code),
        format!("/units/{}/people", commune.code),
    ] {
        let (_, body) = c.text(&page).await;
        let p = positions(&body, &options);
        assert!(ascending(&p), "{page}: the village select is in natural order: {p:?}");
    }
    let outsider = units::children(&app.db, commune.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.level() == hocvuso_core::units::Level::Village && !order.contains(&u.name.as_str()))
        .expect("a demo village");
    let (_, merge) = c.text(&format!("/units/{}/merge", outsider.code)).await;
    let spans = tagged(" <span");
    let spans: Vec<&str> = spans.iter().map(String::as_str).collect();
    assert!(ascending(&positions(&merge, &spans)), "merge choices in natural order");
    let kids: Vec<String> = units::children(&app.db, commune.id)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .filter(|n| order.contains(&n.as_str()))
        .collect();
    assert_eq!(kids, order, "units::children");
    app.finish().await;
}
both!(natural_order, villages_in_natural_order);

async fn people_list_total_filters_and_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let v1 = add_village(&app, &commune, "Thôn Nhiều Người").await;
    let v2 = add_village(&app, &commune, "Thôn Ít Người").await;
    // 120 in the first village (students every third), 7 in the second.
    for n in 0..120 {
        let group = if n % 3 == 0 { "student" } else { "resident" };
        add_person(&app, &v1, &format!("Hà Văn Số {n}"), &format!("0010900{n:05}"), group).await;
    }
    for n in 0..7 {
        add_person(
            &app,
            &v2,
            &format!("Vi Thị Số {n}"),
            &format!("0011900{:05}", 500 + n),
            "worker",
        )
        .await;
    }
    let c = app.login("0900000005").await;
    let base = format!("/units/{}/people", commune.code);

    // The total of the whole commune.
    let all = people::count_in(&app.db, &commune.path).await.unwrap();
    let (_, body) = c.text(&base).await;
    assert!(body.contains(&format!("Tổng số: {all} người")), "total {all} shown");

    // The whole commune pages in one Vietnamese order across its villages and the commune itself
    // (people filed at each unit are merged, not listed unit after unit), both ways.
    add_person(&app, &commune, "Lê Văn Giữa", "001090099001", "resident").await;
    add_person(&app, &v2, "An Thị Đầu", "001190099002", "resident").await;
    let all = all + 2;
    let mut pages = vec![listed_ids(&c.text(&base).await.1)];
    let mut at = c.text(&base).await.1;
    while let Some(next) = rel_link(&at, "next") {
        at = c.text(&next).await.1;
        pages.push(listed_ids(&at));
        assert!(pages.len() < 100, "paging ends");
    }
    let walked: Vec<i64> = pages.concat();
    assert_eq!(walked.len() as i64, all, "every person of the commune once: {walked:?}");
    let named = people::get_many(
        &app.db,
        &[crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/")],
        &walked,
    )
    .await
    .unwrap();
    let key_of = |id: &i64| {
        let p = named.iter().find(|p| p.id == *id).expect("listed person exists");
        (hocvuso_core::text::person_name_key(&p.full_name), *id)
    };
    let mut expected = walked.clone();
    expected.sort_by_key(key_of);
    expected.dedup();
    assert_eq!(
        walked, expected,
        "the commune's pages are in name order, without repeats"
    );
    let mut back = vec![listed_ids(&at)];
    while let Some(prev) = rel_link(&at, "prev") {
        at = c.text(&prev).await.1;
        back.push(listed_ids(&at));
        assert!(back.len() < 100, "paging back ends");
    }
    back.reverse();
    assert_eq!(back, pages, "the same pages going back");

    // A village: only its people, its total, and pages of 50 both ways with the filter kept.
    let (_, first) = c.text(&format!("{base}?village={}", v1.code)).await;
    assert!(first.contains("Tổng số: 120 người"), "village total");
    assert!(!first.contains("Vi Thị Số"), "the other village is filtered out");
    let page1 = listed_ids(&first);
    assert_eq!(page1.len(), 50);
    assert!(rel_link(&first, "prev").is_none(), "no previous page on the first");
    let next = rel_link(&first, "next").expect("a next page");
    assert!(next.contains(&format!("village={}", v1.code)), "filter kept in {next}");
    let (_, second) = c.text(&next).await;
    let page2 = listed_ids(&second);
    assert_eq!(page2.len(), 50);
    assert!(
        page2.iter().all(|id| !page1.contains(id)),
        "the second page is new people: {page1:?} then {page2:?} via {next}"
    );
    let (_, third) = c.text(&rel_link(&second, "next").expect("third page")).await;
    let page3 = listed_ids(&third);
    assert_eq!(page3.len(), 20);
    assert!(rel_link(&third, "next").is_none(), "the last page has no next");
    // Back from the last page, then back again: the same pages as going forward.
    let prev = rel_link(&third, "prev").expect("a previous page");
    assert!(prev.contains(&format!("village={}", v1.code)));
    let (_, back2) = c.text(&prev).await;
    assert_eq!(listed_ids(&back2), page2, "previous of page 3 is page 2");
    let (_, back1) = c.text(&rel_link(&back2, "prev").expect("back to page 1")).await;
    assert_eq!(listed_ids(&back1), page1, "previous of page 2 is page 1");
    assert!(
        rel_link(&back1, "prev").is_none(),
        "page 1 reached by going back has no previous"
    );
    let mut every: Vec<i64> = [page1.clone(), page2, page3].concat();
    every.sort_unstable();
    every.dedup();
    assert_eq!(every.len(), 120, "every person of the village exactly once");

    // A target group, with the village: 40 students; each shown person is a student.
    let (_, students) = c.text(&format!("{base}?village={}&group=student", v1.code)).await;
    assert!(students.contains("Tổng số: 40 người"), "group total");
    let ids = listed_ids(&students);
    assert_eq!(ids.len(), 40);
    for p in people::get_many(
        &app.db,
        &[crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/")],
        &ids,
    )
    .await
    .unwrap()
    {
        assert!(
            p.groups().contains(hocvuso_core::people::TargetGroup::Student),
            "{} is not a student",
            p.full_name
        );
    }
    // A name search with filters: its own total, the filters kept.
    let (_, found) = c.text(&format!("{base}?q=so&group=worker")).await;
    assert!(found.contains("Tổng số: 7 người"), "name search total");
    let names = listed_ids(&found);
    assert_eq!(names.len(), 7);
    // A name search pages both ways too (the candidates are paged in memory).
    let (_, named) = c.text(&format!("{base}?q=ha+van+so&village={}", v1.code)).await;
    assert_eq!(listed_ids(&named), page1, "name search orders as the list");
    let n2 = rel_link(&named, "next").expect("next page of a name search");
    assert!(n2.contains("q=ha+van+so"), "query kept in {n2}");
    let (_, named2) = c.text(&n2).await;
    let (_, named1) = c.text(&rel_link(&named2, "prev").expect("prev of a name search")).await;
    assert_eq!(listed_ids(&named1), page1);
    // Unknown filters and broken cursors are ignored, never a crash.
    let (s, _) = c.text(&format!("{base}?village=xyz&group=nope&before=zz.1")).await;
    assert_eq!(s, 200);
    app.finish().await;
}
both!(people_list, people_list_total_filters_and_pages);

/// A name matching more people than a search examines says so (with the number examined), still
/// pages through them, and a longer name narrows it to an exact total.
async fn search_beyond_its_candidates_asks_for_a_longer_name(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let village = add_village(&app, &commune, "Thôn Đông Người").await;
    let today = time::OffsetDateTime::now_utc().date();
    let over = people::SEARCH_CANDIDATES as usize + 10;
    let inputs: Vec<_> = (0..over)
        .map(|n| {
            PersonForm {
                full_name: format!("Đỗ Văn Nhiều {n}"),
                birth_date: "01/01/1990".into(),
                sex: "Nam".into(),
                personal_id: format!("001090{:06}", 700_000 + n),
                groups: "resident".into(),
                ..Default::default()
            }
            .validate(today)
            .unwrap_or_else(|e| panic!("person {n}: {e:?}"))
        })
        .collect();
    let items: Vec<people::BatchItem> = inputs
        .iter()
        .map(|person| people::BatchItem {
            person,
            residence: &village,
            workplace_id: None,
            household_id: None,
        })
        .collect();
    let mut tx = app.db.begin().await.unwrap();
    people::insert_batch(&mut tx, &app.vault, &items, None).await.unwrap();
    tx.commit().await.unwrap();

    let c = app.login("0900000005").await;
    let base = format!("/units/{}/people", commune.code);
    let (s, first) = c.text(&format!("{base}?q=do+van+nhieu")).await;
    assert_eq!(s, 200);
    assert!(
        first.contains("Hơn 2.000 người khớp"),
        "asks for a longer name: {first}"
    );
    let page1 = listed_ids(&first);
    assert_eq!(page1.len(), 50);
    let (_, second) = c.text(&rel_link(&first, "next").expect("a next page")).await;
    let page2 = listed_ids(&second);
    assert_eq!(page2.len(), 50);
    assert!(page2.iter().all(|id| !page1.contains(id)), "new people on page 2");
    let (_, back) = c.text(&rel_link(&second, "prev").expect("a previous page")).await;
    assert_eq!(listed_ids(&back), page1, "back to the first page");
    // "Nhiều 1" and its word suffixes match 1, 10–19 and 100–199 and 1000–1999: 1,111 people.
    let (_, narrower) = c.text(&format!("{base}?q=do+van+nhieu+1")).await;
    assert!(narrower.contains("Tổng số: 1.111 người"), "exact total: {narrower}");
    let (_, one) = c.text(&format!("{base}?q=nhieu+2001")).await;
    assert!(one.contains("Tổng số: 1 người"), "one person: {one}");
    assert_eq!(listed_ids(&one).len(), 1);
    app.finish().await;
}
both!(
    search_beyond_candidates,
    search_beyond_its_candidates_asks_for_a_longer_name
);

/// The number shown once after a redirect; a reload neither shows nor audits it again.
async fn reveal_redirects_and_shows_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let pid = "001090000777";
    let id = add_person(&app, &commune, "Mùa A Lộ", pid, "resident").await;
    let c = app.login("0900000005").await;
    let show = format!("/people/{id}");
    let unmasks = || async {
        audit::list(
            &app.db,
            hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
            &Filter {
                person_id: Some(id),
                action: Some("person.unmask".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap()
        .len()
    };
    let r = c.post_form(&show, &format!("{show}/reveal"), &[]).await;
    assert_eq!(r.status(), 303, "post/redirect/get");
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, show);
    assert!(!to.contains(pid));
    let body = r.text().await.unwrap();
    assert!(!body.contains(pid), "the redirect itself carries no number");
    assert_eq!(unmasks().await, 1, "audited at the reveal");
    let (_, once) = c.text(&to).await;
    assert!(once.contains(pid), "the full number shown after the redirect");
    // A reload: masked again, and not audited again.
    let (_, reload) = c.text(&to).await;
    assert!(!reload.contains(pid), "a reload does not show it again");
    assert!(reload.contains("********0777"));
    assert_eq!(unmasks().await, 1, "one reveal, one audit entry");
    // Another session of the same account does not inherit the ticket.
    let r = c.post_form(&show, &format!("{show}/reveal"), &[]).await;
    assert_eq!(r.status(), 303);
    let other = app.login("0900000005").await;
    let (_, elsewhere) = other.text(&show).await;
    assert!(!elsewhere.contains(pid), "the ticket belongs to the session that asked");
    let (_, mine) = c.text(&show).await;
    assert!(mine.contains(pid));
    assert_eq!(unmasks().await, 2);
    // The ticket table holds no ID number.
    let rows: Vec<hocvuso_db::Scalar<String>> = app
        .db
        .fetch_all(
            hocvuso_db::sea_query::Query::select()
                .column(hocvuso_db::reveal::RevealTickets::Owner)
                .from(hocvuso_db::reveal::RevealTickets::Table),
        )
        .await
        .unwrap();
    assert!(rows.iter().all(|r| !r.0.contains(pid)));
    app.finish().await;
}
both!(reveal_prg, reveal_redirects_and_shows_once);

async fn grant_picks_the_unit_by_search(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000002").await; // steering committee of the province
    let folded = hocvuso_core::text::fold(&commune.name);
    let (s, body) = c.text(&format!("/access?unit_q={}", folded.replace(' ', "+"))).await;
    assert_eq!(s, 200);
    assert!(
        body.contains(&format!("name=\"unit\" value=\"{}\"", commune.code)),
        "«{folded}» finds {} with a choose button",
        commune.name
    );
    assert!(!body.contains("name=\"unit_code\""), "no unit typed by hand");
    let (_, by_code) = c.text(&format!("/access?unit_q={}", commune.code)).await;
    assert!(
        by_code.contains(&format!("name=\"unit\" value=\"{}\"", commune.code)),
        "by code"
    );
    // A unit outside the actor's scope is neither found nor chosen.
    let hanoi = units::by_code(&app.db, "01").await.unwrap().unwrap();
    let (_, out) = c.text("/access?unit_q=01").await;
    assert!(!out.contains("name=\"unit\" value=\"01\""), "Hà Nội not offered");
    let (_, out) = c.text(&format!("/access?unit={}", hanoi.code)).await;
    assert!(
        !out.contains("name=\"unit_code\""),
        "an out-of-scope unit cannot be chosen"
    );
    // Chosen: the form carries the unit; granting works.
    let chosen = format!("/access?unit={}", commune.code);
    let (_, form) = c.text(&chosen).await;
    assert!(form.contains(&format!("name=\"unit_code\" value=\"{}\"", commune.code)));
    let r = c
        .post_form(
            &chosen,
            "/access",
            &[
                ("phone", "0911222444"),
                ("name", "Cán Bộ Mới"),
                ("role", "helper"),
                ("unit_code", &commune.code),
            ],
        )
        .await;
    assert_eq!(r.status(), 200, "a new account's temporary password is shown");
    let a = hocvuso_db::accounts::by_phone(&app.db, "0911222444")
        .await
        .unwrap()
        .unwrap();
    let g = hocvuso_db::accounts::grants(&app.db, a.id).await.unwrap();
    assert_eq!((g[0].role.as_str(), g[0].unit_id), ("helper", commune.id));
    // A refused grant keeps the chosen unit chosen.
    let r = c
        .post_form(
            &chosen,
            "/access",
            &[("phone", "12"), ("role", "helper"), ("unit_code", &commune.code)],
        )
        .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains(&format!("name=\"unit_code\" value=\"{}\"", commune.code)));
    app.finish().await;
}
both!(grant_picker, grant_picks_the_unit_by_search);

async fn audit_page_filters_names_and_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, other) = officer_units(&app).await;
    let seen = add_person(&app, &commune, "Sầm Thị Nhật Ký", "001190000901", "resident").await;
    let elsewhere = add_person(&app, &other, "Hoàng Văn Khác", "001090000902", "resident").await;
    let hanoi = units::children(&app.db, units::by_code(&app.db, "01").await.unwrap().unwrap().id)
        .await
        .unwrap()
        .remove(0);
    let far = add_person(&app, &hanoi, "Đinh Văn Xa", "001090000903", "resident").await;
    let officer = app.login("0900000005").await;
    for _ in 0..60 {
        officer.get(&format!("/people/{seen}")).await;
    }
    let officer_b = app.login("0900000006").await;
    officer_b.get(&format!("/people/{elsewhere}")).await;
    let admin = app.login("0900000001").await;
    admin.get(&format!("/people/{far}")).await;

    let inspector = app.login("0900000003").await; // inspector of the province
    let (s, page) = inspector.text("/audit").await;
    assert_eq!(s, 200);
    // Names, with links: the person, the account, the unit.
    assert!(
        page.contains(&format!("<a href=\"/people/{seen}\">Sầm Thị Nhật Ký</a>")),
        "person named"
    );
    assert!(page.contains("/audit?actor_id="), "actors link to their entries");
    assert!(
        !page.contains("Đinh Văn Xa") && !page.contains(&format!("/people/{far}")),
        "out of scope"
    );
    // Pages of 50, both ways.
    let older = rel_link(&page, "next").expect("older entries");
    let (_, p2) = inspector.text(&older).await;
    let newer = rel_link(&p2, "prev").expect("newer entries");
    let (_, back) = inspector.text(&newer).await;
    let ids = |b: &str| -> Vec<String> {
        b.split("<th scope=\"row\" role=\"rowheader\">")
            .skip(1)
            .filter_map(|s| s.split('<').next().map(str::to_string))
            .collect()
    };
    assert_eq!(ids(&back), ids(&page), "newer from page 2 is page 1");
    assert_eq!(ids(&page).len(), 50);

    // By action.
    let (_, logins) = inspector.text("/audit?action=auth.login").await;
    assert!(
        logins.contains("Đăng nhập") && !logins.contains("Xem hồ sơ</td>"),
        "only sign-ins"
    );
    // By person, typed without diacritics.
    let (_, by_person) = inspector.text("/audit?person=sam+thi+nhat+ky").await;
    assert!(by_person.contains("Sầm Thị Nhật Ký"));
    assert!(!by_person.contains("Hoàng Văn Khác"), "only that person");
    // By actor: officer B's entries only.
    let (_, by_actor) = inspector.text("/audit?actor=0900000006").await;
    assert!(by_actor.contains("Hoàng Văn Khác") && !by_actor.contains("Sầm Thị Nhật Ký"));
    // By dates (Vietnam time): today has entries, tomorrow none; a bad date is explained.
    let vn = time::UtcOffset::from_hms(7, 0, 0).unwrap();
    let today = time::OffsetDateTime::now_utc().to_offset(vn).date();
    let iso = |d: time::Date| format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let (_, todays) = inspector
        .text(&format!("/audit?from={}&to={}", iso(today), iso(today)))
        .await;
    assert!(todays.contains("Sầm Thị Nhật Ký"));
    let tomorrow = today.next_day().unwrap();
    let (_, none) = inspector.text(&format!("/audit?from={}", iso(tomorrow))).await;
    assert!(none.contains("Không có mục nhật ký nào khớp"));
    let (s, bad) = inspector.text("/audit?from=31/02/2026").await;
    assert_eq!(s, 422);
    assert!(bad.contains("Từ ngày"));
    // The ID number is not a way to filter the log.
    let (s, _) = inspector.text("/audit?person=001190000901").await;
    assert_eq!(s, 422);
    // A person who has since moved out of the reader's scope: the old entries stay in scope,
    // the name does not.
    let moved = people::get(
        &app.db,
        &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
        seen,
    )
    .await
    .unwrap()
    .unwrap();
    let today_date = time::OffsetDateTime::now_utc().date();
    let input = PersonForm {
        full_name: moved.full_name.clone(),
        birth_date: "01/01/1990".into(),
        sex: "Nữ".into(),
        personal_id: "001190000901".into(),
        groups: "resident".into(),
        ..Default::default()
    }
    .validate(today_date)
    .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    people::update(
        &mut tx,
        &app.vault,
        seen,
        &input,
        &Placement {
            residence: &hanoi,
            workplace_id: None,
            household_id: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (_, hidden) = inspector.text("/audit?action=person.view").await;
    assert!(hidden.contains(&format!("Người dân số {seen}")), "named by number only");
    assert!(
        !hidden.contains("Sầm Thị Nhật Ký"),
        "the name of someone out of sight is not shown"
    );
    assert!(!hidden.contains(&format!("href=\"/people/{seen}\"")));
    app.finish().await;
}
both!(audit_page, audit_page_filters_names_and_pages);
