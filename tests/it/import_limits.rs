//! Spreadsheets that once stopped the server: refused with a message naming the limit they passed
//! while the server keeps answering; bounded error lists; a job that stopped the process twice is
//! failed, never resumed into the same crash.

use crate::both;
use crate::helpers::{Backend, Client, Options, TestApp, officer_units, upload_import, wait_import};
use hocvuso_db::imports::{self, Status};
use std::time::{Duration, Instant};

/// A list with a header and one good person, plus whatever `extra` writes.
fn xlsx(extra: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    crate::hostile::workbook(|ws| {
        for (i, v) in ["Lò Văn Pọm", "02/02/1990", "Nam", "019090007777"].iter().enumerate() {
            ws.write_string(1, i as u16, *v).unwrap();
        }
        extra(ws);
    })
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

use crate::hostile::package;

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

/// Polls `/healthz` from its own task until stopped, each request with a deadline: the server must
/// answer throughout whatever an upload costs it.
pub(crate) struct HealthProbe {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<(usize, Vec<String>)>,
}

impl HealthProbe {
    pub(crate) fn start(base: &str) -> HealthProbe {
        let url = format!("{base}/healthz");
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(2))
                .build()
                .unwrap();
            let (mut answered, mut failures) = (0, Vec::new());
            loop {
                let at = Instant::now();
                match http.get(&url).send().await {
                    Ok(r) if r.status() == 200 => answered += 1,
                    Ok(r) => failures.push(format!("status {}", r.status())),
                    Err(e) => failures.push(format!("after {:?}: {e}", at.elapsed())),
                }
                tokio::select! {
                    _ = stopped.changed() => break,
                    _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                }
            }
            (answered, failures)
        });
        HealthProbe { stop, task }
    }

    /// Stops polling; fails the test unless every poll was answered in time.
    pub(crate) async fn finish(self, what: &str) {
        let _ = self.stop.send(true);
        let (answered, failures) = self.task.await.unwrap();
        assert!(failures.is_empty(), "{what}: /healthz not answered: {failures:?}");
        assert!(answered >= 1, "{what}: /healthz never polled");
    }
}

/// Everything stored but what an accepted upload of a people list legitimately adds: its import
/// and queue rows (and what changes as the test signs in).
async fn stored_but_import_rows(app: &TestApp) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut skip = crate::walk::VOLATILE.to_vec();
    skip.extend(["import_jobs", "import_errors", "import_rows", "jobs"]);
    hocvuso_db::backup::table_contents(&app.db, &skip).await.unwrap()
}

/// An API token of the officer 0900000005, made on their own page.
async fn officer_token(app: &TestApp) -> String {
    let officer = app.login("0900000005").await;
    let r = officer
        .post_form("/me", "/me/tokens", &[("name", "Phần mềm của xã")])
        .await;
    let body = r.text().await.unwrap();
    body.split("<code>")
        .nth(1)
        .and_then(|s| s.split("</code>").next())
        .expect("the new token is shown once")
        .to_string()
}

/// The same hostile files sent to the people import through the API: each is accepted for the
/// background check (202, as every list is), and the import then reports the limit passed in
/// Vietnamese; no person or unit changes; `/healthz` answers throughout.
async fn hostile_files_through_the_api(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let token = officer_token(&app).await;
    let api = reqwest::Client::new();
    let before = stored_but_import_rows(&app).await;
    let probe = HealthProbe::start(&app.addr);
    for f in crate::hostile::files() {
        let r = api
            .post(app.url(&format!("/api/v1/people/import?unit={}", commune.code)))
            .bearer_auth(&token)
            .multipart(reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(f.bytes.clone()).file_name("la.xlsx"),
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202, "{}", f.name);
        let id = r.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
        let stored = wait_import(&app, id).await;
        let j: serde_json::Value = api
            .get(app.url(&format!("/api/v1/imports/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        match f.key {
            Some(key) => {
                assert_eq!(j["status"], "failed", "{}: {j}", f.name);
                assert_eq!(stored.message().map(|m| m.key), Some(key.to_string()), "{}", f.name);
                let m = j["message"].as_str().unwrap_or_default();
                assert!(m.contains(f.shown), "{}: {m}", f.name);
                assert!(!imports::upload_path(&app.upload_dir(), id).exists(), "{}", f.name);
            }
            // Read within the limits like any list: its one row is reported, nothing breaks.
            None => assert_eq!(
                (j["status"].as_str(), j["total_rows"].as_i64()),
                (Some("awaiting_decision"), Some(1)),
                "{}: {j}",
                f.name
            ),
        }
    }
    probe.finish("people import API").await;
    crate::walk::assert_same(&before, &stored_but_import_rows(&app).await, "hostile files, API");
    app.finish().await;
}
both!(hostile_api, hostile_files_through_the_api);

/// Posts `bytes` as the file of the upload form `action`, with the CSRF token of `page` and the
/// form's other fields.
async fn post_file(c: &Client, page: &str, action: &str, fields: &[(&str, String)], bytes: Vec<u8>) -> (u16, String) {
    let token = c.csrf(page).await;
    let mut form = reqwest::multipart::Form::new().text("_csrf", token);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.clone());
    }
    let form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name("la.xlsx"));
    let r = c.http.post(c.url(action)).multipart(form).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.text().await.unwrap_or_default())
}

/// The same hostile files sent to the village list and to the denominators upload: each refused
/// with a 4xx page whose Vietnamese message names the limit, nothing stored changes (contents
/// compared), and `/healthz` answers throughout.
async fn hostile_files_to_unit_uploads(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let year = time::OffsetDateTime::now_utc().year().to_string();
    let units_page = format!("/units/{}", commune.code);
    let denominators_page = format!("/units/{}/denominators", commune.code);
    let before = crate::walk::contents(&app).await;
    let probe = HealthProbe::start(&app.addr);
    for f in crate::hostile::files() {
        for (what, page, action, fields) in [
            (
                "village list",
                &units_page,
                format!("{units_page}/villages/import"),
                vec![],
            ),
            (
                "denominators",
                &denominators_page,
                format!("{denominators_page}/import"),
                vec![("year", year.clone())],
            ),
        ] {
            let (s, body) = post_file(&c, page, &action, &fields, f.bytes.clone()).await;
            assert!((400..500).contains(&s), "{what}, {}: {s} {body}", f.name);
            assert!(body.contains(f.shown), "{what}, {}: {body}", f.name);
        }
    }
    probe.finish("unit uploads").await;
    crate::walk::assert_same(
        &before,
        &crate::walk::contents(&app).await,
        "hostile files, unit uploads",
    );
    app.finish().await;
}
both!(hostile_unit_uploads, hostile_files_to_unit_uploads);

/// A commune's list of `rows` people as CSV (ID numbers of Hà Nội, held by nobody here).
fn large_list(rows: usize) -> Vec<u8> {
    let mut csv = String::from("Họ và tên,Ngày sinh,Giới tính,Số định danh,Đối tượng\n");
    let given = ["An", "Bình", "Chi", "Dũng", "Hằng", "Khánh", "Lan", "Minh"];
    for i in 0..rows {
        let female = i % 2 == 1;
        csv.push_str(&format!(
            "Nguyễn {} {},{:02}/{:02}/19{:02},{},001{}{:02}{i:06},Người dân\n",
            if female { "Thị" } else { "Văn" },
            given[i % 8],
            1 + i % 28,
            1 + i % 12,
            60 + i % 40,
            if female { "Nữ" } else { "Nam" },
            u8::from(female),
            60 + i % 40,
        ));
    }
    csv.into_bytes()
}

/// On a runtime of one thread (a one-core server), `/healthz` answers within its deadline all the
/// while the background check reads and checks a 200,000-row list: the check's CPU work runs off
/// the async thread. The probe runs on a thread and runtime of its own, so a stalled server shows
/// as a missed deadline, not as a stalled probe. Before the check's CPU work left the async thread
/// (check_people, the per-row steps), polls went unanswered for most of the check: one after
/// another. On a machine loaded by the rest of the suite a single poll can miss its deadline
/// (CI saw one in 423), so what fails the test is two misses in a row: the server, not the
/// machine, is stalled.
async fn healthz_during_a_check_on_one_thread(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let list = large_list(200_000);
    // The probe starts once the upload is accepted: what is measured is the check. (Receiving the
    // 13 MB form is the request's own work, and in this test its client shares the one thread.)
    let id = upload_import(&c, &commune.code, "ca-xa.csv", list).await;
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let url = app.url("/healthz");
    let prober = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(2))
                .build()
                .unwrap();
            let (mut answered, mut failures, mut missed_in_a_row) = (0usize, Vec::new(), 0usize);
            while stopped.try_recv().is_err() {
                let at = Instant::now();
                match http.get(&url).send().await {
                    Ok(r) if r.status() == 200 => {
                        answered += 1;
                        missed_in_a_row = 0;
                    }
                    Ok(r) => failures.push(format!("status {}", r.status())),
                    Err(e) => {
                        missed_in_a_row += 1;
                        if missed_in_a_row >= 2 {
                            failures.push(format!(
                                "two polls in a row unanswered, the last after {:?}: {e}",
                                at.elapsed()
                            ));
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            (answered, failures)
        })
    });
    // The check of a list this size takes long in a debug build on a busy machine: a generous
    // deadline for the whole check, none on its parts.
    let deadline = Instant::now() + Duration::from_secs(600);
    let j = loop {
        let j = imports::get(&app.db, id).await.unwrap().unwrap();
        if j.status() != Status::Checking {
            break j;
        }
        assert!(Instant::now() < deadline, "the check did not finish: {j:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let _ = stop.send(());
    let (answered, failures) = prober.join().unwrap();
    assert_eq!(
        (j.status(), j.total_rows, j.good_rows),
        (Status::AwaitingDecision, 200_000, 200_000),
        "{j:?}"
    );
    assert!(
        failures.is_empty(),
        "/healthz missed its deadline during the check ({answered} answered): {failures:?}"
    );
    assert!(answered >= 3, "/healthz polled only {answered} times during the check");
    app.finish().await;
}

mod healthz_one_thread {
    #[tokio::test(flavor = "current_thread")]
    async fn sqlite() {
        super::healthz_during_a_check_on_one_thread(crate::helpers::Backend::Sqlite).await
    }
    #[tokio::test(flavor = "current_thread")]
    async fn postgres() {
        super::healthz_during_a_check_on_one_thread(crate::helpers::Backend::Postgres).await
    }
}

/// The value of a `/metrics` sample line.
async fn metric(c: &Client, name: &str) -> u64 {
    let (_, text) = c.text("/metrics").await;
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics: {text}"))
}

/// While another upload is being read (the process's one reader held), a village list and a
/// denominators sheet wait `HOCVUSO_UPLOAD_WAIT_SECS` and are then answered 503 with `Retry-After`
/// and the Vietnamese message saying what to do; nothing stored changes and `/metrics` counts
/// them. Once the reader is free, the same list goes in.
async fn busy_reader_answers_503(b: Backend) {
    let opts = Options {
        vars: vec![("HOCVUSO_UPLOAD_WAIT_SECS", "1".to_string())],
        ..Default::default()
    };
    let app = TestApp::spawn_with(b, opts).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let units_page = format!("/units/{}", commune.code);
    let denominators_page = format!("/units/{}/denominators", commune.code);
    let year = time::OffsetDateTime::now_utc().year().to_string();
    let villages = "Tên thôn,Loại\nThôn Nà Lầu,Thôn\n".as_bytes().to_vec();
    let figures = format!(
        "Mã đơn vị,Chỉ tiêu,Giá trị,Nguồn\n{},Hộ gia đình,120,Trưởng thôn\n",
        commune.code
    );
    let before = crate::walk::contents(&app).await;
    let reads_before = metric(&c, "hocvuso_upload_reads_total").await;
    let held = app.app().reader.hold().await;
    for (page, action, fields, bytes) in [
        (
            &units_page,
            format!("{units_page}/villages/import"),
            vec![],
            villages.clone(),
        ),
        (
            &denominators_page,
            format!("{denominators_page}/import"),
            vec![("year", year.clone())],
            figures.clone().into_bytes(),
        ),
    ] {
        let token = c.csrf(page).await;
        let mut form = reqwest::multipart::Form::new().text("_csrf", token);
        for (k, v) in fields {
            form = form.text(k, v);
        }
        let form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name("ds.csv"));
        let r = c.http.post(c.url(&action)).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), 503, "{action}");
        assert_eq!(
            r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
            Some("60"),
            "{action}"
        );
        let body = r.text().await.unwrap();
        assert!(
            body.contains("Máy chủ đang đọc một tệp khác") && body.contains("gửi lại tệp sau một phút"),
            "{action}: {body}"
        );
    }
    assert_eq!(metric(&c, "hocvuso_upload_reads_refused_busy_total").await, 2);
    assert_eq!(metric(&c, "hocvuso_upload_reads_waiting").await, 0);
    assert_eq!(metric(&c, "hocvuso_upload_reads_total").await, reads_before);
    crate::walk::assert_same(&before, &crate::walk::contents(&app).await, "refused busy");
    drop(held);
    let (s, body) = post_file(&c, &units_page, &format!("{units_page}/villages/import"), &[], villages).await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("Đã thêm 1"), "{body}");
    assert_eq!(metric(&c, "hocvuso_upload_reads_total").await, reads_before + 1);
    app.finish().await;
}
both!(busy_reader, busy_reader_answers_503);
