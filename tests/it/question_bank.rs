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
pub(crate) async fn seed_walk_item(app: &TestApp, unit_path: &str) {
    let mut tx = app.db.begin().await.unwrap();
    bank::insert(
        &mut tx,
        unit_path,
        "Chung",
        &item(WALK_ITEM, "4.1", "1", "Câu hỏi mẫu cho các lượt đi qua mọi trang"),
        CourseStatus::Published,
        None,
    )
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
    let token = c.csrf(&format!("/bank/{unit}")).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token)
        .text("competence", "digcomp22:4.1")
        .text("level", "1")
        .text("difficulty", "easy")
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
    let no_expl = hocvuso_core::i18n::Message::new("err-item-no-explanation")
        .arg("lang", "vi")
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
