//! "Required lessons" before the attainment, over HTTP on both databases (issue 10 §3): where the
//! table that applies to a learner says so for their group, a passed online final records nothing
//! until the learner has completed a course for every required cell; the result page and
//! /my-learning name the courses still needed; completing the last one records the attainment and
//! its certificate then, and the unit's page counts it. A province's setting replaces the
//! country's; only whoever may set the table changes it; a bad value is refused in Vietnamese.

use crate::assessment::{answer_all, attempt_of, stock_bank};
use crate::both;
use crate::helpers::{Backend, Client, TestApp, principal, sees};
use hocvuso_core::access::act;
use hocvuso_core::people::TargetGroup;
use hocvuso_db::audit::{self, Filter, Reader};
use hocvuso_db::learning::{self as db, Via};
use hocvuso_db::units::{self, Unit};
use hocvuso_db::{attainments, attempts};
use serde_json::Value;

const ADMIN: &str = "0900000001";
const STEERING: &str = "0900000002"; // steering committee of province 19
const OFFICER: &str = "0900000005"; // officer of the learner's commune
const LEARNER: &str = "0900000008";
const WAITING: &str = "Bạn đã đạt bài kiểm tra cuối. Để được xác nhận đạt phổ cập kỹ năng số, bạn cần học xong:";

/// Text as a page writes it (askama escapes HTML's special characters).
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

struct Learner {
    person: i64,
    group: TargetGroup,
    province: Unit,
    commune: Unit,
}

async fn learner(t: &TestApp) -> Learner {
    let who = principal(t, LEARNER).await;
    let person = who.person_id.expect("a resident");
    let w = hocvuso_db::people::whereabouts(&t.db, person).await.unwrap().unwrap();
    let ids: Vec<i64> = w.unit_path.split('/').filter_map(|s| s.parse().ok()).collect();
    let province = units::get(&t.db, ids[1]).await.unwrap().unwrap();
    assert_eq!(
        province.code, "19",
        "the demo learner lives in the steering committee's province"
    );
    Learner {
        person,
        group: w.groups.iter().next().unwrap(),
        province,
        commune: units::get(&t.db, ids[2]).await.unwrap().unwrap(),
    }
}

/// The framework the group's national rows name.
async fn framework_of(t: &TestApp, group: TargetGroup) -> String {
    let year = time::OffsetDateTime::now_utc().year();
    hocvuso_app::learning::admin::requirements_for(&t.app(), None, year)
        .await
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.target_group == group.as_str())
        .map(|r| r.framework_id)
        .expect("the group has national requirements")
}

async fn post(c: &Client, page: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let r = c.post_form(page, page, fields).await;
    let s = r.status().as_u16();
    (s, r.text().await.unwrap_or_default())
}

async fn send(c: &Client, page: &str, f: Vec<(String, String)>) -> (u16, String) {
    let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post(c, page, &refs).await
}

/// The unit page's count of confirmed people of a group.
async fn count(c: &Client, unit: &Unit, group: TargetGroup) -> i64 {
    let (s, page) = c.text(&format!("/units/{}", unit.code)).await;
    assert_eq!(s, 200);
    let section = page
        .split("id=\"confirmed-figures\"")
        .nth(1)
        .expect("the unit page shows confirmed figures");
    let label = hocvuso_core::i18n::t(hocvuso_core::Lang::Vi, &group.label_key());
    let cell = format!("<th scope=\"row\">{label}</th><td>");
    let rest = &section[section.find(&cell).unwrap_or_else(|| panic!("{label}: {section}")) + cell.len()..];
    rest[..rest.find('<').unwrap()].parse().unwrap()
}

/// Takes the final assessment, every answer right; its public id.
async fn pass_final(t: &TestApp, c: &Client) -> String {
    let r = c.post_form("/tests", "/tests/final", &[]).await;
    let id = attempt_of(&r);
    answer_all(t, c, &id, |_| true).await;
    crate::assessment::submit(c, &id).await;
    let a = attempts::by_public_id(&t.db, &id).await.unwrap().unwrap();
    assert_eq!(a.passed, Some(true), "the final is passed");
    id
}

/// Enrols and marks every lesson of a course done but the last (`all`: the last too).
async fn learn(t: &TestApp, c: &Client, slug: &str, all: bool) {
    let course = db::course_by_slug(&t.db, slug).await.unwrap().unwrap();
    let lessons = db::lessons(&t.db, course.id).await.unwrap();
    let page = format!("/learn/{slug}");
    let r = c.post_form(&page, &format!("{page}/enrol"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let upto = if all { lessons.len() } else { lessons.len() - 1 };
    for l in &lessons[..upto] {
        let lp = format!("{page}/{}", l.slug);
        let r = c.post_form(&lp, &format!("{lp}/done"), &[]).await;
        assert_eq!(r.status().as_u16(), 303, "{lp}/done");
    }
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

async fn settings(t: &TestApp, unit: &Unit, year: i32) -> Vec<db::LessonsSetting> {
    db::lessons_settings_via(&mut Via::Db(&t.db), &unit.path, year)
        .await
        .unwrap()
}

async fn lessons_wait_then_confirm(b: Backend) {
    let t = TestApp::spawn(b).await;
    let year = time::OffsetDateTime::now_utc().year();
    let y = year.to_string();
    let me = learner(&t).await;
    let g = me.group;
    let fw_id = framework_of(&t, g).await;
    let fw = hocvuso_app::learning::framework(&t.app(), &fw_id).await.unwrap();
    let courses = db::courses(&t.db).await.unwrap();
    let links = db::course_competences(&t.db).await.unwrap();
    let published_for_g: Vec<&db::Course> = courses
        .iter()
        .filter(|c| c.status.open_to_learners() && c.groups.contains(g))
        .collect();
    let teaches = |c: &db::Course, code: &str| {
        links
            .iter()
            .any(|l| l.owner_id == c.id && l.framework_id == fw_id && l.code == code)
    };
    // One cell a shipped course for the group teaches (at that course's level), and four cells no
    // course for the group teaches at all (not demanded).
    let (target, level) = published_for_g
        .iter()
        .find_map(|c| {
            links
                .iter()
                .find(|l| l.owner_id == c.id && l.framework_id == fw_id)
                .map(|l| (l.code.clone(), c.level.clone()))
        })
        .expect("a shipped course for the group");
    let rank = |l: &str| fw.levels.iter().position(|x| x.code == l);
    let needed: Vec<&db::Course> = published_for_g
        .iter()
        .copied()
        .filter(|c| teaches(c, &target) && rank(&c.level) >= rank(&level))
        .collect();
    let untaught: Vec<String> = fw
        .competences()
        .map(|c| c.code.clone())
        .filter(|code| !courses.iter().any(|c| c.groups.contains(g) && teaches(c, code)))
        .take(4)
        .collect();
    assert_eq!(untaught.len(), 4, "the framework has competences no course teaches yet");
    let low = fw.levels[0].code.clone();
    let cell = |code: &str| format!("{}:{fw_id}:{code}", g.as_str());
    let lessons_field = format!("lessons-{}", g.as_str());
    let mut fields: Vec<(String, String)> = vec![
        ("year".into(), y.clone()),
        (cell(&target), level.clone()),
        (lessons_field.clone(), "yes".into()),
    ];
    fields.extend(untaught.iter().map(|c| (cell(c), low.clone())));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

    // The province's steering committee asks for the lessons.
    let steering = t.login(STEERING).await;
    let page = format!("/units/{}/requirements", me.province.code);
    let (s, text) = steering.text(&page).await;
    assert_eq!(s, 200);
    assert!(
        text.contains(&format!("name=\"{lessons_field}\"")),
        "the form has the setting per group"
    );
    let (s, _) = post(&steering, &page, &fields).await;
    assert_eq!(s, 303);
    assert_eq!(
        settings(&t, &me.province, year).await,
        TargetGroup::ALL
            .iter()
            .filter(|x| **x == g)
            .map(|x| db::LessonsSetting {
                target_group: x.as_str().into(),
                lessons_required: true
            })
            .collect::<Vec<_>>()
    );
    let set = entries(&t, "requirements.set").await;
    assert_eq!(set.len(), 1);
    let detail: Value = serde_json::from_str(&set[0].detail).unwrap();
    assert_eq!(
        detail["lessons_required"],
        serde_json::json!([{"group": g.as_str(), "from": false, "to": true}])
    );
    // The editor is warned of the cells no course teaches; the officer reads the setting.
    let (_, text) = steering.text(&page).await;
    let warning = text
        .split("Chưa có khóa học đã xuất bản nào cho nhóm này dạy các năng lực sau ở mức yêu cầu")
        .nth(1)
        .expect("the cells without a course are named");
    let warning = &warning[..warning.find("</p>").unwrap()];
    for c in &untaught {
        assert!(warning.contains(&format!("{c} (")), "{c} in {warning}");
    }
    assert!(
        !warning.contains(&format!("{target} (")),
        "{target} has a course: {warning}"
    );
    assert!(
        text.contains("<option value=\"yes\" selected>"),
        "the setting shows yes"
    );
    let officer = t.login(OFFICER).await;
    let (s, text) = officer.text(&format!("/units/{}/requirements", me.commune.code)).await;
    assert_eq!(s, 200);
    assert!(
        text.contains("Phải học xong các bài bắt buộc: <strong>Có</strong>"),
        "read-only where the table is shown"
    );

    // The final is passed; nothing is confirmed; the pages name the course(s) to learn.
    stock_bank(&t).await;
    let c = t.login(LEARNER).await;
    let before = count(&officer, &me.commune, g).await;
    let id = pass_final(&t, &c).await;
    assert!(attainments::of_person(&t.db, me.person).await.unwrap().is_empty());
    assert!(
        attainments::certificates_of_person(&t.db, me.person)
            .await
            .unwrap()
            .is_empty()
    );
    let texts = db::course_texts(&t.db).await.unwrap();
    let title = |c: &db::Course| {
        texts
            .iter()
            .find(|x| x.course_id == c.id && x.lang == hocvuso_core::learning::ContentLang::Vi)
            .map(|x| x.title.clone())
            .unwrap()
    };
    let (s, result) = c.text(&format!("/tests/attempt/{id}/result")).await;
    assert_eq!(s, 200);
    let (_, mine) = c.text("/my-learning").await;
    for page in [&result, &mine] {
        assert!(page.contains(WAITING), "{page}");
        for k in &needed {
            assert!(
                page.contains(&format!("<a href=\"/learn/{}\">{}</a>", k.slug, escaped(&title(k)))),
                "{}",
                k.slug
            );
        }
        for c in &untaught {
            assert!(!page.contains(&format!("Năng lực {c} (")), "{c} is not demanded");
        }
    }
    assert!(!result.contains("Chúc mừng"), "not told they are confirmed");
    assert_eq!(count(&officer, &me.commune, g).await, before);

    // Every lesson but the last: still waiting. The last: confirmed, with its certificate.
    let course = needed[0];
    learn(&t, &c, &course.slug, false).await;
    assert!(attainments::of_person(&t.db, me.person).await.unwrap().is_empty());
    learn(&t, &c, &course.slug, true).await;
    let confirmed = attainments::of_person(&t.db, me.person).await.unwrap();
    assert_eq!(confirmed.len(), 1, "confirmed when the course is completed");
    let a = attempts::by_public_id(&t.db, &id).await.unwrap().unwrap();
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap())
        .date();
    assert_eq!(confirmed[0].target_group, g);
    assert_eq!(confirmed[0].method, attainments::Method::Online);
    assert_eq!(confirmed[0].attempt_id, Some(a.id));
    assert_eq!(confirmed[0].attained_on, today);
    let certs = attainments::certificates_of_person(&t.db, me.person).await.unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].issued_on, today);
    let recorded = entries(&t, "attainment.record").await;
    assert_eq!(recorded.len(), 1);
    let detail: Value = serde_json::from_str(&recorded[0].detail).unwrap();
    assert_eq!(detail["lessons_required"], true);
    assert_eq!(detail["attempt"], a.id);
    assert_eq!(entries(&t, "certificate.issue").await.len(), 1);
    assert_eq!(count(&officer, &me.commune, g).await, before + 1);
    let (_, result) = c.text(&format!("/tests/attempt/{id}/result")).await;
    assert!(!result.contains(WAITING));
    assert!(result.contains(&certs[0].code), "the result links the certificate");
    let (_, mine) = c.text("/my-learning").await;
    assert!(!mine.contains(WAITING));
    t.finish().await;
}
both!(lessons_before_attainment, lessons_wait_then_confirm);

async fn province_over_country_and_who_may(b: Backend) {
    let t = TestApp::spawn(b).await;
    let year = time::OffsetDateTime::now_utc().year();
    let y = year.to_string();
    let me = learner(&t).await;
    let g = me.group;
    let country = hocvuso_app::learning::admin::country(&t.app()).await.unwrap();
    let national: Vec<db::Requirement> = db::requirements_of(&t.db, &country.path, year)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.target_group == g.as_str())
        .collect();
    assert!(national.len() >= 5);
    let lessons_field = format!("lessons-{}", g.as_str());
    let form = |on: &str| {
        let mut f: Vec<(String, String)> = vec![("year".into(), y.clone()), (lessons_field.clone(), on.into())];
        f.extend(national.iter().map(|r| {
            (
                format!("{}:{}:{}", g.as_str(), r.framework_id, r.competence),
                r.level.clone(),
            )
        }));
        f
    };

    // Nobody but the steering committee of the unit (or above) changes the setting.
    let country_page = format!("/units/{}/requirements", country.code);
    let province_page = format!("/units/{}/requirements", me.province.code);
    let steering = t.login(STEERING).await;
    let officer = t.login(OFFICER).await;
    let c = t.login(LEARNER).await;
    for (who, page) in [
        (&steering, &country_page),
        (&officer, &province_page),
        (&c, &province_page),
    ] {
        let token = who.csrf("/me").await;
        let mut f = form("yes");
        f.push(("_csrf".into(), token));
        let r = who.http.post(who.url(page)).form(&f).send().await.unwrap();
        let s = r.status().as_u16();
        assert!(s == 403 || s == 404, "{page}: {s}");
    }
    assert!(settings(&t, &country, year).await.is_empty());
    assert!(settings(&t, &me.province, year).await.is_empty());

    // A bad value: named in Vietnamese, 422, nothing stored.
    let admin = t.login(ADMIN).await;
    let mut bad = form("có lẽ");
    bad.push(("lessons-alien".into(), "yes".into()));
    let (s, text) = send(&admin, &country_page, bad).await;
    assert_eq!(s, 422);
    assert!(
        text.contains(&escaped(
            "“có lẽ” không phải là lựa chọn của mục “Phải học xong các bài bắt buộc”. Hãy chọn “Có” hoặc “Không”."
        )),
        "{text}"
    );
    assert!(text.contains(&escaped("Không có nhóm đối tượng “alien”")), "{text}");
    assert!(settings(&t, &country, year).await.is_empty());

    // The country asks for the lessons: the learner's pass waits.
    let (s, _) = send(&admin, &country_page, form("yes")).await;
    assert_eq!(s, 303);
    stock_bank(&t).await;
    let id = pass_final(&t, &c).await;
    assert!(attainments::of_person(&t.db, me.person).await.unwrap().is_empty());
    let (_, result) = c.text(&format!("/tests/attempt/{id}/result")).await;
    assert!(result.contains(WAITING), "the country's setting applies");

    // The province's own table says no: it replaces the country's for its learners. The waiting
    // pass is no longer held: the change itself confirms it (a job of the change, recorded by the
    // steering committee's account), without another course.
    let (s, _) = send(&steering, &province_page, form("no")).await;
    assert_eq!(s, 303);
    let (_, mine) = c.text("/my-learning").await;
    assert!(!mine.contains(WAITING), "the province's setting applies");
    let job = {
        let kind = <hocvuso_app::assessment::lessons::ConfirmWaiting as hocvuso_app::jobs::Job>::KIND;
        let jobs = hocvuso_db::jobs::of_kind(&t.db, kind).await.unwrap();
        let mine: Vec<_> = jobs
            .into_iter()
            .filter(|j| j.payload.contains(&me.province.path))
            .collect();
        assert_eq!(mine.len(), 1, "the province's change enqueued one job");
        mine[0].id
    };
    let ended = crate::jobs::wait_ended(&t, job).await;
    assert_eq!(ended.status, hocvuso_db::jobs::Status::Done, "{ended:?}");
    let confirmed = attainments::of_person(&t.db, me.person).await.unwrap();
    assert_eq!(confirmed.len(), 1, "confirmed by the table's change");
    let a = attempts::by_public_id(&t.db, &id).await.unwrap().unwrap();
    assert_eq!(confirmed[0].attempt_id, Some(a.id));
    assert_eq!(
        attainments::certificates_of_person(&t.db, me.person)
            .await
            .unwrap()
            .len(),
        1
    );
    let recorded = entries(&t, "attainment.record").await;
    assert_eq!(
        recorded[0].actor_id,
        principal(&t, STEERING).await.account_id,
        "recorded by who changed the table"
    );
    let detail: Value = serde_json::from_str(&recorded[0].detail).unwrap();
    assert_eq!(detail["lessons_required"], false);
    // A later completed course records nothing more.
    let any = db::courses(&t.db)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.status.open_to_learners() && k.groups.contains(g))
        .unwrap();
    learn(&t, &c, &any.slug, true).await;
    assert_eq!(attainments::of_person(&t.db, me.person).await.unwrap().len(), 1);
    t.finish().await;
}
both!(province_overrides_country, province_over_country_and_who_may);

/// The pages that name the courses still needed pass axe-core (a real Chromium).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_pages_pass_axe() {
    let t = TestApp::spawn(Backend::Sqlite).await;
    let year = time::OffsetDateTime::now_utc().year();
    let me = learner(&t).await;
    let g = me.group;
    let country = hocvuso_app::learning::admin::country(&t.app()).await.unwrap();
    let mut fields: Vec<(String, String)> = db::requirements_of(&t.db, &country.path, year)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                format!("{}:{}:{}", r.target_group, r.framework_id, r.competence),
                r.level,
            )
        })
        .collect();
    fields.push((format!("lessons-{}", g.as_str()), "yes".into()));
    let admin = principal(&t, ADMIN).await;
    hocvuso_app::learning::admin::set_unit_requirements(&t.app(), &admin, &country, year, &fields)
        .await
        .unwrap();
    stock_bank(&t).await;
    let c = t.login(LEARNER).await;
    let id = pass_final(&t, &c).await;
    let mut b = crate::browser::Browser::open(&t, true).await;
    b.sign_in(LEARNER).await;
    b.visit("result waiting for lessons", &format!("/tests/attempt/{id}/result"))
        .await;
    assert!(b.text("#waiting-lessons").await.contains(WAITING));
    b.visit("my learning waiting for lessons", "/my-learning").await;
    assert!(b.text(&format!("#waiting-{}", g.as_str())).await.contains(WAITING));
    b.finish().await;
    t.finish().await;
}
