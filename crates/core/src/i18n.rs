//! UI strings live in Fluent files under `locales/`; code refers to them by key. A [`Message`] is a
//! key with its arguments, so rules can say what went wrong without choosing a language.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;

static_loader! {
    static LOCALES = {
        locales: "../../locales",
        fallback_language: "vi",
        // Bidi isolation marks would end up inside CSV cells and HTML attributes.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static VI: LanguageIdentifier = langid!("vi");
static EN: LanguageIdentifier = langid!("en");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().get(..2)?.to_ascii_lowercase().as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the first supported language of an `Accept-Language` header; Vietnamese otherwise.
    pub fn from_accept_language(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or_default()
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }
}

/// Translates a key without arguments.
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES.try_lookup(lang.id(), key).unwrap_or_else(|| key.to_string())
}

/// A message key with named arguments, rendered late in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub key: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, String)>,
}

impl Message {
    pub fn new(key: &str) -> Self {
        Message {
            key: key.to_string(),
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &str, value: impl ToString) -> Self {
        self.args.push((name.to_string(), value.to_string()));
        self
    }

    pub fn render(&self, lang: Lang) -> String {
        if self.args.is_empty() {
            return t(lang, &self.key);
        }
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        for (k, v) in &self.args {
            // Field names are keys themselves ("field-full_name"); translate them in place.
            let value = if k == "field" {
                t(lang, &format!("field-{v}"))
            } else {
                v.clone()
            };
            // `n` is a count: a number to Fluent, so plural forms select on it. Other arguments
            // stay text ("00004" is a unit code, not four).
            let value = match (k.as_str(), value.parse::<i64>()) {
                ("n", Ok(n)) => FluentValue::from(n),
                _ => FluentValue::from(value),
            };
            args.insert(Cow::Owned(k.clone()), value);
        }
        LOCALES
            .try_lookup_with_args(lang.id(), &self.key, &args)
            .unwrap_or_else(|| self.key.clone())
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::Vi))
    }
}

impl std::error::Error for Message {}

/// A moment as people in Vietnam read it: Vietnam time (UTC+7), day first, `06/12/2026 20:05`.
pub fn format_datetime(t: time::OffsetDateTime) -> String {
    let offset = time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let t = t.to_offset(offset);
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_languages() {
        let m = Message::new("err-text-too-long")
            .arg("field", "full_name")
            .arg("max", 5)
            .arg("len", 9);
        let vi = m.render(Lang::Vi);
        assert!(vi.contains("Họ và tên"), "{vi}");
        assert!(vi.contains('5'));
        assert!(m.render(Lang::En).contains("Full name"));
    }

    #[test]
    fn every_key_in_both_languages() {
        let keys = |text: &str| -> std::collections::BTreeSet<String> {
            text.lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_string()))
                .filter(|k| !k.starts_with('#') && !k.is_empty())
                .collect()
        };
        // Every file of each language, by file name: a module's strings live in its own file.
        let dir = |lang: &str| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../locales")
                .join(lang)
        };
        let files = |lang: &str| -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
            std::fs::read_dir(dir(lang))
                .expect("locales folder")
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
                .map(|p| {
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    (name, keys(&std::fs::read_to_string(&p).expect("read ftl")))
                })
                .collect()
        };
        let (vi, en) = (files("vi"), files("en"));
        assert!(vi.contains_key("main.ftl"), "{:?}", vi.keys());
        assert_eq!(
            vi.keys().collect::<Vec<_>>(),
            en.keys().collect::<Vec<_>>(),
            "both languages have the same files"
        );
        let mut seen = std::collections::BTreeSet::new();
        for (file, vi_keys) in &vi {
            // Every file is compiled into the loader, not only main.ftl (a message with
            // arguments does not resolve without them, so one without is looked up).
            let text = std::fs::read_to_string(dir("vi").join(file)).expect("read ftl");
            let plain = text
                .lines()
                .filter_map(|l| l.split_once(" = "))
                .find(|(k, v)| vi_keys.contains(k.trim()) && !v.contains('$') && !v.trim().is_empty());
            if let Some((k, _)) = plain {
                for lang in [Lang::Vi, Lang::En] {
                    assert!(
                        LOCALES.try_lookup(lang.id(), k.trim()).is_some(),
                        "{file}: {k} is not loaded for {lang:?}"
                    );
                }
            }
            let en_keys = &en[file];
            let only_vi: Vec<_> = vi_keys.difference(en_keys).collect();
            let only_en: Vec<_> = en_keys.difference(vi_keys).collect();
            assert!(
                only_vi.is_empty() && only_en.is_empty(),
                "{file}: only in vi: {only_vi:?}; only in en: {only_en:?}"
            );
            for k in vi_keys {
                assert!(seen.insert(k.clone()), "key {k} is defined in two files");
            }
        }
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr,vi;q=0.5"), Lang::Vi);
        assert_eq!(Lang::from_accept_language(""), Lang::Vi);
    }
}
