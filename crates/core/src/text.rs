//! Vietnamese text: NFC on every input, a folded form for diacritic-free search, and a collation key
//! that sorts names the way a Vietnamese reader expects (Ă after A, Đ after D, by given name first).

use crate::i18n::Message;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalises to NFC, trims, collapses runs of white space and refuses control characters.
/// `max_chars` counts Unicode scalar values after normalisation.
pub fn clean_line(field: &'static str, input: &str, max_chars: usize) -> Result<String, Message> {
    let nfc: String = input.nfc().collect();
    if let Some(c) = nfc.chars().find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Err(Message::new("err-text-control")
            .arg("field", field)
            .arg("code", format!("U+{:04X}", c as u32)));
    }
    let collapsed = nfc.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = collapsed.chars().count();
    if len > max_chars {
        return Err(Message::new("err-text-too-long")
            .arg("field", field)
            .arg("max", max_chars)
            .arg("len", len));
    }
    Ok(collapsed)
}

/// Like [`clean_line`] but an empty result is an error.
pub fn required_line(field: &'static str, input: &str, max_chars: usize) -> Result<String, Message> {
    let s = clean_line(field, input, max_chars)?;
    if s.is_empty() {
        return Err(Message::new("err-text-empty").arg("field", field));
    }
    Ok(s)
}

/// Lowercase, no diacritics, `đ` → `d`, only letters, digits and single spaces:
/// "Nguyễn Văn Ấn" → "nguyen van an".
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in input.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            _ => c,
        };
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// Primary weight of a base letter in the Vietnamese alphabet
/// (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, with f j w z in their Latin places).
fn letter_weight(base: char, modifier: Modifier) -> u8 {
    const ORDER: &str = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz";
    let letter = match (base, modifier) {
        ('a', Modifier::Breve) => 'ă',
        ('a', Modifier::Circumflex) => 'â',
        ('e', Modifier::Circumflex) => 'ê',
        ('o', Modifier::Circumflex) => 'ô',
        ('o', Modifier::Horn) => 'ơ',
        ('u', Modifier::Horn) => 'ư',
        (c, _) => c,
    };
    match ORDER.chars().position(|c| c == letter) {
        Some(p) => 0x20 + p as u8,
        None if letter.is_ascii_digit() => 0x10 + (letter as u8 - b'0'),
        // Letters outside the alphabet sort after it, in code point order folded into a byte.
        None => 0x60 + (letter as u32 % 0x9f) as u8,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Modifier {
    None,
    Breve,
    Circumflex,
    Horn,
}

/// Tone order of Vietnamese dictionaries: level, grave, hook, tilde, acute, dot.
fn tone_weight(mark: char) -> Option<u8> {
    Some(match mark {
        '\u{0300}' => 2,
        '\u{0309}' => 3,
        '\u{0303}' => 4,
        '\u{0301}' => 5,
        '\u{0323}' => 6,
        _ => return None,
    })
}

/// A byte string whose binary order is Vietnamese dictionary order: letters first, then tones, then
/// case. Stored beside names so that the database sorts correctly with a plain index.
pub fn collation_key(input: &str) -> Vec<u8> {
    let mut primary = Vec::new();
    let mut secondary = Vec::new();
    let mut tertiary = Vec::new();
    let mut chars = input.nfd().peekable();
    let mut last_was_space = true;
    while let Some(c) = chars.next() {
        if !c.is_alphanumeric() {
            if !last_was_space {
                primary.push(0x01);
                secondary.push(0x01);
                tertiary.push(0x01);
            }
            last_was_space = true;
            continue;
        }
        last_was_space = false;
        let (base, upper) = match c {
            'đ' => ('đ', false),
            'Đ' => ('đ', true),
            _ => {
                let lower = c.to_lowercase().next().unwrap_or(c);
                (lower, lower != c)
            }
        };
        let mut modifier = Modifier::None;
        let mut tone = 1u8;
        while let Some(&m) = chars.peek() {
            if !is_combining_mark(m) {
                break;
            }
            chars.next();
            match m {
                '\u{0306}' => modifier = Modifier::Breve,
                '\u{0302}' => modifier = Modifier::Circumflex,
                '\u{031B}' => modifier = Modifier::Horn,
                _ => {
                    if let Some(t) = tone_weight(m) {
                        tone = t;
                    }
                }
            }
        }
        primary.push(letter_weight(base, modifier));
        secondary.push(tone);
        tertiary.push(if upper { 2 } else { 1 });
    }
    while primary.last() == Some(&0x01) {
        primary.pop();
        secondary.pop();
        tertiary.pop();
    }
    let mut key = primary;
    key.push(0x00);
    key.extend(secondary);
    key.push(0x00);
    key.extend(tertiary);
    key
}

/// A key that sorts unit names the way people read them: runs of digits by their value
/// ("Tổ dân phố 2" before "Tổ dân phố 10", "Thôn 9" before "Thôn 10"), everything else in
/// Vietnamese order as [`collation_key`]. Its first part is the primary weights with each digit
/// run replaced by its length and digits (leading zeros dropped), so a shorter number sorts first;
/// the whole [`collation_key`] follows to break ties ("Thôn 02" and "Thôn 2", tones, case).
pub fn natural_key(input: &str) -> Vec<u8> {
    let full = collation_key(input);
    let primary_len = full.iter().position(|&b| b == 0).unwrap_or(full.len());
    let primary = &full[..primary_len];
    let is_digit = |b: u8| (0x10..0x1a).contains(&b);
    let mut key = Vec::with_capacity(full.len() + 8);
    let mut i = 0;
    while i < primary.len() {
        if !is_digit(primary[i]) {
            key.push(primary[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < primary.len() && is_digit(primary[i]) {
            i += 1;
        }
        let run = &primary[start..i];
        let significant = match run.iter().position(|&b| b != 0x10) {
            Some(p) => &run[p..],
            None => &run[run.len() - 1..],
        };
        // The length byte lies between the word separator (0x01) and the letters (0x20…), so a
        // number sorts before a letter in the same place, as a lone digit did. Numbers longer
        // than 29 digits share the top length and then compare digit by digit.
        key.push(0x02 + significant.len().min(29) as u8);
        key.extend_from_slice(significant);
    }
    key.push(0x00);
    key.extend(full);
    key
}

/// Sorts unit names (villages, residential groups, communes) in natural Vietnamese order.
pub fn sort_natural<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by_cached_key(|t| natural_key(name(t)));
}

/// Key for a person's full name: Vietnamese rosters sort by given name (the last word), then by the
/// whole name.
pub fn person_name_key(full_name: &str) -> Vec<u8> {
    let given = full_name.split_whitespace().last().unwrap_or("");
    let g = collation_key(given);
    let full = collation_key(full_name);
    // Only the primary part of the given name leads; the full key breaks ties.
    let g_primary_len = g.iter().position(|&b| b == 0).unwrap_or(g.len());
    let mut key = Vec::with_capacity(g_primary_len + 1 + full.len());
    key.extend_from_slice(&g[..g_primary_len]);
    key.push(0x00);
    key.extend(full);
    key
}

/// Sorts strings in Vietnamese order (used for small in-memory lists).
pub fn sort_vietnamese<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by_cached_key(|t| collation_key(name(t)));
}

/// The word suffixes of a folded name, used as search keys so that "van an" and "an" both find
/// "Nguyễn Văn An" through an ordinary index prefix scan.
pub fn search_keys(folded: &str) -> Vec<String> {
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    (0..words.len()).map(|i| words[i..].join(" ")).collect()
}

/// Keeps only the digits of a phone number and normalises +84 to 0.
pub fn normalize_phone(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| c.is_ascii_digit()).collect();
    // +84 912…, or 84912… typed without the plus: the country code replaces the leading 0.
    let international = digits.starts_with("84") && (input.trim_start().starts_with('+') || digits.len() == 11);
    let digits = if international {
        format!("0{}", &digits[2..])
    } else {
        digits
    };
    (digits.len() == 10 && digits.starts_with('0')).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Nguyễn Văn An"), "nguyen van an");
        assert_eq!(fold("ĐẶNG  thị   Đào"), "dang thi dao");
        // NFD input folds the same as NFC.
        let nfd: String = "Lê Thị Hồng".nfd().collect();
        assert_eq!(fold(&nfd), "le thi hong");
    }

    #[test]
    fn cleans_lines() {
        let nfd: String = "Trần Thị Ánh".nfd().collect();
        assert_eq!(clean_line("name", &nfd, 100).unwrap(), "Trần Thị Ánh");
        assert_ne!(nfd, "Trần Thị Ánh");
        assert!(clean_line("name", "An\u{0007}", 100).is_err());
        assert!(clean_line("name", &"a".repeat(101), 100).is_err());
        assert_eq!(clean_line("name", "  a \n b ", 100).unwrap(), "a b");
        assert!(required_line("name", "   ", 10).is_err());
    }

    #[test]
    fn vietnamese_order() {
        let mut names = vec![
            "Đào", "Dung", "Ăn", "Anh", "Bình", "Ân", "An", "Ơn", "Ôn", "On", "Ưng", "Uy",
        ];
        sort_vietnamese(&mut names, |s| s);
        assert_eq!(
            names,
            vec![
                "An", "Anh", "Ăn", "Ân", "Bình", "Dung", "Đào", "On", "Ôn", "Ơn", "Uy", "Ưng"
            ]
        );
        let mut tones = vec!["má", "mạ", "mà", "ma", "mã", "mả"];
        sort_vietnamese(&mut tones, |s| s);
        assert_eq!(tones, vec!["ma", "mà", "mả", "mã", "má", "mạ"]);
    }

    #[test]
    fn people_sort_by_given_name() {
        let mut names = vec!["Trần Văn Bình", "Nguyễn Thị An", "Lê Văn Bình", "Phạm Đức Anh"];
        names.sort_by_cached_key(|n| person_name_key(n));
        assert_eq!(
            names,
            vec!["Nguyễn Thị An", "Phạm Đức Anh", "Lê Văn Bình", "Trần Văn Bình"]
        );
    }

    #[test]
    fn natural_order_of_units() {
        let mut names = vec![
            "Tổ dân phố 10",
            "Tổ dân phố 2",
            "Tổ dân phố 1",
            "Thôn 10",
            "Thôn 9",
            "Thôn Đồng Bẩm",
            "Thôn Đông",
            "Thôn 02",
            "Thôn 2",
            "Thôn 100",
            "Tổ dân phố 2A",
            "Xóm 3",
            "Ấp Bắc",
            "An Khánh",
        ];
        sort_natural(&mut names, |s| s);
        assert_eq!(
            names,
            vec![
                "An Khánh",
                "Ấp Bắc",
                "Thôn 02",
                "Thôn 2",
                "Thôn 9",
                "Thôn 10",
                "Thôn 100",
                "Thôn Đông",
                "Thôn Đồng Bẩm",
                "Tổ dân phố 1",
                "Tổ dân phố 2",
                "Tổ dân phố 2A",
                "Tổ dân phố 10",
                "Xóm 3",
            ]
        );
        // Numbers inside a name and very long numbers still order by value.
        assert!(natural_key("Khu 3 tổ 9") < natural_key("Khu 3 tổ 12"));
        assert!(natural_key("Khu 99999999999") < natural_key("Khu 100000000000"));
        // Without digits the order is the Vietnamese collation's.
        let mut plain = vec!["Ơn", "On", "Ôn", "Ăn", "An"];
        sort_natural(&mut plain, |s| s);
        assert_eq!(plain, vec!["An", "Ăn", "On", "Ôn", "Ơn"]);
    }

    #[test]
    fn suffix_keys() {
        assert_eq!(search_keys("nguyen van an"), vec!["nguyen van an", "van an", "an"]);
    }

    #[test]
    fn phones() {
        assert_eq!(normalize_phone("0912 345 678").as_deref(), Some("0912345678"));
        assert_eq!(normalize_phone("+84 912 345 678").as_deref(), Some("0912345678"));
        assert_eq!(normalize_phone("12345"), None);
    }
}
