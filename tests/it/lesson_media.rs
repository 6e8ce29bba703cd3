//! Images and files in lessons, end to end on both databases: a national author uploads a photo
//! and a form as the course page's form sends them; the photo is stored as two JPEGs without its
//! metadata, under a plain name (numbered when taken); the author shows them in a lesson (a
//! missing file or a picture without a description is refused with its line), a second person
//! publishes it, and a learner's lesson page shows the picture lazily at phone size and the form
//! as a download. Hostile uploads (text called .png, an SVG with script, a program, an empty or
//! oversized file) and uploads by people who may not edit the course are refused with nothing
//! stored; a draft course's files are not served to the public. The same lesson links to a video
//! with its transcript (an address elsewhere, or a video without transcript, is refused), and the
//! course's package carries the files and the video back in unchanged.

use crate::both;
use crate::helpers::{Backend, Client, Options, TestApp};
use crate::learning::{COURSE, LESSON};
use hocvuso_core::learning::CourseStatus;
use hocvuso_db::learning as db;
use hocvuso_db::media as stored;

const LEARNER: &str = "0900000008";
const WRITER: &str = "0900000009";
const REVIEWER: &str = "0900000010";
const PROVINCE_AUTHOR: &str = "0900000004";

fn seeded() -> Options {
    Options {
        seed: true,
        people: 50,
        max_upload_mb: Some(25),
        ..Options::default()
    }
}

/// A 2000 × 1000 photo-like PNG with a text chunk (metadata that must not survive).
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(2000, 1000, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut raw = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut raw), image::ImageFormat::Png)
        .unwrap();
    // A tEXt chunk after IHDR (8-byte signature + 25-byte IHDR chunk).
    let data = b"Comment\0GPS 21.0285,105.8542 nha rieng";
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(b"tEXt");
    chunk.extend_from_slice(data);
    let mut crc_input = b"tEXt".to_vec();
    crc_input.extend_from_slice(data);
    chunk.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    let mut out = raw[..33].to_vec();
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&raw[33..]);
    assert!(image::load_from_memory(&out).is_ok());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

const FORM_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn course_page() -> String {
    format!("/author/{COURSE}")
}

async fn upload(c: &Client, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let token = c.csrf(&course_page()).await;
    let form = reqwest::multipart::Form::new().text("_csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    c.http
        .post(c.url(&format!("/author/{COURSE}/media")))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

async fn course(t: &TestApp) -> db::Course {
    db::course_by_slug(&t.db, COURSE).await.unwrap().unwrap()
}

async fn names(t: &TestApp) -> Vec<String> {
    let c = course(t).await;
    stored::list(&t.db, c.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect()
}

fn jpeg_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..2], b"\xff\xd8", "a JPEG");
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg).unwrap();
    (img.width(), img.height())
}

async fn images_and_files_in_lessons(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let writer = t.login(WRITER).await;
    let (s, page) = writer.text(&course_page()).await;
    assert_eq!(s, 200);
    assert!(
        page.contains(&format!("action=\"/author/{COURSE}/media\"")),
        "the course page offers the upload"
    );
    assert!(names(&t).await.is_empty());

    // A photo: stored as two JPEGs under a plain name; the page gives the line to paste.
    let r = upload(&writer, "Ảnh màn hình VNeID.png", photo()).await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("/author/{COURSE}?uploaded=anh-man-hinh-vneid.jpg#media"));
    let (_, page) = writer.text(to.trim_end_matches("#media")).await;
    assert!(
        page.contains("![anh-man-hinh-vneid](media/anh-man-hinh-vneid.jpg)"),
        "{page}"
    );
    // The same name again is numbered; the first keeps its bytes.
    assert_eq!(upload(&writer, "Ảnh màn hình VNeID.png", photo()).await.status(), 303);
    assert_eq!(upload(&writer, "Tờ khai.pdf", FORM_PDF.to_vec()).await.status(), 303);
    assert_eq!(
        names(&t).await,
        ["anh-man-hinh-vneid-2.jpg", "anh-man-hinh-vneid.jpg", "to-khai.pdf"]
    );
    let c = course(&t).await;
    let full = stored::content(&t.db, c.id, "anh-man-hinh-vneid.jpg")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(jpeg_size(&full), (1280, 640));
    let phone = stored::phone(&t.db, c.id, "anh-man-hinh-vneid.jpg")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(jpeg_size(&phone), (480, 240));
    for variant in [&full, &phone] {
        let haystack = String::from_utf8_lossy(variant);
        assert!(
            !haystack.contains("GPS") && !haystack.contains("Exif"),
            "no metadata kept"
        );
    }

    // Hostile uploads: each refused with what is wrong, nothing stored.
    let before = names(&t).await;
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    for (name, bytes, status, says) in [
        (
            "anh.png",
            b"<html><script>alert(1)</script></html>".to_vec(),
            422,
            "không phải ảnh",
        ),
        ("ve.svg", svg, 422, "không phải ảnh"),
        (
            "cai-dat.exe",
            b"MZ\x90\x00\x03\x00\x00\x00\x04".to_vec(),
            422,
            "Tệp chương trình",
        ),
        ("trong.pdf", Vec::new(), 422, "Tệp gửi lên trống"),
        ("lon.png", vec![0x89; 12 * 1024 * 1024], 422, "Ảnh lớn hơn 10 MB"),
        ("qua-lon.png", vec![0x89; 60 * 1024 * 1024], 413, "25 MB"),
    ] {
        let r = upload(&writer, name, bytes).await;
        assert_eq!(r.status(), status, "{name}");
        let body = r.text().await.unwrap();
        assert!(body.contains(says), "{name}: {says} not in {body}");
    }
    assert_eq!(names(&t).await, before);

    // Nobody outside the course's unit uploads: a province author, a learner, a stranger.
    for who in [PROVINCE_AUTHOR, LEARNER] {
        let c = t.login(who).await;
        let token = c.csrf("/").await;
        let form = reqwest::multipart::Form::new().text("_csrf", token).part(
            "file",
            reqwest::multipart::Part::bytes(FORM_PDF.to_vec()).file_name("x.pdf"),
        );
        let r = c
            .http
            .post(c.url(&format!("/author/{COURSE}/media")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert!([403, 404].contains(&r.status().as_u16()), "{who}: {}", r.status());
    }
    assert_eq!(names(&t).await, before);

    // The author shows them in the lesson; a missing file and an undescribed picture are refused.
    let editor = format!("/author/{COURSE}/{LESSON}?lang=vi");
    let save = format!("/author/{COURSE}/{LESSON}");
    let (_, page) = writer.text(&editor).await;
    assert!(
        page.contains("media/to-khai.pdf"),
        "the editor lists the course's files"
    );
    let fields = |body: &'static str, action: &'static str| {
        vec![
            ("lang", "vi"),
            ("revision", "0"),
            ("title", "Bài có ảnh"),
            ("body", body),
            ("checklist", "Mở VNeID\nChọn mục cần dùng\nKiểm tra lại"),
            ("action", action),
        ]
    };
    for (body, says) in [
        (
            "## Màn hình\n\n![Ảnh](media/khong-co.jpg)\n",
            "Dòng 3: Khóa học chưa có tệp “media/khong-co.jpg”",
        ),
        (
            "## Màn hình\n\n![](media/anh-man-hinh-vneid.jpg)\n",
            "Dòng 3: Hình chưa có lời mô tả",
        ),
        (
            "## Màn hình\n\n![Ảnh](https://example.com/a.png)\n",
            "Dòng 3: Hình trong bài học phải là ảnh đã tải lên",
        ),
    ] {
        let r = writer.post_form(&editor, &save, &fields(body, "save")).await;
        assert_eq!(r.status(), 422, "{body}");
        let text = r.text().await.unwrap();
        assert!(text.contains(says), "{says} not in {text}");
    }
    // Every language of a lesson keeps the same practice steps (its English text has three).
    let mut one_step = fields("## Màn hình\n\nChữ.\n", "save");
    one_step[4] = ("checklist", "Mở VNeID");
    let r = writer.post_form(&editor, &save, &one_step).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Bản ngôn ngữ “en” của bài có 3 bước thực hành, bản nháp này có 1 bước")
    );
    const BODY: &str = "## Màn hình\n\n![Màn hình đăng nhập của VNeID](media/anh-man-hinh-vneid.jpg)\n\nĐiền [tờ khai](media/to-khai.pdf) trước khi đi.\n";
    // A video needs an address lessons may link to, a title and a transcript.
    let with_video = |url: &'static str, transcript: &'static str, action: &'static str| {
        let mut f = fields(BODY, action);
        f.extend([
            ("video_url", url),
            ("video_title", "Kích hoạt tài khoản VNeID"),
            ("video_transcript", transcript),
        ]);
        f
    };
    for (url, transcript, says) in [
        (
            "javascript:alert(1)",
            "Lời.",
            "Địa chỉ video “javascript:alert(1)” không dùng được",
        ),
        (
            "https://evil.example/v",
            "Lời.",
            "“evil.example” không thuộc các trang đó",
        ),
        ("https://www.youtube.com/watch?v=abc", "  ", "Video cần có lời thoại"),
    ] {
        let r = writer
            .post_form(&editor, &save, &with_video(url, transcript, "save"))
            .await;
        assert_eq!(r.status(), 422, "{url}");
        let text = r.text().await.unwrap();
        assert!(text.contains(says), "{says} not in {text}");
        assert!(
            text.contains("Kích hoạt tài khoản VNeID"),
            "the typed fields stay in the form"
        );
    }
    const VIDEO: &str = "https://www.youtube.com/watch?v=abc";
    const TRANSCRIPT: &str = "Mở ứng dụng VNeID.\n\nChọn <Kích hoạt> và làm theo hướng dẫn.";
    let r = writer
        .post_form(&editor, &save, &with_video(VIDEO, TRANSCRIPT, "preview"))
        .await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let img = format!("<img src=\"/media/{COURSE}/anh-man-hinh-vneid.jpg?w=480\"");
    assert!(text.contains(&img), "the preview shows the picture: {text}");
    assert!(
        text.contains("Chọn &#60;Kích hoạt&#62; và làm theo hướng dẫn."),
        "the preview shows the transcript: {text}"
    );
    assert_eq!(
        writer
            .post_form(&editor, &save, &with_video(VIDEO, TRANSCRIPT, "save"))
            .await
            .status(),
        303
    );
    let step = |what: &str| format!("/author/{COURSE}/{LESSON}/{what}");
    let r = writer
        .post_form(&editor, &step("submit"), &[("lang", "vi"), ("revision", "1")])
        .await;
    assert_eq!(r.status(), 303);
    let reviewer = t.login(REVIEWER).await;
    let r = reviewer
        .post_form(&editor, &step("publish"), &[("lang", "vi"), ("revision", "2")])
        .await;
    assert_eq!(r.status(), 303);

    // The learner's lesson: the picture at phone size, lazily, described; the form to download.
    let learner = t.login(LEARNER).await;
    let (s, lesson) = learner.text(&format!("/learn/{COURSE}/{LESSON}")).await;
    assert_eq!(s, 200);
    let doc = scraper::Html::parse_document(&lesson);
    let sel = scraper::Selector::parse("article img").unwrap();
    let imgs: Vec<_> = doc.select(&sel).collect();
    assert_eq!(imgs.len(), 1, "{lesson}");
    let a = |k: &str| imgs[0].value().attr(k).unwrap_or_default().to_string();
    assert_eq!(a("src"), format!("/media/{COURSE}/anh-man-hinh-vneid.jpg?w=480"));
    assert_eq!(a("alt"), "Màn hình đăng nhập của VNeID");
    assert_eq!(
        (a("loading"), a("width"), a("height")),
        ("lazy".into(), "1280".into(), "640".into())
    );
    assert!(a("srcset").contains(&format!("/media/{COURSE}/anh-man-hinh-vneid.jpg 1280w")));
    let sel = scraper::Selector::parse("article a[download]").unwrap();
    let link = doc.select(&sel).next().expect("a download link");
    assert_eq!(
        link.value().attr("href"),
        Some(format!("/media/{COURSE}/to-khai.pdf").as_str())
    );
    assert!(lesson.contains("(PDF, 1 KB)"), "the link says what the file is");
    // The video: a link to its page (no player, no script), and its transcript paragraph by paragraph.
    let sel = scraper::Selector::parse("section.video a").unwrap();
    let link = doc.select(&sel).next().expect("the video's link");
    assert_eq!(link.value().attr("href"), Some(VIDEO));
    assert_eq!(link.text().collect::<String>(), "Kích hoạt tài khoản VNeID");
    let sel = scraper::Selector::parse("section.video details p").unwrap();
    let paragraphs: Vec<String> = doc.select(&sel).map(|p| p.text().collect()).collect();
    assert_eq!(
        paragraphs,
        ["Mở ứng dụng VNeID.", "Chọn <Kích hoạt> và làm theo hướng dẫn."]
    );
    assert!(!lesson.contains("<iframe"));

    // Served: the phone variant, the full one, the form as it came; anything else is absent.
    let anon = t.client();
    let r = anon.get(&a("src")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), phone.as_slice());
    let r = anon.get(&format!("/media/{COURSE}/anh-man-hinh-vneid.jpg")).await;
    assert_eq!(r.bytes().await.unwrap().as_ref(), full.as_slice());
    let r = anon.get(&format!("/media/{COURSE}/to-khai.pdf")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"to-khai.pdf\""
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), FORM_PDF);
    for path in [
        format!("/media/{COURSE}/khong-co.jpg"),
        format!("/media/{COURSE}/..%2F..%2Fetc%2Fpasswd"),
        format!("/media/{COURSE}/ANH.JPG"),
        "/media/khong-co-khoa-hoc/to-khai.pdf".to_string(),
    ] {
        assert_eq!(anon.get(&path).await.status(), 404, "{path}");
    }

    // The course's package carries its files; imported back, nothing changes; the same name with
    // other bytes is refused with the name and nothing stored.
    let r = writer.get(&format!("/author/{COURSE}/package")).await;
    assert_eq!(r.status(), 200);
    let zip = r.bytes().await.unwrap().to_vec();
    let mut files = hocvuso_core::learning::package::read_zip(&zip).unwrap();
    assert_eq!(files.get("media/to-khai.pdf").map(Vec::as_slice), Some(FORM_PDF));
    assert_eq!(files.get("media/anh-man-hinh-vneid.jpg"), Some(&full));
    let lesson_file = files
        .iter()
        .find(|(k, _)| k.ends_with(&format!("-{LESSON}.md")) && !k.contains('/'))
        .map(|(_, v)| String::from_utf8(v.clone()).unwrap())
        .unwrap();
    assert!(
        lesson_file.contains("[video]") && lesson_file.contains(VIDEO),
        "{lesson_file}"
    );
    let import = |bytes: Vec<u8>| {
        let writer = writer.clone();
        async move {
            let token = writer.csrf("/author").await;
            let form = reqwest::multipart::Form::new()
                .text("_csrf", token)
                .part("file", reqwest::multipart::Part::bytes(bytes).file_name("khoa-hoc.zip"));
            writer
                .http
                .post(writer.url("/author/import"))
                .multipart(form)
                .send()
                .await
                .unwrap()
        }
    };
    let before = crate::walk::contents(&t).await;
    let r = import(zip.clone()).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    // Only the course's record of the package it came from changes.
    let without_courses = |mut c: std::collections::BTreeMap<String, Vec<String>>| {
        c.remove("courses");
        c
    };
    crate::walk::assert_same(
        &without_courses(before.clone()),
        &without_courses(crate::walk::contents(&t).await),
        "the same package again",
    );
    let before = crate::walk::contents(&t).await;
    files.insert("media/to-khai.pdf".into(), b"%PDF-1.4 another form".to_vec());
    let changed = hocvuso_core::learning::package::write_zip(COURSE, &files).unwrap();
    let r = import(changed).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("media/to-khai.pdf"));
    crate::walk::assert_same(&before, &crate::walk::contents(&t).await, "a refused package");

    // A course not open to learners: its files are its authors' only.
    let mut tx = t.db.begin().await.unwrap();
    assert!(
        db::set_course_status(&mut tx, c.id, CourseStatus::Published, CourseStatus::Draft, None)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let pdf = format!("/media/{COURSE}/to-khai.pdf");
    assert_eq!(anon.get(&pdf).await.status(), 404);
    assert_eq!(learner.get(&pdf).await.status(), 404);
    let r = writer.get(&pdf).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "private, no-cache");

    // Every upload is in the audit log, with its stored name.
    let rows = hocvuso_db::audit::list(
        &t.db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &hocvuso_db::audit::Filter::default(),
        1000,
    )
    .await
    .unwrap();
    let mut uploaded: Vec<String> = rows
        .iter()
        .filter(|r| r.action == "course.media_upload")
        .map(|r| {
            let detail: serde_json::Value = serde_json::from_str(&r.detail).unwrap();
            detail["name"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    uploaded.sort();
    assert_eq!(
        uploaded,
        ["anh-man-hinh-vneid-2.jpg", "anh-man-hinh-vneid.jpg", "to-khai.pdf"]
    );
}

both!(images_and_files, images_and_files_in_lessons);

async fn remove(c: &Client, name: &str) -> reqwest::Response {
    c.post_form(
        &course_page(),
        &format!("/author/{COURSE}/media/remove"),
        &[("name", name)],
    )
    .await
}

/// A file leaves a course only when no lesson text shows it: a draft or a published text naming
/// it keeps it (409, the lessons named); an unused one is removed, no longer served, and audited;
/// people who may not edit the course remove nothing; a removal racing a save that starts showing
/// the file leaves either the file and the draft, or neither.
async fn removing_files_no_lesson_shows(b: Backend) {
    let t = TestApp::spawn_with(b, seeded()).await;
    let writer = t.login(WRITER).await;
    for (name, bytes) in [
        ("anh.png", photo()),
        ("anh.png", photo()),
        ("to-khai.pdf", FORM_PDF.to_vec()),
    ] {
        assert_eq!(upload(&writer, name, bytes).await.status(), 303);
    }
    assert_eq!(names(&t).await, ["anh-2.jpg", "anh.jpg", "to-khai.pdf"]);
    let (_, page) = writer.text(&course_page()).await;
    assert!(
        page.contains(&format!("action=\"/author/{COURSE}/media/remove\"")),
        "each file has a removal button"
    );

    // A draft shows the picture: it stays.
    let editor = format!("/author/{COURSE}/{LESSON}?lang=vi");
    let save = format!("/author/{COURSE}/{LESSON}");
    let draft = |revision: &'static str, body: &'static str| {
        vec![
            ("lang", "vi"),
            ("revision", revision),
            ("title", "Bài có ảnh"),
            ("body", body),
            ("checklist", "Mở VNeID\nChọn mục cần dùng\nKiểm tra lại"),
            ("action", "save"),
        ]
    };
    let r = writer
        .post_form(
            &editor,
            &save,
            &draft("0", "## Màn hình\n\n![Màn hình VNeID](media/anh.jpg)\n"),
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = remove(&writer, "anh.jpg").await;
    assert_eq!(r.status(), 409);
    let text = r.text().await.unwrap();
    assert!(
        text.contains(
            "Chưa xóa tệp “anh.jpg” vì bài học vẫn dùng nó. Bài đã xuất bản: —. Bản nháp: “Bài có ảnh” (vi)."
        ),
        "{text}"
    );
    // Published, it stays too.
    let step = |what: &str| format!("/author/{COURSE}/{LESSON}/{what}");
    assert_eq!(
        writer
            .post_form(&editor, &step("submit"), &[("lang", "vi"), ("revision", "1")])
            .await
            .status(),
        303
    );
    let reviewer = t.login(REVIEWER).await;
    assert_eq!(
        reviewer
            .post_form(&editor, &step("publish"), &[("lang", "vi"), ("revision", "2")])
            .await
            .status(),
        303
    );
    let r = remove(&writer, "anh.jpg").await;
    assert_eq!(r.status(), 409);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("Bài đã xuất bản: “Bài có ảnh” (vi). Bản nháp: —."),
        "{text}"
    );
    assert_eq!(writer.get(&format!("/media/{COURSE}/anh.jpg")).await.status(), 200);

    // Those who may not edit the course remove nothing; unknown and made-up names are 404.
    let province = t.login(PROVINCE_AUTHOR).await;
    let learner = t.login(LEARNER).await;
    for (who, c) in [("province author", &province), ("learner", &learner)] {
        let r = c
            .post_form(
                "/",
                &format!("/author/{COURSE}/media/remove"),
                &[("name", "to-khai.pdf")],
            )
            .await;
        assert!([403, 404].contains(&r.status().as_u16()), "{who}: {}", r.status());
    }
    for name in ["khong-co.pdf", "../to-khai.pdf", ""] {
        assert_eq!(remove(&writer, name).await.status(), 404, "{name:?}");
    }
    assert_eq!(names(&t).await, ["anh-2.jpg", "anh.jpg", "to-khai.pdf"]);

    // An unused file goes, is no longer served, and the page says so.
    let r = remove(&writer, "to-khai.pdf").await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("/author/{COURSE}?removed=to-khai.pdf#media"));
    let (_, page) = writer.text(to.trim_end_matches("#media")).await;
    assert!(page.contains("Đã xóa tệp “to-khai.pdf”."), "{page}");
    assert_eq!(names(&t).await, ["anh-2.jpg", "anh.jpg"]);
    assert_eq!(writer.get(&format!("/media/{COURSE}/to-khai.pdf")).await.status(), 404);
    // A hand-made address claims no removal of a file the course still holds.
    let (_, page) = writer.text(&format!("/author/{COURSE}?removed=anh.jpg")).await;
    assert!(!page.contains("Đã xóa tệp"), "{page}");

    // A save that starts showing a file, racing its removal: never a text naming a missing file.
    let body = "## Màn hình\n\n![Ảnh thứ hai](media/anh-2.jpg)\n";
    let showing = draft("0", body);
    let (saved, removed) = tokio::join!(writer.post_form(&editor, &save, &showing), remove(&writer, "anh-2.jpg"));
    let (saved, removed) = (saved.status().as_u16(), removed.status().as_u16());
    let held = names(&t).await.contains(&"anh-2.jpg".to_string());
    let c = course(&t).await;
    let lesson = db::lessons(&t.db, c.id)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.slug == LESSON)
        .unwrap();
    let shown = hocvuso_db::authoring::draft(&t.db, lesson.id, hocvuso_core::learning::ContentLang::Vi)
        .await
        .unwrap()
        .is_some_and(|d| d.body_md.contains("media/anh-2.jpg"));
    assert!(
        (saved, removed, shown, held) == (303, 409, true, true)
            || (saved, removed, shown, held) == (422, 303, false, false),
        "save {saved}, removal {removed}, draft shows it {shown}, file held {held}"
    );

    // Every removal is audited with the file's name; refused ones are not.
    let rows = hocvuso_db::audit::list(
        &t.db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &hocvuso_db::audit::Filter::default(),
        1000,
    )
    .await
    .unwrap();
    let mut removed_names: Vec<String> = rows
        .iter()
        .filter(|r| r.action == "course.media_remove")
        .map(|r| {
            let detail: serde_json::Value = serde_json::from_str(&r.detail).unwrap();
            detail["name"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    removed_names.sort();
    let mut expected = vec!["to-khai.pdf".to_string()];
    if !held {
        expected.insert(0, "anh-2.jpg".to_string());
    }
    assert_eq!(removed_names, expected);
}

both!(removing_files, removing_files_no_lesson_shows);
