//! Stored values that name one of a closed set (a unit's level, a role, an import's status, a
//! person's target groups…) or hold a document this release wrote (an import's message). They
//! decode strictly, in [`record!`](crate::record): a value this release does not know is an error
//! naming the table, the column and the value ([`DbError::Unknown`](crate::DbError::Unknown)),
//! never a guess. A guess is how an unknown level became an organisation, an unknown role the
//! widest one and an unknown import status a failure.

use hocvuso_core::i18n::Message;
use hocvuso_core::learning::draft::DraftState;
use hocvuso_core::learning::media::MediaKind;
use hocvuso_core::learning::{ContentLang, CourseStatus};
use hocvuso_core::people::{Groups, Sex};
use hocvuso_core::roles::Role;
use hocvuso_core::units::{DenominatorKind, Kind, Level};
use std::fmt::Debug;

/// A Rust value kept in one column as a [`Stored::Raw`] (text or a number).
pub trait Stored: Sized {
    type Raw: Debug;
    /// `None` when `raw` is not a value this release writes.
    fn from_stored(raw: &Self::Raw) -> Option<Self>;
    /// The value as an error shows it: text quoted, numbers bare.
    fn describe(raw: &Self::Raw) -> String {
        format!("{raw:?}")
    }
}

/// A stored value this release does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table}.{column} holds {value}, which this release does not know")]
pub struct UnknownValue {
    pub table: &'static str,
    pub column: &'static str,
    /// As Rust prints it: text quoted, numbers bare.
    pub value: String,
}

impl UnknownValue {
    /// `at` is `"table.column"`.
    pub fn new(at: &'static str, value: &impl Debug) -> UnknownValue {
        Self::described(at, format!("{value:?}"))
    }

    fn described(at: &'static str, value: String) -> UnknownValue {
        let (table, column) = at.split_once('.').unwrap_or(("", at));
        UnknownValue { table, column, value }
    }
}

/// Reads `field` of `row` as `T`, stored at `at` (`"table.column"`, for the error).
pub fn decode<'r, T, R>(row: &'r R, field: &'static str, at: &'static str) -> Result<T, sqlx::Error>
where
    T: Stored,
    R: sqlx::Row,
    T::Raw: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'static str: sqlx::ColumnIndex<R>,
{
    let raw: T::Raw = row.try_get(field)?;
    T::from_stored(&raw).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: field.to_string(),
        source: Box::new(UnknownValue::described(at, T::describe(&raw))),
    })
}

/// A nullable column: NULL is `None`, anything else must decode.
impl<T: Stored> Stored for Option<T> {
    type Raw = Option<T::Raw>;
    fn from_stored(raw: &Self::Raw) -> Option<Self> {
        match raw {
            None => Some(None),
            Some(r) => T::from_stored(r).map(Some),
        }
    }
    fn describe(raw: &Self::Raw) -> String {
        raw.as_ref().map_or_else(|| "NULL".into(), T::describe)
    }
}

/// Text enums of `core`: the stored form is `as_str()`, exactly. Their `parse` may accept more
/// (`Sex::parse` reads "Nam" and "nu" from spreadsheets); storage accepts only what it writes.
macro_rules! stored_as_text {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::stored::Stored for $t {
            type Raw = String;
            fn from_stored(raw: &String) -> Option<Self> {
                <$t>::parse(raw).filter(|v| v.as_str() == raw)
            }
        }
    )*};
}
pub(crate) use stored_as_text;

stored_as_text!(
    Level,
    Kind,
    Role,
    Sex,
    DenominatorKind,
    CourseStatus,
    ContentLang,
    DraftState,
    MediaKind
);

/// The groups' bit mask; a bit no group uses is unknown, not dropped.
impl Stored for Groups {
    type Raw = i32;
    fn from_stored(raw: &i32) -> Option<Self> {
        Groups::try_from_bits(*raw)
    }
}

/// A message (key and arguments) stored as JSON.
impl Stored for Message {
    type Raw = String;
    fn from_stored(raw: &String) -> Option<Self> {
        serde_json::from_str(raw).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Typed fields serialise (pages' JSON, idempotency results, audit details) exactly as the
    /// stored text they replaced.
    #[test]
    fn serde_form_is_the_stored_form() {
        fn check<T: Stored<Raw = String> + serde::Serialize>(all: &[T], as_str: fn(&T) -> &'static str) {
            for v in all {
                let s = as_str(v);
                assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(s));
                assert!(T::from_stored(&s.to_string()).is_some(), "{s} round-trips");
            }
        }
        let levels = [
            Level::Country,
            Level::Province,
            Level::Commune,
            Level::Village,
            Level::Organisation,
        ];
        check(&levels, |l| l.as_str());
        check(Kind::ALL, |k| k.as_str());
        check(&Role::ALL, |r| r.as_str());
        check(&[Sex::Male, Sex::Female], |s| s.as_str());
        check(&DenominatorKind::ALL, |k| k.as_str());
        check(&CourseStatus::ALL, |k| k.as_str());
        check(&DraftState::ALL, |k| k.as_str());
        check(&ContentLang::ALL, |k| k.as_str());
    }

    #[test]
    fn only_the_written_form_decodes() {
        assert_eq!(Sex::from_stored(&"male".into()), Some(Sex::Male));
        for lenient in ["Nam", "nu", "m", "0", "MALE", ""] {
            assert_eq!(Sex::from_stored(&lenient.into()), None, "{lenient}");
        }
        assert_eq!(Level::from_stored(&"hamlet".into()), None);
        assert_eq!(Role::from_stored(&"superuser".into()), None);
        assert_eq!(CourseStatus::from_stored(&"live".into()), None);
        assert_eq!(ContentLang::from_stored(&"vi-VN".into()), None);
        assert_eq!(Groups::from_stored(&0b1010).map(Groups::bits), Some(0b1010));
        assert_eq!(Groups::from_stored(&0b1_0000), None);
        assert_eq!(Groups::from_stored(&-1), None);
        assert_eq!(Option::<Level>::from_stored(&None), Some(None));
        assert_eq!(Option::<Level>::from_stored(&Some("x".into())), None);
        assert!(Message::from_stored(&"err-import-failed".into()).is_none(), "not JSON");
        let e = UnknownValue::new("units.level", &"hamlet");
        assert_eq!(
            e.to_string(),
            "units.level holds \"hamlet\", which this release does not know"
        );
    }
}
