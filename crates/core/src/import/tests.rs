use super::*;
use crate::people::TargetGroup;
use crate::text;
use time::Date;
use time::macros::date;

const TODAY: Date = date!(2026 - 11 - 24);

fn table(bytes: &[u8]) -> Table {
    read_table(bytes, &is_people_header).unwrap()
}

#[test]
fn csv_with_title_rows_and_bom() {
    let csv = "\u{FEFF}DANH SÁCH NGƯỜI DÂN\n\nHọ và tên,Ngày sinh,Giới tính,Số định danh\nNguyễn Văn An,14/03/1985,Nam,019085001234\n";
    let t = table(csv.as_bytes());
    assert_eq!(t.header_line, 3);
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].line, 4);
    let c = check_people(&t, TODAY, &Mappings::default()).unwrap();
    assert_eq!(c.good.len(), 1);
}

/// Windows-1258 writes tone marks as combining characters after a (possibly precomposed) base.
fn to_windows_1258(text: &str) -> Vec<u8> {
    use unicode_normalization::UnicodeNormalization;
    let mut out = Vec::new();
    for c in text.chars() {
        let one = c.to_string();
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&one);
        if !unmappable {
            out.extend_from_slice(&bytes);
            continue;
        }
        let tones = ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'];
        let d: String = c.to_string().nfd().collect();
        let base: String = d
            .chars()
            .filter(|m| !tones.contains(m))
            .collect::<String>()
            .nfc()
            .collect();
        let tone: String = d.chars().filter(|m| tones.contains(m)).collect();
        let composed = format!("{base}{tone}");
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&composed);
        assert!(!unmappable, "{c}");
        out.extend_from_slice(&bytes);
    }
    out
}

#[test]
fn windows_1258_and_utf16() {
    let text = "Họ và tên;Ngày sinh;Giới tính;Số định danh\nLê Thị Hồng;01/02/1990;Nữ;019190001111\n";
    let t = table(&to_windows_1258(text));
    let c = check_people(&t, TODAY, &Mappings::default()).unwrap();
    assert_eq!(c.good.len(), 1, "{:?}", c.errors);
    assert_eq!(c.good[0].1.full_name, "Lê Thị Hồng");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let c = check_people(&table(&utf16), TODAY, &Mappings::default()).unwrap();
    assert_eq!(c.good[0].1.full_name, "Lê Thị Hồng");
}

#[test]
fn every_bad_row_reported() {
    let csv = "Họ và tên,Ngày sinh,Giới tính,Số định danh\n\
               Nguyễn Văn An,14/03/1985,Nam,019085001234\n\
               ,31/02/1990,Nam,019090001234\n\
               Trần Bình,14/03/1985,Nam,019085001234\n\
               Lò Văn Sáng,01/01/1980,Nam,003080001234\n";
    let c = check_people(&table(csv.as_bytes()), TODAY, &Mappings::default()).unwrap();
    assert_eq!(c.good.len(), 1);
    let lines: Vec<(usize, &str)> = c.errors.iter().map(|e| (e.line, e.message.key.as_str())).collect();
    assert_eq!(
        lines,
        vec![
            (3, "err-text-empty"),
            (3, "err-date-invalid"),
            (4, "err-import-duplicate-in-file"),
            (5, "err-pid-province")
        ]
    );
    assert_eq!(c.errors[1].column, "Ngày sinh");
}

fn row(line: usize, cells: &[(&str, CellKind)], formula: bool) -> TableRow {
    TableRow {
        line,
        cells: cells.iter().map(|(c, _)| c.to_string()).collect(),
        kinds: cells.iter().map(|(_, k)| *k).collect(),
        formula,
    }
}

/// Lists as the police or the personnel office keep them: IDs stored as numbers or as text,
/// a repeated ID with other mistakes, a closing total row, groups written many ways.
#[test]
fn real_lists() {
    use CellKind::{Number, Text};
    let headers = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Đối tượng"];
    let t = Table {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        header_line: 1,
        rows: vec![
            // Stored as a number: the leading zero was lost by the spreadsheet.
            row(
                2,
                &[
                    ("1", Number),
                    ("Lò Văn Sáng", Text),
                    ("01/01/1980", Text),
                    ("Nam", Text),
                    ("19080001234", Number),
                    ("Người lao động doanh nghiệp", Text),
                ],
                false,
            ),
            // Typed as text with a digit missing: not padded.
            row(
                3,
                &[
                    ("2", Number),
                    ("Lò Thị Hoa", Text),
                    ("01/01/1981", Text),
                    ("Nữ", Text),
                    ("01918100123", Text),
                    ("CB, CC, VC", Text),
                ],
                false,
            ),
            // Repeats line 2's number and has a bad date: the duplicate is what is reported.
            row(
                4,
                &[
                    ("3", Number),
                    ("Lò Văn Sáng", Text),
                    ("31/02/1980", Text),
                    ("Nam", Text),
                    ("019080001234", Text),
                    ("HS-SV", Text),
                ],
                false,
            ),
            row(
                5,
                &[
                    ("4", Number),
                    ("Vì Thị Mai", Text),
                    ("02/02/1990", Text),
                    ("Nữ", Text),
                    ("019190002345", Text),
                    ("Hội viên phụ nữ", Text),
                ],
                false,
            ),
            row(
                6,
                &[
                    ("5", Number),
                    ("Vì Văn Tú", Text),
                    ("03/03/1991", Text),
                    ("Nam", Text),
                    ("019091003456", Text),
                    ("hội viên phụ nữ", Text),
                ],
                false,
            ),
            row(
                7,
                &[
                    ("", Text),
                    ("Tổng cộng", Text),
                    ("", Text),
                    ("", Text),
                    ("", Text),
                    ("5", Number),
                ],
                true,
            ),
        ],
    };
    let c = check_people(&t, TODAY, &Mappings::default()).unwrap();
    let good: Vec<(usize, &str)> = c.good.iter().map(|(l, p)| (*l, p.personal_id.as_str())).collect();
    assert_eq!(good, vec![(2, "019080001234")]);
    assert!(c.good[0].1.groups.contains(TargetGroup::Worker));
    let errors: Vec<(usize, &str, &str)> = c
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_str(), e.message.key.as_str()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (3, "Số CCCD", "err-import-pid-short"),
            (4, "Số CCCD", "err-import-duplicate-in-file"),
            (5, "Đối tượng", "err-group-unknown"),
            (6, "Đối tượng", "err-group-unknown"),
        ]
    );
    assert_eq!(c.errors[0].message.args, vec![("len".to_string(), "11".to_string())]);
    assert_eq!(c.errors[1].message.args, vec![("first".to_string(), "2".to_string())]);
    let notes: Vec<(usize, &str)> = c.notes.iter().map(|n| (n.line, n.message.key.as_str())).collect();
    assert_eq!(notes, vec![(2, "note-import-pid-padded"), (7, "note-import-total-row")]);
    assert_eq!(c.total_rows, 5);
    assert_eq!(c.unknown_groups, vec![("Hội viên phụ nữ".to_string(), 2)]);

    // Once the officer says what the value means, the same file passes.
    let mut m = Mappings::default();
    m.groups
        .insert(crate::people::group_key("Hội viên phụ nữ"), TargetGroup::Resident);
    let c = check_people(&t, TODAY, &m).unwrap();
    let good: Vec<usize> = c.good.iter().map(|(l, _)| *l).collect();
    assert_eq!(good, vec![2, 5, 6]);
    assert!(c.unknown_groups.is_empty());
}

/// A header nobody wrote into the platform, mapped by the officer once.
#[test]
fn mapped_headers() {
    let csv = "Họ và tên,Ngày sinh,Phái,Mã định danh công dân\nNguyễn Văn An,14/03/1985,Nam,019085001234\n";
    let t = table(csv.as_bytes());
    let none = Mappings::default();
    assert_eq!(missing_fields(&t, &none), vec!["sex", "personal_id"]);
    assert_eq!(unknown_headers(&t, &none), vec!["Phái", "Mã định danh công dân"]);
    assert_eq!(
        check_people(&t, TODAY, &none).unwrap_err().key,
        "err-file-missing-columns"
    );
    let mut m = Mappings::default();
    m.columns.insert(text::fold("Phái"), "sex");
    m.columns.insert(text::fold("Mã định danh công dân"), "personal_id");
    assert!(missing_fields(&t, &m).is_empty());
    let c = check_people(&t, TODAY, &m).unwrap();
    assert_eq!(c.good.len(), 1, "{:?}", c.errors);
    assert_eq!(c.headers.of("personal_id"), "Mã định danh công dân");
}

/// The template's headers (both languages) and its example row are what the check expects.
#[test]
fn template_is_read_back() {
    for lang in [crate::Lang::Vi, crate::Lang::En] {
        let headers: Vec<String> = people_fields()
            .map(|f| crate::i18n::t(lang, &format!("template-header-{f}")))
            .collect();
        let fields: Vec<Option<&str>> = headers.iter().map(|h| people_column(h)).collect();
        assert_eq!(fields, people_fields().map(Some).collect::<Vec<_>>(), "{lang:?}");
        let example: Vec<&str> = people_fields()
            .map(|f| {
                TEMPLATE_EXAMPLE
                    .iter()
                    .find(|(k, _)| *k == f)
                    .map(|(_, v)| *v)
                    .unwrap_or("")
            })
            .collect();
        let csv = format!("{}\n{}\n", headers.join(","), example.join(","));
        let c = check_people(&table(csv.as_bytes()), TODAY, &Mappings::default()).unwrap();
        assert!(c.good.is_empty() && c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(c.notes[0].message.key, "note-import-example-row");
        // The example itself is a valid person, so a copy with another name imports.
        let other = csv.replace("Nguyễn Văn Mẫu", "Nguyễn Văn Thật");
        let c = check_people(&table(other.as_bytes()), TODAY, &Mappings::default()).unwrap();
        assert_eq!(c.good.len(), 1, "{:?}", c.errors);
    }
}

#[test]
fn bad_files() {
    assert_eq!(read_table(b"", &is_people_header).unwrap_err().key, "err-file-empty");
    assert_eq!(
        read_table(b"a,b\n1,2\n", &is_people_header).unwrap_err().key,
        "err-file-no-header"
    );
    assert_eq!(
        read_table(b"\x00\x01\x02\x03binary\x00\x00\xff", &is_people_header)
            .unwrap_err()
            .key,
        "err-file-binary"
    );
    assert_eq!(
        read_table(b"PK\x03\x04garbage", &is_people_header).unwrap_err().key,
        "err-file-xlsx"
    );
    let t = table("Họ và tên,Ngày sinh\nA,1/1/2000\n".as_bytes());
    assert_eq!(
        check_people(&t, TODAY, &Mappings::default()).unwrap_err().key,
        "err-file-missing-columns"
    );
}
