//! Certificates after they are issued: what a stranger sees from the QR code, what the holder
//! downloads, and their revocation by an officer of the holder's unit.

use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Principal, act};
use hocvuso_core::certificate::credential::{self, Failure, Issuer, IssuerKey, StatusEntry, Verified};
use hocvuso_core::certificate::{Certificate, Code, Kind};
use hocvuso_core::i18n::Message;
use hocvuso_db::attainments::{self as db, Certificate as Stored};
use hocvuso_db::audit::{self, Actor, Entry};
use serde_json::json;
use time::Date;

/// What the public verification page and API show: only what is needed to match the paper to
/// its holder, never the full name nor anything about where they live.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublicView {
    pub code: String,
    pub holder: String,
    pub achievement: String,
    pub level: String,
    #[serde(with = "iso_date")]
    pub issued_on: Date,
    pub issuer: String,
    /// A course completed or an attainment.
    pub kind: Kind,
    /// The day (in Vietnam) the certificate was revoked, when it was.
    #[serde(with = "iso_date_opt")]
    pub revoked_on: Option<Date>,
}

mod iso_date {
    pub fn serialize<S: serde::Serializer>(d: &time::Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.to_string())
    }
}

mod iso_date_opt {
    pub fn serialize<S: serde::Serializer>(d: &Option<time::Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }
}

/// A name as the public page shows it: the given name (the last word, what people are called
/// by) whole, every other word by its first letter. "Nguyễn Thị Ngọc Ánh" → "N. T. N. Ánh".
pub fn mask_name(full: &str) -> String {
    let words: Vec<&str> = full.split_whitespace().collect();
    let Some((last, rest)) = words.split_last() else {
        return String::new();
    };
    let mut out: Vec<String> = rest
        .iter()
        .filter_map(|w| w.chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect();
    out.push((*last).to_string());
    out.join(" ")
}

fn public(c: &Stored) -> PublicView {
    PublicView {
        code: c.code.clone(),
        holder: mask_name(&c.holder_name),
        achievement: c.achievement.clone(),
        level: c.level.clone(),
        issued_on: c.issued_on,
        issuer: c.issuer_name.clone(),
        kind: kind(c),
        revoked_on: c.revoked_at.map(super::attainment::vietnam_date),
    }
}

/// The certificate a code names, as anyone may see it; `NotFound` for a code that is malformed
/// or names none (the same answer, so codes cannot be probed by their shape).
pub async fn public_view(app: &App, code: &str) -> Result<PublicView> {
    let code = Code::parse(code).ok_or(Error::NotFound)?;
    let c = db::certificate_by_code(&app.db, code.as_str())
        .await?
        .ok_or(Error::NotFound)?;
    Ok(public(&c))
}

/// The address that checks a certificate: what its QR code holds.
pub fn verify_url(app: &App, code: &str) -> String {
    format!("{}/xac-minh/{code}", app.public_url.trim_end_matches('/'))
}

/// What a stored certificate states: a course completed, or an attainment.
pub fn kind(c: &Stored) -> Kind {
    if c.is_course() {
        Kind::CourseCompletion
    } else {
        Kind::Attainment
    }
}

/// A stored certificate as printed and signed.
pub fn printed(app: &App, c: &Stored) -> Result<Certificate> {
    Ok(Certificate {
        code: Code::parse(&c.code).ok_or(Error::NotFound)?,
        holder_name: c.holder_name.clone(),
        achievement: c.achievement.clone(),
        criteria: c.criteria.clone(),
        level: c.level.clone(),
        issued_on: c.issued_on,
        issuer_name: c.issuer_name.clone(),
        verify_url: verify_url(app, &c.code),
        kind: kind(c),
    })
}

/// One of the viewer's own certificates (the holder downloads it); anyone else's is `NotFound`.
pub async fn own(app: &App, who: &Principal, code: &str) -> Result<Stored> {
    let code = Code::parse(code).ok_or(Error::NotFound)?;
    let c = db::certificate_by_code(&app.db, code.as_str())
        .await?
        .ok_or(Error::NotFound)?;
    match who.person_id {
        Some(p) if p == c.person_id => Ok(c),
        _ => Err(Error::NotFound),
    }
}

/// The certificates of a person, for those who may see the person.
pub async fn of_person(app: &App, who: &Principal, person_id: i64) -> Result<Vec<Stored>> {
    let path = hocvuso_db::people::locate(&app.db, person_id)
        .await?
        .ok_or(Error::NotFound)?;
    who.authorize_person::<act::ViewPeople>(&path)?;
    Ok(db::certificates_of_person(&app.db, person_id).await?)
}

pub const MAX_REASON: usize = 500;

/// Revokes a person's certificate with the reason, audited. The officer's role over the holder,
/// the certificate's owner and its state are read again in the writing transaction.
pub async fn revoke(app: &App, who: &Principal, person_id: i64, code: &str, reason: &str) -> Result<()> {
    // Whether the officer may act on the person comes first: a refusal says nothing of the form.
    let path = hocvuso_db::people::locate(&app.db, person_id)
        .await?
        .ok_or(Error::NotFound)?;
    who.authorize_person::<act::ManagePeople>(&path)?;
    let reason = hocvuso_core::text::required_line("reason", reason, MAX_REASON)
        .map_err(|m| Error::Invalid(vec![FieldError::new("reason", m)]))?;
    let code = Code::parse(code).ok_or(Error::NotFound)?;
    let mut tx = app.db.begin().await?;
    let path = hocvuso_db::people::locate_tx(&mut tx, person_id)
        .await?
        .ok_or(Error::NotFound)?;
    who.authorize_person::<act::ManagePeople>(&path)?;
    let c = db::certificate_by_code_tx(&mut tx, code.as_str())
        .await?
        .filter(|c| c.person_id == person_id)
        .ok_or(Error::NotFound)?;
    let at = hocvuso_db::now();
    if !db::revoke(&mut tx, c.id, &reason, who.account_id, at).await? {
        return Err(Error::Conflict(FieldError::new(
            "code",
            Message::new("err-certificate-revoked-already"),
        )));
    }
    audit::append(
        &mut tx,
        &Actor::from(who),
        Entry::of(
            &path,
            &hocvuso_core::audit::Event::CertificateRevoked {
                person_id,
                detail: json!({ "code": c.code, "reason": reason }),
            },
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- the signed credential -------------------------------------------------------------------

/// Where the status lists are published: `{public_url}/credentials/status/{n}`.
pub fn status_base(app: &App) -> String {
    format!("{}/credentials/status", app.public_url.trim_end_matches('/'))
}

/// The platform as the issuer of credentials: `did:web` of its public address.
pub fn issuer(app: &App) -> Result<Issuer> {
    Issuer::did_web(&app.public_url, &app.issuer_name).map_err(|m| Error::Invalid(vec![FieldError::new("", m)]))
}

fn key(app: &App) -> Result<&IssuerKey> {
    app.credential_key
        .as_deref()
        .ok_or_else(|| Error::Invalid(vec![FieldError::new("", Message::new("err-credential-no-key"))]))
}

/// The DID document published at `/.well-known/did.json`: the platform's signing key.
pub fn did_document(app: &App) -> Result<serde_json::Value> {
    Ok(issuer(app)?.did_document(&[key(app)?.public_key()]))
}

/// The holder's certificate as a signed Open Badges 3.0 credential, its status bit its id.
pub async fn credential(app: &App, who: &Principal, code: &str) -> Result<serde_json::Value> {
    let c = own(app, who, code).await?;
    let printed = printed(app, &c)?;
    let status = StatusEntry::nth(&status_base(app), c.id as u64);
    credential::issue(&printed, &issuer(app)?, key(app)?, status)
        .map_err(|m| Error::Invalid(vec![FieldError::new("", m)]))
}

/// The holder's certificate as a PDF.
pub async fn pdf(app: &App, who: &Principal, code: &str) -> Result<(String, Vec<u8>)> {
    let c = own(app, who, code).await?;
    let printed = printed(app, &c)?;
    let bytes = render_pdf(vec![printed]).await?;
    Ok((c.code, bytes))
}

/// Renders certificates off the async workers (a class's batch takes a while).
pub async fn render_pdf(certs: Vec<Certificate>) -> Result<Vec<u8>> {
    match tokio::task::spawn_blocking(move || hocvuso_core::certificate::pdf::render(&certs)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(Error::Invalid(vec![FieldError::new(
            "",
            Message::new("err-certificate-pdf").arg("detail", e.to_string()),
        )])),
        Err(e) => Err(Error::Db(hocvuso_db::DbError::Invalid(format!(
            "the PDF task failed: {e}"
        )))),
    }
}

/// The n-th status list, signed: the revoked certificates with ids in its range.
pub async fn status_list(app: &App, n: u64) -> Result<serde_json::Value> {
    let size = credential::STATUS_LIST_SIZE;
    let from = n.checked_mul(size).ok_or(Error::NotFound)?;
    let (Ok(lo), Ok(hi)) = (i64::try_from(from), i64::try_from(from + size)) else {
        return Err(Error::NotFound);
    };
    let revoked: Vec<u64> = db::revoked_between(&app.db, lo, hi)
        .await?
        .into_iter()
        .map(|id| (id - lo) as u64)
        .collect();
    let url = format!("{}/{n}", status_base(app));
    credential::status_list(&url, &issuer(app)?, key(app)?, &revoked, hocvuso_db::now())
        .map_err(|m| Error::Invalid(vec![FieldError::new("", m)]))
}

/// What checking a credential file found: genuine (signed by this platform's key, unchanged) and
/// whether the certificate it states is still valid here.
#[derive(Debug, Clone)]
pub struct Checked {
    pub verified: Verified,
    pub public: PublicView,
}

/// Checks a credential file someone holds: the signature with this platform's key, then the
/// certificate it names in the register (revoked or not). A credential whose certificate is not
/// in the register is refused like a forged one.
pub async fn check_credential(app: &App, bytes: &[u8]) -> Result<Checked, CheckError> {
    let issuer = issuer(app).map_err(CheckError::App)?;
    let key = key(app).map_err(CheckError::App)?;
    let verified = credential::verify(bytes, &issuer, &[key.public_key()]).map_err(CheckError::Failed)?;
    let public = match public_view(app, verified.code.as_str()).await {
        Ok(p) => p,
        Err(Error::NotFound) => return Err(CheckError::Unregistered),
        Err(e) => return Err(CheckError::App(e)),
    };
    Ok(Checked { verified, public })
}

#[derive(Debug)]
pub enum CheckError {
    /// The file is not a genuine credential: the reason.
    Failed(Failure),
    /// Genuinely signed, yet the register has no certificate of its code.
    Unregistered,
    App(Error),
}

impl CheckError {
    pub fn message(&self) -> Message {
        match self {
            CheckError::Failed(f) => f.message(),
            CheckError::Unregistered => Message::new("err-credential-unregistered"),
            CheckError::App(_) => Message::new("err-credential-no-key"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mask_name;

    #[test]
    fn the_given_name_stays_whole() {
        assert_eq!(mask_name("Nguyễn Thị Ngọc Ánh"), "N. T. N. Ánh");
        assert_eq!(mask_name("  Lò   Văn Ánh "), "L. V. Ánh");
        assert_eq!(mask_name("Ánh"), "Ánh");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name("đặng văn ơn"), "Đ. V. ơn");
    }
}
