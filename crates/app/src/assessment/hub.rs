//! The learner's tests page: which tests they can take, their attempts, their confirmations and
//! certificates.

use super::attempt::learner;
use crate::{App, Error, Result};
use hocvuso_core::access::Principal;
use hocvuso_core::assessment::exam::{self, Kind};
use hocvuso_core::i18n::Message;
use hocvuso_core::people::TargetGroup;
use hocvuso_db::attainments::{self as adb, Attainment};
use hocvuso_db::attempts as db;
use hocvuso_db::now;
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct AttemptRow {
    pub public_id: String,
    pub kind: Kind,
    pub group: Option<TargetGroup>,
    pub started_at: OffsetDateTime,
    pub submitted: bool,
    /// Open and still in time: it can be continued.
    pub open: bool,
    pub passed: Option<bool>,
    pub right: usize,
    pub total: usize,
}

#[derive(Debug, Clone)]
pub struct CertificateRow {
    pub code: String,
    pub achievement: String,
    pub level: String,
    pub issued_on: time::Date,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub struct Hub {
    pub groups: Vec<TargetGroup>,
    pub attempts: Vec<AttemptRow>,
    pub attainments: Vec<Attainment>,
    pub certificates: Vec<CertificateRow>,
    /// Why a final assessment of the first group cannot start now (when it cannot).
    pub final_wait: Option<Message>,
    /// The groups already confirmed.
    pub confirmed: Vec<TargetGroup>,
}

pub async fn hub(app: &App, who: &Principal) -> Result<Hub> {
    let l = match learner(app, who).await {
        Ok(l) => l,
        // An account with no learner's record sees the page with its explanation.
        Err(Error::Conflict(_)) => {
            return Ok(Hub {
                groups: Vec::new(),
                attempts: Vec::new(),
                attainments: Vec::new(),
                certificates: Vec::new(),
                final_wait: Some(Message::new("err-exam-no-person")),
                confirmed: Vec::new(),
            });
        }
        Err(e) => return Err(e),
    };
    let at = now();
    let rows = db::of_account(&app.db, l.account_id, 50).await?;
    let attempts: Vec<AttemptRow> = rows
        .iter()
        .map(|a| AttemptRow {
            public_id: a.public_id.clone(),
            kind: a.kind,
            group: a.target_group,
            started_at: a.started_at,
            submitted: a.submitted_at.is_some(),
            open: a.submitted_at.is_none() && exam::in_time(a.deadline, at),
            passed: a.passed,
            right: a.result.as_ref().map(|s| s.right).unwrap_or(0),
            total: a.result.as_ref().map(|s| s.total).unwrap_or(0),
        })
        .collect();
    let final_wait = match l.groups.first() {
        Some(g) => {
            let starts: Vec<OffsetDateTime> = rows
                .iter()
                .filter(|a| a.kind == Kind::Final && a.target_group == Some(*g))
                .map(|a| a.started_at)
                .collect();
            exam::may_start_final(&starts, at).err()
        }
        None => Some(Message::new("err-exam-no-group")),
    };
    let attainments = adb::of_person(&app.db, l.person_id).await?;
    let certificates = adb::certificates_of_person(&app.db, l.person_id)
        .await?
        .into_iter()
        .map(|c| CertificateRow {
            code: c.code,
            achievement: c.achievement,
            level: c.level,
            issued_on: c.issued_on,
            revoked: c.revoked_at.is_some(),
        })
        .collect();
    Ok(Hub {
        confirmed: attainments.iter().map(|a| a.target_group).collect(),
        groups: l.groups,
        attempts,
        attainments,
        certificates,
        final_wait,
    })
}
