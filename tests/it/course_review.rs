//! A course in review returned to draft, and lessons previewed by their authors, on both
//! databases: a province author's imported course is sent for review; someone who may publish in
//! the province (its sender too) returns it with a note (audited, `course.return`), the author
//! sends it again; a
//! new package over a course in review sends it back to draft; "see as a learner" on an
//! unpublished course opens the authors' preview (draft or published text, the course's images,
//! nothing recorded) while learners still get 404.

use crate::both;
use crate::helpers::{Backend, Options, TestApp, principal};
use crate::walk::{assert_same, contents};
use hocvuso_app::learning::{self as app, authoring, media, package as pkg};
use hocvuso_core::learning::{ContentLang, Course, CourseStatus, package};
use hocvuso_db::learning as db;

const LEARNER: &str = "0900000008";
const PROVINCE_AUTHOR: &str = "0900000004";
const STEERING: &str = "0900000002";
const SLUG: &str = "khoa-hoc-xem-truoc";

fn seeded() -> Options {
    Options {
        seed: true,
        people: 50,
        ..Options::default()
    }
}

fn province_course() -> Course {
    let mut c = app::shipped_courses()
        .unwrap()
        .into_iter()
        .map(|(c, _)| c)
        .find(|c| c.slug == crate::learning::COURSE)
        .unwrap();
    c.slug = SLUG.into();
    c.title = "Khóa học tỉnh để xem trước".into();
    c
}

fn zip_of(c: &Course) -> Vec<u8> {
    package::write_zip(&c.slug, &c.to_files()).unwrap()
}

fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(600, 300, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut raw = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut raw), image::ImageFormat::Png)
        .unwrap();
    raw
}

async fn status(t: &TestApp) -> CourseStatus {
    db::course_by_slug(&t.db, SLUG).await.unwrap().unwrap().status
}

async fn course_actions(t: &TestApp) -> Vec<(String, serde_json::Value)> {
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
        .filter(|r| {
            r.action.starts_with("course.") && !matches!(r.action.as_str(), "course.install" | "course.media_upload")
        })
        .map(|r| (r.action, serde_json::from_str(&r.detail).unwrap_or_default()))
        .collect()
}

async fn return_and_preview(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let a = t.app();
    let author_p = principal(&t, PROVINCE_AUTHOR).await;
    let imported = pkg::import_package(&a, &author_p, None, zip_of(&province_course()))
        .await
        .unwrap();
    assert_eq!(imported.status, CourseStatus::Draft);
    let author = t.login(PROVINCE_AUTHOR).await;
    let steering = t.login(STEERING).await;
    let learner = t.login(LEARNER).await;
    let anon = t.client();
    let first = province_course().modules[0].lessons[0].clone();
    let preview = format!("/author/{SLUG}/{}/preview?lang=vi", first.slug);

    // An unpublished course: learners get 404, its page offers each lesson's preview instead of
    // the learner pages.
    for c in [&learner, &anon] {
        assert_eq!(c.get(&format!("/learn/{SLUG}")).await.status(), 404);
        assert_eq!(c.get(&format!("/learn/{SLUG}/{}", first.slug)).await.status(), 404);
    }
    let (s, page) = author.text(&format!("/author/{SLUG}")).await;
    assert_eq!(s, 200);
    assert!(!page.contains(&format!("href=\"/learn/{SLUG}")), "{page}");
    assert!(page.contains(&format!("href=\"{preview}\"")), "{page}");
    let (_, page) = author.text(&format!("/author/{SLUG}/{}?lang=vi", first.slug)).await;
    assert!(
        !page.contains(&format!("href=\"/learn/{SLUG}")),
        "the editor's link too: {page}"
    );
    assert!(page.contains(&format!("href=\"{preview}\"")));

    // The preview: the published text, like the lesson page, recording nothing; closed to others.
    let before = contents(&t).await;
    let (s, page) = author.text(&preview).await;
    assert_eq!(s, 200);
    assert!(page.contains(&first.title), "{page}");
    assert!(page.contains("Đây là bản người học đang đọc (phiên bản 1)"), "{page}");
    assert!(page.contains("Khóa học chưa xuất bản"), "{page}");
    assert!(page.contains(&first.checklist[0]), "the practice steps");
    assert_same(&before, &contents(&t).await, "a preview");
    assert!(matches!(learner.get(&preview).await.status().as_u16(), 403 | 404));
    let r = anon.get(&preview).await;
    assert!(r.status() == 303 || r.status() == 401, "{}", r.status());
    assert_eq!(
        author
            .get(&format!("/author/{SLUG}/khong-co-bai/preview"))
            .await
            .status(),
        404
    );
    // A language the lesson lacks shows the Vietnamese text, and says so.
    let (s, page) = author
        .text(&format!("/author/{SLUG}/{}/preview?lang=jra", first.slug))
        .await;
    assert_eq!(s, 200);
    assert!(page.contains("đang hiện bản tiếng Việt"), "{page}");

    // A draft with one of the course's images: the preview shows the draft as learners will.
    let stored = media::upload(&a, &author_p, SLUG, "Ảnh chụp.png", photo())
        .await
        .unwrap();
    let body = format!(
        "## Bản nháp xem trước\n\nChữ chỉ tác giả thấy.\n\n![Ảnh chụp màn hình](media/{})\n",
        stored.name
    );
    authoring::save(
        &a,
        &author_p,
        SLUG,
        &first.slug,
        ContentLang::Vi,
        0,
        "Tiêu đề nháp",
        &body,
        &first.checklist.join("\n"),
        Default::default(),
    )
    .await
    .unwrap();
    let (s, page) = author.text(&preview).await;
    assert_eq!(s, 200);
    assert!(page.contains("<h2>Bản nháp xem trước</h2>"), "{page}");
    assert!(page.contains("Tiêu đề nháp"));
    assert!(page.contains("Đây là bản nháp"), "{page}");
    assert!(
        page.contains(&format!("/media/{SLUG}/{}", stored.name)),
        "the image: {page}"
    );

    // Sent for review. Returning takes nothing to learners, so the sender (who may publish in
    // the province) may take it back; a learner may not; someone else who may publish returns it
    // with a note.
    let course_page = format!("/author/{SLUG}");
    let submit = format!("/author/{SLUG}/submit");
    let ret = format!("/author/{SLUG}/return");
    assert_eq!(author.post_form(&course_page, &submit, &[]).await.status(), 303);
    assert_eq!(status(&t).await, CourseStatus::Review);
    assert!(matches!(
        learner.post_form("/me", &ret, &[]).await.status().as_u16(),
        403 | 404
    ));
    assert_eq!(status(&t).await, CourseStatus::Review);
    let (_, page) = author.text(&course_page).await;
    assert!(page.contains(&format!("action=\"{ret}\"")), "{page}");
    assert_eq!(author.post_form(&course_page, &ret, &[]).await.status(), 303);
    assert_eq!(status(&t).await, CourseStatus::Draft);
    assert_eq!(author.post_form(&course_page, &submit, &[]).await.status(), 303);
    let (_, page) = steering.text(&course_page).await;
    assert!(page.contains(&format!("action=\"{ret}\"")), "{page}");
    assert!(page.contains("Trả lại để sửa"));
    let r = steering
        .post_form(&course_page, &ret, &[("note", "Bài 1 cần ảnh rõ hơn.")])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(status(&t).await, CourseStatus::Draft);
    // Twice: the course is no longer in review.
    let r = steering.post_form(&course_page, &ret, &[]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Chỉ khóa học đang chờ duyệt"));
    assert!(
        !steering
            .text(&course_page)
            .await
            .1
            .contains(&format!("action=\"{ret}\""))
    );

    // Sent again, then a new package arrives while in review: back to draft, sent once more.
    assert_eq!(author.post_form(&course_page, &submit, &[]).await.status(), 303);
    let mut changed = province_course();
    changed.summary = "Tóm tắt mới sau góp ý.".into();
    let again = pkg::import_package(&a, &author_p, None, zip_of(&changed))
        .await
        .unwrap();
    assert_eq!(
        (again.status, status(&t).await),
        (CourseStatus::Draft, CourseStatus::Draft)
    );
    assert_eq!(author.post_form(&course_page, &submit, &[]).await.status(), 303);
    assert_eq!(
        steering
            .post_form(&course_page, &format!("/author/{SLUG}/publish"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(status(&t).await, CourseStatus::Published);
    let (_, page) = author.text(&course_page).await;
    assert!(
        page.contains(&format!("href=\"/learn/{SLUG}\"")),
        "published: the learner pages"
    );
    assert_eq!(learner.get(&format!("/learn/{SLUG}")).await.status(), 200);

    let actions = course_actions(&t).await;
    let names: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        names,
        [
            "course.import",
            "course.submit",
            "course.return",
            "course.submit",
            "course.return",
            "course.submit",
            "course.import",
            "course.submit",
            "course.publish"
        ]
    );
    assert_eq!(actions[2].1["note"], "");
    assert_eq!(actions[4].1["note"], "Bài 1 cần ảnh rõ hơn.");
    assert_eq!(actions[6].1["status_before"], "review");
    assert_eq!(actions[6].1["status"], "draft");
    t.finish().await;
}

both!(return_and_preview_course, return_and_preview);
