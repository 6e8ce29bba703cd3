use crate::both;
use crate::helpers::{Backend, Options, TestApp, import_id, officer_units, upload_list, wait_import};
use hocvuso_app::imports::{ApplyImport, CheckImport};
use hocvuso_app::jobs::{Job as _, Runner};
use hocvuso_db::imports::{self, Status};
use hocvuso_db::people;
use std::time::Duration;

const HEADER: &str = "Họ và tên,Ngày sinh,Giới tính,Số định danh,Số điện thoại,Đối tượng,Thôn/Tổ dân phố,Hộ gia đình\n";

async fn csv_with_bad_rows(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let village = hocvuso_db::units::children(&app.db, commune.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.level() == hocvuso_core::units::Level::Village)
        .unwrap();
    let c = app.login("0900000005").await;
    let mut csv = String::from("DANH SÁCH NGƯỜI DÂN THÔN\nĐơn vị: xã\n");
    csv.push_str(HEADER);
    csv.push_str(&format!(
        "Hoàng Văn Nam,05/06/1980,Nam,019080009001,0912000001,Người dân,{},HGD-A\n",
        village.name
    ));
    csv.push_str(&format!(
        "Hoàng Thị Lan,07/08/1982,Nữ,019182009002,,Người dân,{},HGD-A\n",
        hocvuso_core::text::fold(&village.name)
    ));
    csv.push_str("Lò Văn Sai Ngày,31/02/1990,Nam,019090009003,,,,\n");
    csv.push_str("Trùng Số,05/06/1980,Nam,019080009001,,,,\n");
    csv.push_str("Không Thôn,05/06/1980,Nam,019080009005,,,Thôn Không Có,\n");
    csv.push_str("Sai Tỉnh,05/06/1980,Nam,003080009006,,,,\n");
    let r = upload_list(&c, &commune.code, "danh-sach.csv", csv.into_bytes()).await;
    assert_eq!(r.status(), 303);
    let id = import_id(&r);
    let j = wait_import(&app, id).await;
    assert_eq!(j.status(), Status::AwaitingDecision);
    assert_eq!((j.total_rows, j.good_rows, j.bad_rows), (6, 2, 4));
    let errs = imports::errors(&app.db, id, 100).await.unwrap();
    let lines: Vec<(i32, &str)> = errs.iter().map(|e| (e.line, e.column_name.as_str())).collect();
    assert_eq!(
        lines,
        vec![
            (6, "Ngày sinh"),
            (7, "Số định danh"),
            (8, "Thôn/Tổ dân phố"),
            (9, "Số định danh")
        ]
    );
    // The status page lists every bad row with its line and a Vietnamese reason.
    let (s, page) = c.text(&format!("/imports/{id}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("31/02/1990") && page.contains("dòng 4"), "reasons shown");
    let (_, csv_errors) = c.text(&format!("/imports/{id}/errors.csv")).await;
    assert_eq!(csv_errors.lines().count(), 5);
    // Nothing is stored before the decision.
    assert_eq!(
        people::find_by_pid(
            &app.db,
            &app.vault,
            &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
            &hocvuso_core::personal_id::PersonalId::parse("019080009001").unwrap()
        )
        .await
        .unwrap()
        .map(|p| p.id),
        None
    );
    let r = c
        .post_form(
            &format!("/imports/{id}"),
            &format!("/imports/{id}/decision"),
            &[("choice", "import")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let j = wait_import(&app, id).await;
    assert_eq!(j.status(), Status::Done);
    assert_eq!((j.inserted, j.updated, j.unchanged), (2, 0, 0));
    let nam = people::find_by_pid(
        &app.db,
        &app.vault,
        &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
        &hocvuso_core::personal_id::PersonalId::parse("019080009001").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(nam.unit_id, village.id, "village resolved by name");
    let lan = people::find_by_pid(
        &app.db,
        &app.vault,
        &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
        &hocvuso_core::personal_id::PersonalId::parse("019182009002").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(lan.unit_id, village.id, "village resolved without diacritics");
    assert_eq!(nam.household_id, lan.household_id, "same household");
    assert!(nam.household_id.is_some());
    // A second click on the decision changes nothing.
    let r = c
        .post_form(
            &format!("/imports/{id}"),
            &format!("/imports/{id}/decision"),
            &[("choice", "import")],
        )
        .await;
    assert_eq!(r.status(), 303);
    // Re-importing the same file changes nothing.
    let mut again = String::from(HEADER);
    again.push_str(&format!(
        "Hoàng Văn Nam,05/06/1980,Nam,019080009001,0912000001,Người dân,{},HGD-A\n",
        village.name
    ));
    let r = upload_list(&c, &commune.code, "lan-2.csv", again.clone().into_bytes()).await;
    let id2 = import_id(&r);
    wait_import(&app, id2).await;
    c.post_form(
        &format!("/imports/{id2}"),
        &format!("/imports/{id2}/decision"),
        &[("choice", "import")],
    )
    .await;
    let j2 = wait_import(&app, id2).await;
    assert_eq!((j2.inserted, j2.updated, j2.unchanged), (0, 0, 1));
    crate::helpers::kept_counts_match(&app.db).await;
    // The same person without a village: filed at the commune now, an update that moves them (the
    // kept totals follow updates as well as inserts).
    let moved = format!("{HEADER}Hoàng Văn Nam,05/06/1980,Nam,019080009001,0912000001,Người dân,,HGD-A\n");
    let r = upload_list(&c, &commune.code, "lan-3.csv", moved.into_bytes()).await;
    let id3 = import_id(&r);
    wait_import(&app, id3).await;
    c.post_form(
        &format!("/imports/{id3}"),
        &format!("/imports/{id3}/decision"),
        &[("choice", "import")],
    )
    .await;
    let j3 = wait_import(&app, id3).await;
    assert_eq!((j3.inserted, j3.updated, j3.unchanged), (0, 1, 0), "{j3:?}");
    crate::helpers::kept_counts_match(&app.db).await;
    // Cancelling imports nothing.
    let r = upload_list(
        &c,
        &commune.code,
        "huy.csv",
        format!("{HEADER}Người Mới,05/06/1980,Nam,019080009077,,,,\n").into_bytes(),
    )
    .await;
    let id3 = import_id(&r);
    wait_import(&app, id3).await;
    c.post_form(
        &format!("/imports/{id3}"),
        &format!("/imports/{id3}/decision"),
        &[("choice", "cancel")],
    )
    .await;
    assert_eq!(wait_import(&app, id3).await.status(), Status::Cancelled);
    assert!(
        people::find_by_pid(
            &app.db,
            &app.vault,
            &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
            &hocvuso_core::personal_id::PersonalId::parse("019080009077").unwrap()
        )
        .await
        .unwrap()
        .is_none()
    );
    // An audit entry records the import.
    let log = hocvuso_db::audit::list(
        &app.db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &hocvuso_db::audit::Filter {
            action: Some("people.import".into()),
            ..Default::default()
        },
        10,
    )
    .await
    .unwrap();
    // One per applied import: the first, the unchanged re-import and the moving one.
    assert_eq!(log.len(), 3);
    app.finish().await;
}
both!(csv_bad_rows, csv_with_bad_rows);

async fn bad_files(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            max_upload_mb: Some(1),
            ..Default::default()
        },
    )
    .await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    // Zero bytes.
    let r = upload_list(&c, &commune.code, "rong.csv", Vec::new()).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("0 byte"));
    // Larger than the limit: 413 with the limit named.
    let r = upload_list(&c, &commune.code, "to.csv", vec![b'a'; 2 * 1024 * 1024]).await;
    assert_eq!(r.status(), 413);
    assert!(r.text().await.unwrap().contains("1 MB"));
    // Not a spreadsheet, broken XLSX, no header, missing columns, unclosed quote: the job fails
    // with the reason, nothing stored.
    let before = people::count_in(&app.db, &commune.path).await.unwrap();
    for (name, bytes, expect) in [
        (
            "anh.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00".to_vec(),
            "không phải bảng tính",
        ),
        (
            "hong.xlsx",
            b"PK\x03\x04garbage-not-a-zip".to_vec(),
            "Không mở được tệp XLSX",
        ),
        ("khong-tieu-de.csv", b"a,b,c\n1,2,3\n".to_vec(), "dòng tiêu đề"),
        (
            "thieu-cot.csv",
            "Họ và tên,Ngày sinh\nA,01/01/1990\n".as_bytes().to_vec(),
            "thiếu cột bắt buộc",
        ),
    ] {
        let r = upload_list(&c, &commune.code, name, bytes).await;
        let id = import_id(&r);
        let j = wait_import(&app, id).await;
        assert_eq!(j.status(), Status::Failed, "{name}");
        let (_, page) = c.text(&format!("/imports/{id}")).await;
        assert!(page.contains(expect), "{name}: expected «{expect}»");
    }
    // An unclosed quote swallows the rest of the file into one field: that row is reported.
    let r = upload_list(
        &c,
        &commune.code,
        "ngoac.csv",
        format!("{HEADER}\"Nguyễn Văn A,05/06/1980,Nam,019080009001\n").into_bytes(),
    )
    .await;
    let j = wait_import(&app, import_id(&r)).await;
    assert_eq!((j.status(), j.good_rows, j.bad_rows), (Status::AwaitingDecision, 0, 1));
    assert_eq!(people::count_in(&app.db, &commune.path).await.unwrap(), before);
    app.finish().await;
}
both!(bad_import_files, bad_files);

fn xlsx_with_title_merges_and_formulas() -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let bold = Format::new().set_bold();
    ws.merge_range(0, 0, 0, 5, "DANH SÁCH CÁN BỘ, CÔNG CHỨC", &bold)
        .unwrap();
    for (i, h) in ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Đối tượng"]
        .iter()
        .enumerate()
    {
        ws.write_string(2, i as u16, *h).unwrap();
    }
    ws.write_number(3, 0, 1).unwrap();
    ws.write_string(3, 1, "Vi Thị Hằng").unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(1988, 11, 3).unwrap();
    ws.write_datetime_with_format(3, 2, &date, &Format::new().set_num_format("dd/mm/yyyy"))
        .unwrap();
    ws.write_string(3, 3, "Nữ").unwrap();
    // Stored as a number: the leading zero is lost in Excel.
    ws.write_number(3, 4, 19188004321.0).unwrap();
    ws.write_string(3, 5, "Cán bộ, công chức, viên chức").unwrap();
    ws.write_formula(4, 0, "=A4+1").unwrap();
    ws.write_string(4, 1, "Ma Văn Tùng").unwrap();
    ws.write_string(4, 2, "12/01/1979").unwrap();
    ws.write_string(4, 3, "Nam").unwrap();
    ws.write_string(4, 4, "006079004322").unwrap();
    ws.merge_range(5, 1, 5, 5, "Tổng cộng: 2 người", &Format::new())
        .unwrap();
    wb.save_to_buffer().unwrap()
}

async fn xlsx_import(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let r = upload_list(&c, &commune.code, "can-bo.xlsx", xlsx_with_title_merges_and_formulas()).await;
    let id = import_id(&r);
    let j = wait_import(&app, id).await;
    assert_eq!(j.status(), Status::AwaitingDecision);
    let errs = imports::errors(&app.db, id, 10).await.unwrap();
    // The two people are good; the merged total row (line 6) is skipped with a note, and the ID
    // number the sheet stored as a number got its zero back with a note.
    assert_eq!((j.good_rows, j.bad_rows, j.total_rows), (2, 0, 2), "{errs:?}");
    let notes: Vec<(i32, String)> = imports::notes(&app.db, id, 10)
        .await
        .unwrap()
        .iter()
        .map(|n| (n.line, n.message().key))
        .collect();
    assert_eq!(
        notes,
        vec![
            (4, "note-import-pid-padded".to_string()),
            (6, "note-import-total-row".to_string())
        ]
    );
    let (_, page) = c.text(&format!("/imports/{id}")).await;
    assert!(
        page.contains("Dòng tổng cộng") && page.contains("mất 1 chữ số 0"),
        "{page}"
    );
    c.post_form(
        &format!("/imports/{id}"),
        &format!("/imports/{id}/decision"),
        &[("choice", "import")],
    )
    .await;
    assert_eq!(wait_import(&app, id).await.inserted, 2);
    let p = people::find_by_pid(
        &app.db,
        &app.vault,
        &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
        &hocvuso_core::personal_id::PersonalId::parse("019188004321").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(p.full_name, "Vi Thị Hằng");
    assert_eq!(hocvuso_core::people::format_date(p.birth_date), "03/11/1988");
    assert!(p.groups().contains(hocvuso_core::people::TargetGroup::PublicStaff));
    app.finish().await;
}
both!(xlsx, xlsx_import);

/// An import stopped half-way (server killed between chunks or mid-chunk) resumes without
/// duplicates or losses: the process that started the apply dies (its attempt counted, its
/// heartbeat going stale), and the next start's runner finds the job, queues it again and finishes
/// it from the last committed frame.
async fn interrupted_import_resumes(b: Backend) {
    let app = TestApp::spawn_with(b, Options::without_jobs()).await;
    let (commune, _) = officer_units(&app).await;
    let mut csv = String::from(HEADER);
    let n = imports::CHUNK * 3 + 17;
    for i in 0..n {
        csv.push_str(&format!("Người Thứ {i},01/01/1990,Nam,0010900{i:05},,,,\n"));
    }
    let id = hocvuso_app::imports::upload(
        &app.app(),
        &crate::helpers::admin(&app).await,
        &commune,
        "lon.csv",
        csv.as_bytes(),
    )
    .await
    .unwrap();
    hocvuso_app::imports::run_here::<CheckImport>(&app.app(), id)
        .await
        .unwrap();
    let errs = imports::errors(&app.db, id, 10).await.unwrap();
    assert!(errs.is_empty(), "{errs:?}");
    assert!(
        hocvuso_app::imports::decide(
            &app.app(),
            &crate::helpers::admin(&app).await,
            id,
            imports::Decision::ImportGoodRows
        )
        .await
        .unwrap()
    );
    let before = people::count_in(&app.db, &commune.path).await.unwrap();
    // A process claims the apply (the attempt is committed first), runs it and is killed part-way.
    let queued = crate::jobs::job_of::<ApplyImport>(&app, id).await;
    let claimed = hocvuso_db::jobs::claim_id(&app.db, queued.id, crate::jobs::long_ago())
        .await
        .unwrap()
        .expect("the apply is queued");
    assert_eq!(claimed.attempts, 1);
    let task = {
        let ctx = app.app();
        let run = hocvuso_app::jobs::Run {
            id: claimed.id,
            attempt: claimed.attempts,
            max_attempts: claimed.max_attempts,
            actor: claimed.actor_id,
            payload: hocvuso_app::imports::ImportRef { import_id: id },
        };
        tokio::spawn(async move { ApplyImport.run(&ctx, &run).await })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let j = imports::get(&app.db, id).await.unwrap().unwrap();
        if j.processed_rows > 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no frame applied within 60 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    task.abort();
    let _ = task.await;
    let mid = imports::get(&app.db, id).await.unwrap().unwrap();
    assert_eq!(mid.status(), Status::Applying);
    let stored = people::count_in(&app.db, &commune.path).await.unwrap() - before;
    assert_eq!(
        stored, mid.processed_rows as i64,
        "what is stored is exactly what the job recorded"
    );
    assert!((mid.processed_rows as usize) < n, "killed part-way");
    // "Restart": the runner finds the job its dead process left running and finishes it.
    let runner = Runner::start(app.app(), hocvuso_app::jobs::registry(), Default::default()).await;
    let ended = crate::jobs::wait_ended(&app, claimed.id).await;
    runner.stop().await;
    let done = imports::get(&app.db, id).await.unwrap().unwrap();
    assert_eq!(done.status(), Status::Done);
    assert_eq!(
        people::count_in(&app.db, &commune.path).await.unwrap() - before,
        n as i64
    );
    assert_eq!(done.inserted as usize, n);
    let job = hocvuso_db::jobs::get(&app.db, claimed.id).await.unwrap().unwrap();
    assert_eq!((ended.status, ended.attempts), (hocvuso_db::jobs::Status::Done, 2));
    assert_eq!(
        (job.status, job.attempts),
        (hocvuso_db::jobs::Status::Done, 2),
        "after the stop"
    );
    app.finish().await;
}
both!(resume, interrupted_import_resumes);

/// A database restored from a backup taken during an import has the job but not its staged file
/// (it lives beside the uploads): the job is reported failed with a message that says to upload
/// again, and nothing is written.
async fn staged_rows_lost(b: Backend) {
    let app = TestApp::spawn_with(b, Options::without_jobs()).await;
    let (commune, _) = officer_units(&app).await;
    let mut csv = String::from(HEADER);
    for i in 0..30 {
        csv.push_str(&format!("Người Mất {i},01/01/1990,Nam,0010900{i:05},,,,\n"));
    }
    let dir = app.upload_dir();
    let id = hocvuso_app::imports::upload(
        &app.app(),
        &crate::helpers::admin(&app).await,
        &commune,
        "mat.csv",
        csv.as_bytes(),
    )
    .await
    .unwrap();
    hocvuso_app::imports::run_here::<CheckImport>(&app.app(), id)
        .await
        .unwrap();
    assert!(
        hocvuso_app::imports::decide(
            &app.app(),
            &crate::helpers::admin(&app).await,
            id,
            imports::Decision::ImportGoodRows
        )
        .await
        .unwrap()
    );
    let before = people::count_in(&app.db, &commune.path).await.unwrap();
    let staged = dir.join(format!("import-{id}.staged"));
    assert!(staged.exists(), "checked rows wait in {staged:?}");
    std::fs::remove_file(&staged).unwrap();
    hocvuso_app::imports::run_here::<ApplyImport>(&app.app(), id)
        .await
        .unwrap();
    let job = imports::get(&app.db, id).await.unwrap().unwrap();
    assert_eq!(job.status(), Status::Failed);
    assert_eq!(job.message().unwrap().key, "err-import-staged-lost");
    assert_eq!(people::count_in(&app.db, &commune.path).await.unwrap(), before);
    let c = app.login("0900000005").await;
    let (s, body) = c.text(&format!("/imports/{id}")).await;
    assert_eq!(s, 200);
    assert!(body.contains("hãy tải tệp lên lại"), "{body}");
    app.finish().await;
}
both!(staged_lost, staged_rows_lost);

async fn api_import_with_token(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, other) = officer_units(&app).await;
    let officer = app.login("0900000005").await;
    let r = officer
        .post_form("/me", "/me/tokens", &[("name", "Phần mềm của xã")])
        .await;
    let body = r.text().await.unwrap();
    let token = body
        .split("<code>")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_string();
    assert!(token.starts_with("hvs_"));
    let api = reqwest::Client::new();
    let csv = format!("{HEADER}Bế Văn Tiến,02/03/1995,Nam,019095001111,,,,\nSai,31/02/1995,Nam,019095001112,,,,\n");
    let form = || {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.clone().into_bytes()).file_name("api.csv"),
        )
    };
    let r = api
        .post(app.url(&format!("/api/v1/people/import?unit={}", commune.code)))
        .bearer_auth(&token)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let j: serde_json::Value = r.json().await.unwrap();
    let id = j["id"].as_i64().unwrap();
    wait_import(&app, id).await;
    let j: serde_json::Value = api
        .get(app.url(&format!("/api/v1/imports/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(j["status"], "awaiting_decision");
    assert_eq!(j["errors"][0]["line"], 3);
    assert!(j["errors"][0]["reason"].as_str().unwrap().contains("31/02/1995"));
    let r = api
        .post(app.url(&format!("/api/v1/imports/{id}/decision")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"choice": "import"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(wait_import(&app, id).await.inserted, 1);
    // A repeated decision is a conflict, not a second import.
    let r = api
        .post(app.url(&format!("/api/v1/imports/{id}/decision")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"choice": "import"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // A client maps what the check did not recognise through the API as well.
    let odd = "Họ và tên,Ngày sinh,Phái,Số định danh,Đối tượng\nBế Thị Lụa,04/05/1996,Nữ,019196001113,Hội nông dân\n";
    let r = api
        .post(app.url(&format!("/api/v1/people/import?unit={}", commune.code)))
        .bearer_auth(&token)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(odd.as_bytes().to_vec()).file_name("odd.csv"),
        ))
        .send()
        .await
        .unwrap();
    let id = r.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
    wait_import(&app, id).await;
    let get = || async {
        api.get(app.url(&format!("/api/v1/imports/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    let j = get().await;
    assert_eq!(j["status"], "needs_mapping");
    assert_eq!(j["missing_columns"], serde_json::json!(["sex"]));
    assert_eq!(j["unknown_headers"], serde_json::json!(["Phái"]));
    let map = |body: serde_json::Value| {
        api.post(app.url(&format!("/api/v1/imports/{id}/mapping")))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let r = map(serde_json::json!({"columns": {"Phái": "gender"}})).await.unwrap();
    assert_eq!(r.status(), 422);
    let r = map(serde_json::json!({"columns": {"Phái": "sex"}})).await.unwrap();
    assert_eq!(r.status(), 200);
    wait_import(&app, id).await;
    let j = get().await;
    assert_eq!(
        (j["status"].as_str(), j["bad_rows"].as_i64()),
        (Some("awaiting_decision"), Some(1))
    );
    assert_eq!(j["unknown_groups"], serde_json::json!(["Hội nông dân"]));
    let r = map(serde_json::json!({"groups": {"Hội nông dân": "resident"}}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    wait_import(&app, id).await;
    let j = get().await;
    assert_eq!((j["good_rows"].as_i64(), j["bad_rows"].as_i64()), (Some(1), Some(0)));
    // Listing by API, with the same scope rule as pages.
    let r = api
        .get(app.url(&format!("/api/v1/people?unit={}&q=be+van+tien", commune.code)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let page: serde_json::Value = r.json().await.unwrap();
    assert_eq!(page["people"][0]["full_name"], "Bế Văn Tiến");
    assert_eq!(page["people"][0]["personal_id_masked"], "********1111");
    let r = api
        .get(app.url(&format!("/api/v1/people?unit={}", other.code)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = api
        .post(app.url(&format!("/api/v1/people/import?unit={}", other.code)))
        .bearer_auth(&token)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // No token, a wrong token: 401 problem+json.
    assert_eq!(
        api.get(app.url(&format!("/api/v1/people?unit={}", commune.code)))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        api.get(app.url(&format!("/api/v1/people?unit={}", commune.code)))
            .bearer_auth("hvs_wrong")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    app.finish().await;
}
both!(api_import, api_import_with_token);

async fn encodings(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let text = format!("{HEADER}Lục Thị Ngọc,09/09/1999,Nữ,019199002001,,,,\n");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(text.replace("019199002001", "019199002002").as_bytes());
    for (name, bytes, pid) in [("utf16.csv", utf16, "019199002001"), ("bom.csv", bom, "019199002002")] {
        let r = upload_list(&c, &commune.code, name, bytes).await;
        let id = import_id(&r);
        let j = wait_import(&app, id).await;
        assert_eq!(j.good_rows, 1, "{name}");
        c.post_form(
            &format!("/imports/{id}"),
            &format!("/imports/{id}/decision"),
            &[("choice", "import")],
        )
        .await;
        wait_import(&app, id).await;
        let p = people::find_by_pid(
            &app.db,
            &app.vault,
            &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
            &hocvuso_core::personal_id::PersonalId::parse(pid).unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(p.full_name, "Lục Thị Ngọc");
    }
    app.finish().await;
}
both!(csv_encodings, encodings);

/// An ID number already registered in another commune cannot be taken over by an import: the row
/// is reported (line, column, Vietnamese reason), the other rows import, and the person held
/// elsewhere is unchanged.
async fn id_held_elsewhere(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, other) = officer_units(&app).await;
    let held = people::search(
        &app.db,
        &app.vault,
        &crate::helpers::sees(&other.path),
        &people::SearchTerm::Everyone,
        None,
        1,
    )
    .await
    .unwrap()
    .people
    .remove(0);
    let pid = people::reveal_personal_id(
        &app.db,
        &app.vault,
        &crate::helpers::sees::<hocvuso_core::access::act::UnmaskPersonalId>("/"),
        held.id,
    )
    .await
    .unwrap()
    .unwrap();
    let birth = hocvuso_core::people::format_date(held.birth_date);
    let sex = if held.sex == hocvuso_core::people::Sex::Male {
        "Nam"
    } else {
        "Nữ"
    };
    let csv = format!("{HEADER}Người Mới,01/01/1990,Nam,001090099001,,,,\nNgười Chiếm,{birth},{sex},{pid},,,,\n");
    // Uploaded by the system administrator (account 1); the server's queue checks and applies.
    let id = hocvuso_app::imports::upload(
        &app.app(),
        &crate::helpers::admin(&app).await,
        &commune,
        "chiem.csv",
        csv.as_bytes(),
    )
    .await
    .unwrap();
    let job = wait_import(&app, id).await;
    assert_eq!(job.status(), Status::AwaitingDecision);
    assert_eq!((job.good_rows, job.bad_rows), (1, 1));
    let errs = imports::errors(&app.db, id, 10).await.unwrap();
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].line, errs[0].column_name.as_str()), (3, "Số định danh"));
    assert_eq!(errs[0].message().key, "err-import-other-unit");
    assert!(
        hocvuso_app::imports::decide(
            &app.app(),
            &crate::helpers::admin(&app).await,
            id,
            imports::Decision::ImportGoodRows
        )
        .await
        .unwrap()
    );
    let done = wait_import(&app, id).await;
    assert_eq!((done.status(), done.inserted), (Status::Done, 1));
    let still = people::get(
        &app.db,
        &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
        held.id,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!((still.full_name, still.unit_id), (held.full_name, held.unit_id));
    // The refusal told the importer the number exists somewhere: it is audited, masked.
    let refusals = hocvuso_db::audit::list(
        &app.db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &hocvuso_db::audit::Filter {
            action: Some("person.pid_refused".into()),
            ..Default::default()
        },
        10,
    )
    .await
    .unwrap();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!(refusals[0].actor_id, Some(1));
    assert!(
        refusals[0].detail.contains(&format!("********{}", &pid[8..])),
        "{}",
        refusals[0].detail
    );
    assert!(!refusals[0].detail.contains(&pid), "no plain number in the audit");
    app.finish().await;
}
both!(held_elsewhere, id_held_elsewhere);

/// A file of numbers held elsewhere past the hourly limit is stopped without saying which rows
/// were held, so an account cannot map who is registered by uploading guesses.
async fn refusals_limited(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, other) = officer_units(&app).await;
    let n = hocvuso_app::imports::IMPORT_REFUSAL_MAX as usize + 1;
    let today = time::OffsetDateTime::now_utc().date();
    let inputs: Vec<hocvuso_core::people::PersonInput> = (0..n)
        .map(|i| {
            hocvuso_core::people::PersonForm {
                full_name: format!("Người Ở Xã Khác {i}"),
                birth_date: "01/01/1990".into(),
                sex: "Nam".into(),
                personal_id: format!("0010907{i:05}"),
                ..Default::default()
            }
            .validate(today)
            .unwrap()
        })
        .collect();
    let items: Vec<people::BatchItem> = inputs
        .iter()
        .map(|p| people::BatchItem {
            person: p,
            residence: &other,
            workplace_id: None,
            household_id: None,
        })
        .collect();
    let mut tx = app.db.begin().await.unwrap();
    people::insert_batch(&mut tx, &app.vault, &items, None).await.unwrap();
    tx.commit().await.unwrap();
    let mut csv = String::from(HEADER);
    for (i, p) in inputs.iter().enumerate() {
        csv.push_str(&format!(
            "Người Đoán {i},01/01/1990,Nam,{},,,,\n",
            p.personal_id.as_str()
        ));
    }
    let c = app.login("0900000005").await;
    let r = upload_list(&c, &commune.code, "doan.csv", csv.into_bytes()).await;
    let id = import_id(&r);
    let j = wait_import(&app, id).await;
    assert_eq!(j.status(), Status::Failed);
    assert_eq!(j.message().unwrap().key, "err-import-refusals-limit");
    assert!(
        imports::errors(&app.db, id, 10).await.unwrap().is_empty(),
        "no row is named"
    );
    let (_, page) = c.text(&format!("/imports/{id}")).await;
    assert!(page.contains("Ban Chỉ đạo cấp tỉnh"), "{page}");
    app.finish().await;
}
both!(refusal_limit, refusals_limited);

/// The race of issue 7: officer A's file names an ID number nobody holds and is checked; officer B
/// then registers that number in commune B; A decides to import. The rule "an ID number held
/// outside your scope cannot be taken over" is checked again when the rows are applied: the row
/// is reported with its line, B's person is left exactly as B registered them, and every person
/// the import did create has an audit entry of their own.
async fn held_elsewhere_after_check(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune_a, commune_b) = officer_units(&app).await;
    let a = app.login("0900000005").await;
    let officer_b = app.login("0900000006").await;
    let csv = format!(
        "{HEADER}Người Đầu,02/03/1991,Nam,001091099001,,,,\n\
         Người Tranh,03/04/1992,Nữ,001192099002,,,,\n\
         Người Cuối,04/05/1993,Nam,001093099003,,,,\n"
    );
    let r = upload_list(&a, &commune_a.code, "tranh.csv", csv.into_bytes()).await;
    assert_eq!(r.status(), 303);
    let id = import_id(&r);
    let job = wait_import(&app, id).await;
    assert_eq!(
        (job.status(), job.good_rows, job.bad_rows),
        (Status::AwaitingDecision, 3, 0)
    );

    // B registers the contested number in commune B through the registration form.
    let page = format!("/units/{}/people/new", commune_b.code);
    let r = officer_b
        .post_form(
            &page,
            &page,
            &[
                ("full_name", "Người Của Xã B"),
                ("birth_date", "03/04/1992"),
                ("sex", "female"),
                ("personal_id", "001192099002"),
                ("group_resident", "1"),
                ("consent", "paper"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "B registers the number first");
    let pid = hocvuso_core::personal_id::PersonalId::parse("001192099002").unwrap();
    let before = people::find_by_pid(
        &app.db,
        &app.vault,
        &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
        &pid,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(before.unit_id, commune_b.id);

    let r = a
        .post_form(
            &format!("/imports/{id}"),
            &format!("/imports/{id}/decision"),
            &[("choice", "import")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let job = wait_import(&app, id).await;
    assert_eq!(job.status(), Status::Done);
    assert_eq!((job.inserted, job.updated, job.bad_rows), (2, 0, 1));

    // B's person is untouched: same record, same name, same commune.
    let after = people::find_by_pid(
        &app.db,
        &app.vault,
        &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
        &pid,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        (
            after.id,
            after.full_name.as_str(),
            after.unit_id,
            after.unit_path.as_str()
        ),
        (before.id, "Người Của Xã B", commune_b.id, commune_b.path.as_str())
    );
    // The refused row is in the job's result with its line and reason, on the page too.
    let errs = imports::errors(&app.db, id, 10).await.unwrap();
    let got: Vec<(i32, &str, String)> = errs
        .iter()
        .map(|e| (e.line, e.column_name.as_str(), e.message().key))
        .collect();
    assert_eq!(got, vec![(3, "Số định danh", "err-import-other-unit".to_string())]);
    let (_, page) = a.text(&format!("/imports/{id}")).await;
    assert!(page.contains("Số định danh"), "{page}");

    // Each person the import created has their own audit entry; B's person has none from it.
    for pid_text in ["001091099001", "001093099003"] {
        let pid = hocvuso_core::personal_id::PersonalId::parse(pid_text).unwrap();
        let p = people::find_by_pid(
            &app.db,
            &app.vault,
            &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
            &pid,
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(p.unit_id, commune_a.id);
        let entries = hocvuso_db::audit::list(
            &app.db,
            hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
            &hocvuso_db::audit::Filter {
                person_id: Some(p.id),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
        let actions: Vec<(&str, Option<i64>)> = entries.iter().map(|e| (e.action.as_str(), e.actor_id)).collect();
        let account_a = hocvuso_db::accounts::by_phone(&app.db, "0900000005")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            actions,
            vec![("person.import_create", Some(account_a.id))],
            "{pid_text}"
        );
        assert!(
            entries[0].detail.contains(&format!("\"import\":{id}")),
            "{}",
            entries[0].detail
        );
    }
    let b_entries = hocvuso_db::audit::list(
        &app.db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &hocvuso_db::audit::Filter {
            person_id: Some(before.id),
            ..Default::default()
        },
        10,
    )
    .await
    .unwrap();
    assert!(
        b_entries.iter().all(|e| !e.action.starts_with("person.import")),
        "{b_entries:?}"
    );
    assert!(hocvuso_db::audit::verify(&app.db).await.unwrap().ok());
    app.finish().await;
}
both!(held_elsewhere_race, held_elsewhere_after_check);

/// Lists as communes really write them (issue 7, section 5), through the real pages: groups in
/// their usual spellings, a value nobody taught the platform mapped once by the officer and
/// remembered for the next file, headers mapped the same way, and the template read back.
async fn real_lists(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let csv = "Họ và tên,Ngày sinh,Giới tính,Số định danh,Đối tượng\n\
               Đinh Văn Một,01/01/1990,Nam,019090088001,Người lao động doanh nghiệp\n\
               Đinh Thị Hai,02/02/1991,Nữ,019191088002,\"CB, CC, VC\"\n\
               Đinh Văn Ba,03/03/1992,Nam,019092088003,HS-SV\n\
               Đinh Thị Bốn,04/04/1993,Nữ,019193088004,Hội viên phụ nữ\n\
               Tổng cộng,,,,4\n";
    let r = upload_list(&c, &commune.code, "hoi.csv", csv.as_bytes().to_vec()).await;
    let id = import_id(&r);
    let j = wait_import(&app, id).await;
    assert_eq!((j.status(), j.good_rows, j.bad_rows), (Status::AwaitingDecision, 3, 1));
    let (_, page) = c.text(&format!("/imports/{id}")).await;
    assert!(page.contains("“Hội viên phụ nữ” (1 dòng)"), "{page}");
    // A choice outside the list is refused with a Vietnamese message; nothing changes.
    let r = c
        .post_form(
            &format!("/imports/{id}"),
            &format!("/imports/{id}/mapping"),
            &[("g0", "aliens")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("không có trong danh sách"));
    // The officer says the value means residents: remembered, and the file is checked again.
    let r = c
        .post_form(
            &format!("/imports/{id}"),
            &format!("/imports/{id}/mapping"),
            &[("g0", "resident")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let j = wait_import(&app, id).await;
    assert_eq!((j.status(), j.good_rows, j.bad_rows), (Status::AwaitingDecision, 4, 0));
    c.post_form(
        &format!("/imports/{id}"),
        &format!("/imports/{id}/decision"),
        &[("choice", "import")],
    )
    .await;
    assert_eq!(wait_import(&app, id).await.inserted, 4);
    let pid = hocvuso_core::personal_id::PersonalId::parse("019193088004").unwrap();
    let p = people::find_by_pid(
        &app.db,
        &app.vault,
        &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
        &pid,
    )
    .await
    .unwrap()
    .unwrap();
    assert!(p.groups().contains(hocvuso_core::people::TargetGroup::Resident));
    let pid = hocvuso_core::personal_id::PersonalId::parse("019090088001").unwrap();
    let p = people::find_by_pid(
        &app.db,
        &app.vault,
        &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
        &pid,
    )
    .await
    .unwrap()
    .unwrap();
    assert!(p.groups().contains(hocvuso_core::people::TargetGroup::Worker));

    // The commune's next file: the value is known now, and unknown headers are asked once.
    let csv2 = "Họ và tên,Ngày sinh,Phái,Mã định danh công dân,Đối tượng\n\
                Đinh Văn Năm,05/05/1994,Nam,019094088005,hội viên phụ nữ\n";
    let r = upload_list(&c, &commune.code, "hoi-2.csv", csv2.as_bytes().to_vec()).await;
    let id2 = import_id(&r);
    let j = wait_import(&app, id2).await;
    assert_eq!(j.status(), Status::NeedsMapping);
    let (_, page) = c.text(&format!("/imports/{id2}")).await;
    assert!(
        page.contains("“Phái”") && page.contains("“Mã định danh công dân”"),
        "{page}"
    );
    // The same field twice is refused.
    let r = c
        .post_form(
            &format!("/imports/{id2}"),
            &format!("/imports/{id2}/mapping"),
            &[("h0", "sex"), ("h1", "sex")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = c
        .post_form(
            &format!("/imports/{id2}"),
            &format!("/imports/{id2}/mapping"),
            &[("h0", "sex"), ("h1", "personal_id")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let j = wait_import(&app, id2).await;
    assert_eq!((j.status(), j.good_rows, j.bad_rows), (Status::AwaitingDecision, 1, 0));
    // A third file with the same headers is read straight away.
    let r = upload_list(&c, &commune.code, "hoi-3.csv", csv2.replace("Năm", "Sáu").into_bytes()).await;
    let j = wait_import(&app, import_id(&r)).await;
    assert_eq!((j.status(), j.good_rows), (Status::AwaitingDecision, 1));

    // The templates download and read back: the example row is skipped with a note.
    for (path, name) in [
        ("/imports/template.xlsx", "mau.xlsx"),
        ("/imports/template.csv", "mau.csv"),
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("mau-danh-sach")
        );
        let bytes = r.bytes().await.unwrap().to_vec();
        let r = upload_list(&c, &commune.code, name, bytes).await;
        let id = import_id(&r);
        let j = wait_import(&app, id).await;
        assert_eq!(
            (j.status(), j.good_rows, j.bad_rows),
            (Status::AwaitingDecision, 0, 0),
            "{path}"
        );
        let notes = imports::notes(&app.db, id, 10).await.unwrap();
        assert_eq!(notes.len(), 1, "{path}");
        assert_eq!(notes[0].message().key, "note-import-example-row");
    }
    let (_, page) = c.text(&format!("/units/{}/import", commune.code)).await;
    assert!(
        page.contains("/imports/template.xlsx") && page.contains("CBCCVC"),
        "{page}"
    );
    app.finish().await;
}
both!(real_list_spellings, real_lists);

/// A village that leaves the importer's commune between the check and the decision (moved to
/// another commune) takes its rows out of the import: each is reported with its line and nobody
/// is written into a unit outside the importer's scope; the other rows import.
async fn village_moved_after_check(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune_a, commune_b) = officer_units(&app).await;
    let villages: Vec<_> = hocvuso_db::units::children(&app.db, commune_a.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.level() == hocvuso_core::units::Level::Village)
        .collect();
    assert!(villages.len() >= 2, "the demo commune has villages");
    let (leaving, staying) = (&villages[0], &villages[1]);
    let a = app.login("0900000005").await;
    let csv = format!(
        "{HEADER}Người Đi,02/03/1991,Nam,001091099011,,,{},\n\
         Người Ở,03/04/1992,Nữ,001192099012,,,{},\n\
         Người Xã,04/05/1993,Nam,001093099013,,,,\n",
        leaving.name, staying.name
    );
    let r = upload_list(&a, &commune_a.code, "thon.csv", csv.into_bytes()).await;
    assert_eq!(r.status(), 303);
    let id = import_id(&r);
    let job = wait_import(&app, id).await;
    assert_eq!(
        (job.status(), job.good_rows, job.bad_rows),
        (Status::AwaitingDecision, 3, 0)
    );
    // The province moves the village to commune B before A decides.
    hocvuso_app::units::move_to(&app.app(), &crate::helpers::platform(), leaving, &commune_b)
        .await
        .unwrap();
    let r = a
        .post_form(
            &format!("/imports/{id}"),
            &format!("/imports/{id}/decision"),
            &[("choice", "import")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let job = wait_import(&app, id).await;
    assert_eq!(job.status(), Status::Done);
    assert_eq!((job.inserted, job.updated, job.bad_rows), (2, 0, 1));
    let errs = imports::errors(&app.db, id, 10).await.unwrap();
    let got: Vec<(i32, &str, String)> = errs
        .iter()
        .map(|e| (e.line, e.column_name.as_str(), e.message().key))
        .collect();
    assert_eq!(got, vec![(2, "village", "err-import-residence-gone".to_string())]);
    let everywhere = crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/");
    let find = |text: &'static str| {
        let (db, vault, scope) = (&app.db, &app.vault, &everywhere);
        async move {
            let pid = hocvuso_core::personal_id::PersonalId::parse(text).unwrap();
            people::find_by_pid(db, vault, scope, &pid).await.unwrap()
        }
    };
    assert!(
        find("001091099011").await.is_none(),
        "nobody written into the moved village"
    );
    let stayed = find("001192099012").await.expect("the staying village's row imported");
    assert_eq!(stayed.unit_id, staying.id);
    let commune_row = find("001093099013").await.expect("the commune's own row imported");
    assert_eq!(commune_row.unit_id, commune_a.id);
    // The officer reads why on the import's page.
    let (_, page) = a.text(&format!("/imports/{id}")).await;
    assert!(page.contains(&leaving.name), "the refusal names the village");
    crate::helpers::kept_counts_match(&app.db).await;
    app.finish().await;
}
both!(village_moved, village_moved_after_check);
