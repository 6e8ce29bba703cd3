//! How long the printed certificate takes: one page, then a class of 500 in one PDF.
//!
//! `cargo run --release -p hocvuso-core --example certificate_pdf [OUT_DIR]`
//! prints the timings and sizes, and writes the two PDFs into OUT_DIR when given.

use hocvuso_core::certificate::pdf::render;
use hocvuso_core::certificate::{Certificate, Code};
use std::time::Instant;

const GIVEN: [&str; 6] = ["Ngọc Ánh", "Văn Thắng", "Thị Mỷ", "Đức Huy", "Thu Hương", "Quốc Bảo"];
const FAMILY: [&str; 6] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Lò"];

fn certificate(i: usize, rng: &mut impl rand::RngCore) -> Certificate {
    let code = Code::generate(rng);
    Certificate {
        verify_url: format!("https://hocvuso.bacninh.example.vn/xac-minh/{code}"),
        kind: Default::default(),
        code,
        holder_name: format!("{} {}", FAMILY[i % 6], GIVEN[(i / 6) % 6]),
        achievement: "Đạt phổ cập kỹ năng số – Người dân".into(),
        criteria: "Đạt yêu cầu của tất cả các năng lực trong khung năng lực số dành cho nhóm \
                   người dân, qua bài kiểm tra cuối khóa."
            .into(),
        level: "Cơ bản – mức 1".into(),
        issued_on: time::macros::date!(2026 - 12 - 06),
        issuer_name: "Ban Chỉ đạo Phong trào Bình dân học vụ số tỉnh Bắc Ninh".into(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).map(std::path::PathBuf::from);
    let mut rng = rand::thread_rng();
    let one = [certificate(0, &mut rng)];
    // The first call pays for parsing the fonts' tables once; report a warm figure too.
    let mut times = Vec::new();
    let mut size_one = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let pdf = render(&one)?;
        times.push(t.elapsed());
        size_one = pdf.len();
        if let Some(dir) = &out {
            std::fs::write(dir.join("certificate-1.pdf"), &pdf)?;
        }
    }
    let first = times[0];
    times.sort();
    println!(
        "1 certificate: first {:.1} ms, median of 5 {:.1} ms, {} bytes",
        first.as_secs_f64() * 1e3,
        times[2].as_secs_f64() * 1e3,
        size_one
    );

    let batch: Vec<_> = (0..500).map(|i| certificate(i, &mut rng)).collect();
    let t = Instant::now();
    let pdf = render(&batch)?;
    let took = t.elapsed();
    println!(
        "500 certificates: {:.0} ms ({:.2} ms a page), {} bytes ({:.1} KB a page)",
        took.as_secs_f64() * 1e3,
        took.as_secs_f64() * 1e3 / 500.0,
        pdf.len(),
        pdf.len() as f64 / 500.0 / 1024.0
    );
    if let Some(dir) = &out {
        std::fs::write(dir.join("certificates-500.pdf"), &pdf)?;
    }
    Ok(())
}
