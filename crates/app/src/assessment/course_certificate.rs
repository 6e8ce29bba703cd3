//! Certificates of completing a course (issue 10 §4): a course whose author asks for one gives it
//! to a learner with a person record who completes every lesson, in the transaction that marks
//! the last lesson done. It states a course completed, never an attainment: it is stored beside
//! certificates of attainment (same codes, page, API, credential, status list and revocation) but
//! nothing that counts or lists attainments reads it.

use super::attainment::{issuer_for, store_certificate, vietnam_date};
use crate::{App, Result};
use hocvuso_core::access::Principal;
use hocvuso_core::learning::{ContentLang, LEVEL_FRAMEWORK};
use hocvuso_db::Tx;
use hocvuso_db::attainments::{self as db, NewCertificate, Subject};
use hocvuso_db::audit::Actor;
use hocvuso_db::learning::{self as ldb, Course};
use time::OffsetDateTime;

/// What a certificate of completion says, in Vietnamese (the language of the record).
pub(crate) fn achievement(title: &str) -> String {
    format!("Hoàn thành khóa học «{title}»")
}

fn criteria(title: &str) -> String {
    format!("Đã hoàn thành tất cả các bài học của khóa học «{title}» trên nền tảng hocvuso.")
}

/// Issues the certificate of a course just completed, inside the caller's transaction; `None`
/// when the course gives none, the account has no person record (an officer's own account), or
/// the person holds one for this course already (once per person and course, read again here).
pub async fn on_course_done(
    app: &App,
    tx: &mut Tx,
    who: &Principal,
    course: &Course,
    at: OffsetDateTime,
) -> Result<Option<String>> {
    if !course.completion_certificate {
        return Ok(None);
    }
    let Some(person_id) = who.person_id else {
        return Ok(None);
    };
    if db::course_certificate_tx(tx, person_id, course.id).await?.is_some() {
        return Ok(None);
    }
    let Some(holder) = db::holder_tx(tx, person_id).await? else {
        return Ok(None);
    };
    let title = ldb::course_title_tx(tx, course.id, ContentLang::Vi)
        .await?
        .unwrap_or_else(|| course.slug.clone());
    let level = crate::learning::framework(app, LEVEL_FRAMEWORK)
        .await
        .ok()
        .and_then(|f| f.levels.into_iter().find(|l| l.code == course.level))
        .map(|l| l.name)
        .unwrap_or_else(|| course.level.clone());
    let issuer = issuer_for(app, tx, &holder.unit_path).await?;
    let (achievement, criteria) = (achievement(&title), criteria(&title));
    let code = store_certificate(
        tx,
        &Actor::from(who),
        &NewCertificate {
            code: "",
            subject: Subject::Course(course.id),
            person_id,
            unit_path: &holder.unit_path,
            holder_name: &holder.full_name,
            achievement: &achievement,
            criteria: &criteria,
            level: &level,
            issued_on: vietnam_date(at),
            issued_at: at,
            issuer_name: &issuer,
        },
    )
    .await?;
    Ok(Some(code))
}

/// What the course page says of the certificate of completion.
#[derive(Debug, Clone, Default)]
pub struct OnCoursePage {
    /// The course gives one to whoever completes it.
    pub offered: bool,
    /// The code of the signed-in learner's certificate of this course, when they hold one.
    pub held: Option<String>,
    pub revoked: bool,
    /// The signed-in account has no person record, so it cannot be given one.
    pub no_person: bool,
}

/// The course page's certificate part for whoever looks (anyone for a published course).
pub async fn on_course_page(app: &App, who: Option<&Principal>, slug: &str) -> Result<OnCoursePage> {
    let Some(c) = ldb::course_by_slug(&app.db, slug).await? else {
        return Ok(OnCoursePage::default());
    };
    let held = match who.and_then(|w| w.person_id) {
        Some(p) => db::course_certificate(&app.db, p, c.id).await?,
        None => None,
    };
    Ok(OnCoursePage {
        revoked: held.as_ref().is_some_and(|x| x.revoked_at.is_some()),
        held: held.map(|x| x.code),
        offered: c.completion_certificate,
        no_person: c.completion_certificate && who.is_some_and(|w| w.account_id.is_some() && w.person_id.is_none()),
    })
}
