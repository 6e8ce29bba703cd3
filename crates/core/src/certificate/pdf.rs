//! The printed certificate: one A4 landscape page per certificate, a class's batch in one PDF.
//!
//! Text is drawn as real text in Noto Sans (shipped in `data/fonts/` with its licence), embedded
//! as a subset with a ToUnicode map, so a page stays small and its words can be searched, copied
//! and read aloud. Every variable field is fitted into a box of its own: shrunk, then wrapped, and
//! refused with [`PdfError::TooLong`] rather than drawn over its neighbour or off the page.

use super::Certificate;
use crate::i18n::{Lang, Message};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use time::Date;
use unicode_normalization::UnicodeNormalization;

static REGULAR: &[u8] = include_bytes!("../../../../data/fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../../data/fonts/NotoSans-Bold.ttf");

/// A4 landscape in PostScript points (297 × 210 mm).
const PAGE_W: f32 = 841.89;
const PAGE_H: f32 = 595.28;
const CENTER_X: f32 = PAGE_W / 2.0;
/// Where the lower part (QR code, code, date, issuer) starts; the middle part must end above it.
const LOWER_TOP: f32 = 418.0;
const LINE_HEIGHT: f32 = 1.3;

/// An RGB colour.
type Rgb = (u8, u8, u8);

const INK: Rgb = (25, 25, 25);
const TITLE_RED: Rgb = (163, 31, 36);
const NAME_BLUE: Rgb = (18, 52, 110);
const GOLD: Rgb = (184, 140, 52);
const GREY: Rgb = (85, 85, 85);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// A PDF needs at least one page.
    #[error("no certificate to print: the list is empty")]
    NoCertificates,
    #[error("the {field} of certificate {code} is too long to fit on its page, even in the smallest print size")]
    TooLong { code: String, field: &'static str },
    /// A character the bundled font has no glyph for would print as an empty box.
    #[error("the {field} of certificate {code} contains {ch:?} (U+{:04X}), which the certificate font cannot print", *ch as u32)]
    Unprintable {
        code: String,
        field: &'static str,
        ch: char,
    },
    #[error("the verification address of certificate {code} does not fit in a QR code: {reason}")]
    Qr { code: String, reason: String },
    #[error("the bundled font data/fonts/{0} could not be read")]
    Font(&'static str),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// A day as Vietnamese documents write it: "ngày 6 tháng 12 năm 2026" (no leading zeros).
pub fn vietnamese_date(d: Date) -> String {
    format!("ngày {} tháng {} năm {}", d.day(), u8::from(d.month()), d.year())
}

/// Renders the certificates as one PDF, one page each, in the order given.
pub fn render(certs: &[Certificate]) -> Result<Vec<u8>, PdfError> {
    if certs.is_empty() {
        return Err(PdfError::NoCertificates);
    }
    let fonts = Fonts::load()?;
    let lang = Lang::Vi;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(Message::new("cert-pdf-doc-title").render(lang))
            .language(lang.code().to_string())
            .creator("hocvuso".to_string()),
    );
    for cert in certs {
        // A field that does not fit fails the whole batch: never a class's PDF with a page missing.
        let page = layout(cert, &fonts, lang)?;
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PdfError::Pdf("bad page size".into()))?;
        let mut pdf_page = document.start_page_with(settings);
        let mut surface = pdf_page.surface();
        draw(&mut surface, &fonts, &page);
        surface.finish();
        pdf_page.finish();
    }
    document.finish().map_err(|e| PdfError::Pdf(e.to_string()))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Weight {
    Regular,
    Bold,
}

struct Face {
    pdf: Font,
    shaper: rustybuzz::Face<'static>,
    units_per_em: f32,
}

struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    fn load() -> Result<Fonts, PdfError> {
        let face = |data: &'static [u8], name: &'static str| -> Result<Face, PdfError> {
            let shaper = rustybuzz::Face::from_slice(data, 0).ok_or(PdfError::Font(name))?;
            let pdf = Font::new(data.into(), 0).ok_or(PdfError::Font(name))?;
            Ok(Face {
                units_per_em: shaper.units_per_em() as f32,
                pdf,
                shaper,
            })
        };
        Ok(Fonts {
            regular: face(REGULAR, "NotoSans-Regular.ttf")?,
            bold: face(BOLD, "NotoSans-Bold.ttf")?,
        })
    }

    fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Width of `text` at 1 pt, shaped as krilla shapes it (kerning included).
    fn width(&self, weight: Weight, text: &str) -> f32 {
        let face = self.face(weight);
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(&face.shaper, &[], buffer);
        let units: i64 = shaped.glyph_positions().iter().map(|p| i64::from(p.x_advance)).sum();
        units as f32 / face.units_per_em
    }

    fn missing_glyph(&self, weight: Weight, text: &str) -> Option<char> {
        let face = &self.face(weight).shaper;
        text.chars()
            .find(|&c| !c.is_whitespace() && !c.is_control() && face.glyph_index(c).is_none())
    }
}

#[derive(Clone, Copy, Debug)]
enum Align {
    Left,
    Center,
}

/// One line of text placed on the page; `x` is its left edge or its centre, by `align`.
#[derive(Debug)]
struct Line {
    text: String,
    weight: Weight,
    size: f32,
    color: Rgb,
    x: f32,
    baseline: f32,
    align: Align,
}

struct PageLayout {
    lines: Vec<Line>,
    /// The QR code's modules, row by row, and where its top-left corner goes.
    qr: Vec<Vec<bool>>,
    qr_origin: (f32, f32),
    qr_module: f32,
}

/// A box a field must fit in: its width, the height its lines may take, and the print sizes to
/// try from the largest down.
struct Fit {
    field: &'static str,
    weight: Weight,
    max_size: f32,
    min_size: f32,
    width: f32,
    height: f32,
}

/// Picks the largest size (in half-point steps) at which `text` wraps into lines that fit the
/// box; `None` when even the smallest size overflows it.
fn fit(fonts: &Fonts, text: &str, f: &Fit) -> Option<(f32, Vec<String>)> {
    // Widths scale with the size, so each word is shaped once, at 1 pt.
    let words: Vec<(&str, f32)> = text.split_whitespace().map(|w| (w, fonts.width(f.weight, w))).collect();
    let space = fonts.width(f.weight, " ");
    let mut size = f.max_size;
    while size >= f.min_size - 1e-3 {
        let width = f.width / size;
        // Sums of word widths miss kerning across words; a 1 % margin absorbs it, and each line
        // is measured whole before it is accepted.
        let lines = wrap(fonts, f.weight, &words, space, width * 0.99);
        let tall_enough = lines.len() as f32 * size * LINE_HEIGHT <= f.height + 1e-3;
        if tall_enough && lines.iter().all(|l| fonts.width(f.weight, l) <= width) {
            return Some((size, lines));
        }
        size -= 0.5;
    }
    None
}

/// Greedy word wrap for a line `width` measured at 1 pt. A word wider than a line (an address,
/// a name without spaces) is broken between characters rather than let run off the page.
fn wrap(fonts: &Fonts, weight: Weight, words: &[(&str, f32)], space: f32, width: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_w = 0.0;
    for &(word, w) in words {
        if !current.is_empty() && current_w + space + w <= width {
            current.push(' ');
            current.push_str(word);
            current_w += space + w;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if w <= width {
            current = word.to_string();
            current_w = w;
            continue;
        }
        current_w = 0.0;
        for c in word.chars() {
            let mut buf = [0u8; 4];
            let cw = fonts.width(weight, c.encode_utf8(&mut buf));
            if !current.is_empty() && current_w + cw > width {
                lines.push(std::mem::take(&mut current));
                current_w = 0.0;
            }
            current.push(c);
            current_w += cw;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Fits `text` into its box and places its lines from `top` down; returns the bottom edge.
#[allow(clippy::too_many_arguments)]
fn place(
    out: &mut Vec<Line>,
    fonts: &Fonts,
    cert: &Certificate,
    text: &str,
    f: &Fit,
    color: Rgb,
    x: f32,
    top: f32,
    align: Align,
) -> Result<f32, PdfError> {
    if let Some(ch) = fonts.missing_glyph(f.weight, text) {
        return Err(PdfError::Unprintable {
            code: cert.code.to_string(),
            field: f.field,
            ch,
        });
    }
    let (size, lines) = fit(fonts, text, f).ok_or_else(|| PdfError::TooLong {
        code: cert.code.to_string(),
        field: f.field,
    })?;
    let line_height = size * LINE_HEIGHT;
    // The first baseline sits a cap height and a little below the top: Noto's capitals with
    // Vietnamese marks above (Ấ, Ỗ) reach about 0.95 em.
    let mut baseline = top + size * 0.95;
    for text in lines {
        out.push(Line {
            text,
            weight: f.weight,
            size,
            color,
            x,
            baseline,
            align,
        });
        baseline += line_height;
    }
    Ok(baseline - line_height + size * 0.3)
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

fn layout(cert: &Certificate, fonts: &Fonts, lang: Lang) -> Result<PageLayout, PdfError> {
    let t = |key: &str| Message::new(key).render(lang);
    let mut lines = Vec::new();
    let code = cert.code.to_string();
    let wide = 700.0;

    let title = Fit {
        field: "title",
        weight: Weight::Bold,
        max_size: 34.0,
        min_size: 20.0,
        width: wide,
        height: 50.0,
    };
    place(
        &mut lines,
        fonts,
        cert,
        &t("cert-pdf-title"),
        &title,
        TITLE_RED,
        CENTER_X,
        70.0,
        Align::Center,
    )?;
    let middle_start = lines.len();
    let certifies = Fit {
        field: "certifies",
        weight: Weight::Regular,
        max_size: 15.0,
        min_size: 10.0,
        width: wide,
        height: 20.0,
    };
    let mut y = place(
        &mut lines,
        fonts,
        cert,
        &t("cert-pdf-certifies"),
        &certifies,
        INK,
        CENTER_X,
        136.0,
        Align::Center,
    )?;

    // The middle part flows down; the heights below add up (with the gaps) to less than
    // LOWER_TOP minus where it starts, so the most crowded page still ends above the lower part.
    let blocks: [(String, Fit, Rgb, f32); 4] = [
        (
            nfc(&cert.holder_name),
            Fit {
                field: "holder name",
                weight: Weight::Bold,
                max_size: 34.0,
                min_size: 16.0,
                width: wide,
                height: 80.0,
            },
            NAME_BLUE,
            10.0,
        ),
        (
            nfc(&cert.achievement),
            Fit {
                field: "achievement",
                weight: Weight::Regular,
                max_size: 17.0,
                min_size: 10.0,
                width: 660.0,
                height: 62.0,
            },
            INK,
            10.0,
        ),
        (
            Message::new(match cert.kind {
                super::Kind::Attainment => "cert-pdf-level",
                super::Kind::CourseCompletion => "cert-pdf-course-level",
            })
            .arg("level", nfc(&cert.level))
            .render(lang),
            Fit {
                field: "level",
                weight: Weight::Bold,
                max_size: 14.0,
                min_size: 9.0,
                width: 660.0,
                height: 36.0,
            },
            INK,
            8.0,
        ),
        (
            nfc(&cert.criteria),
            Fit {
                field: "criteria",
                weight: Weight::Regular,
                max_size: 10.0,
                min_size: 7.0,
                width: 620.0,
                height: 48.0,
            },
            GREY,
            8.0,
        ),
    ];
    for (text, f, color, gap) in &blocks {
        if text.trim().is_empty() {
            continue;
        }
        y = place(
            &mut lines,
            fonts,
            cert,
            text,
            f,
            *color,
            CENTER_X,
            y + gap,
            Align::Center,
        )?;
    }
    debug_assert!(y <= LOWER_TOP, "middle part ends at {y}");
    // A short page would leave a gap above the lower part: centre the middle part in its room.
    let shift = ((LOWER_TOP - 12.0 - y) / 2.0).max(0.0);
    for line in &mut lines[middle_start..] {
        line.baseline += shift;
    }

    // Lower left: the QR code, the code beside it, the address under it.
    let qr = qr_modules(&cert.verify_url).map_err(|reason| PdfError::Qr {
        code: code.clone(),
        reason,
    })?;
    let qr_side = 96.0;
    let qr_origin = (64.0, LOWER_TOP);
    let qr_module = qr_side / qr.len().max(1) as f32;
    let code_fit = Fit {
        field: "code",
        weight: Weight::Bold,
        max_size: 12.0,
        min_size: 8.0,
        width: 220.0,
        height: 34.0,
    };
    place(
        &mut lines,
        fonts,
        cert,
        &Message::new("cert-pdf-code").arg("code", &code).render(lang),
        &code_fit,
        INK,
        qr_origin.0 + qr_side + 14.0,
        LOWER_TOP + 30.0,
        Align::Left,
    )?;
    let url_fit = Fit {
        field: "verification address",
        weight: Weight::Regular,
        max_size: 9.0,
        min_size: 6.0,
        width: 330.0,
        height: 24.0,
    };
    place(
        &mut lines,
        fonts,
        cert,
        &Message::new("cert-pdf-verify-at")
            .arg("url", cert.verify_url.trim())
            .render(lang),
        &url_fit,
        GREY,
        qr_origin.0,
        LOWER_TOP + qr_side + 12.0,
        Align::Left,
    )?;

    // Lower right: the date and the issuing body, where a signature block stands.
    let right_x = 612.0;
    let date_fit = Fit {
        field: "date",
        weight: Weight::Regular,
        max_size: 12.0,
        min_size: 9.0,
        width: 320.0,
        height: 18.0,
    };
    let y = place(
        &mut lines,
        fonts,
        cert,
        &Message::new("cert-pdf-issued-on")
            .arg("date", vietnamese_date(cert.issued_on))
            .render(lang),
        &date_fit,
        INK,
        right_x,
        LOWER_TOP + 6.0,
        Align::Center,
    )?;
    let issuer_fit = Fit {
        field: "issuer name",
        weight: Weight::Bold,
        max_size: 14.0,
        min_size: 8.0,
        width: 320.0,
        height: 100.0,
    };
    place(
        &mut lines,
        fonts,
        cert,
        &nfc(&cert.issuer_name),
        &issuer_fit,
        INK,
        right_x,
        y + 8.0,
        Align::Center,
    )?;

    Ok(PageLayout {
        lines,
        qr,
        qr_origin,
        qr_module,
    })
}

/// The QR code's dark modules, with medium error correction: a printed page gets folded and
/// smudged, and a verification address is short enough that M keeps the code small.
fn qr_modules(url: &str) -> Result<Vec<Vec<bool>>, String> {
    let code =
        qrcode::QrCode::with_error_correction_level(url.trim(), qrcode::EcLevel::M).map_err(|e| e.to_string())?;
    let width = code.width();
    let colors = code.to_colors();
    Ok(colors
        .chunks(width)
        .map(|row| row.iter().map(|c| *c == qrcode::Color::Dark).collect())
        .collect())
}

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn stroke_rect(surface: &mut Surface, inset: f32, width: f32, color: Rgb) {
    let mut pb = PathBuilder::new();
    if let Some(rect) = Rect::from_xywh(inset, inset, PAGE_W - 2.0 * inset, PAGE_H - 2.0 * inset) {
        pb.push_rect(rect);
    }
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(color.0, color.1, color.2).into(),
            width,
            ..Default::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

fn draw(surface: &mut Surface, fonts: &Fonts, page: &PageLayout) {
    stroke_rect(surface, 20.0, 3.0, TITLE_RED);
    stroke_rect(surface, 28.0, 1.0, GOLD);

    // A short rule under the title.
    let mut pb = PathBuilder::new();
    if let Some(rect) = Rect::from_xywh(CENTER_X - 70.0, 118.0, 140.0, 1.2) {
        pb.push_rect(rect);
    }
    if let Some(path) = pb.finish() {
        surface.set_fill(Some(fill(GOLD)));
        surface.draw_path(&path);
    }

    // The QR code as one vector path: each run of dark modules in a row is one rectangle, so it
    // stays sharp at any print resolution and costs a few hundred bytes.
    let mut pb = PathBuilder::new();
    let (ox, oy) = page.qr_origin;
    let m = page.qr_module;
    for (r, row) in page.qr.iter().enumerate() {
        let mut c = 0;
        while c < row.len() {
            if !row[c] {
                c += 1;
                continue;
            }
            let start = c;
            while c < row.len() && row[c] {
                c += 1;
            }
            if let Some(rect) = Rect::from_xywh(ox + start as f32 * m, oy + r as f32 * m, (c - start) as f32 * m, m) {
                pb.push_rect(rect);
            }
        }
    }
    if let Some(path) = pb.finish() {
        surface.set_fill(Some(fill((0, 0, 0))));
        surface.draw_path(&path);
    }

    for line in &page.lines {
        let face = fonts.face(line.weight);
        let x = match line.align {
            Align::Left => line.x,
            Align::Center => line.x - fonts.width(line.weight, &line.text) * line.size / 2.0,
        };
        surface.set_fill(Some(fill(line.color)));
        surface.draw_text(
            Point::from_xy(x, line.baseline),
            face.pdf.clone(),
            line.size,
            &line.text,
            false,
            TextDirection::Auto,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::Code;
    use time::macros::date;

    fn cert(name: &str, issuer: &str) -> Certificate {
        Certificate {
            code: Code::parse("7K2M-9QXD-4HPA").expect("valid code"),
            holder_name: name.into(),
            achievement: "Đạt phổ cập kỹ năng số – Cán bộ, công chức, viên chức".into(),
            criteria: "Đạt yêu cầu của tất cả các năng lực trong khung năng lực số dành cho nhóm đối tượng.".into(),
            level: "Trung cấp – mức 3".into(),
            issued_on: date!(2026 - 12 - 06),
            issuer_name: issuer.into(),
            verify_url: "https://hocvuso.example.vn/xac-minh/7K2M-9QXD-4HPA".into(),
            kind: Default::default(),
        }
    }

    #[test]
    fn dates_read_the_vietnamese_way() {
        assert_eq!(vietnamese_date(date!(2026 - 12 - 06)), "ngày 6 tháng 12 năm 2026");
        assert_eq!(vietnamese_date(date!(2027 - 01 - 31)), "ngày 31 tháng 1 năm 2027");
    }

    /// Every line lies inside the inner border and the middle part ends above the lower part,
    /// however long the fields get, up to the point where rendering refuses them.
    #[test]
    fn long_fields_shrink_and_wrap_inside_the_page() {
        let fonts = Fonts::load().expect("fonts");
        let long_issuer = "Ban Chỉ đạo Phong trào Bình dân học vụ số tỉnh Bắc Ninh – Sở Khoa học và Công nghệ, Ủy ban nhân dân xã Yên Trung, huyện Yên Phong, tỉnh Bắc Ninh";
        let long_name = "Nguyễn Hoàng Thị Ngọc Ánh Phương Thảo Minh Châu Bảo Ngọc Kim Ngân Thanh Hương Diệu Linh";
        let no_spaces = "https://hocvuso.example.vn/xac-minh/7K2M-9QXD-4HPA?".repeat(3);
        let mut c = cert(long_name, long_issuer);
        c.criteria = c.criteria.repeat(3);
        c.achievement = c.achievement.repeat(2);
        c.verify_url = no_spaces;
        let page = layout(&c, &fonts, Lang::Vi).expect("fits");
        for l in &page.lines {
            let w = fonts.width(l.weight, &l.text) * l.size;
            let (left, right) = match l.align {
                Align::Left => (l.x, l.x + w),
                Align::Center => (l.x - w / 2.0, l.x + w / 2.0),
            };
            assert!(
                left >= 30.0 && right <= PAGE_W - 30.0,
                "{:?} runs {left}–{right}",
                l.text
            );
            assert!(l.baseline <= PAGE_H - 30.0, "{:?}", l.text);
        }
        let issuer_lines = page.lines.iter().filter(|l| long_issuer.contains(l.text.as_str()));
        assert!(issuer_lines.count() >= 2, "the long issuer wraps");
        let name_lines: Vec<_> = page
            .lines
            .iter()
            .filter(|l| long_name.contains(l.text.as_str()))
            .collect();
        assert!(!name_lines.is_empty());
        let last = name_lines.last().expect("a name line");
        let words: String = name_lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" ");
        assert_eq!(words, long_name, "wrapping loses no word");
        assert!(last.baseline < LOWER_TOP);
        // The middle part's last line (criteria) ends above the lower part.
        let criteria_last = page
            .lines
            .iter()
            .filter(|l| l.color == GREY && l.align_center())
            .map(|l| l.baseline)
            .fold(0.0, f32::max);
        assert!(criteria_last < LOWER_TOP, "{criteria_last}");
    }

    #[test]
    fn what_cannot_fit_is_refused_not_overprinted() {
        let fonts = Fonts::load().expect("fonts");
        let c = cert(&"Nguyễn Văn An ".repeat(60), "Ban Chỉ đạo");
        assert!(matches!(
            layout(&c, &fonts, Lang::Vi),
            Err(PdfError::TooLong {
                field: "holder name",
                ..
            })
        ));
        let c = cert("Trần 王 An", "Ban Chỉ đạo");
        let err = layout(&c, &fonts, Lang::Vi).err().expect("refused");
        assert!(matches!(err, PdfError::Unprintable { ch: '王', .. }), "{err}");
        assert!(err.to_string().contains("U+738B"), "{err}");
        assert!(matches!(render(&[]), Err(PdfError::NoCertificates)));
    }

    impl Line {
        fn align_center(&self) -> bool {
            matches!(self.align, Align::Center)
        }
    }
}
