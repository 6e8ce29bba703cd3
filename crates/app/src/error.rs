//! What a use case can answer besides success. The web layer maps each to a status and a
//! Vietnamese message; the command line prints the message.

use hocvuso_core::access::Denied;
use hocvuso_core::i18n::Message;
use hocvuso_db::DbError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A message about one field of a form or file.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub message: Message,
}

impl FieldError {
    pub fn new(field: &str, message: Message) -> FieldError {
        FieldError {
            field: field.to_string(),
            message,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("access denied: {0:?}")]
    Denied(Denied),
    #[error("not found")]
    NotFound,
    /// The input breaks a rule checked against stored data; each message names its field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The change conflicts with what is stored (a number held by someone else, a repeat).
    #[error("conflict: {}", .0.message.key)]
    Conflict(FieldError),
    /// A limit on how often something may be done was reached.
    #[error("limited: {}", .0.message.key)]
    Limited(FieldError),
    /// Another upload is being read and this one waited its time (`reading::Gate::read`): the
    /// officer sends it again later.
    #[error("busy reading another upload")]
    Busy,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<Denied> for Error {
    fn from(d: Denied) -> Error {
        Error::Denied(d)
    }
}

impl From<hocvuso_db::people::PersonError> for Error {
    fn from(e: hocvuso_db::people::PersonError) -> Error {
        use hocvuso_db::people::PersonError;
        match e {
            PersonError::Invalid(m) => Error::Invalid(vec![FieldError::new("", m)]),
            PersonError::DuplicateId => {
                Error::Conflict(FieldError::new("personal_id", Message::new("err-pid-duplicate")))
            }
            PersonError::Db(d) => Error::Db(d),
        }
    }
}
