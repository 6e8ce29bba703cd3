//! How many certificates per second one core signs and verifies (eddsa-rdfc-2022: JSON-LD
//! expansion with the shipped contexts, RDFC-1.0, Ed25519).
//!
//!     cargo run --release -p hocvuso-core --example credential_speed

use std::time::Instant;

use hocvuso_core::certificate::credential::{Issuer, IssuerKey, StatusEntry, issue, verify};
use hocvuso_core::certificate::{Certificate, Code};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let issuer = Issuer::did_web("https://hocvuso.example.vn", "Ban Chỉ đạo")?;
    let key = IssuerKey::from_seed(&[5u8; 32]);
    let cert = Certificate {
        code: Code::parse("7K2M-9QXD-4HPA").ok_or("code")?,
        holder_name: "Nguyễn Thị Hồng Nhung".into(),
        achievement: "Đạt phổ cập kỹ năng số – Cán bộ, công chức, viên chức".into(),
        criteria: "Đạt bài kiểm tra cuối khóa với ít nhất 80% số điểm.".into(),
        level: "Trung cấp – mức 3".into(),
        issued_on: time::macros::date!(2026 - 01 - 15),
        issuer_name: "Ban Chỉ đạo Phong trào Bình dân học vụ số tỉnh Bắc Ninh".into(),
        verify_url: "https://hocvuso.example.vn/xac-minh/7K2M-9QXD-4HPA".into(),
        kind: Default::default(),
    };
    let n = 300;
    let start = Instant::now();
    let mut last = None;
    for i in 0..n {
        let status = StatusEntry::nth("https://hocvuso.example.vn/trang-thai", i);
        last = Some(issue(&cert, &issuer, &key, status)?);
    }
    let issue_rate = f64::from(n as u32) / start.elapsed().as_secs_f64();
    let bytes = serde_json::to_vec(&last.ok_or("none issued")?)?;
    let keys = [key.public_key()];
    let start = Instant::now();
    for _ in 0..n {
        verify(&bytes, &issuer, &keys).map_err(|f| format!("{f:?}"))?;
    }
    let verify_rate = f64::from(n as u32) / start.elapsed().as_secs_f64();
    println!(
        "issue: {issue_rate:.0}/s, verify: {verify_rate:.0}/s (one thread, {n} each, {} bytes)",
        bytes.len()
    );
    Ok(())
}
