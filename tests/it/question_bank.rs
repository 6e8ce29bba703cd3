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
