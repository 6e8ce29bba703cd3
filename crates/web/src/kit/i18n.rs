//! The reader's language: a `lang` cookie set from the language switch, else `Accept-Language`,
//! else Vietnamese. Templates translate through [`Tr`].

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hocvuso_core::i18n::{Lang, Message, t};
use std::convert::Infallible;

#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get(&self, key: &str) -> String {
        t(self.0, key)
    }
    pub fn msg(&self, m: &Message) -> String {
        m.render(self.0)
    }
    pub fn code(&self) -> &'static str {
        self.0.code()
    }
    /// A message about a number (`{ $n }`), with the language's plural forms.
    pub fn count(&self, key: &str, n: impl ToString) -> String {
        Message::new(key).arg("n", n).render(self.0)
    }
    /// A message about two numbers (`{ $a }` of `{ $b }`).
    pub fn count2(&self, key: &str, a: impl ToString, b: impl ToString) -> String {
        Message::new(key).arg("a", a).arg("b", b).render(self.0)
    }
    /// A message naming one thing (`{ $name }`): a file, a person.
    pub fn named(&self, key: &str, name: impl ToString) -> String {
        Message::new(key).arg("name", name).render(self.0)
    }
    /// "1.234.567" — Vietnamese digit grouping.
    pub fn num(&self, n: &i64) -> String {
        let s = n.abs().to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(if self.0 == Lang::Vi { '.' } else { ',' });
            }
            out.push(c);
        }
        if *n < 0 { format!("-{out}") } else { out }
    }
}

pub fn lang_from_parts(parts: &Parts) -> Lang {
    if let Some(cookie) = crate::kit::viewer::cookie(&parts.headers, "lang")
        && let Some(l) = Lang::parse(&cookie)
    {
        return l;
    }
    parts
        .headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for Tr {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Tr(lang_from_parts(parts)))
    }
}
