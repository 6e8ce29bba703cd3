//! Learning end to end, on both databases: the shipped content installed at start, the catalogue
//! (pages and API), a learner enrolling, reading and finishing a course with every event stored as
//! an xAPI statement, progress surviving a new version of a lesson, and the refusals.

use crate::both;
use crate::helpers::{Backend, Options, TestApp};
use hocvuso_app::learning as app;
use hocvuso_core::learning::{ContentLang, CourseStatus};
use hocvuso_db::learning as db;
use serde_json::Value;

/// A shipped course with an English translation, and its first lesson (the walks use them too).
pub(crate) const COURSE: &str = "nhan-biet-lua-dao";
pub(crate) const LESSON: &str = "vi-sao-ai-cung-co-the-bi-lua";
const LEARNER: &str = "0900000008";

fn seeded() -> Options {
    Options {
        seed: true,
        people: 200,
        ..Options::default()
    }
}

fn shipped() -> Vec<hocvuso_core::learning::Course> {
    app::shipped_courses()
        .expect("shipped courses parse")
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

async fn catalogue_pages_and_api(b: Backend) {
    let t = TestApp::spawn(b).await;
    let shipped = shipped();
    assert!(shipped.len() >= 10, "at least ten starter courses");
    let c = t.client();

    // Every shipped course is in the catalogue, by its title.
    let (s, page) = c.text("/learn").await;
    assert_eq!(s, 200);
    for course in &shipped {
        assert!(page.contains(&course.title), "{} missing from /learn", course.slug);
    }
    let api: Vec<Value> = c.get("/api/v1/courses").await.json().await.unwrap();
    let mut slugs: Vec<&str> = api.iter().map(|x| x["slug"].as_str().unwrap()).collect();
    slugs.sort();
    let mut expected: Vec<&str> = shipped.iter().map(|c| c.slug.as_str()).collect();
    expected.sort();
    assert_eq!(slugs, expected);
    // Lesson counts and minutes are the shipped ones.
    for course in &shipped {
        let x = api.iter().find(|x| x["slug"] == course.slug.as_str()).unwrap();
        let lessons: usize = course.modules.iter().map(|m| m.lessons.len()).sum();
        let minutes: u64 = course
            .modules
            .iter()
            .flat_map(|m| &m.lessons)
            .map(|l| u64::from(l.minutes))
            .sum();
        assert_eq!(x["lessons"], lessons, "{}", course.slug);
        assert_eq!(x["minutes"], minutes, "{}", course.slug);
    }

    // Search typed without diacritics finds the course whose title has them.
    let portal = shipped.iter().find(|c| c.slug == "cong-dich-vu-cong-quoc-gia").unwrap();
    let found: Vec<Value> = c
        .get("/api/v1/courses?q=dich%20vu%20cong%20quoc%20gia")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["slug"], portal.slug.as_str());
    let (_, page) = c.text("/learn?q=dich+vu+cong+quoc+gia").await;
    assert!(page.contains(&portal.title));
    assert!(!page.contains(&shipped.iter().find(|c| c.slug == COURSE).unwrap().title));

    // By target group: exactly the courses that list it.
    for g in hocvuso_core::people::TargetGroup::ALL {
        let list: Vec<Value> = c
            .get(&format!("/api/v1/courses?group={}", g.as_str()))
            .await
            .json()
            .await
            .unwrap();
        let mut got: Vec<&str> = list.iter().map(|x| x["slug"].as_str().unwrap()).collect();
        got.sort();
        let mut want: Vec<&str> = shipped
            .iter()
            .filter(|c| c.groups.contains(&g))
            .map(|c| c.slug.as_str())
            .collect();
        want.sort();
        assert_eq!(got, want, "group {}", g.as_str());
    }
    // By language: English lists only the translated courses, titled in English.
    let en: Vec<Value> = c.get("/api/v1/courses?lang=en").await.json().await.unwrap();
    let translated: Vec<&hocvuso_core::learning::Course> = shipped.iter().filter(|c| c.en.is_some()).collect();
    assert_eq!(en.len(), translated.len());
    for x in &en {
        let course = translated.iter().find(|c| x["slug"] == c.slug.as_str()).unwrap();
        assert_eq!(x["title"], course.en.as_ref().unwrap().title.as_str());
        assert_eq!(x["fallback"], false);
    }
    // By competence.
    let comp: Vec<Value> = c
        .get("/api/v1/courses?competence=digcomp22:4.1")
        .await
        .json()
        .await
        .unwrap();
    let want = shipped
        .iter()
        .filter(|c| {
            c.competences
                .iter()
                .any(|r| r.framework == "digcomp22" && r.code == "4.1")
        })
        .count();
    assert_eq!(comp.len(), want);

    // Bad filters are 400 with a Vietnamese problem naming the value.
    for (q, needle) in [
        ("group=farmer", "farmer"),
        ("lang=fr", "fr"),
        ("competence=4.1", "digcomp22:4.1"),
    ] {
        let r = c.get(&format!("/api/v1/courses?{q}")).await;
        assert_eq!(r.status(), 400, "{q}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json")
        );
        let body: Value = r.json().await.unwrap();
        assert!(
            body["detail"].as_str().unwrap_or_default().contains(needle),
            "{q}: {body}"
        );
    }

    // A course with its modules and lessons; the English version of a translated one.
    let d: Value = c.get(&format!("/api/v1/courses/{COURSE}")).await.json().await.unwrap();
    let course = shipped.iter().find(|c| c.slug == COURSE).unwrap();
    let titles: Vec<&str> = d["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| {
            m["lessons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["title"].as_str().unwrap())
        })
        .collect();
    let want: Vec<&str> = course
        .modules
        .iter()
        .flat_map(|m| m.lessons.iter().map(|l| l.title.as_str()))
        .collect();
    assert_eq!(titles, want);
    assert_eq!(c.get("/api/v1/courses/khong-co").await.status(), 404);

    // Frameworks: the three shipped, with their real shape.
    let fws: Vec<Value> = c.get("/api/v1/frameworks").await.json().await.unwrap();
    let shape = |id: &str| {
        let f = fws
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("{id} listed"));
        (
            f["areas"].as_u64().unwrap(),
            f["competences"].as_u64().unwrap(),
            f["levels"].as_u64().unwrap(),
        )
    };
    assert_eq!(shape("digcomp22"), (5, 21, 8));
    assert_eq!(shape("tt02-2025").0, 6);
    assert_eq!(shape("tt02-2025").1, 24);
    let one: Value = c.get("/api/v1/frameworks/digcomp22").await.json().await.unwrap();
    assert_eq!(one["areas"].as_array().unwrap().len(), 5);
    assert!(
        one["source_note"]
            .as_str()
            .unwrap()
            .contains("KHÔNG phải bản dịch chính thức")
    );
    assert_eq!(c.get("/api/v1/frameworks/khong-co").await.status(), 404);

    // The OpenAPI document names every learning endpoint.
    let doc: Value = c.get("/api/openapi.json").await.json().await.unwrap();
    for p in [
        "/api/v1/courses",
        "/api/v1/courses/{course}",
        "/api/v1/frameworks",
        "/api/v1/frameworks/{framework}",
        "/api/v1/me/progress",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} missing from OpenAPI");
    }
    t.finish().await;
}
both!(catalogue, catalogue_pages_and_api);

async fn statements(t: &TestApp, account_id: i64) -> Vec<db::StoredStatement> {
    db::statements_of(&t.db, account_id).await.unwrap()
}

async fn learner_finishes_a_course(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let account = hocvuso_db::accounts::by_phone(&t.db, LEARNER).await.unwrap().unwrap();
    let person = account.person_id.expect("the learner is a resident");
    let home_unit = hocvuso_db::people::whereabouts(&t.db, person).await.unwrap().unwrap();
    let unit = hocvuso_db::units::get(&t.db, home_unit.unit_id).await.unwrap().unwrap();
    let course = shipped().into_iter().find(|c| c.slug == COURSE).unwrap();
    let lessons: Vec<String> = course
        .modules
        .iter()
        .flat_map(|m| m.lessons.iter().map(|l| l.slug.clone()))
        .collect();
    let c = t.login(LEARNER).await;

    // Marking a lesson done before enrolling is refused and stores nothing.
    let r = c
        .post_form(
            &format!("/learn/{COURSE}/{LESSON}"),
            &format!("/learn/{COURSE}/{LESSON}/done"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("chưa ghi danh"));
    assert!(statements(&t, account.id).await.is_empty());
    assert!(db::progress(&t.db, account.id, None).await.unwrap().is_empty());

    // Enrolling leads to the first lesson; a second post changes nothing.
    let r = c
        .post_form(&format!("/learn/{COURSE}"), &format!("/learn/{COURSE}/enrol"), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/learn/{COURSE}/{}", lessons[0]).as_str()
    );
    let r = c
        .post_form(&format!("/learn/{COURSE}"), &format!("/learn/{COURSE}/enrol"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let s = statements(&t, account.id).await;
    assert_eq!(s.iter().map(|x| x.verb.as_str()).collect::<Vec<_>>(), ["registered"]);
    let registered: Value = serde_json::from_str(&s[0].statement).unwrap();
    assert_eq!(registered["actor"]["account"]["name"], account.id.to_string());
    assert_eq!(
        registered["object"]["definition"]["type"],
        "http://adlnet.gov/expapi/activities/course"
    );
    assert_eq!(
        s[0].unit_path, home_unit.unit_path,
        "the statement is filed under the learner's unit"
    );
    let ext = registered["context"]["extensions"].as_object().unwrap();
    assert!(
        ext.iter()
            .any(|(k, v)| k.ends_with("/xapi/unit") && v == unit.code.as_str()),
        "{ext:?}"
    );
    let groups: Vec<&str> = home_unit.groups.iter().map(|g| g.as_str()).collect();
    assert!(
        ext.iter()
            .any(|(k, v)| k.ends_with("/xapi/target-groups") && *v == serde_json::json!(groups)),
        "{ext:?}"
    );

    // Reading and finishing every lesson in order; each page offers the button.
    for (i, l) in lessons.iter().enumerate() {
        let (s, page) = c.text(&format!("/learn/{COURSE}/{l}")).await;
        assert_eq!(s, 200);
        assert!(
            page.contains(&format!("/learn/{COURSE}/{l}/done")),
            "lesson {l} offers to mark it done"
        );
        let r = c
            .post_form(
                &format!("/learn/{COURSE}/{l}"),
                &format!("/learn/{COURSE}/{l}/done"),
                &[],
            )
            .await;
        assert_eq!(r.status(), 303, "{l}");
        let to = r.headers()["location"].to_str().unwrap().to_string();
        match lessons.get(i + 1) {
            Some(next) => assert_eq!(to, format!("/learn/{COURSE}/{next}")),
            None => assert_eq!(to, format!("/learn/{COURSE}")),
        }
    }
    // Posting the last lesson again records nothing more.
    let r = c
        .post_form(
            &format!("/learn/{COURSE}/{}", lessons[0]),
            &format!("/learn/{COURSE}/{}/done", lessons[0]),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let s = statements(&t, account.id).await;
    let verbs: Vec<&str> = s.iter().map(|x| x.verb.as_str()).collect();
    let n = lessons.len();
    assert_eq!(verbs.iter().filter(|v| **v == "registered").count(), 1);
    assert_eq!(verbs.iter().filter(|v| **v == "experienced").count(), n, "{verbs:?}");
    assert_eq!(
        verbs.iter().filter(|v| **v == "completed").count(),
        n + 1,
        "every lesson and the course: {verbs:?}"
    );
    let last: Value = serde_json::from_str(&s.last().unwrap().statement).unwrap();
    assert_eq!(
        last["object"]["definition"]["type"],
        "http://adlnet.gov/expapi/activities/course"
    );
    let a_lesson: Value = serde_json::from_str(&s.iter().find(|x| x.verb == "completed").unwrap().statement).unwrap();
    assert!(
        a_lesson["result"]["duration"].as_str().unwrap().starts_with("PT"),
        "time spent: {a_lesson}"
    );
    assert_eq!(a_lesson["result"]["completion"], true);

    // The course page, the API and the home page all say it is done.
    let (_, page) = c.text(&format!("/learn/{COURSE}")).await;
    assert!(page.contains("Bạn đã hoàn thành khóa học này"));
    let p: Value = c.get("/api/v1/me/progress").await.json().await.unwrap();
    let mine = p["courses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["slug"] == COURSE)
        .unwrap()
        .clone();
    assert_eq!(mine["done"], n);
    assert_eq!(mine["lessons"], n);
    assert_eq!(mine["completed"], true);
    // What the learner's groups must reach, from the shipped requirements.
    assert!(!p["required"].as_array().unwrap().is_empty(), "{p}");
    assert_eq!(p["groups"], serde_json::json!(groups));
    let (_, mine_page) = c.text("/my-learning").await;
    assert!(mine_page.contains(&course.title));

    // Counting per unit subtree and period is one index range; the commune sees the learner.
    let from = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let to = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let commune_path = {
        let parent = hocvuso_db::units::get(&t.db, unit.parent_id.unwrap())
            .await
            .unwrap()
            .unwrap();
        parent.path
    };
    let per_course = db::count_in_subtree(&t.db, &commune_path, "registered", from, to)
        .await
        .unwrap();
    let id = db::course_by_slug(&t.db, COURSE).await.unwrap().unwrap().id;
    assert_eq!(per_course, vec![(id, 1)]);
    assert!(
        db::count_in_subtree(&t.db, "/9999/", "registered", from, to)
            .await
            .unwrap()
            .is_empty()
    );

    // Statements cannot be changed or removed.
    let mut tx = t.db.begin().await.unwrap();
    assert!(
        tx.execute_unchecked("UPDATE xapi_statements SET verb = 'x'")
            .await
            .is_err()
    );
    drop(tx);
    let mut tx = t.db.begin().await.unwrap();
    assert!(tx.execute_unchecked("DELETE FROM xapi_statements").await.is_err());
    drop(tx);
    assert_eq!(statements(&t, account.id).await.len(), s.len());
    t.finish().await;
}
both!(learner_journey, learner_finishes_a_course);

async fn anonymous_and_unpublished(b: Backend) {
    let t = TestApp::spawn(b).await;
    let c = t.client();
    // Anyone reads a lesson; enrolling and progress ask them to sign in.
    let (s, page) = c.text(&format!("/learn/{COURSE}/{LESSON}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("/login?next="));
    assert_eq!(c.get("/api/v1/me/progress").await.status(), 401);
    // English content of a translated lesson; a missing translation falls back and says so.
    let (_, en) = c.text(&format!("/learn/{COURSE}/{LESSON}?lang=en")).await;
    assert!(en.contains("lang=\"en\""));
    let untranslated = shipped().into_iter().find(|c| c.en.is_none()).unwrap();
    let first = untranslated.modules[0].lessons[0].slug.clone();
    let (s, fb) = c.text(&format!("/learn/{}/{first}?lang=en", untranslated.slug)).await;
    assert_eq!(s, 200);
    assert!(
        fb.contains("chưa có bản dịch") || fb.contains("no translation"),
        "the fallback is said"
    );

    // A course taken back to draft disappears for learners, and takes no progress.
    let mut tx = t.db.begin().await.unwrap();
    tx.execute_unchecked(&format!("UPDATE courses SET status = 'draft' WHERE slug = '{COURSE}'"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(c.get(&format!("/learn/{COURSE}")).await.status(), 404);
    assert_eq!(c.get(&format!("/learn/{COURSE}/{LESSON}")).await.status(), 404);
    let api: Vec<Value> = c.get("/api/v1/courses").await.json().await.unwrap();
    assert!(!api.iter().any(|x| x["slug"] == COURSE));
    let learner = t.app();
    let who = crate::helpers::principal(&t, "0900000001").await;
    let e = app::enrol(&learner, &who, COURSE, ContentLang::Vi).await.unwrap_err();
    assert!(matches!(e, hocvuso_app::Error::NotFound), "{e:?}");
    let e = app::complete(&learner, &who, COURSE, LESSON, ContentLang::Vi)
        .await
        .unwrap_err();
    assert!(matches!(e, hocvuso_app::Error::NotFound), "{e:?}");
    t.finish().await;
}
both!(unpublished, anonymous_and_unpublished);

/// A new version of a lesson (a release changes its text) keeps the learner's progress, and the
/// page shows the new text; installing unchanged content changes nothing; a course an author
/// changed on the platform is not overwritten.
async fn versions_keep_progress(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let a = t.app();
    let who = crate::helpers::principal(&t, LEARNER).await;
    let account_id = who.account_id.unwrap();
    app::enrol(&a, &who, COURSE, ContentLang::Vi).await.unwrap();
    let done = app::complete(&a, &who, COURSE, LESSON, ContentLang::Vi).await.unwrap();
    assert!(done.lesson && !done.course);
    let again = app::complete(&a, &who, COURSE, LESSON, ContentLang::Vi).await.unwrap();
    assert!(!again.lesson, "a repeated completion records nothing");

    assert_eq!(
        app::install_shipped(&a).await.unwrap(),
        app::Installed::default(),
        "unchanged content is left alone"
    );

    let mut course = shipped().into_iter().find(|c| c.slug == COURSE).unwrap();
    course.modules[0].lessons[0]
        .body_md
        .push_str("\n\nĐoạn mới thêm trong phiên bản 2.\n");
    let mut tx = t.db.begin().await.unwrap();
    let before = db::course_by_slug_tx(&mut tx, COURSE).await.unwrap().unwrap();
    let changed = app::store_course(&mut tx, &course, &before.digest, CourseStatus::Published, "")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(changed.new_versions, 1);
    assert!(!changed.created);
    let lesson = db::lessons(&t.db, before.id)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.slug == LESSON)
        .unwrap();
    assert_eq!(lesson.version, 2);
    let p = db::progress(&t.db, account_id, Some(before.id)).await.unwrap();
    assert!(
        p.iter().any(|x| x.lesson_id == lesson.id && x.completed_at.is_some()),
        "progress survives the new version"
    );
    let view = app::lesson(&a, Some(&who), COURSE, LESSON, ContentLang::Vi)
        .await
        .unwrap();
    assert!(view.html.contains("Đoạn mới thêm trong phiên bản 2."));
    assert!(view.done);

    // An author's change (another digest) is kept across a restart's install.
    let mut tx = t.db.begin().await.unwrap();
    tx.execute_unchecked(&format!(
        "UPDATE courses SET digest = 'local:1' WHERE slug = '{COURSE}'"
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = app::install_shipped(&a).await.unwrap();
    assert_eq!(r.kept_local, 1);
    assert_eq!(r.lesson_versions, 0);
    let view = app::lesson(&a, Some(&who), COURSE, LESSON, ContentLang::Vi)
        .await
        .unwrap();
    assert!(
        view.html.contains("Đoạn mới thêm trong phiên bản 2."),
        "the local version stays"
    );
    t.finish().await;
}
both!(versions, versions_keep_progress);

/// A lesson whose Markdown carries script, event handlers or javascript: links is shown as text;
/// the page stays under 50 KB gzipped.
async fn hostile_lesson_is_inert(b: Backend) {
    let t = TestApp::spawn(b).await;
    let mut course = shipped().into_iter().find(|c| c.slug == COURSE).unwrap();
    course.modules[0].lessons[0].body_md = concat!(
        "## Thử\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n",
        "[bấm](javascript:alert(3)) [bấm](JaVaScRiPt:alert(4)) <javascript:alert(5)>\n\n",
        "<svg><script>alert(6)</script></svg>\n\n[trang](https://dichvucong.gov.vn)\n"
    )
    .to_string();
    let mut tx = t.db.begin().await.unwrap();
    let before = db::course_by_slug_tx(&mut tx, COURSE).await.unwrap().unwrap();
    app::store_course(&mut tx, &course, &before.digest, CourseStatus::Published, "")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let c = t.client();
    let (s, page) = c.text(&format!("/learn/{COURSE}/{LESSON}")).await;
    assert_eq!(s, 200);
    let article = &page[page.find("<article").unwrap()..page.find("</article>").unwrap()];
    let lower = article.to_lowercase();
    for bad in [
        "<script",
        "<img",
        "<svg",
        "onerror=",
        "href=\"javascript:",
        "href=\"java",
    ] {
        assert!(!lower.contains(bad), "{bad} reached the page: {article}");
    }
    assert!(article.contains("href=\"https://dichvucong.gov.vn\""), "{article}");

    // Page weight: every learner page gzipped under 50 KB.
    for path in [
        "/learn".to_string(),
        format!("/learn/{COURSE}"),
        format!("/learn/{COURSE}/{LESSON}"),
    ] {
        let r = c
            .http
            .get(c.url(&path))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers().get("content-encoding").map(|v| v.to_str().unwrap()),
            Some("gzip"),
            "{path}"
        );
        let n = r.bytes().await.unwrap().len();
        assert!(n < 50 * 1024, "{path} is {n} bytes gzipped");
    }
    t.finish().await;
}
both!(hostile_markdown, hostile_lesson_is_inert);

#[test]
fn published_is_the_only_open_status() {
    assert!(CourseStatus::Published.open_to_learners());
    assert!(!CourseStatus::Draft.open_to_learners());
}

/// A unit's figures count the learners living in its subtree, per course and target group, for
/// those who may see them; the unit page shows them first.
async fn unit_figures_count_residents(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let a = t.app();
    let learner = crate::helpers::principal(&t, LEARNER).await;
    let (commune, other) = crate::helpers::officer_units(&t).await;
    let person = hocvuso_db::accounts::by_phone(&t.db, LEARNER)
        .await
        .unwrap()
        .unwrap()
        .person_id
        .expect("the learner is a resident");
    let home = hocvuso_db::people::whereabouts(&t.db, person).await.unwrap().unwrap();
    assert!(
        home.unit_path.starts_with(&commune.path),
        "the learner lives in the officer's commune"
    );
    let course = shipped().into_iter().find(|c| c.slug == COURSE).unwrap();
    app::enrol(&a, &learner, COURSE, ContentLang::Vi).await.unwrap();
    app::enrol(&a, &learner, "nhan-biet-tin-gia", ContentLang::Vi)
        .await
        .unwrap();
    for l in course.modules.iter().flat_map(|m| &m.lessons) {
        app::complete(&a, &learner, COURSE, &l.slug, ContentLang::Vi)
            .await
            .unwrap();
    }
    let year = time::OffsetDateTime::now_utc().year();
    let officer = crate::helpers::principal(&t, "0900000005").await;
    let f = app::unit_figures(&a, &officer, &commune.path, year, ContentLang::Vi)
        .await
        .unwrap();
    assert_eq!(
        f.total,
        app::Counts {
            enrolled: 2,
            started: 1,
            completed: 1
        }
    );
    let done = f.courses.iter().find(|c| c.slug == COURSE).unwrap();
    assert_eq!(
        done.all,
        app::Counts {
            enrolled: 1,
            started: 1,
            completed: 1
        }
    );
    for (g, n) in &done.by_group {
        let expected = if home.groups.contains(*g) { 1 } else { 0 };
        assert_eq!(n.completed, expected, "{}", g.as_str());
    }
    let waiting = f.courses.iter().find(|c| c.slug == "nhan-biet-tin-gia").unwrap();
    assert_eq!(
        waiting.all,
        app::Counts {
            enrolled: 1,
            started: 0,
            completed: 0
        }
    );
    // Last year, and another commune: nothing.
    let before = app::unit_figures(&a, &officer, &commune.path, year - 1, ContentLang::Vi)
        .await
        .unwrap();
    assert!(before.courses.is_empty());
    let officer_b = crate::helpers::principal(&t, "0900000006").await;
    let f_b = app::unit_figures(&a, &officer_b, &other.path, year, ContentLang::Vi)
        .await
        .unwrap();
    assert_eq!(f_b.total, app::Counts::default());
    // Out of scope, or a learner: refused.
    assert!(
        app::unit_figures(&a, &officer_b, &commune.path, year, ContentLang::Vi)
            .await
            .is_err()
    );
    assert!(
        app::unit_figures(&a, &learner, &commune.path, year, ContentLang::Vi)
            .await
            .is_err()
    );
    // The commune page shows them to its officer, not to visitors.
    let c = t.login("0900000005").await;
    let (_, page) = c.text(&format!("/units/{}", commune.code)).await;
    assert!(page.contains("id=\"learning-figures\""), "figures on the unit page");
    assert!(page.contains(&course.title));
    let (_, public) = t.client().text(&format!("/units/{}", commune.code)).await;
    assert!(!public.contains("learning-figures"));
    t.finish().await;
}
both!(unit_figures, unit_figures_count_residents);
