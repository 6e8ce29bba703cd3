//! Confirmations made on VNeID imported from a file (issue 10 §3, §5), over HTTP on both
//! databases: columns in another order, every bad row reported with its line (bad ID number,
//! nobody with that number in the commune, a date in the future, a date that does not exist, the
//! same row twice), the officer of another commune refused with nothing stored, the same file
//! imported again recording nothing new, and what was imported shown in the confirmed list (source
//! VNeID) and in the unit page's count; CSV and XLSX.

use crate::both;
use crate::helpers::{Backend, Client, TestApp, officer_units, sees};
use crate::security::person_in;
use hocvuso_core::access::act;
use hocvuso_core::people::TargetGroup;
use hocvuso_db::attainments::{self, Method, Source};
use hocvuso_db::audit::{self, Filter};
use hocvuso_db::units::{self, Unit};

const OFFICER: &str = "0900000005";
const OTHER_OFFICER: &str = "0900000006";

/// Posts a file to the unit's import with the CSRF token of `token_page`: status and page.
async fn upload_from(c: &Client, token_page: &str, code: &str, name: &str, bytes: Vec<u8>) -> (u16, String) {
    let token = c.csrf(token_page).await;
    let form = reqwest::multipart::Form::new().text("_csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let r = c
        .http
        .post(c.url(&format!("/units/{code}/confirmed/import")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.text().await.unwrap_or_default())
}

async fn upload(c: &Client, code: &str, name: &str, bytes: Vec<u8>) -> (u16, String) {
    upload_from(c, &format!("/units/{code}/confirmed/import"), code, name, bytes).await
}

/// The report's bad rows: (line, reason).
fn bad_rows(page: &str) -> Vec<(usize, String)> {
    let doc = scraper::Html::parse_document(page);
    let rows = scraper::Selector::parse("#vneid-errors tbody tr").unwrap();
    let cell = scraper::Selector::parse("td").unwrap();
    doc.select(&rows)
        .map(|r| {
            let cells: Vec<String> = r.select(&cell).map(|c| c.text().collect::<String>()).collect();
            (cells[0].trim().parse().unwrap(), cells[2].clone())
        })
        .collect()
}

/// The unit page's count of confirmed people of a group.
async fn count(c: &Client, unit: &Unit, group: TargetGroup) -> i64 {
    let (s, page) = c.text(&format!("/units/{}", unit.code)).await;
    assert_eq!(s, 200);
    let section = page
        .split("id=\"confirmed-figures\"")
        .nth(1)
        .expect("the unit page shows confirmed figures");
    let label = hocvuso_core::i18n::t(hocvuso_core::Lang::Vi, &group.label_key());
    let cell = format!("<th scope=\"row\">{label}</th><td>");
    let rest = &section[section.find(&cell).unwrap_or_else(|| panic!("{label}: {section}")) + cell.len()..];
    rest[..rest.find('<').unwrap()].parse().unwrap()
}

async fn recorded(t: &TestApp, people: &[i64]) -> Vec<attainments::Attainment> {
    let mut out = Vec::new();
    for p in people {
        out.extend(attainments::of_person(&t.db, *p).await.unwrap());
    }
    out
}

async fn audited(t: &TestApp, person: i64) -> Vec<String> {
    audit::list(
        &t.db,
        audit::Reader::Within(&sees::<act::ViewAudit>("/")),
        &Filter {
            person_id: Some(person),
            action: Some("attainment.record".into()),
            ..Default::default()
        },
        50,
    )
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.detail)
    .collect()
}

fn xlsx(rows: &[&[&str]], pid_as_number: bool) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let number = pid_as_number && r > 0 && c == 0;
            if number {
                ws.write_number(r as u32, c as u16, v.parse::<f64>().unwrap()).unwrap();
            } else {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn vneid_import(b: Backend) {
    let t = TestApp::spawn(b).await;
    let (commune, other) = officer_units(&t).await;
    let village = units::children(&t.db, commune.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.level() == hocvuso_core::units::Level::Village)
        .expect("the commune has villages");
    // Born 1990, men: the fourth digit 0 and the fifth and sixth 90.
    let in_village = person_in(&t, &village, "001090777001", "Trần Văn Một").await;
    let in_commune = person_in(&t, &commune, "001090777002", "Lê Văn Hai").await;
    let elsewhere = person_in(&t, &other, "001090777003", "Phạm Văn Ba").await;
    let from_xlsx = person_in(&t, &commune, "001090777004", "Đỗ Văn Bốn").await;
    let everyone = [in_village, in_commune, elsewhere, from_xlsx];

    let officer = t.login(OFFICER).await;
    let residents = count(&officer, &commune, TargetGroup::Resident).await;
    let staff = count(&officer, &commune, TargetGroup::PublicStaff).await;
    // The confirmed list offers the import to whoever may import people there.
    let (s, list) = officer.text(&format!("/units/{}/confirmed", commune.code)).await;
    assert_eq!(s, 200);
    assert!(
        list.contains(&format!("href=\"/units/{}/confirmed/import\"", commune.code)),
        "{list}"
    );

    let future = time::OffsetDateTime::now_utc().date() + time::Duration::days(40);
    let future = hocvuso_core::people::format_date(future);
    // Columns in another order than anyone's template, a title row above them, no diacritics in
    // one header.
    let csv = format!(
        "KẾT QUẢ XÁC NHẬN PHỔ CẬP KỸ NĂNG SỐ TRÊN VNeID\n\
         Ngày xác nhận,Doi tuong,Họ và tên,Số định danh / CCCD,Mức độ\n\
         14/03/2025,Người dân,Tên Khác Hẳn,001090777001,\n\
         2025-04-02,\"Cán bộ, công chức, viên chức\",Lê Văn Hai,001090777002,Trung cấp\n\
         01/02/2025,Người dân,Sai Số,00109077700,\n\
         01/02/2025,Người dân,Không Có,001090777009,\n\
         01/02/2025,Người dân,Phạm Văn Ba,001090777003,\n\
         {future},Người dân,Lê Văn Hai,001090777002,\n\
         31/02/2025,Người dân,Lê Văn Hai,001090777002,\n\
         15/03/2025,Người dân,Trần Văn Một,001090777001,\n"
    );
    let (s, page) = upload(&officer, &commune.code, "vneid.csv", csv.clone().into_bytes()).await;
    assert_eq!(s, 200, "{page}");
    assert!(
        page.contains("Đã ghi nhận 2 người được xác nhận mới; 0 người đã được xác nhận từ trước"),
        "{page}"
    );
    assert!(page.contains("role=\"alert\""), "the bad rows are announced");
    let bad = bad_rows(&page);
    let lines: Vec<usize> = bad.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![5, 6, 7, 8, 9, 10], "{bad:?}");
    assert!(bad[0].1.contains("cần đủ 12"), "{bad:?}");
    assert!(bad[1].1.contains("Không có người nào mang số định danh này"), "{bad:?}");
    // Registered in another commune: told the same as nobody, so a file cannot find where.
    assert_eq!(bad[2].1, bad[1].1);
    assert!(bad[3].1.contains("ở sau ngày hôm nay"), "{bad:?}");
    assert!(bad[4].1.contains("không có thật trên lịch"), "{bad:?}");
    assert!(bad[5].1.contains("dòng 3"), "{bad:?}");

    let stored = recorded(&t, &everyone).await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    let one = stored.iter().find(|a| a.person_id == in_village).expect("the villager");
    assert_eq!(one.target_group, TargetGroup::Resident);
    assert_eq!((one.method, one.source), (Method::Imported, Source::Vneid));
    assert_eq!(one.attained_on, time::macros::date!(2025 - 03 - 14));
    assert_eq!(one.attempt_id, None);
    // No level in the file: the level residents must reach under the shipped requirements.
    assert_eq!((one.framework_id.as_str(), one.level.as_str()), ("digcomp22", "2"));
    assert_eq!(one.unit_path, village.path);
    let two = stored
        .iter()
        .find(|a| a.person_id == in_commune)
        .expect("the civil servant");
    assert_eq!(two.target_group, TargetGroup::PublicStaff);
    assert_eq!(two.level, "Trung cấp");
    let detail = audited(&t, in_village).await;
    assert_eq!(detail.len(), 1, "{detail:?}");
    assert!(
        detail[0].contains("\"source\":\"vneid\"") && detail[0].contains("\"method\":\"imported\""),
        "{detail:?}"
    );

    // Shown where confirmations are: the list (source VNeID) and the unit page's counts.
    let (s, list) = officer.text(&format!("/units/{}/confirmed", commune.code)).await;
    assert_eq!(s, 200);
    assert!(list.contains("Trần Văn Một") && list.contains("Lê Văn Hai"), "{list}");
    assert!(list.contains("Nhập từ tệp · VNeID"), "{list}");
    assert_eq!(count(&officer, &commune, TargetGroup::Resident).await, residents + 1);
    assert_eq!(count(&officer, &commune, TargetGroup::PublicStaff).await, staff + 1);

    // The same file again: counted as confirmed already, nothing recorded or audited twice.
    let (s, page) = upload(&officer, &commune.code, "vneid.csv", csv.clone().into_bytes()).await;
    assert_eq!(s, 200, "{page}");
    assert!(
        page.contains("Đã ghi nhận 0 người được xác nhận mới; 2 người đã được xác nhận từ trước"),
        "{page}"
    );
    assert_eq!(recorded(&t, &everyone).await.len(), 2);
    assert_eq!(audited(&t, in_village).await.len(), 1);

    // The officer of the next commune: refused, on the page and on the upload, nothing stored.
    let stranger = t.login(OTHER_OFFICER).await;
    let (s, _) = stranger
        .text(&format!("/units/{}/confirmed/import", commune.code))
        .await;
    assert!(matches!(s, 403 | 404), "{s}");
    let extra = "Số định danh,Đối tượng,Ngày xác nhận\n001090777004,Người dân,01/06/2025\n";
    let (s, page) = upload_from(&stranger, "/me", &commune.code, "x.csv", extra.as_bytes().to_vec()).await;
    assert!(matches!(s, 403 | 404), "{s}: {page}");
    assert!(recorded(&t, &[from_xlsx]).await.is_empty());

    // XLSX, the ID number stored as a number (its leading zeros lost, restored as the people
    // import does, with a note), other headers again.
    let book = xlsx(
        &[
            &["Số CCCD", "Ngày đạt", "Nhóm đối tượng", "Họ tên công dân"],
            &["001090777004", "05/05/2025", "Người lao động", "Đỗ Văn Bốn"],
        ],
        true,
    );
    // Named after a person's ID number: the audit entry keeps the name masked.
    let (s, page) = upload(&officer, &commune.code, "cccd-001090777004.xlsx", book).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("Đã ghi nhận 1 người được xác nhận mới"), "{page}");
    assert!(page.contains("đã thêm lại"), "the restored zeros are noted: {page}");
    let four = recorded(&t, &[from_xlsx]).await;
    assert_eq!(four.len(), 1);
    assert_eq!(four[0].target_group, TargetGroup::Worker);
    assert_eq!(four[0].source, Source::Vneid);
    let detail = audited(&t, from_xlsx).await;
    assert_eq!(detail.len(), 1);
    assert!(
        detail[0].contains("cccd-") && !detail[0].contains("001090777004"),
        "{detail:?}"
    );

    // Every row bad: nothing recorded, and the page says so.
    let bad_file =
        format!("Số định danh,Đối tượng,Ngày xác nhận\n001090777004,Người dân,{future}\n12345,Người dân,01/01/2025\n");
    let (s, page) = upload(&officer, &commune.code, "sai.csv", bad_file.into_bytes()).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("Không ghi nhận được người nào"), "{page}");
    assert_eq!(bad_rows(&page).iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![2, 3]);
    assert_eq!(recorded(&t, &[from_xlsx]).await.len(), 1);

    // A file that is no list of confirmations: said so, nothing recorded.
    let (s, page) = upload(&officer, &commune.code, "ghi-chu.csv", b"xin chao\nthe gioi\n".to_vec()).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("Không tìm thấy dòng tiêu đề cột"), "{page}");
    let (s, page) = upload(
        &officer,
        &commune.code,
        "thieu.csv",
        "Họ và tên,Số định danh\nA,001090777001\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(s, 422, "{page}");
    assert!(
        page.contains("Tệp thiếu cột bắt buộc: Đối tượng, Ngày xác nhận"),
        "{page}"
    );
    // Past the rows one request writes: refused before anything is looked up.
    let mut big = String::from("Số định danh,Đối tượng,Ngày xác nhận\n");
    for _ in 0..=hocvuso_app::assessment::vneid::MAX_ROWS {
        big.push_str("001090777001,Người dân,01/01/2025\n");
    }
    let (s, page) = upload(&officer, &commune.code, "lon.csv", big.into_bytes()).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("Hãy tách tệp theo từng xã"), "{page}");
    assert_eq!(recorded(&t, &everyone).await.len(), 3);
    t.finish().await;
}
both!(vneid, vneid_import);

/// How long an officer waits for a commune-sized file: 5,000 confirmations recorded in one
/// transaction while the page waits (docs/DECISIONS.md, "VNeID confirmations imported from a
/// file"). A measurement, not a check: `cargo test --test it -- --ignored vneid_timing --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn vneid_timing() {
    use hocvuso_core::people::PersonForm;
    use hocvuso_db::people::{self, Placement};
    const N: usize = 5_000;
    let t = TestApp::spawn(Backend::Sqlite).await;
    let (commune, _) = officer_units(&t).await;
    let today = time::OffsetDateTime::now_utc().date();
    let mut tx = t.db.begin().await.unwrap();
    let mut csv = String::from("Số định danh,Đối tượng,Ngày xác nhận\n");
    for i in 0..N {
        let pid = format!("001090{:06}", 900_000 + i);
        let input = PersonForm {
            full_name: format!("Người Thứ {i}"),
            birth_date: "01/01/1990".into(),
            sex: "Nam".into(),
            personal_id: pid.clone(),
            ..Default::default()
        }
        .validate(today)
        .unwrap();
        let placement = Placement {
            residence: &commune,
            workplace_id: None,
            household_id: None,
        };
        people::insert(&mut tx, &t.vault, &input, &placement, None)
            .await
            .unwrap();
        csv.push_str(&format!("{pid},Người dân,01/03/2025\n"));
    }
    tx.commit().await.unwrap();
    let officer = t.login(OFFICER).await;
    let started = std::time::Instant::now();
    let (s, page) = upload(&officer, &commune.code, "lon.csv", csv.into_bytes()).await;
    let took = started.elapsed();
    assert_eq!(s, 200, "{page}");
    assert!(page.contains(&format!("Đã ghi nhận {N} người")), "{page}");
    println!("{N} VNeID confirmations imported in {took:?} (SQLite)");
    t.finish().await;
}
