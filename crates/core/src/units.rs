//! Administrative units after the 2025 reorganisation (province → commune → village) and the
//! organisations attached to them.

use crate::i18n::Message;
use serde::{Deserialize, Serialize};

/// The official list, shipped with its source in `data/units/SOURCE.md`.
pub static OFFICIAL_UNITS_CSV: &str = include_str!("../../../data/units/units.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The single national root, so that national roles have a subtree like everyone else.
    Country,
    Province,
    Commune,
    Village,
    Organisation,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Country => "country",
            Level::Province => "province",
            Level::Commune => "commune",
            Level::Village => "village",
            Level::Organisation => "organisation",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "country" => Level::Country,
            "province" => Level::Province,
            "commune" => Level::Commune,
            "village" => Level::Village,
            "organisation" => Level::Organisation,
            _ => return None,
        })
    }
}

macro_rules! kinds {
    ($($variant:ident = $s:literal, $level:ident;)*) => {
        /// What sort of unit or organisation this is.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Kind { $($variant,)* }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)*];
            pub fn as_str(self) -> &'static str { match self { $(Kind::$variant => $s,)* } }
            pub fn parse(s: &str) -> Option<Kind> { match s { $($s => Some(Kind::$variant),)* _ => None } }
            pub fn level(self) -> Level { match self { $(Kind::$variant => Level::$level,)* } }
            pub fn label_key(self) -> String { format!("kind-{}", self.as_str()) }
        }
    };
}

kinds! {
    QuocGia = "quoc_gia", Country;
    Tinh = "tinh", Province;
    ThanhPho = "thanh_pho", Province;
    Xa = "xa", Commune;
    Phuong = "phuong", Commune;
    DacKhu = "dac_khu", Commune;
    Thon = "thon", Village;
    Ban = "ban", Village;
    ToDanPho = "to_dan_pho", Village;
    CoQuan = "co_quan", Organisation;
    DangBo = "dang_bo", Organisation;
    ChiBo = "chi_bo", Organisation;
    TruongHoc = "truong_hoc", Organisation;
    DoanhNghiep = "doanh_nghiep", Organisation;
    HopTacXa = "hop_tac_xa", Organisation;
    ToCongNgheSo = "to_cong_nghe_so", Organisation;
}

impl Kind {
    pub fn village_kinds() -> impl Iterator<Item = Kind> {
        Kind::ALL.iter().copied().filter(|k| k.level() == Level::Village)
    }
    pub fn organisation_kinds() -> impl Iterator<Item = Kind> {
        Kind::ALL.iter().copied().filter(|k| k.level() == Level::Organisation)
    }
}

/// Which levels may sit directly under which.
pub fn allowed_parent(child: Level, parent: Level) -> bool {
    matches!(
        (child, parent),
        (Level::Province, Level::Country)
            | (Level::Commune, Level::Province)
            | (Level::Village, Level::Commune)
            | (
                Level::Organisation,
                Level::Province | Level::Commune | Level::Village | Level::Organisation
            )
    )
}

/// One row of the official list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialUnit {
    pub code: String,
    pub name: String,
    pub kind: Kind,
    pub parent_code: Option<String>,
}

pub const COUNTRY_CODE: &str = "VN";

/// Parses the shipped list, under the national root; a broken file is a build defect, reported
/// with its line.
pub fn official_units() -> Result<Vec<OfficialUnit>, String> {
    let mut out = vec![OfficialUnit {
        code: COUNTRY_CODE.to_string(),
        name: "Việt Nam".to_string(),
        kind: Kind::QuocGia,
        parent_code: None,
    }];
    for (i, line) in OFFICIAL_UNITS_CSV.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let [code, name, _level, kind, parent] = cols[..] else {
            return Err(format!("units.csv line {}: expected 5 columns", i + 1));
        };
        let kind = Kind::parse(kind).ok_or_else(|| format!("units.csv line {}: unknown kind {kind}", i + 1))?;
        out.push(OfficialUnit {
            code: code.to_string(),
            name: name.to_string(),
            kind,
            parent_code: Some(if parent.is_empty() {
                COUNTRY_CODE.to_string()
            } else {
                parent.to_string()
            }),
        });
    }
    Ok(out)
}

/// Denominators kept per unit and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DenominatorKind {
    PublicStaff,
    Students,
    Adults,
    // serde's snake_case would say "aged16_plus"; every other form of the kind says this.
    #[serde(rename = "aged16plus")]
    Aged16Plus,
    Workers,
    Households,
    Villages,
}

impl DenominatorKind {
    pub const ALL: [DenominatorKind; 7] = [
        DenominatorKind::PublicStaff,
        DenominatorKind::Students,
        DenominatorKind::Adults,
        DenominatorKind::Aged16Plus,
        DenominatorKind::Workers,
        DenominatorKind::Households,
        DenominatorKind::Villages,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DenominatorKind::PublicStaff => "public_staff",
            DenominatorKind::Students => "students",
            DenominatorKind::Adults => "adults",
            DenominatorKind::Aged16Plus => "aged16plus",
            DenominatorKind::Workers => "workers",
            DenominatorKind::Households => "households",
            DenominatorKind::Villages => "villages",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_key(self) -> String {
        format!("denom-{}", self.as_str())
    }
}

/// A denominator value as typed: a non-negative whole number, dots or spaces as thousands separators.
pub fn parse_count(input: &str) -> Result<i64, Message> {
    let s: String = input
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}'))
        .collect();
    if s.is_empty() {
        return Err(Message::new("err-count").arg("value", input.trim()));
    }
    match s.parse::<i64>() {
        Ok(n) if (0..=1_000_000_000).contains(&n) => Ok(n),
        _ => Err(Message::new("err-count").arg("value", input.trim())),
    }
}

pub fn parse_year(input: &str) -> Result<i32, Message> {
    match input.trim().parse::<i32>() {
        Ok(y) if (2020..=2100).contains(&y) => Ok(y),
        _ => Err(Message::new("err-year").arg("value", input.trim())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_list_is_complete() {
        let units = official_units().unwrap();
        let count = |k: Kind| units.iter().filter(|u| u.kind == k).count();
        assert_eq!(count(Kind::QuocGia), 1);
        assert_eq!(count(Kind::Tinh) + count(Kind::ThanhPho), 34);
        assert_eq!(count(Kind::ThanhPho), 6);
        assert_eq!(count(Kind::Xa), 2621);
        assert_eq!(count(Kind::Phuong), 687);
        assert_eq!(count(Kind::DacKhu), 13);
        for u in &units {
            match u.kind.level() {
                Level::Province => assert_eq!(u.code.len(), 2),
                Level::Country => assert_eq!(u.code, COUNTRY_CODE),
                _ => assert_eq!(u.code.len(), 5),
            }
        }
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("12.345").unwrap(), 12345);
        assert!(parse_count("-3").is_err());
        assert!(parse_count("abc").is_err());
    }
}
