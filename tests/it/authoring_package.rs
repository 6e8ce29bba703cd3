//! Course packages end to end, on both databases: every shipped course exported as stored reads
//! back as the shipped course, and an export carries a newly published lesson version; a province
//! author imports a package as a draft of their province, sends it for review, cannot publish it
//! themselves, and a second person publishes it to learners; a new package of the published course
//! changes nothing learners read: its changed lesson waits for review as a draft the importer
//! cannot publish, and what a draft cannot carry (lessons added or removed, the course's texts, a
//! lesson's minutes) is refused with its file; a package naming a course of another unit is refused; hostile
//! uploads are each refused with a message naming the problem and nothing stored.

use crate::both;
use crate::helpers::{Backend, Client, Options, TestApp, principal};
use crate::learning::{COURSE, LESSON};
use crate::walk::{assert_same, contents};
use hocvuso_app::learning::{self as app, authoring, package as pkg};
use hocvuso_core::learning::draft::DraftState;
use hocvuso_core::learning::{ContentLang, Course, CourseStatus, package};
use hocvuso_core::people::TargetGroup;
use hocvuso_db::authoring as drafts;
use hocvuso_db::learning as db;
use std::collections::BTreeMap;
use std::io::Write;

pub(crate) const LEARNER: &str = "0900000008";
const WRITER: &str = "0900000009";
const REVIEWER: &str = "0900000010";
pub(crate) const PROVINCE_AUTHOR: &str = "0900000004";
pub(crate) const STEERING: &str = "0900000002";
pub(crate) const SHARED: &str = "khoa-hoc-cua-tinh";

pub(crate) fn seeded() -> Options {
    Options {
        seed: true,
        people: 50,
        max_upload_mb: Some(1),
        ..Options::default()
    }
}

fn shipped(slug: &str) -> Course {
    app::shipped_courses()
        .unwrap()
        .into_iter()
        .map(|(c, _)| c)
        .find(|c| c.slug == slug)
        .unwrap_or_else(|| panic!("no shipped course {slug}"))
}

/// Storage keeps a course's target groups and competences as sets: compared in one order.
fn normalised(mut c: Course) -> Course {
    c.groups.sort_by_key(|g| TargetGroup::ALL.iter().position(|x| x == g));
    c.competences.sort();
    for m in &mut c.modules {
        for l in &mut m.lessons {
            l.competences.sort();
        }
    }
    c
}

fn read_back(bytes: &[u8]) -> Course {
    Course::from_files(&package::read_zip(bytes).unwrap()).unwrap()
}

/// The shipped course under another slug and title: a province's own course.
pub(crate) fn shared_course() -> Course {
    let mut c = shipped(COURSE);
    c.slug = SHARED.into();
    c.title = "Khóa học của tỉnh về lừa đảo".into();
    c
}

pub(crate) fn zip_of(c: &Course) -> Vec<u8> {
    package::write_zip(&c.slug, &c.to_files()).unwrap()
}

/// Uploads a package through the desk's form, as a browser sends it.
pub(crate) async fn upload(c: &Client, bytes: Vec<u8>, unit: Option<&str>) -> reqwest::Response {
    let token = c.csrf("/author").await;
    let mut form = reqwest::multipart::Form::new().text("_csrf", token);
    if let Some(u) = unit {
        form = form.text("unit", u.to_string());
    }
    let form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name("khoa-hoc.zip"));
    c.http
        .post(c.url("/author/import"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

pub(crate) async fn course_row(t: &TestApp, slug: &str) -> db::Course {
    db::course_by_slug(&t.db, slug).await.unwrap().unwrap()
}

pub(crate) async fn course_actions(t: &TestApp) -> Vec<String> {
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
        .filter(|r| r.action.starts_with("course.") && r.action != "course.install")
        .map(|r| r.action)
        .collect()
}

async fn export_is_the_course_as_stored(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let a = t.app();
    let writer = principal(&t, WRITER).await;
    let courses = app::shipped_courses().unwrap();
    assert_eq!(courses.len(), 12);
    for (course, _) in courses {
        let (name, bytes) = pkg::export_package(&a, &writer, &course.slug).await.unwrap();
        assert_eq!(name, format!("{}.zip", course.slug));
        assert_eq!(
            normalised(read_back(&bytes)),
            normalised(course.clone()),
            "{}",
            course.slug
        );
    }

    // In the browser: a zip to download for an author of the course, refused to others.
    let c = t.login(WRITER).await;
    let r = c.get(&format!("/author/{COURSE}/package")).await;
    assert_eq!(r.status(), 200);
    let header = |name: &str| r.headers().get(name).unwrap().to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "application/zip");
    assert_eq!(
        header("content-disposition"),
        format!("attachment; filename=\"{COURSE}.zip\"")
    );
    let bytes = r.bytes().await.unwrap();
    assert_eq!(normalised(read_back(&bytes)), normalised(shipped(COURSE)));
    for other in [PROVINCE_AUTHOR, LEARNER] {
        let c = t.login(other).await;
        let s = c.get(&format!("/author/{COURSE}/package")).await.status().as_u16();
        assert!(matches!(s, 403 | 404), "{other}: {s}");
    }

    // A lesson version published in the browser's workflow is what the next export carries (as
    // many practice steps as its translations have, or the package's translations would not match).
    let reviewer = principal(&t, REVIEWER).await;
    let body = "## Ai cũng có thể bị lừa\n\nPhiên bản mới do tác giả xuất bản.";
    let steps = "Bước một\nBước hai\nBước ba";
    let revision = authoring::save(
        &a,
        &writer,
        COURSE,
        LESSON,
        ContentLang::Vi,
        0,
        "Bài mới",
        body,
        steps,
        Default::default(),
    )
    .await
    .unwrap();
    authoring::submit(&a, &writer, COURSE, LESSON, ContentLang::Vi, revision)
        .await
        .unwrap();
    authoring::publish(&a, &reviewer, COURSE, LESSON, ContentLang::Vi, revision + 1)
        .await
        .unwrap();
    let (_, bytes) = pkg::export_package(&a, &writer, COURSE).await.unwrap();
    let back = read_back(&bytes);
    let lesson = back.lessons().find(|l| l.slug == LESSON).unwrap();
    assert_eq!((lesson.title.as_str(), lesson.body_md.as_str()), ("Bài mới", body));
    assert_eq!(lesson.checklist, ["Bước một", "Bước hai", "Bước ba"]);
    assert_eq!(
        lesson.translations,
        shipped(COURSE)
            .lessons()
            .find(|l| l.slug == LESSON)
            .unwrap()
            .translations,
        "other languages are carried over"
    );
    t.finish().await;
}

both!(export_round_trips, export_is_the_course_as_stored);

async fn import_review_publish(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let author = t.login(PROVINCE_AUTHOR).await;
    let author_p = principal(&t, PROVINCE_AUTHOR).await;
    let province = author_p.scopes::<hocvuso_core::access::act::AuthorContent>()[0]
        .root()
        .to_string();
    let (_, desk) = author.text("/author").await;
    assert!(desk.contains("action=\"/author/import\""), "the desk offers the upload");

    // Imported as a draft of the author's province, not shown to learners.
    let r = upload(&author, zip_of(&shared_course()), None).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/author/{SHARED}").as_str());
    let c = course_row(&t, SHARED).await;
    assert_eq!(
        (c.status, c.owner_path.as_str()),
        (CourseStatus::Draft, province.as_str())
    );
    assert!(c.digest.starts_with("package:"), "{}", c.digest);
    let learner = t.login(LEARNER).await;
    assert!(!learner.text("/learn").await.1.contains(&format!("/learn/{SHARED}\"")));
    let (s, page) = author.text(&format!("/author/{SHARED}")).await;
    assert_eq!(s, 200);
    assert!(page.contains(&format!("action=\"/author/{SHARED}/submit\"")), "{page}");

    // Sent for review once; its sender cannot publish it.
    let course_page = format!("/author/{SHARED}");
    let submit = format!("/author/{SHARED}/submit");
    let publish = format!("/author/{SHARED}/publish");
    assert_eq!(author.post_form(&course_page, &submit, &[]).await.status(), 303);
    assert_eq!(course_row(&t, SHARED).await.status, CourseStatus::Review);
    let me = hocvuso_db::accounts::by_phone(&t.db, PROVINCE_AUTHOR)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(db::course_submitted_by(&t.db, c.id).await.unwrap(), Some(me.id));
    assert_eq!(author.post_form(&course_page, &submit, &[]).await.status(), 409);
    let r = author.post_form(&course_page, &publish, &[]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Bạn là người gửi duyệt khóa học này"));
    assert_eq!(course_row(&t, SHARED).await.status, CourseStatus::Review);

    // A second person who may publish in the province does: learners see it.
    let steering = t.login(STEERING).await;
    assert!(
        steering
            .text(&course_page)
            .await
            .1
            .contains(&format!("action=\"{publish}\""))
    );
    assert_eq!(steering.post_form(&course_page, &publish, &[]).await.status(), 303);
    let published = course_row(&t, SHARED).await;
    assert_eq!(published.status, CourseStatus::Published);
    assert!(published.published_at.is_some());
    assert!(learner.text("/learn").await.1.contains(&format!("/learn/{SHARED}\"")));
    assert_eq!(steering.post_form(&course_page, &publish, &[]).await.status(), 409);

    // A new package of the published course: learners keep reading the published text; the
    // changed lesson waits for review as a draft sent by the importer, who cannot publish it.
    let mut changed = shared_course();
    changed.modules[0].lessons[0].body_md = "## Bản sửa\n\nNội dung mới của tỉnh.".into();
    let first = changed.modules[0].lessons[0].slug.clone();
    let first_file = changed.modules[0].lessons[0].file.clone();
    let learner_lesson = format!("/learn/{SHARED}/{first}");
    let editor = format!("/author/{SHARED}/{first}?lang=vi");
    let lesson_publish = format!("/author/{SHARED}/{first}/publish");
    let versions = || async {
        db::lessons(&t.db, c.id)
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.slug, l.version))
            .collect::<Vec<(String, i32)>>()
    };
    let r = upload(&author, zip_of(&changed), None).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/author/{SHARED}?staged=1").as_str());
    let again = course_row(&t, SHARED).await;
    assert_eq!(
        (again.id, again.status, again.digest.as_str()),
        (c.id, CourseStatus::Published, published.digest.as_str()),
        "the course learners read is untouched"
    );
    assert!(versions().await.iter().all(|(_, v)| *v == 1), "{:?}", versions().await);
    let first_row = db::lessons(&t.db, c.id)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.slug == first)
        .unwrap();
    let staged = drafts::drafts_of_course(&t.db, c.id).await.unwrap();
    assert_eq!(staged.len(), 1, "only the changed text is staged: {staged:?}");
    let d = &staged[0];
    assert_eq!(
        (d.lesson_id, d.lang, d.state, d.revision, d.base_version),
        (first_row.id, ContentLang::Vi, DraftState::Review, 1, 1)
    );
    assert_eq!((d.submitted_by, d.updated_by), (Some(me.id), me.id));
    assert_eq!(d.body_md, "## Bản sửa\n\nNội dung mới của tỉnh.");
    let (s, text) = learner.text(&learner_lesson).await;
    assert_eq!(s, 200);
    assert!(
        !text.contains("Nội dung mới của tỉnh."),
        "learners still read the old text"
    );
    let (_, page) = author.text(&format!("/author/{SHARED}?staged=1")).await;
    assert!(page.contains("Đã lưu 1 bản nháp chờ duyệt"), "{page}");
    assert!(
        steering
            .text("/author")
            .await
            .1
            .contains(&format!("/author/{SHARED}/{first}?lang=vi")),
        "the staged draft waits on the reviewer's desk"
    );

    // The same package again: already waiting, nothing changes.
    let before = contents(&t).await;
    assert_eq!(upload(&author, zip_of(&changed), None).await.status(), 303);
    assert_same(&before, &contents(&t).await, "the same package again");

    // The importer cannot publish it; learners still read the old text.
    let r = author
        .post_form(&editor, &lesson_publish, &[("lang", "vi"), ("revision", "1")])
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Một người khác phải duyệt"));
    assert!(versions().await.iter().all(|(_, v)| *v == 1));
    assert!(!learner.text(&learner_lesson).await.1.contains("Nội dung mới của tỉnh."));

    // A translation learners read cannot be dropped by a package; a lesson text that already has
    // another draft is someone's work and refused too; nothing is stored. (A package changing the
    // course's shape waits whole as a revision: tests/it/course_revision.rs.)
    let mut untranslated = changed.clone();
    untranslated.modules[0].lessons[0].translations.clear();
    let mut other = shared_course();
    other.modules[0].lessons[0].body_md = "## Khác\n\nMột bản khác nữa.".into();
    let cases: Vec<(&str, Course, Vec<String>)> = vec![
        (
            "a translation dropped",
            untranslated,
            vec![format!("Tệp {first_file}: Gói thiếu bản Tiếng Anh (en) của bài này")],
        ),
        (
            "another text over the waiting draft",
            other,
            vec![format!(
                "Tệp {first_file}: Bản Tiếng Việt (vi) của bài này đang có một bản nháp chưa xuất bản"
            )],
        ),
    ];
    let before = contents(&t).await;
    for (what, course, messages) in cases {
        let r = upload(&author, zip_of(&course), None).await;
        assert_eq!(r.status(), 422, "{what}");
        let text = r.text().await.unwrap();
        for m in messages {
            assert!(text.contains(&m), "{what}: {m}: {text}");
        }
    }
    assert_same(&before, &contents(&t).await, "packages refused over a published course");

    // A second person publishes it through the lesson's publish step: learners read it now.
    assert_eq!(
        steering
            .post_form(&editor, &lesson_publish, &[("lang", "vi"), ("revision", "1")])
            .await
            .status(),
        303
    );
    assert!(
        versions()
            .await
            .iter()
            .all(|(s, v)| *v == if *s == first { 2 } else { 1 }),
        "{:?}",
        versions().await
    );
    assert!(learner.text(&learner_lesson).await.1.contains("Nội dung mới của tỉnh."));
    assert!(drafts::drafts_of_course(&t.db, c.id).await.unwrap().is_empty());

    // A course of another unit is not replaced, checked on what is stored; nothing changes.
    let before = contents(&t).await;
    let mut national = shipped(COURSE);
    national.title = "Bản của tỉnh".into();
    let r = upload(&author, zip_of(&national), None).await;
    assert_eq!(r.status(), 409);
    let text = r.text().await.unwrap();
    assert!(text.contains("thuộc một đơn vị mà bạn không được biên soạn"), "{text}");
    // Another unit to import into: refused; an unknown one: not found.
    assert_eq!(
        upload(&author, zip_of(&shared_course()), Some("01")).await.status(),
        403
    );
    assert_eq!(
        upload(&author, zip_of(&shared_course()), Some("khong-co"))
            .await
            .status(),
        404
    );
    assert_same(&before, &contents(&t).await, "refused imports");

    assert_eq!(
        course_actions(&t).await,
        [
            "course.import",
            "course.submit",
            "course.publish",
            "course.import",
            "course.import"
        ]
    );
    t.finish().await;
}

both!(import_workflow, import_review_publish);

fn options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

/// The shared course's package with `extra` entries added after its own.
fn with_entries(extra: impl FnOnce(&mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>)) -> Vec<u8> {
    let mut w = zip::ZipWriter::new_append(std::io::Cursor::new(zip_of(&shared_course()))).unwrap();
    extra(&mut w);
    w.finish().unwrap().into_inner()
}

fn entry(w: &mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>, name: &str, bytes: &[u8]) {
    w.start_file(name, options()).unwrap();
    w.write_all(bytes).unwrap();
}

/// 200 MB of zeros as one lesson, deflated to about 200 KB: built once for both backends.
fn bomb() -> Vec<u8> {
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BOMB.get_or_init(|| {
        with_entries(|w| {
            w.start_file(format!("{SHARED}/09-bom.md"), options()).unwrap();
            let zeros = vec![0; 1024 * 1024];
            for _ in 0..200 {
                w.write_all(&zeros).unwrap();
            }
        })
    })
    .clone()
}

fn files_with(change: impl FnOnce(&mut BTreeMap<String, Vec<u8>>)) -> Vec<u8> {
    let mut files = shared_course().to_files();
    change(&mut files);
    package::write_zip(SHARED, &files).unwrap()
}

async fn hostile_uploads(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let author = t.login(PROVINCE_AUTHOR).await;
    let courses = db::courses(&t.db).await.unwrap().len();
    let before = contents(&t).await;
    let first_lesson = shared_course().modules[0].lessons[0].file.clone();
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "parent path",
            with_entries(|w| entry(w, "../evil.md", b"x")),
            422,
            "Đường dẫn “../evil.md” không hợp lệ",
        ),
        (
            "absolute path",
            with_entries(|w| entry(w, "/etc/evil.md", b"x")),
            422,
            "Đường dẫn “/etc/evil.md” không hợp lệ",
        ),
        (
            "symlink",
            with_entries(|w| {
                w.add_symlink(format!("{SHARED}/09-lien-ket.md"), "/etc/passwd", options())
                    .unwrap()
            }),
            422,
            "là một liên kết (symlink)",
        ),
        ("deflate bomb", bomb(), 422, "khi giải nén dài hơn giới hạn"),
        (
            "lesson listed but missing",
            files_with(|f| {
                f.remove(&first_lesson);
            }),
            422,
            "gói không có tệp này",
        ),
        (
            "unknown competence",
            files_with(|f| {
                let toml = String::from_utf8(f["course.toml"].clone()).unwrap();
                let first = toml.find("digcomp22:").unwrap() + "digcomp22:".len();
                let toml = format!("{}9.9{}", &toml[..first], &toml[first + 3..]);
                f.insert("course.toml".into(), toml.into_bytes());
            }),
            422,
            "Tệp course.toml: Khung digcomp22 không có năng lực 9.9",
        ),
        (
            "not a zip",
            b"Ho va ten,Ngay sinh\n".to_vec(),
            422,
            "không phải gói nội dung dạng .zip",
        ),
        ("empty file", Vec::new(), 422, "Tệp tải lên rỗng (0 byte)"),
    ];
    for (what, bytes, status, message) in cases {
        let r = upload(&author, bytes, None).await;
        assert_eq!(r.status().as_u16(), status, "{what}");
        let text = r.text().await.unwrap();
        assert!(text.contains(message), "{what}: {text}");
        assert!(
            text.contains("action=\"/author/import\""),
            "{what}: the form is offered again"
        );
    }
    // Several problems at once: every one is listed.
    let r = upload(
        &author,
        with_entries(|w| {
            entry(w, "../a.md", b"x");
            entry(w, "/b.md", b"x");
        }),
        None,
    )
    .await;
    let text = r.text().await.unwrap();
    assert!(text.contains("“../a.md”") && text.contains("“/b.md”"), "{text}");
    // Over the upload limit (1 MB here), whatever it holds: refused before it is read. Last,
    // because the server closes that connection.
    let mut noise = Vec::with_capacity(1536 * 1024);
    let mut x: u32 = 7;
    while noise.len() < 1536 * 1024 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        noise.push((x >> 16) as u8);
    }
    let big = with_entries(|w| {
        w.start_file(
            format!("{SHARED}/09-to.md"),
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
        )
        .unwrap();
        w.write_all(&noise).unwrap();
    });
    let r = upload(&author, big, None).await;
    assert_eq!(r.status(), 413);
    assert!(r.text().await.unwrap().contains("Tệp gói quá lớn (tối đa 1 MB)"));

    assert_eq!(db::courses(&t.db).await.unwrap().len(), courses);
    assert_same(&before, &contents(&t).await, "hostile packages");
    t.finish().await;
}

both!(hostile_packages, hostile_uploads);
