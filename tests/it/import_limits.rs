//! Spreadsheets that once stopped the server: refused with a message naming the limit they passed
//! while the server keeps answering; bounded error lists; a job that stopped the process twice is
//! failed, never resumed into the same crash.

use crate::both;
use crate::helpers::{Backend, Options, TestApp, officer_units, upload_import, wait_import};
use hocvuso_db::imports::{self, Status};
use std::time::{Duration, Instant};

/// A list with a header and one good person, plus whatever `extra` writes.
fn xlsx(extra: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in ["Họ và tên", "Ngày sinh", "Giới tính", "Số định danh"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    for (i, v) in ["Lò Văn Pọm", "02/02/1990", "Nam", "019090007777"].iter().enumerate() {
        ws.write_string(1, i as u16, *v).unwrap();
    }
    extra(ws);
    wb.save_to_buffer().unwrap()
}

/// The 2 KB file whose far cell made the old reader allocate ~512 GB and abort: refused with the
/// cell named, the upload removed, and `/healthz` answering throughout the check.
async fn far_cell_refused_while_server_answers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let probe = app.client();
    let far = xlsx(|ws| {
        ws.write_string(1_048_575, 16_383, "x").unwrap();
    });
    assert!(far.len() < 8 * 1024, "{}", far.len());
    let id = upload_import(&c, &commune.code, "xa-xa.xlsx", far).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut probes = 0;
    loop {
        let (s, body) = probe.text("/healthz").await;
        assert_eq!(s, 200, "{body}");
        probes += 1;
        let j = imports::get(&app.db, id).await.unwrap().unwrap();
        if !matches!(j.status(), Status::Checking | Status::Applying) {
            break;
        }
        assert!(Instant::now() < deadline, "check did not finish");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(probes >= 1);
    let j = wait_import(&app, id).await;
    assert_eq!(j.status(), Status::Failed);
    let m = j.message().unwrap();
    assert_eq!(m.key, "err-import-too-many-columns");
    let (s, page) = c.text(&format!("/imports/{id}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("XFD1048576"), "{page}");
    assert!(page.contains("xoá nội dung các ô thừa ở bên phải bảng"), "{page}");
    assert!(!imports::upload_path(&app.dir.path().join("uploads"), id).exists());
    // The server still checks the next, good file.
    let good = upload_import(&c, &commune.code, "tot.xlsx", xlsx(|_| {})).await;
    let j = wait_import(&app, good).await;
    assert_eq!((j.status(), j.good_rows), (Status::AwaitingDecision, 1));
    let (s, _) = probe.text("/healthz").await;
    assert_eq!(s, 200);
    app.finish().await;
}
both!(far_cell_refused, far_cell_refused_while_server_answers);

/// A sheet whose row numbers run past any spreadsheet (`A99999999999`), a sheet of empty cells that
/// inflates a thousandfold and a 100 KB file of two million rows are refused with their own
/// messages.
async fn far_rows_and_bombs_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let sheet = |rows: &str| {
        format!(
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
        )
    };
    let far_row = package(&sheet(
        r#"<row><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c></row><row><c r="A99999999999"><v>1</v></c></row>"#,
    ));
    let bomb = package(&sheet(&format!(
        r#"<row r="2">{}</row>"#,
        r#"<c s="0"/>"#.repeat(10_000_000)
    )));
    assert!(bomb.len() < 200 * 1024, "{}", bomb.len());
    let flood = package(&sheet(&"<row><c><v>1</v></c></row>".repeat(2_000_000)));
    assert!(flood.len() < 200 * 1024, "{}", flood.len());
    for (bytes, key, shown) in [
        (far_row, "err-import-row-too-far", "dòng 99999999999"),
        (bomb, "err-xlsx-ratio", "nén bất thường"),
        (flood, "err-import-too-many-rows", "hơn 500000 dòng"),
    ] {
        let id = upload_import(&c, &commune.code, "la.xlsx", bytes).await;
        let j = wait_import(&app, id).await;
        assert_eq!(j.status(), Status::Failed);
        assert_eq!(j.message().unwrap().key, key);
        let (_, page) = c.text(&format!("/imports/{id}")).await;
        assert!(page.contains(shown), "{page}");
    }
    let (s, _) = c.text("/healthz").await;
    assert_eq!(s, 200);
    app.finish().await;
}
both!(far_rows_and_bombs, far_rows_and_bombs_refused);

/// A minimal XLSX package around one sheet, compressed as hard as deflate can.
fn package(sheet_xml: &str) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    let parts = [
        (
            "_rels/.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="DS" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ];
    for (name, data) in parts {
        w.start_file(name, opts).unwrap();
        w.write_all(data.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A file of thousands of bad rows keeps the first [`imports::MAX_STORED_ERRORS`] problems and
/// counts the rest, and both the page and the downloadable list say how many more there are.
async fn error_list_is_capped(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let mut csv = String::from("Họ và tên,Ngày sinh,Giới tính,Số định danh\n");
    let rows = 3_500;
    for i in 0..rows {
        csv.push_str(&format!("Người {i},,,\n"));
    }
    let id = upload_import(&c, &commune.code, "thieu.csv", csv.into_bytes()).await;
    let j = wait_import(&app, id).await;
    assert_eq!(j.status(), Status::AwaitingDecision);
    assert_eq!(j.bad_rows, rows);
    let stored = imports::errors(&app.db, id, u64::MAX >> 1).await.unwrap();
    assert_eq!(stored.len(), imports::MAX_STORED_ERRORS);
    // Three problems a row, in file order: the first rows' problems are the ones kept.
    assert_eq!(stored.first().map(|e| e.line), Some(2));
    assert_eq!(
        stored.last().map(|e| e.line),
        Some(2 + (imports::MAX_STORED_ERRORS as i32 - 1) / 3)
    );
    let unstored = 3 * rows as usize - imports::MAX_STORED_ERRORS;
    assert_eq!(j.unstored_errors as usize, unstored);
    let (_, page) = c.text(&format!("/imports/{id}")).await;
    let note = format!("và {unstored} lỗi khác không được lưu");
    assert!(page.contains(&note), "{page}");
    let (s, list) = c.text(&format!("/imports/{id}/errors.csv")).await;
    assert_eq!(s, 200);
    assert_eq!(list.lines().count(), 1 + imports::MAX_STORED_ERRORS + 1);
    assert!(
        list.lines().last().is_some_and(|l| l.contains(&note)),
        "{}",
        list.lines().last().unwrap_or("")
    );
    app.finish().await;
}
both!(error_list_capped, error_list_is_capped);

fn good_csv(tag: u32) -> String {
    format!("Họ và tên,Ngày sinh,Giới tính,Số định danh\nNgười Tốt {tag},01/01/1990,Nam,0010900{tag:05}\n")
}

/// The database as a process that died mid-work leaves it: a job whose check was started twice
/// (each start committed before the work, then the process died) is failed with the reason and its
/// upload removed; a job started once is retried; a job applying that stopped the server twice is
/// failed and its staged rows removed; a good new job is checked normally. The queue's rows say
/// the same: failed with the reason, or done after a second attempt.
async fn crashed_twice_is_not_resumed(b: Backend) {
    use crate::jobs::{died_during, job_of, restart_requeues};
    use hocvuso_app::imports::{ApplyImport, CheckImport};
    use hocvuso_db::jobs::Status as JobStatus;
    let app = TestApp::spawn_with(b, Options::without_jobs()).await;
    let (commune, _) = officer_units(&app).await;
    let dir = app.upload_dir();
    let admin = crate::helpers::admin(&app).await;
    let new = |name: &'static str, tag: u32| {
        let (ctx, commune, admin) = (app.app(), commune.clone(), admin.clone());
        async move {
            hocvuso_app::imports::upload(&ctx, &admin, &commune, name, good_csv(tag).as_bytes())
                .await
                .unwrap()
        }
    };
    let twice = new("hai-lan.csv", 1).await;
    let once = new("mot-lan.csv", 2).await;
    let fresh = new("moi.csv", 3).await;
    let applying = new("dang-nhap.csv", 4).await;
    // The applying job: checked, decided, then its apply killed the process twice.
    hocvuso_app::imports::run_here::<CheckImport>(&app.app(), applying)
        .await
        .unwrap();
    assert!(
        hocvuso_app::imports::decide(
            &app.app(),
            &crate::helpers::admin(&app).await,
            applying,
            imports::Decision::ImportGoodRows
        )
        .await
        .unwrap()
    );
    let staged = dir.join(format!("import-{applying}.staged"));
    assert!(staged.exists());
    let apply_job = job_of::<ApplyImport>(&app, applying).await;
    assert_eq!(died_during(&app, apply_job.id).await, 1);
    restart_requeues(&app, 1).await;
    assert_eq!(died_during(&app, apply_job.id).await, 2);
    // The check of `twice` killed it twice too; `once`'s check once.
    let twice_job = job_of::<CheckImport>(&app, twice).await;
    assert_eq!(died_during(&app, twice_job.id).await, 1);
    restart_requeues(&app, 1).await;
    assert_eq!(died_during(&app, twice_job.id).await, 2);
    let once_job = job_of::<CheckImport>(&app, once).await;
    assert_eq!(died_during(&app, once_job.id).await, 1);
    // Start-up: the runner the application starts.
    let runner = hocvuso_app::jobs::Runner::start(app.app(), hocvuso_app::jobs::registry(), Default::default()).await;
    let failed = wait_import(&app, twice).await;
    assert_eq!(failed.status(), Status::Failed);
    assert_eq!(failed.message().unwrap().key, "err-import-crashed-twice-checking");
    assert!(!imports::upload_path(&dir, twice).exists());
    let failed = wait_import(&app, applying).await;
    assert_eq!(failed.status(), Status::Failed);
    assert_eq!(failed.message().unwrap().key, "err-import-crashed-twice-applying");
    assert!(!staged.exists());
    assert_eq!(failed.inserted, 0);
    for job in [once, fresh] {
        let j = wait_import(&app, job).await;
        assert_eq!(
            (j.status(), j.good_rows, j.attempts),
            (Status::AwaitingDecision, 1, 0),
            "{j:?}"
        );
    }
    runner.stop().await;
    for (job, attempts) in [(twice_job.id, 2), (apply_job.id, 2)] {
        let j = hocvuso_db::jobs::get(&app.db, job).await.unwrap().unwrap();
        assert_eq!((j.status, j.attempts), (JobStatus::Failed, attempts), "{j:?}");
        let reason = j.last_error.expect("a failed job says why");
        assert_eq!(reason.key, "err-job-crashed");
        assert!(reason.render(hocvuso_core::Lang::Vi).contains("2 lần"), "{reason:?}");
    }
    let j = hocvuso_db::jobs::get(&app.db, once_job.id).await.unwrap().unwrap();
    assert_eq!((j.status, j.attempts), (JobStatus::Done, 2), "{j:?}");
    let j = job_of::<CheckImport>(&app, fresh).await;
    assert_eq!((j.status, j.attempts), (JobStatus::Done, 1), "{j:?}");
    let c = app.login("0900000005").await;
    let (_, page) = c.text(&format!("/imports/{twice}")).await;
    assert!(page.contains("đã làm máy chủ dừng đột ngột hai lần"), "{page}");
    app.finish().await;
}
both!(crashed_twice, crashed_twice_is_not_resumed);
