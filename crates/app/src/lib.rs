//! The use-case layer: every operation a user or a background job can perform, one function each.
//! A use case authorises (turning the actor's grants into a [`hocvuso_core::access::Scope`]),
//! opens the transaction, checks the rules against stored data inside it, changes, appends its
//! audit event and enqueues background work — all in that one transaction. Pages, the API, the
//! command line and background jobs call these functions; none of them opens a transaction or
//! writes audit itself.

pub mod imports;
pub mod jobs;

use hocvuso_core::crypto::PidVault;
use hocvuso_db::Db;
use std::path::PathBuf;
use std::sync::Arc;

/// What use cases and background jobs work with: the database, the ID-number vault, the folder
/// of uploads, and the nudge that tells this process's job runner that work was committed.
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub vault: Arc<PidVault>,
    /// Uploaded files and staged rows wait here (readable by the server's user only).
    pub upload_dir: PathBuf,
    pub jobs: jobs::Wake,
}

impl Ctx {
    pub fn new(db: Db, vault: Arc<PidVault>, upload_dir: PathBuf) -> Ctx {
        Ctx {
            db,
            vault,
            upload_dir,
            jobs: jobs::Wake::default(),
        }
    }
}
