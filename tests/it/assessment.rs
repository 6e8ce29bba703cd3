//! Tests as a learner takes them, over HTTP on both databases (issue 10 §2–§3): the placement test
//! says what to learn; the final assessment is drawn per competence, answered one question at a
//! time (each answer saved), scored once on submission, and a pass confirms the attainment and
//! issues a certificate. The answer key never reaches the page before submission; another
//! person's attempt, a forged id, an answer after the time limit and a replayed submission are
//! refused or change nothing.

use crate::both;
use crate::helpers::{Backend, Client, TestApp, principal};
use hocvuso_core::assessment::{Body, Difficulty, Item, ItemText, Response};
use hocvuso_core::learning::{CompetenceRef, ContentLang, CourseStatus};
use hocvuso_db::{assessment as bank, attainments, attempts};
use sea_query::ExprTrait;

const LEARNER: &str = "0900000008";

/// The demo learner's target group and the rows of the requirement table that apply to them for
/// that group (this year's, where they live).
pub(crate) async fn learner_requirements(
    t: &TestApp,
) -> (
    hocvuso_core::people::TargetGroup,
    Vec<hocvuso_db::learning::Requirement>,
) {
    let who = principal(t, LEARNER).await;
    let person = who.person_id.expect("the learner is a resident");
    let w = hocvuso_db::people::whereabouts(&t.db, person).await.unwrap().unwrap();
    // The demo learner is a civil servant when the commune has one; the test takes their group.
    let group = w.groups.iter().next().expect("the learner has a target group");
    let reqs = hocvuso_app::learning::admin::requirements_for(
        &t.app(),
        Some(&w.unit_path),
        time::OffsetDateTime::now_utc().year(),
    )
    .await
    .unwrap();
    let rows = reqs
        .rows
        .into_iter()
        .filter(|r| r.target_group == group.as_str())
        .collect();
    (group, rows)
}

/// Four items per cell the learner's group must reach, in the country's bank: the right option is
/// always the one written second, with its explanation.
pub(crate) async fn stock_bank(t: &TestApp) -> (hocvuso_core::people::TargetGroup, Vec<(String, String)>) {
    let (group, rows) = learner_requirements(t).await;
    let framework = rows
        .first()
        .map(|r| r.framework_id.clone())
        .expect("the group has requirements");
    let cells: Vec<(String, String)> = rows.iter().map(|r| (r.competence.clone(), r.level.clone())).collect();
    assert!(
        cells.len() >= 5,
        "the shipped requirements name the group's competences"
    );
    let country = hocvuso_db::units::by_code(&t.db, hocvuso_core::units::COUNTRY_CODE)
        .await
        .unwrap()
        .unwrap();
    let mut tx = t.db.begin().await.unwrap();
    for (c, level) in &cells {
        // The starter banks cover the cell already: the test takes the shipped items.
        if !bank::drawable(&t.db, &[country.path.as_str()], &framework, c, level)
            .await
            .unwrap()
            .is_empty()
        {
            continue;
        }
        for i in 0..4 {
            let item = Item {
                code: format!("test-{}-{level}-{i}", c.replace('.', "-")),
                competence: CompetenceRef {
                    framework: framework.clone(),
                    code: c.clone(),
                },
                level: level.clone(),
                difficulty: Difficulty::Medium,
                body: Body::SingleChoice { options: 3, correct: 1 },
                picture: None,
                texts: vec![(
                    ContentLang::Vi,
                    ItemText {
                        picture_alt: String::new(),
                        stem: format!("Câu hỏi {i} về năng lực {c}"),
                        options: vec![
                            format!("Phương án sai A{i}"),
                            format!("Phương án đúng {c}-{i}"),
                            format!("Phương án sai B{i}"),
                        ],
                        matches: Vec::new(),
                        explanation: format!("GIAI-THICH-{c}-{i}"),
                    },
                )],
            };
            bank::insert(&mut tx, &country.path, "Kiểm thử", &item, CourseStatus::Published, None)
                .await
                .unwrap()
                .expect("stored");
        }
    }
    tx.commit().await.unwrap();
    (group, cells)
}

/// The attempt id from a redirect to its first question.
pub(crate) fn attempt_of(r: &reqwest::Response) -> String {
    assert_eq!(
        r.status().as_u16(),
        303,
        "a started test redirects to its first question"
    );
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let id = to
        .strip_prefix("/tests/attempt/")
        .and_then(|s| s.strip_suffix("/1"))
        .unwrap_or_else(|| panic!("redirect to {to}"));
    id.to_string()
}

/// The form fields that answer an item as shown with `seed`: its key, or a wrong answer.
pub(crate) fn answer_fields(item: &Item, seed: u64, right: bool) -> Vec<(String, String)> {
    let key = item.key(seed).expect("every stored item has a key");
    let choice = |v: String| ("choice".to_string(), v);
    match (key, &item.body) {
        (Response::One(k), Body::SingleChoice { options, .. }) => {
            vec![choice(if right { k } else { k % options + 1 }.to_string())]
        }
        (Response::Several(set), Body::MultipleChoice { options, .. }) => {
            let chosen: Vec<usize> = if right {
                set.iter().copied().collect()
            } else {
                (1..=*options).filter(|p| !set.contains(p)).collect()
            };
            chosen.into_iter().map(|p| choice(p.to_string())).collect()
        }
        (Response::Truth(b), _) => vec![choice((b == right).to_string())],
        (Response::Sequence(mut seq), _) => {
            if !right {
                seq.swap(0, 1);
            }
            seq.iter()
                .enumerate()
                .map(|(i, p)| (format!("step{}", i + 1), p.to_string()))
                .collect()
        }
        (k, b) => panic!("a key {k:?} for {b:?}"),
    }
}

/// Text as a page writes it (askama escapes HTML's special characters).
fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// The explanations of an attempt's items: shown after a placement or practice, never after a
/// final assessment.
async fn explanations(t: &TestApp, id: &str) -> Vec<String> {
    let a = attempts::by_public_id(&t.db, id).await.unwrap().unwrap();
    attempts::items(&t.db, a.id)
        .await
        .unwrap()
        .iter()
        .map(|i| i.document.texts[0].1.explanation.clone())
        .collect()
}

/// Submits an attempt with the button of its first question's page; the answer redirects.
pub(crate) async fn submit(c: &Client, id: &str) {
    let r = c
        .post_form(
            &format!("/tests/attempt/{id}/1"),
            &format!("/tests/attempt/{id}/submit"),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "submitting {id}");
}

/// Answers every question of an attempt through its pages: right when `right(position)`.
pub(crate) async fn answer_all(t: &TestApp, c: &Client, id: &str, right: impl Fn(usize) -> bool) -> usize {
    let a = attempts::by_public_id(&t.db, id)
        .await
        .unwrap()
        .expect("attempt stored");
    let items = attempts::items(&t.db, a.id).await.unwrap();
    for it in &items {
        let n = it.position as usize;
        let page = format!("/tests/attempt/{id}/{n}");
        let (status, body) = c.text(&page).await;
        assert_eq!(status, 200, "{page}: {body}");
        // The key is not on the page: no explanation, and the options in an order of the seed.
        let explanation = &it.document.texts[0].1.explanation;
        assert!(
            !body.contains(&askama_escape(explanation)),
            "the explanation is shown before submission"
        );
        assert!(!body.contains("correct"), "no answer key markup");
        let fields = answer_fields(&it.document, it.seed as u64, right(n));
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = c.post_form(&page, &page, &fields).await;
        assert_eq!(r.status().as_u16(), 303, "saving an answer redirects on");
    }
    items.len()
}

async fn placement_then_final(b: Backend) {
    let t = TestApp::spawn(b).await;
    let (group, cells) = stock_bank(&t).await;
    let c = t.login(LEARNER).await;
    let (s, hub) = c.text("/tests").await;
    assert_eq!(s, 200);
    assert!(
        hub.contains("action=\"/tests/placement\""),
        "the tests page offers the placement test"
    );

    // Placement: one question per competence; the first one answered wrong is named to learn.
    let r = c.post_form("/tests", "/tests/placement", &[]).await;
    let id = attempt_of(&r);
    let n = answer_all(&t, &c, &id, |p| p != 1).await;
    assert_eq!(n, cells.len(), "one question per required competence");
    // Starting again while it is open resumes the same attempt.
    let again = c.post_form("/tests", "/tests/placement", &[]).await;
    assert_eq!(attempt_of(&again), id);
    crate::assessment::submit(&c, &id).await;
    let (s, result) = c.text(&format!("/tests/attempt/{id}/result")).await;
    assert_eq!(s, 200, "{result}");
    let a = attempts::by_public_id(&t.db, &id).await.unwrap().unwrap();
    let score = a.result.expect("scored");
    assert_eq!((score.right, score.total), (n - 1, n));
    let missed = score.cells.iter().filter(|c| !c.passed).collect::<Vec<_>>();
    assert_eq!(missed.len(), 1);
    // The review shows the explanations now, and what to learn next.
    assert!(
        explanations(&t, &id)
            .await
            .iter()
            .any(|e| result.contains(&askama_escape(e))),
        "placement shows explanations after submission"
    );
    assert!(result.contains(&format!(
        "{}:{}",
        missed[0].competence.framework, missed[0].competence.code
    )));
    assert!(
        attainments::of_person(&t.db, a.person_id.unwrap())
            .await
            .unwrap()
            .is_empty()
    );

    // The final assessment: three per competence; answered right, submitted twice, scored once.
    let placed: std::collections::HashSet<i64> = attempts::items(&t.db, a.id)
        .await
        .unwrap()
        .iter()
        .map(|i| i.item_id)
        .collect();
    let r = c.post_form("/tests", "/tests/final", &[]).await;
    let id = attempt_of(&r);
    let a = attempts::by_public_id(&t.db, &id).await.unwrap().unwrap();
    // Its questions are ones the learner has not seen yet (the placement showed its answers).
    let finals: Vec<i64> = attempts::items(&t.db, a.id)
        .await
        .unwrap()
        .iter()
        .map(|i| i.item_id)
        .collect();
    assert!(
        finals.iter().all(|i| !placed.contains(i)),
        "the final repeats a placement question: {finals:?} ∩ {placed:?}"
    );
    assert!(a.deadline.is_some(), "a final assessment has a time limit");
    let n = answer_all(&t, &c, &id, |_| true).await;
    assert_eq!(n, cells.len() * 3);
    let submit = format!("/tests/attempt/{id}/submit");
    let r1 = c.post_form(&format!("/tests/attempt/{id}/1"), &submit, &[]).await;
    assert_eq!(r1.status().as_u16(), 303);
    let token = c.csrf("/tests").await;
    let r2 = c
        .http
        .post(c.url(&submit))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r2.status().as_u16(), 303, "a replayed submission shows the same result");
    let person = a.person_id.unwrap();
    let confirmed = attainments::of_person(&t.db, person).await.unwrap();
    assert_eq!(confirmed.len(), 1, "confirmed once");
    assert_eq!(confirmed[0].target_group, group);
    assert_eq!(confirmed[0].attempt_id, Some(a.id));
    let certs = attainments::certificates_of_person(&t.db, person).await.unwrap();
    assert_eq!(certs.len(), 1, "one certificate");
    let (_, result) = c.text(&format!("/tests/attempt/{id}/result")).await;
    assert!(result.contains(&certs[0].code), "the result links the certificate");
    assert!(
        !explanations(&t, &id)
            .await
            .iter()
            .any(|e| result.contains(&askama_escape(e))),
        "a final assessment never shows its key"
    );
    let (_, hub) = c.text("/tests").await;
    assert!(hub.contains(&certs[0].code), "the tests page lists the certificate");
    // Every answer after submission is refused and changes nothing.
    let page = format!("/tests/attempt/{id}/1");
    let token = c.csrf("/tests").await;
    let r = c
        .http
        .post(c.url(&page))
        .form(&[("_csrf", token.as_str()), ("choice", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);
    let after = attempts::by_public_id(&t.db, &id).await.unwrap().unwrap();
    assert_eq!(
        after.result,
        attempts::by_public_id(&t.db, &id).await.unwrap().unwrap().result
    );
    assert_eq!(after.result.unwrap().right, n);
    // The next final attempt waits 24 hours, and says until when.
    let r = c.post_form("/tests", "/tests/final", &[]).await;
    assert_eq!(r.status().as_u16(), 429);
    let body = r.text().await.unwrap();
    assert!(body.contains("24 giờ"), "{body}");
    t.finish().await;
}
both!(placement_and_final, placement_then_final);

async fn hostile_attempts(b: Backend) {
    let t = TestApp::spawn(b).await;
    stock_bank(&t).await;
    let c = t.login(LEARNER).await;
    let r = c.post_form("/tests", "/tests/final", &[]).await;
    let id = attempt_of(&r);
    // The refusals below are about a single-choice question: the first one drawn.
    let drawn = {
        let a = attempts::by_public_id(&t.db, &id).await.unwrap().unwrap();
        attempts::items(&t.db, a.id).await.unwrap()
    };
    let single = drawn
        .iter()
        .find(|i| matches!(i.document.body, Body::SingleChoice { .. }))
        .expect("a single-choice question is drawn");
    let other = drawn
        .iter()
        .find(|i| i.position != single.position)
        .expect("two questions");
    let page = format!("/tests/attempt/{id}/{}", single.position);
    assert_eq!(c.text(&page).await.0, 200);

    // Someone else — an officer with rights over the learner's commune — sees nothing of it.
    let officer = t.login("0900000005").await;
    assert_eq!(officer.text(&page).await.0, 404);
    let token = officer.csrf("/tests").await;
    for action in [page.clone(), format!("/tests/attempt/{id}/submit")] {
        let r = officer
            .http
            .post(officer.url(&action))
            .form(&[("_csrf", token.as_str()), ("choice", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "{action}");
    }
    // Forged ids, a position out of range, a non-number.
    for path in [
        "/tests/attempt/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/1".to_string(),
        "/tests/attempt/%27%20OR%201=1--/1".to_string(),
        format!("/tests/attempt/{id}/999"),
        format!("/tests/attempt/{id}/0"),
        format!("/tests/attempt/{id}/x"),
    ] {
        assert_eq!(c.text(&path).await.0, 404, "{path}");
    }
    // An answer that is not one of the options: 422 with what to do, nothing saved.
    let token = c.csrf(&page).await;
    for bad in [vec![("choice", "9")], vec![], vec![("choice", "1"), ("choice", "2")]] {
        let mut form = vec![("_csrf", token.as_str())];
        form.extend(bad.iter().copied());
        let r = c.http.post(c.url(&page)).form(&form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("Chọn một phương án"), "{body}");
    }
    let a = attempts::by_public_id(&t.db, &id).await.unwrap().unwrap();
    assert!(
        attempts::items(&t.db, a.id)
            .await
            .unwrap()
            .iter()
            .all(|i| i.response.is_none())
    );
    // The server's clock ran out (the deadline moved to the past): an answer is refused, saying
    // why; the submission still scores what was saved in time.
    let r = c.post_form(&page, &page, &[("choice", "2")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let mut tx = t.db.begin().await.unwrap();
    tx.execute(
        sea_query::Query::update()
            .table(attempts::AssessmentAttempts::Table)
            .value(
                attempts::AssessmentAttempts::Deadline,
                time::OffsetDateTime::now_utc() - time::Duration::minutes(5),
            )
            .and_where(sea_query::Expr::col(attempts::AssessmentAttempts::Id).eq(a.id)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let late = answer_fields(&other.document, other.seed as u64, true);
    let late: Vec<(&str, &str)> = late.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = c
        .post_form(&page, &format!("/tests/attempt/{id}/{}", other.position), &late)
        .await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.unwrap().contains("hết thời gian"));
    let (_, body) = c.text(&page).await;
    assert!(body.contains("Đã hết thời gian"), "the page says the time is up");
    let r = c.post_form(&page, &format!("/tests/attempt/{id}/submit"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let a = attempts::by_public_id(&t.db, &id).await.unwrap().unwrap();
    let score = a.result.unwrap();
    assert_eq!(score.total, attempts::items(&t.db, a.id).await.unwrap().len());
    assert!(!score.passed);
    assert!(
        attainments::of_person(&t.db, a.person_id.unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    t.finish().await;
}
both!(attempts_refuse_hostile_input, hostile_attempts);
