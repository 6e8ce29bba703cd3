//! The printed certificate read back by real tools: poppler's `pdftotext` must find every
//! page's words as typed (NFC, full diacritics), `pdffonts` must see embedded font subsets, and
//! the QR code on a page rasterised by `pdftoppm` must decode to the verification address.
//! A missing poppler is a failure, never a skip.

use hocvuso_core::certificate::pdf::{render, vietnamese_date};
use hocvuso_core::certificate::{Certificate, Code};
use std::path::{Path, PathBuf};
use std::process::Command;
use time::macros::date;
use unicode_normalization::UnicodeNormalization;

const LONG_ISSUER: &str = "Ban Chỉ đạo Phong trào Bình dân học vụ số tỉnh Bắc Ninh – Sở Khoa học và Công nghệ tỉnh Bắc Ninh phối hợp với Ủy ban nhân dân xã Yên Trung";

/// Runs a poppler tool, or panics naming the package that brings it.
fn run(tool: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = match Command::new(tool).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{tool}` is not installed: these tests read the PDF back with poppler. \
             Install the Debian package poppler-utils (apt-get install poppler-utils), \
             or run scripts/test, which installs it."
        ),
        Err(e) => panic!("`{tool}` could not run: {e}"),
    };
    assert!(
        out.status.success(),
        "`{tool}` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("poppler prints UTF-8")
}

fn certificate(code: &str, name: &str, level: &str, issuer: &str, day: time::Date) -> Certificate {
    let code = Code::parse(code).expect("a valid code");
    Certificate {
        verify_url: format!("https://hocvuso.bacninh.example.vn/xac-minh/{code}"),
        kind: Default::default(),
        code,
        holder_name: name.nfc().collect(),
        achievement: "Đạt phổ cập kỹ năng số – Cán bộ, công chức, viên chức".into(),
        criteria: "Đạt yêu cầu của tất cả các năng lực trong khung năng lực số dành cho nhóm \
                   cán bộ, công chức, viên chức ở mức đã ghi, qua bài kiểm tra cuối khóa."
            .into(),
        level: level.into(),
        issued_on: day,
        issuer_name: issuer.into(),
    }
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("hocvuso-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn every_page_reads_back_as_text_and_its_qr_code_as_the_address() {
    let certs = [
        certificate(
            "7K2M-9QXD-4HPA",
            "Nguyễn Thị Ngọc Ánh",
            "Trung cấp – mức 3",
            "Ban Chỉ đạo Phong trào Bình dân học vụ số tỉnh Bắc Ninh",
            date!(2026 - 12 - 06),
        ),
        certificate(
            "0H1J-KMNP-QRST",
            "Hoàng Văn Thắng – Lò Thị Mỷ",
            "Cơ bản – mức 1",
            LONG_ISSUER,
            date!(2027 - 01 - 31),
        ),
    ];
    // The names as typed are NFC, so finding them verbatim below proves the text is NFC too.
    for c in &certs {
        assert_eq!(c.holder_name.nfc().collect::<String>(), c.holder_name);
    }
    let bytes = render(&certs).expect("renders");
    assert!(bytes.starts_with(b"%PDF-"));
    let dir = TempDir::new("certificate-pdf");
    let pdf = dir.path().join("certificates.pdf");
    std::fs::write(&pdf, &bytes).expect("write the PDF");

    let text = run("pdftotext", &[pdf.as_os_str(), "-".as_ref()]);
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), certs.len(), "one page per certificate:\n{text}");
    for (page, c) in pages.iter().zip(&certs) {
        let date = vietnamese_date(c.issued_on);
        for wanted in [
            "GIẤY CHỨNG NHẬN",
            c.holder_name.as_str(),
            c.level.as_str(),
            c.achievement.as_str(),
            date.as_str(),
            c.code.as_str(),
            c.verify_url.as_str(),
            "Mã chứng nhận:",
            "Kiểm tra tại:",
        ] {
            assert!(page.contains(wanted), "page of {} lacks {wanted:?}:\n{page}", c.code);
        }
        // The issuer wraps onto several lines; every word of it is there, in order.
        let words: Vec<&str> = page.split_whitespace().collect();
        let issuer: Vec<&str> = c.issuer_name.split_whitespace().collect();
        assert!(
            words.windows(issuer.len()).any(|w| w == issuer.as_slice()),
            "page of {} lacks the issuer {:?}:\n{page}",
            c.code,
            c.issuer_name
        );
    }
    assert!(pages[0].contains("ngày 6 tháng 12 năm 2026"), "{}", pages[0]);

    // Real text in an embedded subset: pdffonts lists each font as embedded (emb) and subset (sub).
    let fonts = run("pdffonts", &[pdf.as_os_str()]);
    let rows: Vec<&str> = fonts.lines().filter(|l| l.contains("NotoSans")).collect();
    assert!(rows.len() >= 2, "regular and bold embedded:\n{fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert!(
            n >= 5 && cols[n - 5] == "yes" && cols[n - 4] == "yes" && cols[n - 3] == "yes",
            "emb, sub and uni yes:\n{fonts}"
        );
    }
    assert!(
        bytes.len() < 120_000,
        "two pages take {} bytes: is the font embedded whole?",
        bytes.len()
    );

    // The QR code of page 1, as a phone would see it on a 150 dpi print.
    let prefix = dir.path().join("page1");
    run(
        "pdftoppm",
        &[
            "-png".as_ref(),
            "-r".as_ref(),
            "150".as_ref(),
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            "-singlefile".as_ref(),
            pdf.as_os_str(),
            prefix.as_os_str(),
        ],
    );
    let png = dir.path().join("page1.png");
    let img = image::open(&png).expect("pdftoppm wrote page1.png").to_luma8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| img.get_pixel(x as u32, y as u32).0[0]);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    let (_, content) = grids[0].decode().expect("the QR code decodes");
    assert_eq!(content, certs[0].verify_url);
}

/// A class prints as one file: one page each, the two font subsets embedded once for all of them.
#[test]
fn a_class_batch_is_one_file_with_one_page_each() {
    let codes = ["0000-0000-0001", "0000-0000-0002", "0000-0000-0003"];
    let names = ["Lê Văn Đức", "Phạm Thị Thu Hương", "Lò Văn Quốc Bảo"];
    let certs: Vec<Certificate> = (0..30)
        .map(|i| {
            let mut code = codes[i % 3].to_string();
            code.replace_range(11..14, &format!("{i:03}"));
            certificate(
                &code,
                names[i % 3],
                "Cơ bản – mức 1",
                "Ban Chỉ đạo Phong trào Bình dân học vụ số xã Yên Trung",
                date!(2026 - 12 - 06),
            )
        })
        .collect();
    let bytes = render(&certs).expect("renders");
    let dir = TempDir::new("certificate-batch");
    let pdf = dir.path().join("class.pdf");
    std::fs::write(&pdf, &bytes).expect("write the PDF");
    let info = run("pdfinfo", &[pdf.as_os_str()]);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.split_whitespace().last() == Some("30")),
        "{info}"
    );
    let text = run("pdftotext", &[pdf.as_os_str(), "-".as_ref()]);
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    for (page, c) in pages.iter().zip(&certs) {
        assert!(
            page.contains(&c.holder_name) && page.contains(c.code.as_str()),
            "{page}"
        );
    }
    // Fonts once (~25 KB), then a few KB a page; a font per page would add ~25 KB each.
    assert!(bytes.len() < 40_000 + 30 * 8_000, "30 pages take {} bytes", bytes.len());
}
