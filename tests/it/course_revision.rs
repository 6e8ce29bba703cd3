//! A package that changes the shape of a published course (a lesson added, one removed, the
//! course's title, a lesson's practice steps) waits whole as the course's revision, on both
//! databases: learners keep reading the published course; the reviewer reads what changes and the
//! new lessons rendered; the sender cannot publish it; another package waits behind it; a second
//! person publishes it as one (new versions, the dropped lesson retired, learners' progress kept)
//! or returns it with a note; every step audited.

use crate::authoring_package::{
    LEARNER, PROVINCE_AUTHOR, SHARED, STEERING, course_actions, course_row, seeded, shared_course, upload, zip_of,
};
use crate::both;
use crate::helpers::{Backend, Client, TestApp};
use crate::walk::{assert_same, contents};
use hocvuso_core::learning::{Course, CourseStatus};
use hocvuso_db::learning as db;
use hocvuso_db::revisions;

fn revision_page() -> String {
    format!("/author/{SHARED}/revision")
}

async fn live_lessons(t: &TestApp, course_id: i64) -> Vec<(String, i32)> {
    db::lessons(&t.db, course_id)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.slug, l.version))
        .collect()
}

async fn done(c: &Client, lesson: &str) {
    let r = c
        .post_form(
            &format!("/learn/{SHARED}/{lesson}"),
            &format!("/learn/{SHARED}/{lesson}/done"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303, "{lesson}");
}

/// The shared course with a lesson added at the end, its second lesson removed, a new title and
/// one more practice step in its first lesson (in every language).
fn reshaped() -> Course {
    let mut c = shared_course();
    c.title = "Khóa học của tỉnh về lừa đảo, bản năm 2027".into();
    c.modules[0].lessons.remove(1);
    let mut extra = c.modules[0].lessons[0].clone();
    extra.slug = "bai-them-cua-tinh".into();
    extra.file = "09-bai-them-cua-tinh.md".into();
    extra.position = 9;
    extra.title = "Bài thêm của tỉnh".into();
    extra.body_md = "## Khi nghi ngờ\n\nGọi lại số tổng đài chính thức in trên thẻ ngân hàng để kiểm tra.".into();
    let last = c.modules.len() - 1;
    c.modules[last].lessons.push(extra);
    let first = &mut c.modules[0].lessons[0];
    first.checklist.push("Kể lại cho người thân điều vừa học".into());
    for (_, t) in &mut first.translations {
        t.checklist.push("Tell someone close what you just learned".into());
    }
    c
}

async fn revision_reviewed_and_published_whole(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let author = t.login(PROVINCE_AUTHOR).await;
    let steering = t.login(STEERING).await;
    let learner = t.login(LEARNER).await;
    let course_page = format!("/author/{SHARED}");
    assert_eq!(upload(&author, zip_of(&shared_course()), None).await.status(), 303);
    assert_eq!(
        author
            .post_form(&course_page, &format!("/author/{SHARED}/submit"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(
        steering
            .post_form(&course_page, &format!("/author/{SHARED}/publish"), &[])
            .await
            .status(),
        303
    );
    let c = course_row(&t, SHARED).await;
    assert_eq!(c.status, CourseStatus::Published);
    let original = shared_course();
    let slugs: Vec<String> = original.lessons().map(|l| l.slug.clone()).collect();
    let removed = original.modules[0].lessons[1].clone();
    let first = original.modules[0].lessons[0].clone();
    // The learner finishes the first two lessons, the second being the one the revision drops.
    assert_eq!(
        learner
            .post_form(&format!("/learn/{SHARED}"), &format!("/learn/{SHARED}/enrol"), &[])
            .await
            .status(),
        303
    );
    done(&learner, &slugs[0]).await;
    done(&learner, &slugs[1]).await;
    let learner_id = hocvuso_db::accounts::by_phone(&t.db, LEARNER)
        .await
        .unwrap()
        .unwrap()
        .id;
    let progress_before: Vec<i64> = db::progress(&t.db, learner_id, Some(c.id))
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.completed_at.is_some())
        .map(|p| p.lesson_id)
        .collect();
    assert_eq!(progress_before.len(), 2);

    // The reshaped package waits whole; learners read the published course as before.
    let lessons_before = live_lessons(&t, c.id).await;
    let r = upload(&author, zip_of(&reshaped()), None).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], revision_page().as_str());
    let still = course_row(&t, SHARED).await;
    assert_eq!(
        (still.digest.as_str(), still.status),
        (c.digest.as_str(), CourseStatus::Published)
    );
    assert_eq!(live_lessons(&t, c.id).await, lessons_before);
    let (_, outline) = learner.text(&format!("/learn/{SHARED}")).await;
    assert!(
        outline.contains(&removed.title) && !outline.contains("Bài thêm của tỉnh"),
        "{outline}"
    );
    assert!(revisions::waiting(&t.db, c.id).await.unwrap().is_some());
    assert!(author.text(&course_page).await.1.contains(&revision_page()));

    // The reviewer's page says what changes and shows the new lesson as learners would read it.
    let (s, page) = steering.text(&revision_page()).await;
    assert_eq!(s, 200);
    for says in [
        "Thông tin khóa học thay đổi: title.".to_string(),
        "Bài mới: “Bài thêm của tỉnh” (tệp 09-bai-them-cua-tinh.md).".to_string(),
        format!("Bỏ bài “{}”", removed.title),
        format!(
            "Bài “{}”: số bước thực hành từ {} thành {}.",
            first.title,
            first.checklist.len(),
            first.checklist.len() + 1
        ),
        "Gọi lại số tổng đài chính thức in trên thẻ ngân hàng để kiểm tra.".to_string(),
        "Kể lại cho người thân điều vừa học".to_string(),
    ] {
        assert!(page.contains(&says), "{says} not in {page}");
    }
    let digest = scraper::Html::parse_document(&page)
        .select(&scraper::Selector::parse("input[name=digest]").unwrap())
        .next()
        .and_then(|i| i.value().attr("value").map(str::to_string))
        .expect("the reviewer is offered to publish");

    // Its sender cannot publish it; a different package waits behind it; the same one is no change.
    let publish = format!("/author/{SHARED}/revision/publish");
    let (_, own) = author.text(&revision_page()).await;
    assert!(!own.contains(&format!("action=\"{publish}\"")), "{own}");
    let r = author
        .post_form(&revision_page(), &publish, &[("digest", &digest)])
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Bạn là người gửi bản sửa đổi này"));
    let before = contents(&t).await;
    let mut text_only = shared_course();
    text_only.modules[0].lessons[0].body_md = "## Sửa chữ\n\nMột chỗ sửa nhỏ.".into();
    let r = upload(&author, zip_of(&text_only), None).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("đang có một bản sửa đổi chờ duyệt"));
    assert_eq!(upload(&author, zip_of(&reshaped()), None).await.status(), 303);
    assert_same(&before, &contents(&t).await, "packages behind a waiting revision");
    // A publish naming another revision than the one waiting is refused.
    let r = steering
        .post_form(&revision_page(), &publish, &[("digest", "package:khac")])
        .await;
    assert_eq!(r.status(), 409);
    assert_eq!(live_lessons(&t, c.id).await, lessons_before);

    // A second person publishes it: one new course, the dropped lesson retired, progress kept.
    let r = steering
        .post_form(&revision_page(), &publish, &[("digest", &digest)])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/author/{SHARED}?revised=1").as_str());
    assert!(revisions::waiting(&t.db, c.id).await.unwrap().is_none());
    let after = course_row(&t, SHARED).await;
    assert_eq!(
        (after.digest.as_str(), after.status),
        (digest.as_str(), CourseStatus::Published)
    );
    let mut expected: Vec<(String, i32)> = reshaped()
        .lessons()
        .map(|l| (l.slug.clone(), if l.slug == first.slug { 2 } else { 1 }))
        .collect();
    expected.sort();
    let mut now = live_lessons(&t, c.id).await;
    now.sort();
    assert_eq!(now, expected);
    let (_, outline) = learner.text(&format!("/learn/{SHARED}")).await;
    assert!(
        outline.contains("Khóa học của tỉnh về lừa đảo, bản năm 2027")
            && outline.contains("Bài thêm của tỉnh")
            && !outline.contains(&removed.title),
        "{outline}"
    );
    assert_eq!(
        learner.get(&format!("/learn/{SHARED}/{}", removed.slug)).await.status(),
        404
    );
    let (s, lesson) = learner.text(&format!("/learn/{SHARED}/bai-them-cua-tinh")).await;
    assert_eq!(s, 200);
    assert!(lesson.contains("Gọi lại số tổng đài chính thức"));
    let progress_after: Vec<i64> = db::progress(&t.db, learner_id, Some(c.id))
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.completed_at.is_some())
        .map(|p| p.lesson_id)
        .collect();
    assert_eq!(progress_after, progress_before, "progress survives the revision");
    assert_eq!(
        steering
            .post_form(&course_page, &publish, &[("digest", &digest)])
            .await
            .status(),
        404
    );

    // Another revision, returned with a note: nothing reaches learners.
    let mut retitled = reshaped();
    retitled.title = "Một tên khác".into();
    assert_eq!(upload(&author, zip_of(&retitled), None).await.status(), 303);
    let before = live_lessons(&t, c.id).await;
    let r = steering
        .post_form(
            &revision_page(),
            &format!("/author/{SHARED}/revision/return"),
            &[("note", "Tên khóa học chưa đúng")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(revisions::waiting(&t.db, c.id).await.unwrap().is_none());
    assert_eq!(live_lessons(&t, c.id).await, before);
    assert_eq!(course_row(&t, SHARED).await.digest, digest);
    let r = steering.get(&revision_page()).await;
    assert_eq!(
        (r.status().as_u16(), r.headers()["location"].to_str().unwrap()),
        (303, course_page.as_str())
    );

    let actions = course_actions(&t).await;
    assert_eq!(
        actions,
        [
            "course.import",
            "course.submit",
            "course.publish",
            "course.import",
            "course.import",
            "course.revision_publish",
            "course.import",
            "course.revision_return"
        ]
    );
    t.finish().await;
}

both!(revision_workflow, revision_reviewed_and_published_whole);
