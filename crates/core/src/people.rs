//! A person as the platform keeps them, and the validation that turns raw input (a form, a
//! spreadsheet row) into a [`PersonInput`] that storage can trust.

use crate::i18n::Message;
use crate::personal_id::PersonalId;
use crate::text;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

pub const NAME_MAX: usize = 100;
pub const NOTE_MAX: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    /// Accepts the stored form and what people write in spreadsheets ("Nam", "Nữ", "nu", "F").
    pub fn parse(s: &str) -> Option<Sex> {
        match text::fold(s).as_str() {
            "male" | "nam" | "m" | "0" => Some(Sex::Male),
            "female" | "nu" | "f" | "1" => Some(Sex::Female),
            _ => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Sex::Male => "sex-male",
            Sex::Female => "sex-female",
        }
    }
}

/// The four target groups of the movement; a person may belong to several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetGroup {
    PublicStaff,
    Student,
    Worker,
    Resident,
}

impl TargetGroup {
    pub const ALL: [TargetGroup; 4] = [
        TargetGroup::PublicStaff,
        TargetGroup::Student,
        TargetGroup::Worker,
        TargetGroup::Resident,
    ];

    /// The figure of a unit's denominators a group's rate is counted against: residents against
    /// the adult population (the plans' "người dân trưởng thành"), the others against their own.
    pub fn denominator(self) -> crate::units::DenominatorKind {
        use crate::units::DenominatorKind as K;
        match self {
            TargetGroup::PublicStaff => K::PublicStaff,
            TargetGroup::Student => K::Students,
            TargetGroup::Worker => K::Workers,
            TargetGroup::Resident => K::Adults,
        }
    }

    fn bit(self) -> i32 {
        match self {
            TargetGroup::PublicStaff => 1,
            TargetGroup::Student => 2,
            TargetGroup::Worker => 4,
            TargetGroup::Resident => 8,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TargetGroup::PublicStaff => "public_staff",
            TargetGroup::Student => "student",
            TargetGroup::Worker => "worker",
            TargetGroup::Resident => "resident",
        }
    }

    pub fn label_key(self) -> String {
        format!("group-{}", self.as_str())
    }

    /// One group as lists write it: the official names, their usual abbreviations ("CBCCVC",
    /// "HS-SV", "NLĐ", "Lao động DN"), any case, with or without diacritics.
    pub fn parse(s: &str) -> Option<TargetGroup> {
        let key = group_key(s);
        GROUP_SPELLINGS
            .iter()
            .find(|(_, spellings)| spellings.contains(&key.as_str()))
            .map(|(g, _)| *g)
            .or_else(|| {
                TargetGroup::ALL
                    .into_iter()
                    .find(|g| g.as_str() == key.replace(' ', "_"))
            })
    }
}

/// The folded form a group is compared in: no diacritics, lower case, punctuation as spaces.
pub fn group_key(s: &str) -> String {
    let folded = text::fold(s);
    let spaced: String = folded
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '_' { c } else { ' ' })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How the movement's plans and the lists communes keep name each group (folded by
/// [`group_key`]). The long forms are the plans' own wording ("cán bộ, công chức, viên chức và
/// người lao động trong khu vực công", "người lao động trong các doanh nghiệp, hợp tác xã").
const GROUP_SPELLINGS: &[(TargetGroup, &[&str])] = &[
    (
        TargetGroup::PublicStaff,
        &[
            "can bo cong chuc vien chuc",
            "can bo cong chuc vien chuc va nguoi lao dong trong khu vuc cong",
            "can bo cong chuc vien chuc nguoi lao dong trong khu vuc cong",
            "can bo cong chuc vien chuc nguoi lao dong",
            "nguoi lao dong trong khu vuc cong",
            "khu vuc cong",
            "cbccvc",
            "cb cc vc",
            "cbcc",
            "ccvc",
            "cbccvc nld",
            "can bo",
            "cong chuc",
            "vien chuc",
            "can bo cong chuc",
            "cong chuc vien chuc",
            "cb",
            "cc",
            "vc",
            "public staff",
        ],
    ),
    (
        TargetGroup::Student,
        &[
            "hoc sinh sinh vien",
            "hoc sinh",
            "sinh vien",
            "hssv",
            "hs sv",
            "hs",
            "sv",
            "student",
        ],
    ),
    (
        TargetGroup::Worker,
        &[
            "nguoi lao dong",
            "nguoi lao dong doanh nghiep",
            "nguoi lao dong trong doanh nghiep",
            "nguoi lao dong trong cac doanh nghiep",
            "nguoi lao dong tai doanh nghiep",
            "nguoi lao dong trong cac doanh nghiep hop tac xa",
            "nguoi lao dong trong doanh nghiep hop tac xa",
            "lao dong doanh nghiep",
            "lao dong dn",
            "nld dn",
            "nld",
            "lao dong",
            "cong nhan",
            "cong nhan lao dong",
            "worker",
        ],
    ),
    (
        TargetGroup::Resident,
        &["nguoi dan", "dan", "nhan dan", "dan cu", "resident"],
    ),
];

/// A set of target groups, stored as a small bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Groups(i32);

impl Groups {
    pub fn from_bits(bits: i32) -> Groups {
        Groups(bits & Self::KNOWN)
    }
    /// `None` if `bits` sets a bit no group uses (stored data is read strictly).
    pub fn try_from_bits(bits: i32) -> Option<Groups> {
        (bits & !Self::KNOWN == 0).then_some(Groups(bits))
    }
    const KNOWN: i32 = 0b1111;
    pub fn bits(self) -> i32 {
        self.0
    }
    pub fn insert(&mut self, g: TargetGroup) {
        self.0 |= g.bit();
    }
    pub fn contains(self, g: TargetGroup) -> bool {
        self.0 & g.bit() != 0
    }
    pub fn iter(self) -> impl Iterator<Item = TargetGroup> {
        TargetGroup::ALL.into_iter().filter(move |g| self.contains(*g))
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// "Cán bộ; Người dân" — several groups separated by `;`, `|`, `+` or a line break. A part
    /// that is not one group as a whole may list groups or abbreviations with commas ("CB, CC,
    /// VC"), since official names contain commas themselves.
    pub fn parse_list(s: &str) -> Result<Groups, Message> {
        let mut groups = Groups::default();
        for part in s.split([';', '|', '+', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
            if let Some(g) = TargetGroup::parse(part) {
                groups.insert(g);
                continue;
            }
            for piece in part.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match TargetGroup::parse(piece) {
                    Some(g) => groups.insert(g),
                    None => return Err(Message::new("err-group-unknown").arg("value", part)),
                }
            }
        }
        Ok(groups)
    }
}

/// Parses the date forms people actually type: 14/03/1985, 14-3-1985, 1985-03-14.
pub fn parse_date(field: &'static str, input: &str) -> Result<Date, Message> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Message::new("err-text-empty").arg("field", field));
    }
    let bad_form = || Message::new("err-date-form").arg("field", field).arg("value", s);
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    if parts.len() != 3 {
        return Err(bad_form());
    }
    let nums: Vec<i32> = parts
        .iter()
        .map(|p| p.trim().parse::<i32>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad_form())?;
    let (y, m, d) = if parts[0].trim().len() == 4 {
        (nums[0], nums[1], nums[2])
    } else {
        (nums[2], nums[1], nums[0])
    };
    if !(1000..=9999).contains(&y) {
        return Err(bad_form());
    }
    let month = u8::try_from(m)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| Message::new("err-date-invalid").arg("field", field).arg("value", s))?;
    let day = u8::try_from(d).map_err(|_| Message::new("err-date-invalid").arg("field", field).arg("value", s))?;
    Date::from_calendar_date(y, month, day)
        .map_err(|_| Message::new("err-date-invalid").arg("field", field).arg("value", s))
}

pub fn format_date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

/// Raw fields as they arrive from a form or a spreadsheet row.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub personal_id: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub groups: String,
    /// Village code, or name within the commune being imported.
    #[serde(default)]
    pub village: String,
    #[serde(default)]
    pub household: String,
    #[serde(default)]
    pub workplace: String,
}

/// A validated person, ready to store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PersonInput {
    pub full_name: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub personal_id: PersonalId,
    pub phone: Option<String>,
    pub groups: Groups,
    pub village: Option<String>,
    pub household: Option<String>,
    pub workplace: Option<String>,
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: Message,
}

impl PersonForm {
    /// Validates every field and reports every problem, not just the first.
    pub fn validate(&self, today: Date) -> Result<PersonInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |field: &str, message: Message| {
            errors.push(FieldError {
                field: field.to_string(),
                message,
            })
        };
        let full_name = text::required_line("full_name", &self.full_name, NAME_MAX)
            .map_err(|e| err("full_name", e))
            .ok();
        let birth_date = parse_date("birth_date", &self.birth_date)
            .and_then(|d| {
                if d > today {
                    Err(Message::new("err-date-future").arg("field", "birth_date"))
                } else if today.year() - d.year() > 130 {
                    Err(Message::new("err-date-too-old").arg("field", "birth_date"))
                } else {
                    Ok(d)
                }
            })
            .map_err(|e| err("birth_date", e))
            .ok();
        let sex = match Sex::parse(&self.sex) {
            Some(s) => Some(s),
            None => {
                err("sex", Message::new("err-sex").arg("value", self.sex.trim()));
                None
            }
        };
        let personal_id = match (birth_date, sex) {
            (Some(d), Some(s)) => PersonalId::parse_for(&self.personal_id, d, s),
            _ => PersonalId::parse(&self.personal_id),
        }
        .map_err(|e| err("personal_id", e))
        .ok();
        let phone = match self.phone.trim() {
            "" => None,
            p => match text::normalize_phone(p) {
                Some(p) => Some(p),
                None => {
                    err("phone", Message::new("err-phone").arg("value", p));
                    None
                }
            },
        };
        let groups = match Groups::parse_list(&self.groups) {
            Ok(g) if g.is_empty() => {
                let mut g = Groups::default();
                g.insert(TargetGroup::Resident);
                g
            }
            Ok(g) => g,
            Err(e) => {
                err("groups", e);
                Groups::default()
            }
        };
        let optional =
            |field: &'static str, v: &str, errs: &mut Vec<FieldError>| match text::clean_line(field, v, NAME_MAX) {
                Ok(s) if s.is_empty() => None,
                Ok(s) => Some(s),
                Err(e) => {
                    errs.push(FieldError {
                        field: field.to_string(),
                        message: e,
                    });
                    None
                }
            };
        let village = optional("village", &self.village, &mut errors);
        let household = optional("household", &self.household, &mut errors);
        let workplace = optional("workplace", &self.workplace, &mut errors);
        match (full_name, birth_date, sex, personal_id) {
            (Some(full_name), Some(birth_date), Some(sex), Some(personal_id)) if errors.is_empty() => Ok(PersonInput {
                full_name,
                birth_date,
                sex,
                personal_id,
                phone,
                groups,
                village,
                household,
                workplace,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn form() -> PersonForm {
        PersonForm {
            full_name: "Nguyễn Văn An".into(),
            birth_date: "14/03/1985".into(),
            sex: "Nam".into(),
            personal_id: "019085001234".into(),
            phone: "0912345678".into(),
            groups: "Người dân; Cán bộ".into(),
            ..Default::default()
        }
    }

    #[test]
    fn valid_form() {
        let p = form().validate(date!(2026 - 11 - 24)).unwrap();
        assert_eq!(p.birth_date, date!(1985 - 03 - 14));
        assert!(p.groups.contains(TargetGroup::PublicStaff));
        assert!(p.groups.contains(TargetGroup::Resident));
    }

    #[test]
    fn every_error_reported() {
        let f = PersonForm {
            full_name: "".into(),
            birth_date: "31/02/1990".into(),
            sex: "x".into(),
            ..form()
        };
        let errs = f.validate(date!(2026 - 11 - 24)).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["full_name", "birth_date", "sex"]);
        assert_eq!(errs[1].message.key, "err-date-invalid");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("d", "1985-03-14").unwrap(), date!(1985 - 03 - 14));
        assert_eq!(parse_date("d", "1.2.2001").unwrap(), date!(2001 - 02 - 01));
        assert_eq!(parse_date("d", "31/02/1990").unwrap_err().key, "err-date-invalid");
        assert_eq!(parse_date("d", "hôm qua").unwrap_err().key, "err-date-form");
    }

    #[test]
    fn groups_as_real_lists_write_them() {
        use TargetGroup::*;
        let cases: &[(&str, &[TargetGroup])] = &[
            ("Người lao động doanh nghiệp", &[Worker]),
            ("NGƯỜI LAO ĐỘNG DOANH NGHIỆP", &[Worker]),
            ("nguoi lao dong doanh nghiep", &[Worker]),
            ("Lao động DN", &[Worker]),
            ("NLĐ", &[Worker]),
            ("CB, CC, VC", &[PublicStaff]),
            ("CBCCVC", &[PublicStaff]),
            ("Cán bộ, công chức, viên chức", &[PublicStaff]),
            (
                "Cán bộ, công chức, viên chức và người lao động trong khu vực công",
                &[PublicStaff],
            ),
            ("HS-SV", &[Student]),
            ("Học sinh, sinh viên", &[Student]),
            ("Người dân", &[Resident]),
            ("NGUOI DAN", &[Resident]),
            ("Người dân; HS-SV", &[Student, Resident]),
            ("CBCCVC + Người dân", &[PublicStaff, Resident]),
        ];
        for (text, want) in cases {
            let got: Vec<TargetGroup> = Groups::parse_list(text)
                .unwrap_or_else(|e| panic!("{text}: {e:?}"))
                .iter()
                .collect();
            assert_eq!(&got, want, "{text}");
        }
        let e = Groups::parse_list("Hội viên phụ nữ").unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.args[0].1.as_str()),
            ("err-group-unknown", "Hội viên phụ nữ")
        );
    }
}
