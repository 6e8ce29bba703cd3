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
