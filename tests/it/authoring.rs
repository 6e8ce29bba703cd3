//! Authoring end to end, on both databases: a national author edits a shipped lesson in the browser
//! (preview, draft, review), a second author publishes it as a new version while a learner who had
//! finished the lesson keeps their progress; two authors saving at once (the second is told and
//! keeps their text); hostile Markdown refused with its line; nobody publishes their own draft; an
//! author of another unit, and a learner, are refused.

use crate::both;
use crate::helpers::{Backend, Options, TestApp};
use crate::learning::{COURSE, LESSON};
use hocvuso_app::Error as AppError;
use hocvuso_app::learning::{self as app, authoring};
use hocvuso_core::learning::ContentLang;
use hocvuso_core::learning::draft::DraftState;
use hocvuso_db::authoring as drafts;
use hocvuso_db::learning as db;

const LEARNER: &str = "0900000008";
const WRITER: &str = "0900000009";
const REVIEWER: &str = "0900000010";
const PROVINCE_AUTHOR: &str = "0900000004";

fn seeded() -> Options {
    Options {
        seed: true,
        people: 200,
        ..Options::default()
    }
}

fn editor_url() -> String {
    format!("/author/{COURSE}/{LESSON}?lang=vi")
}

fn save_url() -> String {
    format!("/author/{COURSE}/{LESSON}")
}

async fn lesson_row(t: &TestApp) -> db::Lesson {
    let c = db::course_by_slug(&t.db, COURSE).await.unwrap().unwrap();
    db::lessons(&t.db, c.id)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.slug == LESSON)
        .unwrap()
}

async fn audit_actions(t: &TestApp) -> Vec<String> {
    let mut rows = hocvuso_db::audit::list(
        &t.db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &hocvuso_db::audit::Filter::default(),
        1000,
    )
    .await
    .unwrap();
    rows.reverse();
    rows.into_iter()
        .filter(|r| r.action.starts_with("lesson."))
        .map(|r| r.action)
        .collect()
}

const NEW_BODY: &str =
    "## Ai cũng có thể bị lừa\n\nKẻ gian nhắm vào mọi người, không chừa ai.\n\n- Bình tĩnh\n- Hỏi lại người thân";

async fn author_publishes_and_progress_stays(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let learner_account = hocvuso_db::accounts::by_phone(&t.db, LEARNER).await.unwrap().unwrap();

    // The learner enrols and finishes the first lesson.
    let learner = t.login(LEARNER).await;
    let r = learner
        .post_form(&format!("/learn/{COURSE}"), &format!("/learn/{COURSE}/enrol"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let r = learner
        .post_form(
            &format!("/learn/{COURSE}/{LESSON}"),
            &format!("/learn/{COURSE}/{LESSON}/done"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let before = lesson_row(&t).await;
    let done_before: Vec<(i64, bool)> = db::progress(&t.db, learner_account.id, None)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.lesson_id, p.completed_at.is_some()))
        .collect();
    assert_eq!(done_before, vec![(before.id, true)]);

    // Learners and authors of another unit are refused; the national author finds the course.
    assert_eq!(learner.text("/author").await.0, 403);
    assert!(matches!(learner.text(&editor_url()).await.0, 403 | 404));
    let province = t.login(PROVINCE_AUTHOR).await;
    let (s, desk) = province.text("/author").await;
    assert_eq!(s, 200);
    assert!(
        !desk.contains(&format!("/author/{COURSE}\"")),
        "a province author does not edit national courses"
    );
    assert!(matches!(province.text(&editor_url()).await.0, 403 | 404));
    let r = province
        .post_form(
            "/author",
            &save_url(),
            &[("lang", "vi"), ("revision", "0"), ("title", "x"), ("body", "x")],
        )
        .await;
    assert!(matches!(r.status().as_u16(), 403 | 404));

    let writer = t.login(WRITER).await;
    let (s, desk) = writer.text("/author").await;
    assert_eq!(s, 200);
    assert!(desk.contains(&format!("/author/{COURSE}\"")), "{desk}");
    let (s, page) = writer.text(&editor_url()).await;
    assert_eq!(s, 200);
    let published = db::lesson_texts(&t.db, &before).await.unwrap();
    let vi = published.iter().find(|x| x.lang == ContentLang::Vi).unwrap();
    assert!(page.contains(&vi.title), "the editor opens with the published text");

    // Preview renders without storing anything.
    let fields = |title: &'static str, body: &'static str, revision: &'static str, action: &'static str| {
        vec![
            ("lang", "vi"),
            ("revision", revision),
            ("title", title),
            ("body", body),
            (
                "checklist",
                "Gọi lại cho người thân\nKhông bấm đường link lạ\nKể lại cho người nhà",
            ),
            ("action", action),
        ]
    };
    let r = writer
        .post_form(
            &editor_url(),
            &save_url(),
            &fields("Bài đã sửa", NEW_BODY, "0", "preview"),
        )
        .await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.contains("<h2>Ai cũng có thể bị lừa</h2>"), "{text}");
    assert!(
        drafts::draft(&t.db, before.id, ContentLang::Vi)
            .await
            .unwrap()
            .is_none()
    );

    // Hostile Markdown is refused with its line, nothing stored.
    let r = writer
        .post_form(
            &editor_url(),
            &save_url(),
            &fields(
                "Bài",
                "## A\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))",
                "0",
                "save",
            ),
        )
        .await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(text.contains("Dòng 3") && text.contains("Dòng 5"), "{text}");
    assert!(
        !text.contains("<script>alert(1)</script>"),
        "the typed text is escaped back into the form"
    );
    assert!(
        drafts::draft(&t.db, before.id, ContentLang::Vi)
            .await
            .unwrap()
            .is_none()
    );

    // Save a draft: learners still read the published text.
    let r = writer
        .post_form(&editor_url(), &save_url(), &fields("Bài đã sửa", NEW_BODY, "0", "save"))
        .await;
    assert_eq!(r.status(), 303);
    let d = drafts::draft(&t.db, before.id, ContentLang::Vi).await.unwrap().unwrap();
    assert_eq!(
        (d.revision, d.state, d.body_md.as_str()),
        (1, DraftState::Draft, NEW_BODY)
    );
    let (_, lesson_page) = learner.text(&format!("/learn/{COURSE}/{LESSON}")).await;
    assert!(!lesson_page.contains("Kẻ gian nhắm vào mọi người"));

    // A second author saving from the same starting point is told; their text is still in the
    // form, the stored draft is shown beside it, and nothing stored changes.
    let reviewer = t.login(REVIEWER).await;
    let r = reviewer
        .post_form(
            &editor_url(),
            &save_url(),
            &fields("Bản của người thứ hai", "## Bản khác\n\nNội dung thứ hai.", "0", "save"),
        )
        .await;
    assert_eq!(r.status(), 409);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("Nội dung thứ hai."),
        "the second author's text is kept in the form"
    );
    assert!(
        text.contains("Kẻ gian nhắm vào mọi người"),
        "the stored draft is shown to compare"
    );
    assert!(
        text.contains("name=\"revision\" value=\"1\""),
        "the next save is made from the stored revision"
    );
    let still = drafts::draft(&t.db, before.id, ContentLang::Vi).await.unwrap().unwrap();
    assert_eq!((still.revision, still.body_md.as_str()), (1, NEW_BODY));

    // Sent for review; its author cannot publish it.
    let r = writer
        .post_form(
            &editor_url(),
            &format!("/author/{COURSE}/{LESSON}/submit"),
            &[("lang", "vi"), ("revision", "1")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let d = drafts::draft(&t.db, before.id, ContentLang::Vi).await.unwrap().unwrap();
    assert_eq!((d.revision, d.state), (2, DraftState::Review));
    let r = writer
        .post_form(
            &editor_url(),
            &format!("/author/{COURSE}/{LESSON}/publish"),
            &[("lang", "vi"), ("revision", "2")],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Một người khác phải duyệt"));
    assert_eq!(lesson_row(&t).await.version, before.version);
    let (_, desk) = reviewer.text("/author").await;
    assert!(desk.contains("Bài đã sửa"), "the draft waits on the reviewer's desk");

    // The reviewer publishes: a new version, the learner reads it, and their progress stays.
    let r = reviewer
        .post_form(
            &editor_url(),
            &format!("/author/{COURSE}/{LESSON}/publish"),
            &[("lang", "vi"), ("revision", "2")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let after = lesson_row(&t).await;
    assert_eq!((after.id, after.version), (before.id, before.version + 1));
    assert!(
        drafts::draft(&t.db, before.id, ContentLang::Vi)
            .await
            .unwrap()
            .is_none()
    );
    let texts = db::lesson_texts(&t.db, &after).await.unwrap();
    let langs: Vec<ContentLang> = texts.iter().map(|x| x.lang).collect();
    let before_langs: Vec<ContentLang> = published.iter().map(|x| x.lang).collect();
    assert_eq!(langs, before_langs, "every language is in the new version");
    let en_before = published.iter().find(|x| x.lang == ContentLang::En).unwrap();
    let en_after = texts.iter().find(|x| x.lang == ContentLang::En).unwrap();
    assert_eq!(
        en_after.body_md, en_before.body_md,
        "other languages carried over unchanged"
    );
    let (_, lesson_page) = learner.text(&format!("/learn/{COURSE}/{LESSON}")).await;
    assert!(lesson_page.contains("Kẻ gian nhắm vào mọi người"));
    assert!(lesson_page.contains("Gọi lại cho người thân"));
    let done_after: Vec<(i64, bool)> = db::progress(&t.db, learner_account.id, None)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.lesson_id, p.completed_at.is_some()))
        .collect();
    assert_eq!(
        done_after, done_before,
        "the learner's progress survives the new version"
    );

    // A new release of the shipped content leaves the edited course alone.
    let r = app::install_shipped(&t.app()).await.unwrap();
    assert_eq!(r.kept_local, 1);
    assert_eq!(lesson_row(&t).await.version, after.version);

    assert_eq!(
        audit_actions(&t).await,
        ["lesson.draft_save", "lesson.submit", "lesson.publish"]
    );
    t.finish().await;
}

both!(publish_keeps_progress, author_publishes_and_progress_stays);

/// Two authors saving the same draft at the same moment, through the use case itself: exactly one
/// save is stored, the other is a conflict, whichever backend serialises them.
async fn simultaneous_saves(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let writer = crate::helpers::principal(&t, WRITER).await;
    let reviewer = crate::helpers::principal(&t, REVIEWER).await;
    let a = t.app();
    let l = lesson_row(&t).await;
    for round in 0..3 {
        let from = drafts::draft(&t.db, l.id, ContentLang::Vi)
            .await
            .unwrap()
            .map_or(0, |d| d.revision);
        let body_w = format!("## Vòng {round}\n\nBản của người viết.");
        let body_r = format!("## Vòng {round}\n\nBản của người duyệt.");
        let (x, y) = tokio::join!(
            authoring::save(
                &a,
                &writer,
                COURSE,
                LESSON,
                ContentLang::Vi,
                from,
                "Bài",
                &body_w,
                "Một\nHai\nBa",
                Default::default(),
            ),
            authoring::save(
                &a,
                &reviewer,
                COURSE,
                LESSON,
                ContentLang::Vi,
                from,
                "Bài",
                &body_r,
                "Một\nHai\nBa",
                Default::default(),
            ),
        );
        let stored = drafts::draft(&t.db, l.id, ContentLang::Vi).await.unwrap().unwrap();
        match (&x, &y) {
            (Ok(r), Err(AppError::Conflict(_))) => {
                assert_eq!((stored.revision, stored.body_md.as_str()), (*r, body_w.as_str()))
            }
            (Err(AppError::Conflict(_)), Ok(r)) => {
                assert_eq!((stored.revision, stored.body_md.as_str()), (*r, body_r.as_str()))
            }
            other => panic!("round {round}: exactly one save must win: {other:?}"),
        }
        assert_eq!(stored.revision, from + 1);
    }
    t.finish().await;
}

both!(simultaneous, simultaneous_saves);
