//! Confirmations of attainment made on the national platform (VNeID), as an officer exports them:
//! the columns of such a file and the check of each row.
//!
//! Nobody has published the columns of a VNeID export, so none is taken for official: a header is
//! recognised among reasonable Vietnamese spellings (with or without diacritics, any order), and
//! the people list's own spellings of the ID number, the name and the target group are accepted
//! too (`docs/DECISIONS.md`, "VNeID confirmations"). The file is read by the people import's
//! reader, under its limits.

use super::{Columns, RowError, RowErrors, Table, TableRow, people_column, restore_pid};
use crate::i18n::Message;
use crate::people::{TargetGroup, parse_date};
use crate::personal_id::PersonalId;
use crate::text;
use std::collections::HashMap;
use time::Date;

/// Spellings (folded by [`text::fold`]) a VNeID export may use beside the people list's.
const VNEID_COLUMNS: &[(&str, &[&str])] = &[
    (
        "personal_id",
        &[
            "so dinh danh cccd",
            "so cccd so dinh danh",
            "so dinh danh ca nhan cccd",
            "so dinh danh can cuoc",
            "ma dinh danh",
            "ma so dinh danh",
            "so can cuoc cong dan",
            "so the can cuoc",
        ],
    ),
    (
        "full_name",
        &["ho va ten cong dan", "ten cong dan", "ho ten cong dan", "cong dan"],
    ),
    (
        "group",
        &[
            "doi tuong pho cap",
            "nhom doi tuong pho cap",
            "loai doi tuong",
            "ma doi tuong",
            "nhom",
            "doi tuong xac nhan",
        ],
    ),
    (
        "level",
        &[
            "muc",
            "muc do",
            "muc dat",
            "muc do dat",
            "muc do pho cap",
            "trinh do",
            "cap do",
            "level",
        ],
    ),
    (
        "attained_on",
        &[
            "ngay xac nhan",
            "ngay xac nhan dat",
            "ngay dat",
            "ngay hoan thanh",
            "thoi gian xac nhan",
            "thoi diem xac nhan",
            "ngay",
            "date",
            "confirmed on",
            "attained on",
        ],
    ),
];

/// The fields a file must have a column for.
pub const VNEID_REQUIRED: [&str; 3] = ["personal_id", "group", "attained_on"];

/// The field a header of a VNeID file names: its own spellings, then the people list's for the
/// fields both lists share (the people list's "Đối tượng" is this file's group).
pub fn vneid_column(header: &str) -> Option<&'static str> {
    let f = text::fold(header);
    if let Some((field, _)) = VNEID_COLUMNS.iter().find(|(_, names)| names.contains(&f.as_str())) {
        return Some(field);
    }
    match people_column(header)? {
        "personal_id" => Some("personal_id"),
        "full_name" => Some("full_name"),
        "groups" => Some("group"),
        _ => None,
    }
}

pub fn is_vneid_header(header: &str) -> bool {
    vneid_column(header).is_some()
}

/// A confirmation read from a row: whose, for which group, to which level, on which day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VneidRow {
    pub line: usize,
    pub personal_id: PersonalId,
    /// As the file writes it; the ID number decides who is confirmed, so it is never compared.
    pub full_name: String,
    pub group: TargetGroup,
    /// As the file writes it; `None` when the file has no level for the row.
    pub level: Option<String>,
    pub attained_on: Date,
}

#[derive(Debug, Default)]
pub struct CheckedVneid {
    pub good: Vec<VneidRow>,
    pub errors: RowErrors,
    /// Things the officer should know about rows that were kept (a restored leading zero).
    pub notes: RowErrors,
    pub total_rows: usize,
    /// The file's header of the ID number's column, to report rows refused later by it.
    pub pid_header: String,
}

const LEVEL_MAX: usize = 60;
const NAME_MAX: usize = 150;

/// A confirmation's day as exports write it: dd/mm/yyyy or ISO, possibly followed by a time
/// ("14/03/2026 09:30", "2026-03-14T09:30:00") that is not kept.
fn confirmation_date(input: &str) -> Result<Date, Message> {
    let s = input.trim();
    let day = s.split(|c: char| c.is_whitespace() || c == 'T').next().unwrap_or(s);
    parse_date("vneid_date", day).map_err(|m| {
        // The message names the value as written, time included.
        if m.key == "err-text-empty" {
            m
        } else {
            Message::new(&m.key).arg("field", "vneid_date").arg("value", s)
        }
    })
}

/// Turns a table into confirmations, reporting every problem of every row with its line.
pub fn check_vneid(table: &Table, today: Date) -> Result<CheckedVneid, Message> {
    let cols = Columns::find(table, vneid_column);
    let missing: Vec<String> = VNEID_REQUIRED
        .iter()
        .filter(|f| !cols.has(f))
        .map(|f| crate::i18n::t(crate::Lang::Vi, &format!("field-vneid_{f}")))
        .collect();
    if !missing.is_empty() {
        return Err(Message::new("err-file-missing-columns").arg("columns", missing.join(", ")));
    }
    let header_of = |field: &str| cols.header(field);
    let cell = |row: &TableRow, field: &str| cols.cell(row, field).trim().to_string();
    let pid_col = cols.position("personal_id");
    let mut out = CheckedVneid {
        total_rows: table.rows.len(),
        pid_header: header_of("personal_id"),
        ..Default::default()
    };
    let mut seen: HashMap<(PersonalId, &'static str), usize> = HashMap::new();
    for row in &table.rows {
        let mut problems: Vec<(&str, Message)> = Vec::new();
        let mut pid_text = cell(row, "personal_id");
        let personal_id = match restore_pid(row, pid_col, &pid_text) {
            Ok(restored) => {
                if let Some((padded, note)) = restored {
                    out.notes.push(RowError {
                        line: row.line,
                        column: header_of("personal_id"),
                        message: note,
                    });
                    pid_text = padded;
                }
                PersonalId::parse(&pid_text)
            }
            Err(m) => Err(m),
        }
        .map_err(|m| problems.push(("personal_id", m)))
        .ok();
        let group_text = cell(row, "group");
        let group = if group_text.is_empty() {
            problems.push(("group", Message::new("err-vneid-group-empty")));
            None
        } else {
            let g = TargetGroup::parse(&group_text);
            if g.is_none() {
                problems.push(("group", Message::new("err-vneid-group").arg("value", &group_text)));
            }
            g
        };
        let attained_on = confirmation_date(&cell(row, "attained_on"))
            .and_then(|d| {
                if d > today {
                    Err(Message::new("err-vneid-date-future").arg("date", crate::people::format_date(d)))
                } else {
                    Ok(d)
                }
            })
            .map_err(|m| problems.push(("attained_on", m)))
            .ok();
        let level = match text::clean_line("vneid_level", &cell(row, "level"), LEVEL_MAX) {
            Ok(l) if l.is_empty() => None,
            Ok(l) => Some(l),
            Err(m) => {
                problems.push(("level", m));
                None
            }
        };
        // A name the file garbles is no reason to refuse a row the ID number identifies.
        let full_name = text::clean_line("full_name", &cell(row, "full_name"), NAME_MAX).unwrap_or_default();
        match (personal_id, group, attained_on) {
            (Some(personal_id), Some(group), Some(attained_on)) if problems.is_empty() => {
                if let Some(first) = seen.get(&(personal_id.clone(), group.as_str())) {
                    out.errors.push(RowError {
                        line: row.line,
                        column: header_of("personal_id"),
                        message: Message::new("err-vneid-duplicate").arg("first", *first),
                    });
                    continue;
                }
                seen.insert((personal_id.clone(), group.as_str()), row.line);
                out.good.push(VneidRow {
                    line: row.line,
                    personal_id,
                    full_name,
                    group,
                    level,
                    attained_on,
                });
            }
            _ => {
                for (field, message) in problems {
                    out.errors.push(RowError {
                        line: row.line,
                        column: header_of(field),
                        message,
                    });
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read_table;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 06);

    fn check(csv: &str) -> CheckedVneid {
        let t = read_table(csv.as_bytes(), &is_vneid_header).unwrap();
        check_vneid(&t, TODAY).unwrap()
    }

    fn keys(c: &CheckedVneid) -> Vec<(usize, &str)> {
        c.errors.iter().map(|e| (e.line, e.message.key.as_str())).collect()
    }

    #[test]
    fn headers_in_any_order_with_or_without_diacritics() {
        let c = check(
            "BÁO CÁO XÁC NHẬN\nNgay xac nhan;Doi tuong;So dinh danh / CCCD;Ho va ten;Muc do\n\
             14/03/2026;Người dân;001090000001;Nguyễn Văn An;Cơ bản\n\
             2026-04-01;CBCCVC;001090000002;Lê Thị Bình;\n",
        );
        assert_eq!(keys(&c), vec![]);
        assert_eq!(c.good.len(), 2);
        assert_eq!(c.good[0].line, 3);
        assert_eq!(c.good[0].group, TargetGroup::Resident);
        assert_eq!(c.good[0].level.as_deref(), Some("Cơ bản"));
        assert_eq!(c.good[0].attained_on, date!(2026 - 03 - 14));
        assert_eq!(c.good[1].group, TargetGroup::PublicStaff);
        assert_eq!(c.good[1].level, None);
    }

    #[test]
    fn the_people_lists_spellings_are_accepted() {
        let c =
            check("Họ và tên,Số định danh,Đối tượng,Ngày xác nhận\nA,001090000001,Học sinh, sinh viên,01/02/2026\n");
        // "Học sinh, sinh viên" split by the comma: the group is "Học sinh", the date is lost.
        assert!(!c.errors.is_empty());
        let c = check(
            "Họ và tên,Số định danh,Đối tượng,Ngày xác nhận\nA,001090000001,\"Học sinh, sinh viên\",01/02/2026 08:15\n",
        );
        assert_eq!(keys(&c), vec![]);
        assert_eq!(c.good[0].group, TargetGroup::Student);
        assert_eq!(c.good[0].attained_on, date!(2026 - 02 - 01));
    }

    #[test]
    fn every_bad_row_with_its_line() {
        let c = check(
            "Số định danh,Đối tượng,Ngày xác nhận\n\
             00109000001,Người dân,01/02/2026\n\
             001090000001,Người dân,31/02/2026\n\
             001090000002,Người dân,01/02/2027\n\
             001090000003,Người ngoài hành tinh,01/02/2026\n\
             001090000004,Người lao động,01/02/2026\n\
             001090000004,Người lao động,03/02/2026\n\
             001090000004,Người dân,03/02/2026\n\
             ,Người dân,hôm qua\n\
             999090000005,Người dân,2026-01-01\n",
        );
        assert_eq!(
            keys(&c),
            vec![
                (2, "err-import-pid-short"),
                (3, "err-date-invalid"),
                (4, "err-vneid-date-future"),
                (5, "err-vneid-group"),
                (7, "err-vneid-duplicate"),
                (9, "err-pid-empty"),
                (9, "err-date-form"),
                (10, "err-pid-province"),
            ]
        );
        assert_eq!(c.good.iter().map(|r| r.line).collect::<Vec<_>>(), vec![6, 8]);
        assert_eq!(c.errors.bad_lines(), 7);
    }

    #[test]
    fn a_file_without_the_required_columns_is_refused() {
        let t = read_table("Họ và tên,Số định danh\nA,001090000001\n".as_bytes(), &is_vneid_header).unwrap();
        let e = check_vneid(&t, TODAY).unwrap_err();
        assert_eq!(e.key, "err-file-missing-columns");
    }

    #[test]
    fn today_is_not_the_future() {
        let c = check("Số định danh,Đối tượng,Ngày xác nhận\n001090000001,Người dân,06/12/2026\n");
        assert_eq!(keys(&c), vec![]);
    }
}
