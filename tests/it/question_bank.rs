//! Question items stored on both databases (issue 10, first step): an item reads back as it was
//! written; a code the unit holds is refused by the key inside the writing transaction, leaving
//! the first item as it was; a blueprint draws only published items of its competence and level
//! from the banks it is given; a change made from an old revision changes nothing.

use crate::both;
use crate::helpers::{Backend, TestApp};
use hocvuso_core::assessment::{Body, Difficulty, Item, ItemText};
use hocvuso_core::learning::{CompetenceRef, ContentLang, CourseStatus};
use hocvuso_db::assessment as bank;

fn item(code: &str, competence: &str, level: &str, stem: &str) -> Item {
    Item {
        code: code.into(),
        competence: CompetenceRef {
            framework: "digcomp22".into(),
            code: competence.into(),
        },
        level: level.into(),
        difficulty: Difficulty::Medium,
        body: Body::SingleChoice { options: 3, correct: 1 },
        picture: None,
        texts: vec![(
            ContentLang::Vi,
            ItemText {
                picture_alt: String::new(),
                stem: stem.into(),
                options: vec![
                    "Bấm vào đường link để nhận quà".into(),
                    "Gọi tổng đài chính thức của ngân hàng để hỏi".into(),
                    "Gửi mã OTP cho người nhắn".into(),
                ],
                matches: Vec::new(),
                explanation: "Ngân hàng không bao giờ hỏi mã OTP; chỉ hỏi lại qua số tổng đài chính thức.".into(),
            },
        )],
    }
}

async fn items_stored_and_drawn(b: Backend) {
    let t = TestApp::spawn(b).await;
    let province = "/VN/01/";
    let country = "/VN/";
    let first = item(
        "otp-1",
        "4.1",
        "1",
        "Có tin nhắn báo trúng thưởng và xin mã OTP. Bạn làm gì?",
    );
    assert!(first.problems().is_empty());
    let mut tx = t.db.begin().await.unwrap();
    let a = bank::insert(&mut tx, province, "Lừa đảo", &first, CourseStatus::Published, None)
        .await
        .unwrap()
        .expect("stored");
    // The same code again in the same unit: refused by the key, the first kept.
    let other = item("otp-1", "4.1", "1", "Một câu khác");
    assert_eq!(
        bank::insert(&mut tx, province, "Lừa đảo", &other, CourseStatus::Published, None)
            .await
            .unwrap(),
        None
    );
    // The same code in another unit's bank is its own item.
    let national = bank::insert(&mut tx, country, "Chung", &other, CourseStatus::Published, None)
        .await
        .unwrap()
        .expect("stored");
    assert_ne!(a, national);
    for (code, competence, level, status) in [
        ("otp-2", "4.1", "1", CourseStatus::Draft),
        ("otp-3", "4.1", "2", CourseStatus::Published),
        ("mk-1", "4.2", "1", CourseStatus::Published),
    ] {
        bank::insert(
            &mut tx,
            province,
            "Lừa đảo",
            &item(code, competence, level, "Câu hỏi"),
            status,
            None,
        )
        .await
        .unwrap()
        .expect("stored");
    }
    tx.commit().await.unwrap();

    let back = bank::by_code(&t.db, province, "otp-1").await.unwrap().expect("found");
    assert_eq!(
        (back.id, &back.item, back.status, back.revision),
        (a, &first, CourseStatus::Published, 1)
    );
    let drawn: Vec<(String, String)> = bank::drawable(&t.db, &[country, province], "digcomp22", "4.1", "1")
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.owner_path, s.item.code))
        .collect();
    assert_eq!(
        drawn,
        [
            (province.to_string(), "otp-1".to_string()),
            (country.to_string(), "otp-1".to_string())
        ]
    );
    assert!(
        bank::drawable(&t.db, &["/VN/79/"], "digcomp22", "4.1", "1")
            .await
            .unwrap()
            .is_empty(),
        "another province's bank is not drawn from"
    );

    // A change made from an old revision changes nothing; from the current one, it moves on.
    let by = hocvuso_db::accounts::by_phone(&t.db, "0900000001")
        .await
        .unwrap()
        .expect("the system admin")
        .id;
    let mut tx = t.db.begin().await.unwrap();
    assert!(
        !bank::set_status(&mut tx, a, 7, CourseStatus::Archived, by)
            .await
            .unwrap()
    );
    assert!(
        bank::set_status(&mut tx, a, 1, CourseStatus::Archived, by)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let back = bank::by_code(&t.db, province, "otp-1").await.unwrap().expect("found");
    assert_eq!((back.status, back.revision), (CourseStatus::Archived, 2));
    assert!(
        bank::drawable(&t.db, &[province], "digcomp22", "4.1", "1")
            .await
            .unwrap()
            .is_empty(),
        "a retired item is not drawn"
    );
    t.finish().await;
}

both!(items, items_stored_and_drawn);

/// The item every walked unit's bank holds, so that an item's page has a target.
pub(crate) const WALK_ITEM: &str = "walk-item";

/// Stores [`WALK_ITEM`] in `unit_path`'s bank (published, as a shipped item is); a second call
/// for the same unit stores nothing.
///
/// The item has an English version and a described picture, so every page that shows or edits it
/// (the walks, axe) shows the translation's fields and the picture too.
pub(crate) async fn seed_walk_item(app: &TestApp, unit_path: &str) {
    let mut walk = item(WALK_ITEM, "4.1", "1", "Câu hỏi mẫu cho các lượt đi qua mọi trang");
    let image = hocvuso_core::learning::media::prepare_image(&screenshot(480, 800)).unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let picture = hocvuso_app::question_bank::store_picture(&mut tx, &image, None)
        .await
        .unwrap();
    walk.picture = Some(picture);
    walk.texts[0].1.picture_alt = "Màn hình điện thoại có ba nút".into();
    let mut en = walk.texts[0].1.clone();
    en.stem = "A sample question for the walks over every page".into();
    en.picture_alt = "A phone screen with three buttons".into();
    en.options = vec![
        "Tap the link to claim the gift".into(),
        "Call the bank's official hotline to ask".into(),
        "Send the OTP code to the sender".into(),
    ];
    en.explanation = "A bank never asks for an OTP; ask again only through its official hotline.".into();
    walk.texts.push((ContentLang::En, en));
    assert!(walk.problems().is_empty(), "{:?}", walk.problems());
    bank::insert(&mut tx, unit_path, "Chung", &walk, CourseStatus::Published, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

const PROVINCE_AUTHOR: &str = "0900000004";
/// The steering administrator of the same province: may publish there too (the second person).
const PROVINCE_REVIEWER: &str = "0900000002";

/// A GIFT file of three questions in one category: two the platform holds and an essay it
/// cannot (essays are scored by a person).
const GIFT: &str = "$CATEGORY: Lừa đảo/Tin nhắn

::OTP ngân hàng::Có tin nhắn tự xưng ngân hàng xin mã OTP để “mở khóa tài khoản”. Bạn làm gì?
{=Không gửi, gọi tổng đài chính thức của ngân hàng ~Gửi mã OTP ngay ~Bấm đường link trong tin nhắn####Ngân hàng không bao giờ hỏi mã OTP.}

::Trúng thưởng::Tin nhắn báo trúng thưởng và bắt nộp phí trước để nhận quà thường là lừa đảo.{T####Không ai bắt nộp tiền trước để nhận quà thật.}

::Cảm nghĩ::Hãy viết vài dòng về lần bạn suýt bị lừa qua mạng.{}
";

fn moodle() -> String {
    let mc = |name: &str, single: bool, answers: &[(&str, &str)]| {
        let answers: String = answers
            .iter()
            .map(|(f, t)| format!("<answer fraction=\"{f}\" format=\"plain_text\"><text>{t}</text></answer>\n"))
            .collect();
        format!(
            "<question type=\"multichoice\"><name><text>{name}</text></name>\
             <questiontext format=\"plain_text\"><text>{name}: bạn chọn gì?</text></questiontext>\
             <generalfeedback format=\"plain_text\"><text>Vì đó là cách an toàn.</text></generalfeedback>\
             <single>{single}</single>\n{answers}</question>\n"
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n\
         <question type=\"category\"><category><text>$course$/top/Mật khẩu</text></category></question>\n{}{}</quiz>\n",
        mc(
            "Mật khẩu mạnh",
            true,
            &[("100", "Dài, có chữ, số và ký hiệu"), ("0", "Ngày sinh của mình")]
        ),
        // The right fractions add up to 120 %: Moodle would score it oddly, so it is refused.
        mc(
            "Tỉ lệ sai",
            false,
            &[
                ("50", "Dùng trình quản lý mật khẩu"),
                ("70", "Bật xác thực hai lớp"),
                ("-100", "Dùng chung một mật khẩu")
            ]
        ),
    )
}

async fn unit_of(t: &TestApp, phone: &str) -> hocvuso_db::units::Unit {
    let a = hocvuso_db::accounts::by_phone(&t.db, phone).await.unwrap().unwrap();
    let g = hocvuso_db::accounts::grants(&t.db, a.id).await.unwrap();
    hocvuso_db::units::get(&t.db, g[0].unit_id).await.unwrap().unwrap()
}

async fn upload(c: &crate::helpers::Client, unit: &str, name: &str, bytes: Vec<u8>) -> (u16, String) {
    upload_as(c, unit, name, bytes, ("digcomp22:4.1", "1", "easy")).await
}

/// An import with the page's choices for what the file does not say: competence, level,
/// difficulty.
async fn upload_as(
    c: &crate::helpers::Client,
    unit: &str,
    name: &str,
    bytes: Vec<u8>,
    (competence, level, difficulty): (&str, &str, &str),
) -> (u16, String) {
    let token = c.csrf(&format!("/bank/{unit}")).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token)
        .text("competence", competence.to_string())
        .text("level", level.to_string())
        .text("difficulty", difficulty.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let r = c
        .http
        .post(c.url(&format!("/bank/{unit}/import")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn change(c: &crate::helpers::Client, unit: &str, code: &str, what: &str, revision: i32) -> u16 {
    let page = format!("/bank/{unit}/items/{code}");
    c.post_form(&page, &format!("{page}/{what}"), &[("revision", &revision.to_string())])
        .await
        .status()
        .as_u16()
}

async fn status_of(t: &TestApp, path: &str, code: &str) -> (CourseStatus, i32) {
    let s = bank::by_code(&t.db, path, code).await.unwrap().expect("stored");
    (s.status, s.revision)
}

/// Import, review by a second person, retirement, export and re-import, through the pages.
async fn authored_in_the_running_program(b: Backend) {
    let t = TestApp::spawn(b).await;
    let province = unit_of(&t, PROVINCE_AUTHOR).await;
    let author = t.login(PROVINCE_AUTHOR).await;
    assert_eq!(author.get("/bank").await.status(), 200);

    // GIFT: the essay is named with its reason, the rest stored as drafts in the file's category.
    let (s, page) = upload(&author, &province.code, "lua-dao.gift", GIFT.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("Cảm nghĩ"), "the essay is named: {page}");
    let essay = hocvuso_core::i18n::t(hocvuso_core::Lang::Vi, "err-import-essay");
    assert!(page.contains(&essay), "with its reason");
    assert!(page.contains("Đã nhập 2 câu hỏi"), "{page}");
    for code in ["otp-ngan-hang", "trung-thuong"] {
        let s = bank::by_code(&t.db, &province.path, code).await.unwrap().expect(code);
        assert_eq!((s.status, s.pool.as_str()), (CourseStatus::Draft, "Lừa đảo / Tin nhắn"));
    }
    assert!(
        bank::by_code(&t.db, &province.path, "cam-nghi")
            .await
            .unwrap()
            .is_none()
    );

    // Moodle XML: the question whose fractions add up to 120 % is named, the other stored.
    let (s, page) = upload(&author, &province.code, "mat-khau.xml", moodle().into_bytes()).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("Tỉ lệ sai"), "{page}");
    assert!(page.contains("Đã nhập 1 câu hỏi"), "{page}");
    assert!(
        bank::by_code(&t.db, &province.path, "mat-khau-manh")
            .await
            .unwrap()
            .is_some()
    );

    // The same GIFT again: every code is taken, reported by name, nothing overwritten.
    let (s, page) = upload(&author, &province.code, "lua-dao.gift", GIFT.as_bytes().to_vec()).await;
    assert_eq!(s, 200);
    assert!(page.contains("Đã nhập 0 câu hỏi"), "{page}");
    assert!(
        page.contains("otp-ngan-hang") && page.contains("trung-thuong"),
        "{page}"
    );
    assert_eq!(
        status_of(&t, &province.path, "otp-ngan-hang").await,
        (CourseStatus::Draft, 1)
    );

    // A file of no known format is refused on the bank's page.
    let (s, page) = upload(&author, &province.code, "a.csv", b"x,y\n".to_vec()).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("role=\"alert\""));

    // The bank lists and filters; an item's page shows its key and explanation.
    let (s, list) = author
        .text(&format!(
            "/bank/{}?status=draft&pool=M%E1%BA%ADt%20kh%E1%BA%A9u",
            province.code
        ))
        .await;
    assert_eq!(s, 200);
    assert!(
        list.contains("mat-khau-manh") && !list.contains("otp-ngan-hang"),
        "{list}"
    );
    let (s, page) = author
        .text(&format!("/bank/{}/items/otp-ngan-hang", province.code))
        .await;
    assert_eq!(s, 200);
    assert!(page.contains("Ngân hàng không bao giờ hỏi mã OTP."));

    // Review: sent by the author, who may not publish it; published by a second person.
    let code = "otp-ngan-hang";
    assert_eq!(change(&author, &province.code, code, "submit", 1).await, 303);
    assert_eq!(
        change(&author, &province.code, code, "submit", 1).await,
        409,
        "a stale form"
    );
    assert_eq!(
        change(&author, &province.code, code, "publish", 2).await,
        409,
        "four eyes"
    );
    assert_eq!(status_of(&t, &province.path, code).await, (CourseStatus::Review, 2));
    let reviewer = t.login(PROVINCE_REVIEWER).await;
    assert_eq!(change(&reviewer, &province.code, code, "publish", 2).await, 303);
    assert_eq!(status_of(&t, &province.path, code).await, (CourseStatus::Published, 3));
    let drawn = |t: &TestApp| {
        let path = province.path.clone();
        let db = t.db.clone();
        async move {
            bank::drawable(&db, &[path.as_str()], "digcomp22", "4.1", "1")
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.item.code)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(drawn(&t).await, ["otp-ngan-hang"]);
    // A returned item goes back to draft.
    assert_eq!(change(&author, &province.code, "trung-thuong", "submit", 1).await, 303);
    assert_eq!(
        change(&reviewer, &province.code, "trung-thuong", "return", 2).await,
        303
    );
    assert_eq!(
        status_of(&t, &province.path, "trung-thuong").await,
        (CourseStatus::Draft, 3)
    );

    // Retired: no longer drawn.
    assert_eq!(change(&reviewer, &province.code, code, "retire", 3).await, 303);
    assert_eq!(status_of(&t, &province.path, code).await, (CourseStatus::Archived, 4));
    assert!(drawn(&t).await.is_empty(), "a retired item is not drawn");

    // Every change is in the audit log.
    let log = hocvuso_db::backup::table_contents(&t.db, &[]).await.unwrap();
    let rows = log.get("audit_log").expect("audit log").join("\n");
    for action in [
        "item.import",
        "item.submit",
        "item.publish",
        "item.return",
        "item.retire",
    ] {
        assert!(rows.contains(action), "{action} is audited");
    }

    // Another province's bank is refused, reading and importing alike.
    let hanoi = hocvuso_db::units::by_code(&t.db, "01").await.unwrap().unwrap();
    assert_eq!(author.get(&format!("/bank/{}", hanoi.code)).await.status(), 403);
    let form = reqwest::multipart::Form::new()
        .text("_csrf", author.csrf("/bank").await)
        .text("competence", "digcomp22:4.1")
        .text("level", "1")
        .text("difficulty", "easy")
        .part(
            "file",
            reqwest::multipart::Part::bytes(GIFT.as_bytes().to_vec()).file_name("x.gift"),
        );
    let r = author
        .http
        .post(author.url(&format!("/bank/{}/import", hanoi.code)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let who = crate::helpers::principal(&t, PROVINCE_AUTHOR).await;
    let choice = hocvuso_app::question_bank::ImportChoice {
        competence: "digcomp22:4.1".into(),
        level: "1".into(),
        difficulty: "easy".into(),
    };
    assert!(matches!(
        hocvuso_app::question_bank::import(&t.app(), &who, &hanoi.code, "x.gift", GIFT.as_bytes().to_vec(), &choice)
            .await,
        Err(hocvuso_app::Error::Denied(_))
    ));
    assert!(
        hocvuso_db::assessment::bank_for_authors(&t.db, &hanoi.path)
            .await
            .unwrap()
            .is_empty()
    );

    // Export → import round-trips: each format into a bank of its own (a commune's) gives the
    // same items back.
    let before: Vec<(String, hocvuso_core::assessment::Item)> = bank::bank_for_authors(&t.db, &province.path)
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.status != CourseStatus::Archived)
        .map(|i| (i.pool, i.item))
        .collect();
    assert_eq!(before.len(), 2);
    let communes = hocvuso_db::units::children(&t.db, province.id).await.unwrap();
    for (format, file, commune) in [
        ("xlsx", "b.xlsx", &communes[0]),
        ("gift", "b.gift", &communes[1]),
        ("xml", "b.xml", &communes[2]),
    ] {
        let r = author
            .get(&format!("/bank/{}/export?format={format}", province.code))
            .await;
        assert_eq!(r.status(), 200, "{format}");
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment"),
            "{format}"
        );
        let bytes = r.bytes().await.unwrap().to_vec();
        let (s, page) = upload(&author, &commune.code, file, bytes).await;
        assert_eq!(s, 200, "{format}: {page}");
        assert!(page.contains("Đã nhập 2 câu hỏi"), "{format}: {page}");
        let after: Vec<(String, hocvuso_core::assessment::Item)> = bank::bank_for_authors(&t.db, &commune.path)
            .await
            .unwrap()
            .into_iter()
            .map(|i| (i.pool, i.item))
            .collect();
        let key = |v: &[(String, hocvuso_core::assessment::Item)]| {
            let mut k: Vec<_> = v
                .iter()
                .map(|(p, i)| (p.clone(), i.code.clone(), i.body.clone(), i.texts.clone()))
                .collect();
            k.sort_by(|a, b| a.1.cmp(&b.1));
            k
        };
        assert_eq!(key(&after), key(&before), "{format} round-trips");
        if format == "xlsx" {
            // The workbook carries each item's competence, level and difficulty too.
            let mut a: Vec<_> = after.iter().map(|(_, i)| i.clone()).collect();
            let mut b: Vec<_> = before.iter().map(|(_, i)| i.clone()).collect();
            a.sort_by(|x, y| x.code.cmp(&y.code));
            b.sort_by(|x, y| x.code.cmp(&y.code));
            assert_eq!(a, b);
        }
    }
    t.finish().await;
}

both!(authoring, authored_in_the_running_program);

/// One item written in its form: problems beside their fields, then stored as a draft; an edit
/// from an old revision is refused and changes nothing.
async fn written_in_a_form(b: Backend) {
    let t = TestApp::spawn(b).await;
    let province = unit_of(&t, PROVINCE_AUTHOR).await;
    let author = t.login(PROVINCE_AUTHOR).await;
    let new = format!("/bank/{}/new", province.code);
    assert_eq!(author.get(&new).await.status(), 200);
    let fields = |right: &str, explanation: &str| {
        vec![
            ("kind", "single".to_string()),
            ("code", "goi-gia-cong-an".to_string()),
            ("pool", "Cuộc gọi".to_string()),
            ("competence", "digcomp22:4.1".to_string()),
            ("level", "1".to_string()),
            ("difficulty", "medium".to_string()),
            (
                "stem",
                "Người gọi tự xưng công an, bảo bạn chuyển tiền để “xác minh”. Bạn làm gì?".to_string(),
            ),
            (
                "options",
                "Chuyển tiền ngay\nCúp máy, gọi số đường dây nóng của công an địa phương\n".to_string(),
            ),
            ("right", right.to_string()),
            ("explanation", explanation.to_string()),
            ("revision", "0".to_string()),
        ]
    };
    let post = |path: String, f: Vec<(&'static str, String)>| {
        let author = &author;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = author.post_form(&path, &path, &f).await;
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // No right answer numbered, no explanation: both said beside their fields, nothing stored.
    let (s, page) = post(new.clone(), fields("7", "")).await;
    assert_eq!(s, 422, "{page}");
    // The language named in words beside the field, not by its code.
    let no_expl = hocvuso_core::i18n::Message::new("err-item-no-explanation")
        .arg("lang", "Tiếng Việt")
        .render(hocvuso_core::Lang::Vi);
    assert!(page.contains(&no_expl), "{page}");
    assert!(
        bank::by_code(&t.db, &province.path, "goi-gia-cong-an")
            .await
            .unwrap()
            .is_none()
    );

    let (s, _) = post(
        new.clone(),
        fields("2", "Công an không yêu cầu chuyển tiền qua điện thoại."),
    )
    .await;
    assert_eq!(s, 303);
    let stored = bank::by_code(&t.db, &province.path, "goi-gia-cong-an")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(
        (
            stored.status,
            stored.revision,
            stored.item.body.clone(),
            stored.pool.as_str()
        ),
        (
            CourseStatus::Draft,
            1,
            Body::SingleChoice { options: 2, correct: 1 },
            "Cuộc gọi"
        )
    );
    // The same code again: refused beside the code.
    let (s, _) = post(new, fields("2", "x")).await;
    assert_eq!(s, 422);

    let edit = format!("/bank/{}/items/goi-gia-cong-an/edit", province.code);
    assert_eq!(author.get(&edit).await.status(), 200);
    let mut f = fields("1", "Sửa lại.");
    f.retain(|(k, _)| *k != "revision");
    f.push(("revision", "1".into()));
    let (s, _) = post(edit.clone(), f.clone()).await;
    assert_eq!(s, 303);
    // The same form again, from revision 1: the draft moved on, nothing changes.
    let (s, _) = post(edit, f).await;
    assert_eq!(s, 409);
    let stored = bank::by_code(&t.db, &province.path, "goi-gia-cong-an")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(
        (stored.revision, stored.item.body),
        (2, Body::SingleChoice { options: 2, correct: 0 })
    );
    t.finish().await;
}

both!(item_form, written_in_a_form);

/// An item with an English text and a picture, its Vietnamese text edited in the form: the edit
/// keeps the translation and the picture (the form that sent it showed neither).
async fn an_edit_keeps_what_the_form_does_not_show(b: Backend) {
    let t = TestApp::spawn(b).await;
    let province = unit_of(&t, PROVINCE_AUTHOR).await;
    let author = t.login(PROVINCE_AUTHOR).await;
    let mut stored = item("tin-nhan-lua", "4.1", "1", "Tin nhắn trong ảnh xin mã OTP. Bạn làm gì?");
    stored.picture = Some("tin-nhan.jpg".into());
    stored.texts[0].1.picture_alt = "Ảnh chụp tin nhắn: “Bạn trúng quà, gửi mã OTP để nhận”".into();
    let english = ItemText {
        picture_alt: "A screenshot of a message: “You won a gift, send the OTP to get it”".into(),
        stem: "The message in the picture asks for your OTP. What do you do?".into(),
        options: vec![
            "Tap the link to get the gift".into(),
            "Call the bank's official hotline to ask".into(),
            "Send the OTP to the sender".into(),
        ],
        matches: Vec::new(),
        explanation: "A bank never asks for an OTP.".into(),
    };
    stored.texts.push((ContentLang::En, english.clone()));
    assert_eq!(stored.problems(), Vec::new());
    let mut tx = t.db.begin().await.unwrap();
    bank::insert(&mut tx, &province.path, "Lừa đảo", &stored, CourseStatus::Draft, None)
        .await
        .unwrap()
        .expect("stored");
    tx.commit().await.unwrap();

    let edit = format!("/bank/{}/items/tin-nhan-lua/edit", province.code);
    assert_eq!(author.get(&edit).await.status(), 200);
    let new_stem = "Tin nhắn trong ảnh xin mã OTP để nhận quà. Bạn làm gì?";
    let f = [
        ("kind", "single"),
        ("code", "tin-nhan-lua"),
        ("pool", "Lừa đảo"),
        ("competence", "digcomp22:4.1"),
        ("level", "1"),
        ("difficulty", "medium"),
        ("stem", new_stem),
        (
            "options",
            "Bấm vào đường link để nhận quà\nGọi tổng đài chính thức của ngân hàng để hỏi\nGửi mã OTP cho người nhắn",
        ),
        ("right", "2"),
        ("explanation", "Ngân hàng không bao giờ hỏi mã OTP."),
        ("revision", "1"),
    ];
    let r = author.post_form(&edit, &edit, &f).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let back = bank::by_code(&t.db, &province.path, "tin-nhan-lua")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(back.revision, 2);
    let mut expected = stored.clone();
    expected.texts[0].1.stem = new_stem.into();
    expected.texts[0].1.explanation = "Ngân hàng không bao giờ hỏi mã OTP.".into();
    assert_eq!(back.item, expected, "the translation and the picture are kept");
    assert_eq!(back.item.texts[1], (ContentLang::En, english));
    assert_eq!(back.item.picture.as_deref(), Some("tin-nhan.jpg"));
    t.finish().await;
}

both!(edit_keeps, an_edit_keeps_what_the_form_does_not_show);

/// The form edits the other languages' texts: it shows the English one, refuses a translation
/// whose options differ from the Vietnamese ones (said beside the field, the language named in
/// Vietnamese), adds a Bahnar text, and removes the English one when its fields are emptied.
async fn translations_edited_in_the_form(b: Backend) {
    let t = TestApp::spawn(b).await;
    let province = unit_of(&t, PROVINCE_AUTHOR).await;
    let author = t.login(PROVINCE_AUTHOR).await;
    let mut stored = item("dich-1", "4.1", "1", "Tin nhắn nào là lừa đảo?");
    let english = ItemText {
        picture_alt: String::new(),
        stem: "Which message is a scam?".into(),
        options: vec!["Tap the link".into(), "Call the hotline".into(), "Send the OTP".into()],
        matches: Vec::new(),
        explanation: "A bank never asks for an OTP.".into(),
    };
    stored.texts.push((ContentLang::En, english.clone()));
    let mut tx = t.db.begin().await.unwrap();
    bank::insert(&mut tx, &province.path, "Lừa đảo", &stored, CourseStatus::Draft, None)
        .await
        .unwrap()
        .expect("stored");
    tx.commit().await.unwrap();
    let edit = format!("/bank/{}/items/dich-1/edit", province.code);
    let page = author.get(&edit).await.text().await.unwrap();
    assert!(
        page.contains("name=\"stem_en\" rows=\"3\" maxlength=\"2000\">Which message is a scam?</textarea>"),
        "{page}"
    );
    assert!(
        page.contains("Tap the link\nCall the hotline\nSend the OTP</textarea>"),
        "{page}"
    );
    assert!(
        page.contains("name=\"stem_bdq\""),
        "a language the item lacks can be added: {page}"
    );

    let vi = stored.texts[0].1.clone();
    let base = move |revision: &str| {
        vec![
            ("kind", "single".to_string()),
            ("code", "dich-1".to_string()),
            ("pool", "Lừa đảo".to_string()),
            ("competence", "digcomp22:4.1".to_string()),
            ("level", "1".to_string()),
            ("difficulty", "medium".to_string()),
            ("stem", vi.stem.clone()),
            ("options", vi.options.join("\n")),
            ("right", "2".to_string()),
            ("explanation", vi.explanation.clone()),
            ("revision", revision.to_string()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let (author, edit) = (&author, &edit);
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = author.post_form(edit, edit, &f).await;
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // Two English options for three Vietnamese ones: refused, the language named in Vietnamese.
    let mut f = base("1");
    f.push(("stem_en", "Which message is a scam?".into()));
    f.push(("options_en", "Tap the link\nCall the hotline".into()));
    f.push(("explanation_en", "A bank never asks for an OTP.".into()));
    let (s, page) = post(f).await;
    assert_eq!(s, 422, "{page}");
    let differ = hocvuso_core::i18n::Message::new("err-item-options-differ")
        .arg("lang", "Tiếng Anh")
        .arg("theirs", 2)
        .arg("mine", 3)
        .render(hocvuso_core::Lang::Vi);
    assert!(page.contains(&differ), "{page}");
    let back = bank::by_code(&t.db, &province.path, "dich-1").await.unwrap().unwrap();
    assert_eq!((back.revision, &back.item), (1, &stored), "nothing changed");

    // A Bahnar text added, the English one changed.
    let bahnar = ItemText {
        picture_alt: String::new(),
        stem: "Tin nhắn bơ̆ hơlâm pơlông?".into(),
        options: vec!["Pơm 1".into(), "Pơm 2".into(), "Pơm 3".into()],
        matches: Vec::new(),
        explanation: "Ngân hàng ưh kơ apinh OTP.".into(),
    };
    let mut f = base("1");
    f.push(("stem_en", "Which of these messages is a scam?".into()));
    f.push(("options_en", english.options.join("\n")));
    f.push(("explanation_en", english.explanation.clone()));
    f.push(("stem_bdq", bahnar.stem.clone()));
    f.push(("options_bdq", bahnar.options.join("\n")));
    f.push(("explanation_bdq", bahnar.explanation.clone()));
    f.push(("stem_jra", String::new()));
    f.push(("options_jra", String::new()));
    f.push(("explanation_jra", String::new()));
    let (s, page) = post(f).await;
    assert_eq!(s, 303, "{page}");
    let back = bank::by_code(&t.db, &province.path, "dich-1").await.unwrap().unwrap();
    let mut changed_en = english.clone();
    changed_en.stem = "Which of these messages is a scam?".into();
    assert_eq!(
        back.item.texts,
        vec![
            (ContentLang::Vi, stored.texts[0].1.clone()),
            (ContentLang::En, changed_en),
            (ContentLang::Bahnar, bahnar.clone()),
        ]
    );

    // Every English field emptied: the English text is removed, the Bahnar one kept.
    let mut f = base("2");
    f.push(("stem_en", String::new()));
    f.push(("options_en", String::new()));
    f.push(("explanation_en", String::new()));
    let (s, page) = post(f).await;
    assert_eq!(s, 303, "{page}");
    let back = bank::by_code(&t.db, &province.path, "dich-1").await.unwrap().unwrap();
    assert_eq!(
        back.item.texts,
        vec![
            (ContentLang::Vi, stored.texts[0].1.clone()),
            (ContentLang::Bahnar, bahnar),
        ]
    );
    t.finish().await;
}

both!(translations, translations_edited_in_the_form);

/// A small photo-like PNG: what an author's phone screenshot would be, decodable.
fn screenshot(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut raw = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut raw), image::ImageFormat::Png)
        .unwrap();
    raw
}

/// An `assessmentItem` file as an authoring tool writes one: `body` inside `itemBody`, the key
/// in `key` (a response declaration), the explanation as modal feedback.
fn qti_item(identifier: &str, title: &str, key: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsglobal.org/xsd/imsqti_v2p1 http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
    identifier="{identifier}" title="{title}" adaptive="false" timeDependent="false">
  {key}
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    {body}
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
  <modalFeedback outcomeIdentifier="FEEDBACK" identifier="ALL" showHide="show">Kẻ gian lợi dụng sự vội vàng; hãy dừng lại và kiểm tra.</modalFeedback>
</assessmentItem>
"#
    )
}

/// A QTI 2.1 content package: a choice, a multiple-response, an order, a match item, an item
/// with a picture, and an extended-text item (an essay, scored by a person).
fn qti_package(picture: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let choice = qti_item(
        "otp-ngan-hang",
        "OTP ngân hàng",
        r#"<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"><correctResponse><value>B</value></correctResponse></responseDeclaration>"#,
        r#"<choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">
      <prompt>Tin nhắn tự xưng ngân hàng xin mã OTP. Bạn làm gì?</prompt>
      <simpleChoice identifier="A">Gửi mã OTP ngay</simpleChoice>
      <simpleChoice identifier="B">Không gửi, gọi tổng đài chính thức của ngân hàng</simpleChoice>
      <simpleChoice identifier="C">Bấm đường link trong tin nhắn</simpleChoice>
    </choiceInteraction>"#,
    );
    let multiple = qti_item(
        "dau-hieu",
        "Dấu hiệu lừa đảo",
        r#"<responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="identifier"><correctResponse><value>A</value><value>C</value></correctResponse></responseDeclaration>"#,
        r#"<p>Những dấu hiệu nào cho thấy một tin nhắn là lừa đảo?</p>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="0">
      <simpleChoice identifier="A">Giục làm ngay kẻo mất tiền</simpleChoice>
      <simpleChoice identifier="B">Gửi từ tổng đài có tên ngân hàng đã đăng ký</simpleChoice>
      <simpleChoice identifier="C">Đường link lạ, sai tên miền</simpleChoice>
    </choiceInteraction>"#,
    );
    let order = qti_item(
        "khoa-the",
        "Khóa thẻ khi bị lộ",
        r#"<responseDeclaration identifier="RESPONSE" cardinality="ordered" baseType="identifier"><correctResponse><value>S2</value><value>S3</value><value>S1</value></correctResponse></responseDeclaration>"#,
        r#"<orderInteraction responseIdentifier="RESPONSE" shuffle="true">
      <prompt>Xếp các bước theo thứ tự khi lỡ gửi mã OTP cho kẻ gian.</prompt>
      <simpleChoice identifier="S1">Báo công an nơi gần nhất</simpleChoice>
      <simpleChoice identifier="S2">Gọi ngân hàng yêu cầu khóa tài khoản</simpleChoice>
      <simpleChoice identifier="S3">Đổi mật khẩu ứng dụng ngân hàng</simpleChoice>
    </orderInteraction>"#,
    );
    let matching = qti_item(
        "thu-doan",
        "Thủ đoạn và dấu hiệu",
        r#"<responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="directedPair"><correctResponse><value>M1 D2</value><value>M2 D1</value></correctResponse></responseDeclaration>"#,
        r#"<matchInteraction responseIdentifier="RESPONSE" shuffle="true" maxAssociations="2">
      <prompt>Ghép mỗi thủ đoạn với dấu hiệu của nó.</prompt>
      <simpleMatchSet>
        <simpleAssociableChoice identifier="M1" matchMax="1">Tin báo trúng thưởng</simpleAssociableChoice>
        <simpleAssociableChoice identifier="M2" matchMax="1">Cuộc gọi tự xưng công an</simpleAssociableChoice>
      </simpleMatchSet>
      <simpleMatchSet>
        <simpleAssociableChoice identifier="D1" matchMax="1">Đòi chuyển tiền để “xác minh”</simpleAssociableChoice>
        <simpleAssociableChoice identifier="D2" matchMax="1">Đòi nộp phí để nhận quà</simpleAssociableChoice>
      </simpleMatchSet>
    </matchInteraction>"#,
    );
    let pictured = qti_item(
        "man-hinh-qr",
        "Màn hình thanh toán",
        r#"<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"><correctResponse><value>Q</value></correctResponse></responseDeclaration>"#,
        r#"<p>Trên màn hình này, chạm vào đâu để thanh toán bằng mã QR?</p>
    <p><img src="images/man-hinh.png" alt="Màn hình ứng dụng ngân hàng: nút Chuyển tiền, nút Quét QR và nút Lịch sử" width="360" height="640"/></p>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="1">
      <simpleChoice identifier="T">Nút Chuyển tiền</simpleChoice>
      <simpleChoice identifier="Q">Nút Quét QR</simpleChoice>
      <simpleChoice identifier="H">Nút Lịch sử</simpleChoice>
    </choiceInteraction>"#,
    );
    let essay = qti_item(
        "cam-nghi",
        "Cảm nghĩ",
        r#"<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="string"/>"#,
        r#"<extendedTextInteraction responseIdentifier="RESPONSE" expectedLength="400">
      <prompt>Kể lại một lần bạn suýt bị lừa qua mạng.</prompt>
    </extendedTextInteraction>"#,
    );
    let files = [
        ("items/otp.xml", choice),
        ("items/dau-hieu.xml", multiple),
        ("items/khoa-the.xml", order),
        ("items/thu-doan.xml", matching),
        ("items/man-hinh.xml", pictured),
        ("items/cam-nghi.xml", essay),
    ];
    let mut resources = String::new();
    for (i, (href, _)) in files.iter().enumerate() {
        let extra = if href.ends_with("man-hinh.xml") {
            r#"<file href="items/images/man-hinh.png"/>"#
        } else {
            ""
        };
        resources.push_str(&format!(
            "    <resource identifier=\"R{i}\" type=\"imsqti_item_xmlv2p1\" href=\"{href}\">\n      <file href=\"{href}\"/>{extra}\n    </resource>\n"
        ));
    }
    let manifest = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="MANIFEST-lua-dao">
  <metadata><schema>QTIv2.1 Package</schema><schemaversion>1.0.0</schemaversion></metadata>
  <organizations/>
  <resources>
{resources}  </resources>
</manifest>
"#
    );
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    w.start_file("imsmanifest.xml", opts).unwrap();
    w.write_all(manifest.as_bytes()).unwrap();
    for (href, xml) in &files {
        w.start_file(*href, opts).unwrap();
        w.write_all(xml.as_bytes()).unwrap();
    }
    w.start_file("items/images/man-hinh.png", opts).unwrap();
    w.write_all(picture).unwrap();
    w.finish().unwrap().into_inner()
}

/// A QTI 2.1 package imported through the page: the five supported questions become drafts
/// with their keys (the picture stored, described as the file describes it), the essay is named
/// with its reason.
async fn qti_package_imported(b: Backend) {
    let t = TestApp::spawn(b).await;
    let province = unit_of(&t, PROVINCE_AUTHOR).await;
    let author = t.login(PROVINCE_AUTHOR).await;
    let (s, page) = upload(
        &author,
        &province.code,
        "lua-dao-qti.zip",
        qti_package(&screenshot(720, 1280)),
    )
    .await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("QTI 2.1"), "{page}");
    let unsupported = hocvuso_core::i18n::Message::new("err-qti-unsupported-interaction")
        .arg("interaction", "extendedTextInteraction")
        .render(hocvuso_core::Lang::Vi);
    // The essay, by its title and file, beside its reason; nothing else refused.
    let refused: Vec<&str> = page.matches("<tr><td>").collect();
    assert_eq!(refused.len(), 1, "{page}");
    assert!(
        page.contains(&format!(
            "<tr><td>Cảm nghĩ (items/cam-nghi.xml)</td><td>Dòng 2</td><td>{unsupported}</td></tr>"
        )),
        "the essay is named with its reason: {page}"
    );

    let stored: std::collections::BTreeMap<String, (CourseStatus, Body, Vec<String>)> =
        bank::bank_for_authors(&t.db, &province.path)
            .await
            .unwrap()
            .into_iter()
            .map(|i| {
                (
                    i.item.code.clone(),
                    (i.status, i.item.body.clone(), i.item.texts[0].1.options.clone()),
                )
            })
            .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let expected: std::collections::BTreeMap<String, (CourseStatus, Body, Vec<String>)> = [
        (
            "otp-ngan-hang",
            Body::SingleChoice { options: 3, correct: 1 },
            s(&[
                "Gửi mã OTP ngay",
                "Không gửi, gọi tổng đài chính thức của ngân hàng",
                "Bấm đường link trong tin nhắn",
            ]),
        ),
        (
            "dau-hieu",
            Body::MultipleChoice {
                options: 3,
                correct: std::collections::BTreeSet::from([0, 2]),
            },
            s(&[
                "Giục làm ngay kẻo mất tiền",
                "Gửi từ tổng đài có tên ngân hàng đã đăng ký",
                "Đường link lạ, sai tên miền",
            ]),
        ),
        (
            "khoa-the",
            Body::Ordering { options: 3 },
            s(&[
                "Gọi ngân hàng yêu cầu khóa tài khoản",
                "Đổi mật khẩu ứng dụng ngân hàng",
                "Báo công an nơi gần nhất",
            ]),
        ),
        (
            "thu-doan",
            Body::Matching { options: 2 },
            s(&["Tin báo trúng thưởng", "Cuộc gọi tự xưng công an"]),
        ),
        (
            "man-hinh-qr",
            Body::SingleChoice { options: 3, correct: 1 },
            s(&["Nút Chuyển tiền", "Nút Quét QR", "Nút Lịch sử"]),
        ),
    ]
    .into_iter()
    .map(|(c, b, o)| (c.to_string(), (CourseStatus::Draft, b, o)))
    .collect();
    assert_eq!(stored, expected);
    let matching = bank::by_code(&t.db, &province.path, "thu-doan").await.unwrap().unwrap();
    assert_eq!(
        matching.item.texts[0].1.matches,
        s(&["Đòi nộp phí để nhận quà", "Đòi chuyển tiền để “xác minh”"])
    );
    // The picture: stored as a re-encoded JPEG (720 px wide, under the full width) and its
    // phone-sized variant; the item names it and keeps the file's description.
    let pictured = bank::by_code(&t.db, &province.path, "man-hinh-qr")
        .await
        .unwrap()
        .unwrap();
    let name = pictured.item.picture.clone().expect("the picture is kept");
    assert!(name.ends_with("-720x1280.jpg"), "{name}");
    assert_eq!(
        pictured.item.texts[0].1.picture_alt,
        "Màn hình ứng dụng ngân hàng: nút Chuyển tiền, nút Quét QR và nút Lịch sử"
    );
    assert_eq!(pictured.item.problems(), Vec::new());
    let full = author.get(&format!("/bank/pictures/{name}")).await;
    assert_eq!(full.status(), 200);
    assert_eq!(full.headers()["content-type"], "image/jpeg");
    let full = image::load_from_memory(&full.bytes().await.unwrap()).unwrap();
    assert_eq!((full.width(), full.height()), (720, 1280));
    let phone = author.get(&format!("/bank/pictures/{name}?size=phone")).await;
    let phone = image::load_from_memory(&phone.bytes().await.unwrap()).unwrap();
    assert_eq!((phone.width(), phone.height()), (480, 853));
    t.finish().await;
}

both!(qti_import, qti_package_imported);

/// A bank exported as a QTI 2.1 package through the page and imported into another unit's bank
/// with other choices on the import page: every item comes back with its code, pool,
/// competence, level, difficulty, texts in both languages, key and described picture. A
/// package item whose competence no framework has is named and not stored; the rest go in.
async fn qti_package_exported(b: Backend) {
    let t = TestApp::spawn(b).await;
    let province = unit_of(&t, PROVINCE_AUTHOR).await;
    let author = t.login(PROVINCE_AUTHOR).await;
    let (s, page) = upload(&author, &province.code, "qti.zip", qti_package(&screenshot(720, 1280))).await;
    assert_eq!(s, 200, "{page}");
    // What the package did not say, given here: a pool, other cells, an English version of the
    // pictured item (with its picture described in English) and of the matching one.
    for (code, pool, competence, level, difficulty) in [
        ("man-hinh-qr", "Thanh toán / QR", "2.1", "2", Difficulty::Hard),
        ("thu-doan", "Lừa đảo", "4.2", "3", Difficulty::Medium),
    ] {
        let row = bank::for_author(&t.db, &province.path, code).await.unwrap().unwrap();
        let mut item = row.item.clone();
        item.competence.code = competence.into();
        item.level = level.into();
        item.difficulty = difficulty;
        let vi = item.texts[0].1.clone();
        item.texts.push((
            ContentLang::En,
            ItemText {
                stem: format!("EN {}", vi.stem),
                options: vi.options.iter().map(|o| format!("EN {o}")).collect(),
                matches: vi.matches.iter().map(|o| format!("EN {o}")).collect(),
                explanation: "EN explanation.".into(),
                picture_alt: if vi.picture_alt.is_empty() {
                    String::new()
                } else {
                    "A banking app screen with three buttons".into()
                },
            },
        ));
        assert_eq!(item.problems(), Vec::new(), "{code}");
        let mut tx = t.db.begin().await.unwrap();
        let by = row.updated_by.expect("imported by the author");
        assert!(
            bank::update_draft(&mut tx, row.id, row.revision, pool, &item, by)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    }
    let before: Vec<(String, Item)> = bank::bank_for_authors(&t.db, &province.path)
        .await
        .unwrap()
        .into_iter()
        .map(|i| (i.pool, i.item))
        .collect();
    assert_eq!(before.len(), 5);

    let r = author.get(&format!("/bank/{}/export?format=qti", province.code)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.contains(&format!("ngan-hang-{}.qti.zip", province.code)),
        "{disposition}"
    );
    let zip = r.bytes().await.unwrap().to_vec();
    // The package as another tool reads it: the stored picture's own bytes inside.
    let defaults = hocvuso_core::assessment::Defaults {
        competence: CompetenceRef::parse("digcomp22:1.1").unwrap(),
        level: "1".into(),
        difficulty: Difficulty::Easy,
    };
    let read = hocvuso_core::assessment::qti::parse_package(&zip, &defaults);
    assert_eq!(read.problems, Vec::new());
    let stored_picture = before
        .iter()
        .find_map(|(_, i)| i.picture.clone())
        .expect("a pictured item");
    let stored_bytes = hocvuso_db::media::picture(&t.db, &stored_picture, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.files, vec![("man-hinh-qr.jpg".to_string(), stored_bytes)]);

    // Into a commune's bank, with other choices on the import page: the package's own win.
    let communes = hocvuso_db::units::children(&t.db, province.id).await.unwrap();
    let commune = &communes[0];
    let (s, page) = upload_as(
        &author,
        &commune.code,
        "ngan-hang.qti.zip",
        zip.clone(),
        ("digcomp22:1.1", "1", "easy"),
    )
    .await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("Đã nhập 5 câu hỏi"), "{page}");
    let after: Vec<(String, Item)> = bank::bank_for_authors(&t.db, &commune.path)
        .await
        .unwrap()
        .into_iter()
        .map(|i| (i.pool, i.item))
        .collect();
    let sorted = |v: &[(String, Item)]| {
        let mut v: Vec<(String, Item)> = v
            .iter()
            .cloned()
            .map(|(p, mut i)| {
                // The picture is stored again (re-encoded, so under a name of its own); its
                // presence and description are what must hold.
                i.picture = i.picture.map(|_| "picture".into());
                (p, i)
            })
            .collect();
        v.sort_by(|a, b| a.1.code.cmp(&b.1.code));
        v
    };
    assert_eq!(sorted(&after), sorted(&before));
    let again = after.iter().find_map(|(_, i)| i.picture.clone()).unwrap();
    let r = author.get(&format!("/bank/pictures/{again}")).await;
    assert_eq!(r.status(), 200);

    // A package naming a competence no framework has: that question is named, the rest stored.
    use std::io::Write;
    let mut files = Vec::new();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        files.push((f.name().unwrap().to_string(), bytes));
    }
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, bytes) in &files {
        let bytes = if name == "imsmanifest.xml" {
            String::from_utf8(bytes.clone())
                .unwrap()
                .replacen("<imsmd:id>4.2</imsmd:id>", "<imsmd:id>9.9</imsmd:id>", 1)
                .into_bytes()
        } else {
            bytes.clone()
        };
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(&bytes).unwrap();
    }
    let edited = w.finish().unwrap().into_inner();
    let other = &communes[1];
    let (s, page) = upload(&author, &other.code, "sai-nang-luc.zip", edited).await;
    assert_eq!(s, 200, "{page}");
    let unknown = hocvuso_core::i18n::Message::new("err-qbank-item-competence")
        .arg("value", "digcomp22:9.9")
        .render(hocvuso_core::Lang::Vi);
    assert!(page.contains(&unknown), "{page}");
    assert!(page.contains("Đã nhập 4 câu hỏi"), "{page}");
    let codes: Vec<String> = bank::bank_for_authors(&t.db, &other.path)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.item.code)
        .collect();
    assert!(!codes.contains(&"thu-doan".to_string()), "{codes:?}");
    assert_eq!(codes.len(), 4);
    t.finish().await;
}

both!(qti_export, qti_package_exported);

const LEARNER: &str = "0900000008";

/// The framework the demo learner's requirements name, and the first of its cells.
async fn learner_cell(t: &TestApp) -> (String, String, String) {
    let (_, rows) = crate::assessment::learner_requirements(t).await;
    let r = rows.first().expect("requirements for the group");
    (r.framework_id.clone(), r.competence.clone(), r.level.clone())
}

async fn upload_picture(
    c: &crate::helpers::Client,
    unit: &str,
    code: &str,
    revision: i32,
    bytes: Vec<u8>,
    alt: &str,
) -> (u16, String) {
    let edit = format!("/bank/{unit}/items/{code}/edit");
    let token = c.csrf(&edit).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token)
        .text("revision", revision.to_string())
        .text("picture_alt", alt.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name("man-hinh.png"));
    let r = c
        .http
        .post(c.url(&format!("/bank/{unit}/items/{code}/picture")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A scenario item through the pages: an author gives a draft a picture (an SVG and a picture
/// without a description refused, nothing changed), a second person publishes it, and the
/// learner's test shows it at phone width with its description, from the attempt's copy of the
/// item, with no answer on the page.
async fn pictured_item_authored_and_shown(b: Backend) {
    use sea_query::{Expr, ExprTrait, Query};
    let t = TestApp::spawn(b).await;
    crate::assessment::stock_bank(&t).await;
    let province = unit_of(&t, PROVINCE_AUTHOR).await;
    let (framework, competence, level) = learner_cell(&t).await;
    let author = t.login(PROVINCE_AUTHOR).await;
    let new = format!("/bank/{}/new", province.code);
    let code = "quet-qr";
    let f = [
        ("kind", "single".to_string()),
        ("code", code.to_string()),
        ("pool", "Thanh toán".to_string()),
        ("competence", format!("{framework}:{competence}")),
        ("level", level.clone()),
        ("difficulty", "easy".to_string()),
        (
            "stem",
            "Trên màn hình này, chạm vào đâu để thanh toán bằng mã QR?".to_string(),
        ),
        ("options", "Nút Chuyển tiền\nNút Quét QR\nNút Lịch sử".to_string()),
        ("right", "2".to_string()),
        (
            "explanation",
            "GIAI-THICH-QR: nút Quét QR mở máy ảnh để quét mã.".to_string(),
        ),
        ("revision", "0".to_string()),
    ];
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = author.post_form(&new, &new, &f).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let edit = format!("/bank/{}/items/{code}/edit", province.code);
    let (_, page) = author.text(&edit).await;
    assert!(
        page.contains("enctype=\"multipart/form-data\""),
        "the edit page offers the picture: {page}"
    );

    // An SVG is a document, not a picture; a picture needs its description.
    let alt = "Màn hình ứng dụng ngân hàng có ba nút: Chuyển tiền, Quét QR, Lịch sử";
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();
    let (s, page) = upload_picture(&author, &province.code, code, 1, svg, alt).await;
    assert_eq!(s, 422, "{page}");
    let not_image = hocvuso_core::learning::media::MediaError::NotImage
        .message()
        .render(hocvuso_core::Lang::Vi);
    assert!(page.contains(&not_image), "{page}");
    let (s, page) = upload_picture(&author, &province.code, code, 1, screenshot(960, 1600), " ").await;
    assert_eq!(s, 422, "{page}");
    let no_alt = hocvuso_core::i18n::Message::new("err-item-no-picture-alt")
        .arg("lang", "Tiếng Việt")
        .render(hocvuso_core::Lang::Vi);
    assert!(page.contains(&no_alt), "{page}");
    let stored = bank::by_code(&t.db, &province.path, code).await.unwrap().unwrap();
    assert_eq!(
        (stored.revision, stored.item.picture.clone()),
        (1, None),
        "nothing changed"
    );

    let (s, page) = upload_picture(&author, &province.code, code, 1, screenshot(960, 1600), alt).await;
    assert_eq!(s, 303, "{page}");
    let stored = bank::by_code(&t.db, &province.path, code).await.unwrap().unwrap();
    let name = stored.item.picture.clone().expect("the picture is stored");
    assert!(name.ends_with("-960x1600.jpg"), "{name}");
    assert_eq!((stored.revision, stored.item.texts[0].1.picture_alt.as_str()), (2, alt));
    // The edit page shows it, described; an edit of the text keeps it.
    let (_, page) = author.text(&edit).await;
    assert!(
        page.contains(&format!("src=\"/bank/pictures/{name}?size=phone\"")),
        "{page}"
    );

    assert_eq!(change(&author, &province.code, code, "submit", 2).await, 303);
    let reviewer = t.login(PROVINCE_REVIEWER).await;
    assert_eq!(change(&reviewer, &province.code, code, "publish", 3).await, 303);

    // Only this item is left to draw for the learner's first cell.
    use hocvuso_db::assessment::QuestionItems;
    let mut tx = t.db.begin().await.unwrap();
    tx.execute(
        Query::update()
            .table(QuestionItems::Table)
            .value(QuestionItems::Status, "archived")
            .and_where(Expr::col(QuestionItems::FrameworkId).eq(framework.as_str()))
            .and_where(Expr::col(QuestionItems::Competence).eq(competence.as_str()))
            .and_where(Expr::col(QuestionItems::Level).eq(level.as_str()))
            .and_where(Expr::col(QuestionItems::Code).ne(code)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let learner = t.login(LEARNER).await;
    let r = learner.post_form("/tests", "/tests/placement", &[]).await;
    let id = crate::assessment::attempt_of(&r);
    let a = hocvuso_db::attempts::by_public_id(&t.db, &id).await.unwrap().unwrap();
    let items = hocvuso_db::attempts::items(&t.db, a.id).await.unwrap();
    let it = items
        .iter()
        .find(|i| i.document.code == code)
        .expect("the pictured item is drawn");
    // The attempt's copy holds the picture and its description.
    assert_eq!(it.document.picture.as_deref(), Some(name.as_str()));
    assert_eq!(it.document.texts[0].1.picture_alt, alt);
    let (s, page) = learner.text(&format!("/tests/attempt/{id}/{}", it.position)).await;
    assert_eq!(s, 200, "{page}");
    let img = format!(
        "<img src=\"/bank/pictures/{name}?size=phone\" srcset=\"/bank/pictures/{name}?size=phone 480w, /bank/pictures/{name} 960w\" sizes=\"(min-width: 44rem) 40rem, 100vw\" width=\"960\" height=\"1600\" alt=\"{alt}\""
    );
    assert!(page.contains(&img), "the picture at phone width, described: {page}");
    assert!(!page.contains("GIAI-THICH-QR"), "no explanation before submission");
    let phone = learner.get(&format!("/bank/pictures/{name}?size=phone")).await;
    assert_eq!(phone.status(), 200);
    let phone = image::load_from_memory(&phone.bytes().await.unwrap()).unwrap();
    assert_eq!((phone.width(), phone.height()), (480, 800));
    // After submission the review shows the question with its picture, beside the explanation.
    crate::assessment::answer_all(&t, &learner, &id, |_| true).await;
    crate::assessment::submit(&learner, &id).await;
    let (s, page) = learner.text(&format!("/tests/attempt/{id}/result")).await;
    assert_eq!(s, 200, "{page}");
    let at = page.find("GIAI-THICH-QR").expect("the explanation after submission");
    let shown = page.find(&img).expect("the picture in the review");
    assert!(shown < at, "the picture comes with its question: {page}");
    t.finish().await;
}

both!(pictured_item, pictured_item_authored_and_shown);

/// Standard base64, as Moodle writes an embedded file.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A Moodle XML question with an embedded screenshot and a recording: the picture is stored as
/// an upload is and the report asks for its description (the file gave none); the recording is
/// named as left out, the question imported without it; the draft cannot be sent for review
/// until its picture is described.
async fn moodle_files_imported(b: Backend) {
    let t = TestApp::spawn(b).await;
    let province = unit_of(&t, PROVINCE_AUTHOR).await;
    let author = t.login(PROVINCE_AUTHOR).await;
    let mut wav = b"RIFF\x24\0\0\0WAVEfmt ".to_vec();
    wav.extend_from_slice(&[0; 24]);
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>Tin nhắn trong ảnh</text></name>
    <questiontext format="html"><text><![CDATA[<p>Tin nhắn trong ảnh có phải lừa đảo không?</p><p><img src="@@PLUGINFILE@@/tin-nhan.png"></p>]]></text>
      <file name="tin-nhan.png" path="/" encoding="base64">{png}</file>
      <file name="canh-bao.wav" path="/" encoding="base64">{wav}</file>
    </questiontext>
    <generalfeedback format="html"><text>Tin nhắn xin mã OTP là lừa đảo.</text></generalfeedback>
    <single>true</single>
    <answer fraction="100" format="html"><text>Có, vì nó xin mã OTP</text></answer>
    <answer fraction="0" format="html"><text>Không, vì có tên ngân hàng</text></answer>
  </question>
</quiz>
"#,
        png = base64(&screenshot(400, 300)),
        wav = base64(&wav),
    );
    let (s, page) = upload(&author, &province.code, "tin-nhan.xml", xml.into_bytes()).await;
    assert_eq!(s, 200, "{page}");
    let audio = hocvuso_core::i18n::Message::new("err-moodle-audio-not-kept")
        .arg("name", "canh-bao.wav")
        .arg("kind", "wav")
        .render(hocvuso_core::Lang::Vi);
    assert!(page.contains(&audio), "the recording is named: {page}");
    let describe = hocvuso_core::i18n::Message::new("err-qbank-picture-describe")
        .arg("file", "tin-nhan.png")
        .render(hocvuso_core::Lang::Vi);
    assert!(
        // Named by the code it was stored under, as the bank lists it.
        page.contains(&format!("<tr><td>tin-nhan-trong-anh</td><td>{describe}</td></tr>")),
        "the picture to describe: {page}"
    );
    let stored = bank::by_code(&t.db, &province.path, "tin-nhan-trong-anh")
        .await
        .unwrap()
        .expect("imported");
    let name = stored.item.picture.clone().expect("the picture is stored");
    assert!(name.ends_with("-400x300.jpg"), "{name}");
    let full = author.get(&format!("/bank/pictures/{name}")).await;
    let full = image::load_from_memory(&full.bytes().await.unwrap()).unwrap();
    assert_eq!((full.width(), full.height()), (400, 300));
    // Undescribed: not sent for review, said why.
    assert_eq!(
        change(&author, &province.code, "tin-nhan-trong-anh", "submit", 1).await,
        409
    );
    assert_eq!(
        status_of(&t, &province.path, "tin-nhan-trong-anh").await,
        (CourseStatus::Draft, 1)
    );
    t.finish().await;
}

both!(moodle_files, moodle_files_imported);

/// A starter scenario item's picture (content/items/<framework>/media/) is installed with the
/// bank: stored as an author's upload is, named by the item, served to a learner; starting again
/// changes nothing.
async fn starter_picture_installed(b: Backend) {
    let t = TestApp::spawn(b).await;
    let country = hocvuso_db::units::by_code(&t.db, hocvuso_core::units::COUNTRY_CODE)
        .await
        .unwrap()
        .unwrap();
    let item = bank::by_code(&t.db, &country.path, "cc1-17")
        .await
        .unwrap()
        .expect("the starter scenario item");
    assert_eq!(item.status, CourseStatus::Published);
    let name = item.item.picture.clone().expect("its picture");
    assert_eq!(
        hocvuso_app::question_bank::picture_size(&name),
        Some((720, 1280)),
        "{name}"
    );
    assert!(item.item.texts[0].1.picture_alt.contains("Quét QR"));
    assert_eq!(item.item.problems(), Vec::new());
    let learner = t.login(LEARNER).await;
    let r = learner.get(&format!("/bank/pictures/{name}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let full = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
    assert_eq!((full.width(), full.height()), (720, 1280));
    // A second start: the same file gives the same name; nothing is added or changed.
    let again = hocvuso_app::assessment::install_banks(&t.app()).await.unwrap();
    assert_eq!(again, hocvuso_app::assessment::BanksInstalled::default());
    let after = bank::by_code(&t.db, &country.path, "cc1-17").await.unwrap().unwrap();
    assert_eq!((after.revision, after.item), (item.revision, item.item));
    t.finish().await;
}

both!(starter_picture, starter_picture_installed);
