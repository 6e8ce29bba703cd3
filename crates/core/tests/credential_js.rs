//! Our signed certificates checked by someone else's code: `tests/vc/verify.mjs` runs the Digital
//! Bazaar JavaScript libraries (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022-cryptosuite)
//! offline on credentials issued here. The genuine one must verify; tampered, unsigned and
//! foreign-signed ones must not. No node or no node_modules is a failure, never a skip: this is
//! the issue's hard requirement.

use std::path::{Path, PathBuf};
use std::process::Command;

use hocvuso_core::certificate::credential::{Issuer, IssuerKey, StatusEntry, issue, status_list, verify};
use hocvuso_core::certificate::{Certificate, Code, Kind};
use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn require_node() {
    let root = repo_root();
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "node is not installed, so the independent credential check cannot run. \
         Install Node.js (Debian: apt-get install nodejs npm) and run `npm ci` at the repository root \
         (scripts/test does both)."
    );
    for pkg in [
        "@digitalbazaar/vc",
        "@digitalbazaar/data-integrity",
        "@digitalbazaar/eddsa-rdfc-2022-cryptosuite",
        "@digitalbazaar/ed25519-multikey",
    ] {
        assert!(
            root.join("node_modules").join(pkg).join("package.json").is_file(),
            "node_modules/{pkg} is missing: run `npm ci` at the repository root ({}).",
            root.display()
        );
    }
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let p = std::env::temp_dir().join(format!("hocvuso-vc-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).expect("temp dir");
        Dir(p)
    }

    fn write(&self, name: &str, v: &Value) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, serde_json::to_vec_pretty(v).expect("json")).expect("write");
        p
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the JS verifier: (exit success, printed JSON).
fn js_verify(credential: &Path, did: &Path, status: Option<&Path>) -> (bool, Value) {
    let mut cmd = Command::new("node");
    cmd.current_dir(repo_root())
        .arg("tests/vc/verify.mjs")
        .arg(credential)
        .arg(did);
    if let Some(s) = status {
        cmd.arg(s);
    }
    let out = cmd.output().expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "verify.mjs printed no JSON ({e}): stdout {stdout} stderr {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        out.status.success(),
        v["verified"] == true,
        "exit code and result disagree: {v}"
    );
    (out.status.success(), v)
}

/// Fails for the expected reason, not because something else went wrong (a missing context, …).
fn assert_reason(out: &Value, reason: &str) {
    let errors = out["errors"].to_string();
    assert!(errors.contains(reason), "expected {reason:?}, got {out}");
}

fn cert() -> Certificate {
    Certificate {
        code: Code::parse("7K2M-9QXD-4HPA").expect("code"),
        holder_name: "Nguyễn Thị Hồng Nhung".into(),
        achievement: "Đạt phổ cập kỹ năng số – Cán bộ, công chức, viên chức".into(),
        criteria: "Đạt bài kiểm tra cuối khóa với ít nhất 80% số điểm.".into(),
        level: "Trung cấp – mức 3".into(),
        issued_on: time::macros::date!(2026 - 01 - 15),
        issuer_name: "Ban Chỉ đạo Phong trào Bình dân học vụ số tỉnh Bắc Ninh".into(),
        verify_url: "https://hocvuso.example.vn:8443/xac-minh/7K2M-9QXD-4HPA".into(),
        kind: Default::default(),
    }
}

#[test]
fn javascript_libraries_verify_our_credentials() {
    require_node();
    let dir = Dir::new("js");
    let issuer = Issuer::did_web("https://hocvuso.example.vn:8443", "Ban Chỉ đạo").expect("did");
    let key = IssuerKey::from_seed(&[42u8; 32]);
    let did = dir.write("did.json", &issuer.did_document(&[key.public_key()]));
    let status = StatusEntry::nth("https://hocvuso.example.vn:8443/trang-thai", 131_072 + 5);
    let vc = issue(&cert(), &issuer, &key, status.clone()).expect("issue");
    assert!(verify(&serde_json::to_vec(&vc).expect("json"), &issuer, &[key.public_key()]).is_ok());

    // Genuine: verifies, and the status list (also ours, also signed) says not revoked.
    let genuine = dir.write("genuine.json", &vc);
    let list = status_list(
        &status.list_url,
        &issuer,
        &key,
        &[0, 4, 6],
        time::macros::datetime!(2026-01-15 08:00 UTC),
    )
    .expect("list");
    let list_file = dir.write("list.json", &list);
    let (ok, out) = js_verify(&genuine, &did, Some(&list_file));
    assert!(ok, "the genuine credential must verify with the JS libraries: {out}");
    assert_eq!(out["statusChecked"], true, "{out}");
    assert_eq!(out["revoked"], false, "{out}");
    assert_eq!(out["holder"], "Nguyễn Thị Hồng Nhung");
    assert_eq!(
        out["refused"],
        serde_json::json!([]),
        "only shipped documents needed: {out}"
    );

    // Revoked: the same credential with its bit set in the list.
    let revoked_list = status_list(
        &status.list_url,
        &issuer,
        &key,
        &[5],
        time::macros::datetime!(2026-01-16 08:00 UTC),
    )
    .expect("list");
    let revoked_file = dir.write("revoked-list.json", &revoked_list);
    let (ok, out) = js_verify(&genuine, &did, Some(&revoked_file));
    assert!(!ok, "a revoked credential must fail: {out}");
    assert_eq!(out["revoked"], true, "{out}");

    // One character of the holder's name changed.
    let mut t = vc.clone();
    t["credentialSubject"]["name"] = "Nguyễn Thị Hồng Nhunh".into();
    let (ok, out) = js_verify(&dir.write("tampered.json", &t), &did, None);
    assert!(!ok, "a changed name must fail: {out}");
    assert_reason(&out, "Invalid signature");

    // Proof removed.
    let mut t = vc.clone();
    t.as_object_mut().expect("object").remove("proof");
    let (ok, out) = js_verify(&dir.write("unsigned.json", &t), &did, None);
    assert!(!ok, "an unsigned credential must fail: {out}");
    assert_reason(&out, "No matching proofs");

    // Signed by another key, claiming ours.
    let stranger = IssuerKey::from_seed(&[43u8; 32]);
    let forged = issue(&cert(), &issuer, &stranger, status).expect("issue");
    let (ok, out) = js_verify(&dir.write("forged.json", &forged), &did, None);
    assert!(!ok, "a credential signed by another key must fail: {out}");
    assert_reason(&out, "Invalid signature");

    // A property no context defines: JSON-LD would drop it from what is signed, so the JS
    // libraries (safe mode) refuse it like ours do.
    let mut t = vc.clone();
    t["credentialSubject"]["note"] = "đã sửa".into();
    let (ok, out) = js_verify(&dir.write("undefined-term.json", &t), &did, None);
    assert!(!ok, "an undefined property must fail: {out}");

    // A context that is not shipped is never fetched: the offline loader refuses it.
    let mut t = vc.clone();
    t["@context"][1] = "https://evil.example/context.json".into();
    let (ok, out) = js_verify(&dir.write("unknown-context.json", &t), &did, None);
    assert!(!ok, "an unknown context must fail: {out}");
    assert_eq!(out["refused"][0], "https://evil.example/context.json", "{out}");
}

/// A certificate of completing a course (where its author asked for one): an OB 3.0 `Course`
/// achievement, signed the same way, verifies with the JS libraries too.
#[test]
fn javascript_libraries_verify_a_course_certificate() {
    require_node();
    let dir = Dir::new("js-course");
    let issuer = Issuer::did_web("https://hocvuso.example.vn:8443", "Ban Chỉ đạo").expect("did");
    let key = IssuerKey::from_seed(&[42u8; 32]);
    let did = dir.write("did.json", &issuer.did_document(&[key.public_key()]));
    let status = StatusEntry::nth("https://hocvuso.example.vn:8443/trang-thai", 9);
    let course = Certificate {
        achievement: "Hoàn thành khóa học «Văn bản điện tử và chữ ký số»".into(),
        criteria: "Đã hoàn thành tất cả các bài học của khóa học «Văn bản điện tử và chữ ký số» trên nền tảng hocvuso."
            .into(),
        level: "Cơ bản – mức 2".into(),
        kind: Kind::CourseCompletion,
        ..cert()
    };
    let vc = issue(&course, &issuer, &key, status.clone()).expect("issue");
    assert_eq!(vc["credentialSubject"]["achievement"]["achievementType"], "Course");
    let ours = verify(&serde_json::to_vec(&vc).expect("json"), &issuer, &[key.public_key()]).expect("ours");
    assert_eq!(ours.achievement, course.achievement);
    let list = status_list(
        &status.list_url,
        &issuer,
        &key,
        &[],
        time::macros::datetime!(2026-01-15 08:00 UTC),
    )
    .expect("list");
    let list_file = dir.write("list.json", &list);
    let (ok, out) = js_verify(&dir.write("course.json", &vc), &did, Some(&list_file));
    assert!(ok, "the course certificate must verify with the JS libraries: {out}");
    assert_eq!(out["revoked"], false, "{out}");
    assert_eq!(out["refused"], serde_json::json!([]), "{out}");
    // Its kind is signed: calling it an attainment's certificate breaks the signature.
    let mut t = vc.clone();
    t["credentialSubject"]["achievement"]["achievementType"] = "Certificate".into();
    let (ok, out) = js_verify(&dir.write("retyped.json", &t), &did, None);
    assert!(!ok, "a changed achievementType must fail: {out}");
    assert_reason(&out, "Invalid signature");
}
