//! Certificates of attainment (issue 10) as pure data: what a certificate says, its public code,
//! the printed PDF and the signed Open Badges 3.0 credential. No storage and no HTTP here.

pub mod pdf;

use time::Date;

pub mod credential;

/// What one certificate states, as printed and as signed. Everything here is already public on
/// the verification page except the full name, which only the holder's own PDF and credential
/// carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub code: Code,
    /// The holder's full name, NFC.
    pub holder_name: String,
    /// What was attained, e.g. "Đạt phổ cập kỹ năng số – Cán bộ, công chức, viên chức".
    pub achievement: String,
    /// A sentence on what the attainment means (the rule that was met), for the credential's
    /// `achievement.criteria.narrative` and the PDF's small print.
    pub criteria: String,
    /// The level's name, e.g. "Trung cấp – mức 3".
    pub level: String,
    /// The day the attainment was confirmed.
    pub issued_on: Date,
    /// The issuing body, e.g. "Ban Chỉ đạo Phong trào Bình dân học vụ số tỉnh Bắc Ninh".
    pub issuer_name: String,
    /// Where anyone checks it: `{base}/xac-minh/{code}` (what the QR code holds).
    pub verify_url: String,
    pub kind: Kind,
}

/// What a certificate states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An attainment confirmed (xác nhận đạt phổ cập kỹ năng số).
    #[default]
    Attainment,
    /// A course completed, where the course's author asked for a certificate: never an
    /// attainment.
    CourseCompletion,
}

impl Kind {
    /// The Open Badges 3.0 `achievementType` (a term of the OB 3.0 vocabulary).
    pub fn achievement_type(self) -> &'static str {
        match self {
            Kind::Attainment => "Certificate",
            Kind::CourseCompletion => "Course",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Attainment => "attainment",
            Kind::CourseCompletion => "course_completion",
        }
    }
}

/// A certificate's public code: 12 characters of Crockford's base 32 (no I, L, O, U) in three
/// groups, `7K2M-9QXD-4HPA`: 60 random bits, easy to read aloud and to type from paper.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(String);

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl Code {
    pub fn generate(rng: &mut impl rand::RngCore) -> Code {
        let mut s = String::with_capacity(14);
        for i in 0..12 {
            if i > 0 && i % 4 == 0 {
                s.push('-');
            }
            s.push(ALPHABET[(rng.next_u32() % 32) as usize] as char);
        }
        Code(s)
    }

    /// Reads a code as typed: case, spaces and dashes do not matter; I and L read as 1, O as 0
    /// (Crockford). `None` for anything else.
    pub fn parse(s: &str) -> Option<Code> {
        let mut chars = Vec::with_capacity(12);
        for c in s.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' => continue,
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return None;
            }
            chars.push(c);
            if chars.len() > 12 {
                return None;
            }
        }
        if chars.len() != 12 {
            return None;
        }
        let mut out = String::with_capacity(14);
        for (i, c) in chars.into_iter().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        Some(Code(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_as_typed() {
        let mut rng = rand::thread_rng();
        for _ in 0..100 {
            let c = Code::generate(&mut rng);
            assert_eq!(c.as_str().len(), 14);
            assert_eq!(Code::parse(c.as_str()), Some(c.clone()));
            assert_eq!(Code::parse(&c.as_str().to_lowercase().replace('-', " ")), Some(c));
        }
        assert_eq!(
            Code::parse("7k2m 9qxd 4hpa").map(|c| c.to_string()),
            Some("7K2M-9QXD-4HPA".into())
        );
        assert_eq!(
            Code::parse("OIL0-0000-0000").map(|c| c.to_string()),
            Some("0110-0000-0000".into())
        );
        for bad in [
            "",
            "7K2M-9QXD-4HP",
            "7K2M-9QXD-4HPAA",
            "7K2M-9QXD-4HPU",
            "7K2M/9QXD/4HPA",
            "Đ",
        ] {
            assert_eq!(Code::parse(bad), None, "{bad}");
        }
    }
}
