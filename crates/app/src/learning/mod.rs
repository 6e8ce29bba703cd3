//! Learning: the shipped frameworks and courses installed at start, the catalogue, a course and a
//! lesson as a learner reads them, enrolling, marking lessons done, and a learner's progress. Every
//! learning event is an xAPI statement appended in the same transaction as the progress it records.

pub mod admin;
pub mod audio;
pub mod authoring;
mod figures;
mod install;
mod learner;
pub mod media;
pub mod package;
pub mod recording;
pub mod rendered;
pub mod revision;

pub use figures::*;
pub use install::*;
pub use learner::*;

use crate::{Error, Result};
use hocvuso_core::access::Principal;
use hocvuso_core::learning::ContentLang;
use hocvuso_db::learning as db;

/// A course's title in `lang`, or in Vietnamese, from the texts of every course.
pub(crate) fn course_title(texts: &[db::CourseText], course_id: i64, lang: ContentLang) -> String {
    pick(
        lang,
        texts
            .iter()
            .filter(|t| t.course_id == course_id)
            .map(|t| (t.lang, t.title.clone())),
    )
    .map(|t| t.value)
    .unwrap_or_default()
}

/// Text in the language asked for, or Vietnamese, saying which.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InLang<T> {
    pub value: T,
    pub lang: ContentLang,
    /// The language asked for was missing and Vietnamese is shown instead.
    pub fallback: bool,
}

fn pick<T: Clone>(wanted: ContentLang, mut options: impl Iterator<Item = (ContentLang, T)>) -> Option<InLang<T>> {
    let all: Vec<(ContentLang, T)> = options.by_ref().collect();
    if let Some((l, v)) = all.iter().find(|(l, _)| *l == wanted) {
        return Some(InLang {
            value: v.clone(),
            lang: *l,
            fallback: false,
        });
    }
    let (l, v) = all
        .iter()
        .find(|(l, _)| *l == ContentLang::Vi)
        .or_else(|| all.first())?;
    Some(InLang {
        value: v.clone(),
        lang: *l,
        fallback: true,
    })
}

fn account(who: &Principal) -> Result<i64> {
    who.account_id
        .ok_or(Error::Denied(hocvuso_core::access::Denied::Forbidden))
}
