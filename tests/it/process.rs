//! The real binary: bilingual help, a clean stop on SIGTERM, command-line import and audit check.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hocvuso"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn help_in_vietnamese_and_english() {
    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("CÁCH DÙNG") && text.contains("USAGE"));
    for cmd in [
        "serve",
        "migrate",
        "seed-demo",
        "import",
        "backup",
        "restore",
        "verify-audit",
    ] {
        assert!(text.contains(cmd), "{cmd}");
    }
    let out = bin()
        .arg("lam-gi-do")
        .env("HOCVUSO_DATA_DIR", tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Lệnh không hợp lệ"));
}

#[test]
fn sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = bin()
        .arg("serve")
        .env("HOCVUSO_DATA_DIR", dir.path())
        .env("HOCVUSO_ADDR", format!("127.0.0.1:{port}"))
        .env("HOCVUSO_DEMO", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(code.success(), "{err}");
    assert!(err.contains("stopped cleanly"), "{err}");
    // The write-ahead log was checkpointed into the database file.
    let wal = dir.path().join("hocvuso.db-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
}

#[test]
fn command_line_import_reports_lines() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        bin()
            .args(args)
            .env("HOCVUSO_DATA_DIR", dir.path())
            .env("HOCVUSO_DEMO", "false")
            .output()
            .unwrap()
    };
    assert!(run(&["migrate"]).status.success());
    let file = dir.path().join("ds.csv");
    let mut f = std::fs::File::create(&file).unwrap();
    writeln!(f, "Họ và tên,Ngày sinh,Giới tính,Số định danh").unwrap();
    writeln!(f, "Triệu Văn Hải,01/01/1990,Nam,019090777001").unwrap();
    writeln!(f, "Sai Ngày,30/02/1990,Nam,019090777002").unwrap();
    drop(f);
    let file = file.to_str().unwrap();
    // All or nothing: refused, exit code 1, the bad line named.
    let out = run(&["import", "01840", file, "--all-or-nothing"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dòng 3") && err.contains("30/02/1990"), "{err}");
    // Good rows only: one imported, and the exit code still says a row was bad.
    let out = run(&["import", "01840", file]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 mới"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 dòng lỗi không được nhập"));
    // Again: nothing changes.
    let out = run(&["import", "01840", file]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 mới, 0 cập nhật, 1 không đổi"));
    // A file with no bad row exits 0; the help says what the exit code means.
    let clean = dir.path().join("sach.csv");
    std::fs::write(
        &clean,
        "Họ và tên,Ngày sinh,Giới tính,Số định danh\nTriệu Thị Mơ,02/02/1991,Nữ,019191777003\n",
    )
    .unwrap();
    let out = run(&["import", "01840", clean.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let help = String::from_utf8_lossy(&run(&["--help"]).stdout).into_owned();
    assert!(
        help.contains("Mã thoát 1 khi có dòng lỗi") && help.contains("Exit code 1 when any row was bad"),
        "{help}"
    );
    let out = run(&["verify-audit"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // Backup then restore through the command line.
    let backup = dir.path().join("sao-luu.db");
    assert!(run(&["backup", backup.to_str().unwrap()]).status.success());
    assert!(run(&["restore", backup.to_str().unwrap()]).status.success());
    assert!(run(&["verify-audit"]).status.success());
}

/// A server process that is killed if the test fails before stopping it.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The binary a user gets from the README's first command: the release build when
/// `HOCVUSO_RELEASE_BIN` names it (`scripts/test` builds it first), else this build's.
fn user_binary() -> Command {
    match std::env::var_os("HOCVUSO_RELEASE_BIN") {
        Some(path) => Command::new(path),
        None => bin(),
    }
}

/// `cargo run --release` as a user runs it: no arguments and no configuration in an empty folder
/// (or only `DATABASE_URL` for PostgreSQL). The binary migrates, seeds the demo province, prints
/// the demo accounts, serves pages a demo officer signs in to, and stops cleanly on SIGTERM.
async fn first_start(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut cmd = user_binary();
    cmd.current_dir(dir.path())
        .env("HOCVUSO_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("HOCVUSO_DATA_DIR")
        .env_remove("HOCVUSO_DEMO")
        .env_remove("HOCVUSO_CONFIG")
        .env_remove("HOCVUSO_SECRET_KEY")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    let mut server = Server(cmd.spawn().unwrap());
    let base = format!("http://127.0.0.1:{port}");
    let c = crate::helpers::Client {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: base.clone(),
    };
    // Seeding ~50,000 people takes a while on a small machine (longer in a debug build).
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(mut e) = server.0.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            panic!("the server exited at start ({status}):\n{err}");
        }
        if let Ok(r) = c.http.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not answer within 900 s");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (status, home) = c.text("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("Bình dân học vụ số"), "{home}");
    let r = c.login("0900000005", "Demo@0005").await;
    assert_eq!(r.status(), 303, "the demo officer signs in");
    let (status, home) = c.text("/").await;
    assert_eq!(status, 200);
    // The officer's commune is on the home page and its people list opens.
    let commune = scraper::Html::parse_document(&home)
        .select(&scraper::Selector::parse("a[href^='/units/']").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .next()
        .unwrap_or_else(|| panic!("no unit link on the officer's home page:\n{home}"));
    let code = commune
        .trim_start_matches("/units/")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let (status, list) = c.text(&format!("/units/{code}/people")).await;
    assert_eq!(status, 200, "{list}");
    if database_url.is_none() {
        assert!(dir.path().join("data/hocvuso.db").exists(), "SQLite file in ./data");
        assert!(dir.path().join("data/secret.key").exists(), "generated key in ./data");
    }
    let pid = server.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = server.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the server did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success());
    let mut out = String::new();
    if let Some(mut o) = server.0.stdout.take() {
        let _ = std::io::Read::read_to_string(&mut o, &mut out);
    }
    for login in ["0900000001", "0900000005", "0900000008"] {
        assert!(out.contains(login), "the demo accounts are printed: {out}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_on_sqlite() {
    first_start(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_on_postgres() {
    let (name, url) = crate::helpers::create_pg_database().await;
    first_start(Some(&url)).await;
    let admin = hocvuso_db::Db::connect(&crate::helpers::pg_admin_url()).await.unwrap();
    admin.drop_database(&name).await.unwrap();
    admin.close().await;
}
