//! Số định danh cá nhân: 12 digits — birth-registration province (3), century and sex (1),
//! year of birth (2), random (6). Parsed once at the edge; a [`PersonalId`] is always valid.

use crate::i18n::Message;
use crate::people::Sex;
use std::collections::HashMap;
use std::sync::OnceLock;
use time::Date;

/// The 63 pre-2025 provinces whose codes stand at the start of every number issued so far.
static BIRTH_PROVINCES_CSV: &str = include_str!("../../../data/units/birth_provinces.csv");

pub fn birth_provinces() -> &'static HashMap<String, String> {
    static MAP: OnceLock<HashMap<String, String>> = OnceLock::new();
    MAP.get_or_init(|| {
        BIRTH_PROVINCES_CSV
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect()
    })
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonalId(String);

impl std::fmt::Debug for PersonalId {
    // Never print the number itself into logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PersonalId({})", self.masked())
    }
}

impl serde::Serialize for PersonalId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for PersonalId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PersonalId::parse(&s).map_err(|m| serde::de::Error::custom(m.key))
    }
}

impl PersonalId {
    /// Checks the form only: 12 digits and a known province of birth registration.
    pub fn parse(input: &str) -> Result<PersonalId, Message> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Err(Message::new("err-pid-empty"));
        }
        if let Some(c) = s.chars().find(|c| !c.is_ascii_digit()) {
            return Err(Message::new("err-pid-not-digit").arg("char", c));
        }
        if s.len() != 12 {
            return Err(Message::new("err-pid-length").arg("len", s.len()));
        }
        if !birth_provinces().contains_key(&s[..3]) {
            return Err(Message::new("err-pid-province").arg("code", &s[..3]));
        }
        Ok(PersonalId(s))
    }

    /// Parses and checks that the century/sex digit and the year digits agree with the person.
    pub fn parse_for(input: &str, birth_date: Date, sex: Sex) -> Result<PersonalId, Message> {
        let id = Self::parse(input)?;
        let (century_start, id_sex) = id.century_and_sex();
        let year = birth_date.year();
        if sex != id_sex {
            return Err(Message::new("err-pid-sex").arg("digit", &id.0[3..4]));
        }
        if year < century_start || year >= century_start + 100 {
            return Err(Message::new("err-pid-century")
                .arg("digit", &id.0[3..4])
                .arg("year", year));
        }
        let yy = (year % 100) as u8;
        if id.0[4..6] != format!("{yy:02}") {
            return Err(Message::new("err-pid-year")
                .arg("digits", &id.0[4..6])
                .arg("year", year));
        }
        Ok(id)
    }

    /// Century start year and sex from the fourth digit (Thông tư 59/2021/TT-BCA):
    /// 0/1 → 1900s, 2/3 → 2000s, 4/5 → 2100s, 6/7 → 2200s, 8/9 → 2300s; even male, odd female.
    fn century_and_sex(&self) -> (i32, Sex) {
        let d = (self.0.as_bytes()[3] - b'0') as i32;
        let sex = if d % 2 == 0 { Sex::Male } else { Sex::Female };
        (1900 + (d / 2) * 100, sex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[8..]
    }

    pub fn masked(&self) -> String {
        format!("********{}", self.last4())
    }

    pub fn birth_province(&self) -> &'static str {
        birth_provinces().get(&self.0[..3]).map(String::as_str).unwrap_or("")
    }
}

/// What a screen shows when the number may not be unmasked.
pub fn mask_last4(last4: &str) -> String {
    format!("********{last4}")
}

/// Masks every number of 9 or more digits in a free text (a search query), separators such as
/// spaces, dots and hyphens included — ID numbers (12 digits, the old 9-digit ones) and phone
/// numbers alike — keeping the last four digits: for logs and audit entries, which must never
/// hold a personal number in plain text.
pub fn redact_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, with single separators between them.
        let mut j = i;
        let mut digits = String::new();
        let mut end = i;
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                digits.push(chars[j]);
                j += 1;
                end = j;
            } else if matches!(chars[j], ' ' | '.' | '-' | '_') && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit())
            {
                j += 1;
            } else {
                break;
            }
        }
        if digits.len() >= 9 {
            out.push_str(&mask_last4(&digits[digits.len() - 4..]));
        } else {
            out.extend(&chars[i..end]);
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn sixty_three_provinces() {
        assert_eq!(birth_provinces().len(), 63);
        assert!(birth_provinces().contains_key("019"));
    }

    #[test]
    fn valid_numbers() {
        let id = PersonalId::parse_for("019085001234", date!(1985 - 03 - 14), Sex::Male).unwrap();
        assert_eq!(id.masked(), "********1234");
        assert!(PersonalId::parse_for("001301004567", date!(2001 - 12 - 31), Sex::Female).is_ok());
        assert!(PersonalId::parse(" 0190 8500 1234 ").is_ok());
    }

    #[test]
    fn refuses_bad_numbers() {
        let key = |r: Result<PersonalId, Message>| r.unwrap_err().key;
        assert_eq!(key(PersonalId::parse("01908500123")), "err-pid-length");
        assert_eq!(key(PersonalId::parse("01908500123a")), "err-pid-not-digit");
        assert_eq!(key(PersonalId::parse("003085001234")), "err-pid-province");
        assert_eq!(key(PersonalId::parse("")), "err-pid-empty");
        let d = date!(1985 - 03 - 14);
        assert_eq!(key(PersonalId::parse_for("019185001234", d, Sex::Male)), "err-pid-sex");
        assert_eq!(
            key(PersonalId::parse_for("019285001234", d, Sex::Male)),
            "err-pid-century"
        );
        assert_eq!(key(PersonalId::parse_for("019086001234", d, Sex::Male)), "err-pid-year");
    }

    #[test]
    fn debug_never_shows_number() {
        let id = PersonalId::parse("019085001234").unwrap();
        assert!(!format!("{id:?}").contains("019085"));
    }

    #[test]
    fn numbers_are_redacted_from_free_text() {
        assert_eq!(redact_numbers("019085001234"), "********1234");
        assert_eq!(redact_numbers("019 085 001 234"), "********1234");
        assert_eq!(redact_numbers("so 019.085.001.234 a"), "so ********1234 a");
        assert_eq!(redact_numbers("0912-345-678"), "********5678");
        assert_eq!(redact_numbers("Nguyễn Văn An"), "Nguyễn Văn An");
        assert_eq!(redact_numbers("Tổ 12, năm 2024"), "Tổ 12, năm 2024");
        assert_eq!(redact_numbers("a019085001234b"), "a********1234b");
        assert!(!redact_numbers("x 0190850012345678 y").contains("01908500"));
    }
}
