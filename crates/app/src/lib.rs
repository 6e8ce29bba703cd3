//! The use-case layer: every operation a user or a background job can perform, one function each.
//! A use case authorises (turning the principal's roles into a [`hocvuso_core::access::Scope`]),
//! opens the transaction, checks the rules against stored data inside it, changes, appends its
//! audit event and enqueues background work, all in that one transaction. Pages, the API, the
//! command line and background jobs call these functions; none of them opens a transaction or
//! writes audit itself.

pub mod access;
pub mod accounts;
pub mod assessment;
pub mod error;
pub mod imports;
pub mod jobs;
pub mod learning;
pub mod limits;
pub mod people;
pub mod question_bank;
pub mod reading;
pub mod speech;
pub mod units;

pub use error::{Error, FieldError, Result};

use hocvuso_core::crypto::PidVault;
use hocvuso_db::Db;
use std::path::PathBuf;
use std::sync::Arc;

/// What every use case and background job works with: the database and the key vault, the limits
/// kept in memory between requests, the folder of uploads, the nudge that tells this process's
/// job runner that work was committed, and the gate every spreadsheet read passes (one per
/// process: clones share it).
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub vault: Arc<PidVault>,
    pub limits: Arc<limits::Limits>,
    /// Uploaded files and staged rows wait here (readable by the server's user only).
    pub upload_dir: PathBuf,
    pub jobs: jobs::Wake,
    pub reader: Arc<reading::Gate>,
    /// The platform's public address (`HOCVUSO_PUBLIC_URL`): the home of learners' xAPI accounts
    /// and the root of activity IRIs.
    pub public_url: String,
    /// Make lessons' audio with eSpeak NG ([`speech`]); off, lessons have none.
    pub lesson_audio: bool,
    /// Lesson HTML already rendered, keyed on the Markdown and the course's files it was rendered
    /// with (one per process: clones share it).
    pub rendered: Arc<learning::rendered::Rendered>,
    /// Who issues certificates, as they print it (`HOCVUSO_ISSUER_NAME`); the holder's province is
    /// added after it.
    pub issuer_name: String,
    /// The key that signs certificates' credentials (`with_credential_key`); without it no
    /// credential is issued.
    pub credential_key: Option<Arc<hocvuso_core::certificate::credential::IssuerKey>>,
}

/// The issuer a certificate names unless the operator sets one: the platform itself, not an
/// authority it cannot speak for.
pub const DEFAULT_ISSUER_NAME: &str = "Nền tảng Bình dân học vụ số hocvuso";

impl App {
    pub fn new(db: Db, vault: Arc<PidVault>, upload_dir: PathBuf) -> App {
        App {
            db,
            vault,
            limits: Arc::new(limits::Limits::default()),
            upload_dir,
            jobs: jobs::Wake::default(),
            reader: Arc::new(reading::Gate::default()),
            public_url: "http://localhost:8080".into(),
            lesson_audio: false,
            rendered: Arc::new(learning::rendered::Rendered::default()),
            issuer_name: DEFAULT_ISSUER_NAME.into(),
            credential_key: None,
        }
    }

    /// Signs credentials with the key of this seed (`MasterKey::credential_seed`).
    pub fn with_credential_key(mut self, seed: &[u8; 32]) -> App {
        self.credential_key = Some(Arc::new(hocvuso_core::certificate::credential::IssuerKey::from_seed(
            seed,
        )));
        self
    }

    pub fn with_public_url(mut self, url: &str) -> App {
        self.public_url = url.trim_end_matches('/').to_string();
        self
    }

    /// With lessons' audio made by eSpeak NG (`HOCVUSO_LESSON_AUDIO`).
    pub fn with_lesson_audio(mut self, on: bool) -> App {
        self.lesson_audio = on;
        self
    }

    /// The same, with requests waiting at most `wait` for another upload's read
    /// (`HOCVUSO_UPLOAD_WAIT_SECS`).
    pub fn with_upload_wait(mut self, wait: std::time::Duration) -> App {
        self.reader = Arc::new(reading::Gate::new(wait));
        self
    }
}

/// Where a request came from, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Page,
    Api,
}
