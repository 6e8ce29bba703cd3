//! What a learner's most frequent requests cost the database, counted in statements (`BEGIN` and
//! `COMMIT` included) by the database handle itself: the lesson page (a first opening, which
//! writes, and a reading again, which does not) and "done" (a lesson, and the last lesson, which
//! finishes the course). Not a timing: a count that grows means a read or a round trip came back
//! (docs/PERFORMANCE.md, learning). The pages and what they record are checked too, so a cheaper
//! request that does less fails here.
//!
//! The server runs no job runner and no lesson audio, so nothing else talks to the database while
//! a request is counted (the audio's row is read with the lesson's text either way).

use crate::both;
use crate::helpers::{Backend, Client, Options, TestApp};
use crate::learning::COURSE;
use hocvuso_app::learning as app;
use hocvuso_db::learning as db;
use serde_json::Value;

const LEARNER: &str = "0900000008";

/// Statements of a lesson page's first opening: the session (1); the course with its lessons, the
/// lesson's texts with their audio, the course's titles, the learner's standing (4); the write:
/// BEGIN, the course, lesson and enrolment checked in one, progress, the learner's unit, the xAPI
/// statement, where they are, COMMIT (7). Before 2026-12-06: 20.
const LESSON_FIRST: u64 = 12;
/// Reading a lesson again writes nothing: the session and the four reads (before: 8).
const LESSON_AGAIN: u64 = 5;
/// "Done": the session (1); BEGIN, course + enrolment + lesson + progress + titles in one read,
/// the completion, the learner's unit, the statement, where they are, the course's lessons with
/// what is done (whether the course is done, where to go on), COMMIT (8). Before: 21.
const DONE: u64 = 9;
/// "Done" on the last lesson also marks the course done and states it (2 more), and reads the
/// learner's passed finals that wait for the required lessons (1 more). Before: 26.
const DONE_LAST: u64 = 12;

fn options() -> Options {
    let mut o = Options::without_jobs();
    o.people = 200;
    o
}

/// The statements the server sent while `f` ran, with its result.
async fn counted<T>(t: &TestApp, f: impl std::future::Future<Output = T>) -> (u64, T) {
    let before = t.db.statements_sent();
    let out = f.await;
    (t.db.statements_sent() - before, out)
}

async fn post(c: &Client, csrf: &str, action: &str) -> reqwest::Response {
    c.http
        .post(c.url(action))
        .form(&[("_csrf", csrf)])
        .send()
        .await
        .expect("post")
}

async fn lesson_and_done_statements(b: Backend) {
    let t = TestApp::spawn_with(b, options()).await;
    let account = hocvuso_db::accounts::by_phone(&t.db, LEARNER).await.unwrap().unwrap();
    let course = app::shipped_courses()
        .unwrap()
        .into_iter()
        .map(|(c, _)| c)
        .find(|c| c.slug == COURSE)
        .unwrap();
    let lessons: Vec<&hocvuso_core::learning::Lesson> = course.modules.iter().flat_map(|m| &m.lessons).collect();
    assert!(lessons.len() >= 2);
    let c = t.login(LEARNER).await;
    let r = c
        .post_form(&format!("/learn/{COURSE}"), &format!("/learn/{COURSE}/enrol"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let csrf = c.csrf(&format!("/learn/{COURSE}")).await;

    for (i, l) in lessons.iter().enumerate() {
        let page = format!("/learn/{COURSE}/{}", l.slug);
        // First opening: recorded.
        let (n, (status, body)) = counted(&t, c.text(&page)).await;
        assert_eq!(status, 200, "{page}");
        assert!(body.contains(&l.title), "{page} shows its title");
        assert!(body.contains(&format!("{page}/done")), "{page} offers to mark it done");
        println!("{b:?} {page}: first opening {n} statements");
        assert!(
            n <= LESSON_FIRST,
            "{page}, first opening: {n} statements, at most {LESSON_FIRST}"
        );
        // Again: nothing to write.
        let (n, (status, again)) = counted(&t, c.text(&page)).await;
        assert_eq!(status, 200);
        assert_eq!(again, body, "the same page");
        println!("{b:?} {page}: again {n} statements");
        assert!(
            n <= LESSON_AGAIN,
            "{page}, again: {n} statements, at most {LESSON_AGAIN}"
        );

        let (n, r) = counted(&t, post(&c, &csrf, &format!("{page}/done"))).await;
        assert_eq!(r.status(), 303, "{page}/done");
        println!("{b:?} {page}/done: {n} statements");
        let to = r.headers()["location"].to_str().unwrap().to_string();
        match lessons.get(i + 1) {
            Some(next) => {
                assert_eq!(to, format!("/learn/{COURSE}/{}", next.slug));
                assert!(n <= DONE, "{page}/done: {n} statements, at most {DONE}");
            }
            None => {
                assert_eq!(to, format!("/learn/{COURSE}"));
                assert!(
                    n <= DONE_LAST,
                    "{page}/done (the last): {n} statements, at most {DONE_LAST}"
                );
            }
        }
    }

    // What the cheaper requests recorded: an opening and a completion per lesson and the course's
    // completion, each naming the lesson and the course by their titles, in order.
    let s = db::statements_of(&t.db, account.id).await.unwrap();
    let said: Vec<(String, String, String)> = s
        .iter()
        .map(|x| {
            let v: Value = serde_json::from_str(&x.statement).unwrap();
            (
                x.verb.clone(),
                v["object"]["definition"]["name"]["vi"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                v["object"]["definition"]["type"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    let mut want = vec![(
        "registered".to_string(),
        course.title.clone(),
        "http://adlnet.gov/expapi/activities/course".to_string(),
    )];
    for l in &lessons {
        for verb in ["experienced", "completed"] {
            want.push((
                verb.to_string(),
                l.title.clone(),
                "http://adlnet.gov/expapi/activities/lesson".to_string(),
            ));
        }
    }
    want.push((
        "completed".to_string(),
        course.title.clone(),
        "http://adlnet.gov/expapi/activities/course".to_string(),
    ));
    assert_eq!(said, want);
    // Each statement is filed under the learner's unit, whose code its context names, and each
    // lesson's names its course as the parent.
    let person = account.person_id.expect("the learner is a resident");
    let home = hocvuso_db::people::whereabouts(&t.db, person).await.unwrap().unwrap();
    let unit = hocvuso_db::units::get(&t.db, home.unit_id).await.unwrap().unwrap();
    for x in &s {
        assert_eq!(x.unit_path, home.unit_path);
        let v: Value = serde_json::from_str(&x.statement).unwrap();
        let ext = v["context"]["extensions"].as_object().unwrap();
        assert!(
            ext.iter()
                .any(|(k, v)| k.ends_with("/xapi/unit") && v == unit.code.as_str()),
            "{ext:?}"
        );
        if x.lesson_id.is_some() {
            let parent = v["context"]["contextActivities"]["parent"][0]["id"].as_str().unwrap();
            assert!(parent.ends_with(&format!("/learn/{COURSE}")), "{parent}");
        }
    }
    let progress = db::progress(&t.db, account.id, None).await.unwrap();
    assert_eq!(progress.len(), lessons.len());
    assert!(progress.iter().all(|p| p.completed_at.is_some()));
    t.finish().await;
}
both!(lesson_and_done, lesson_and_done_statements);
