//! Confirmation of attainment (xác nhận đạt phổ cập kỹ năng số) and the certificate that states
//! it: recorded in the transaction that scores the final attempt meeting the group's rule.

use crate::{App, Result};
use hocvuso_core::access::Principal;
use hocvuso_core::assessment::exam::Mode;
use hocvuso_core::certificate::Code;
use hocvuso_core::i18n::{Lang, t};
use hocvuso_core::people::TargetGroup;
use hocvuso_db::Tx;
use hocvuso_db::attainments::{self as db, Method, NewAttainment, NewCertificate, Source};
use hocvuso_db::attempts::Attempt;
use hocvuso_db::audit::{self, Actor, Entry};
use serde_json::json;
use time::OffsetDateTime;

/// The day in Vietnam at `at`: the date a confirmation carries.
pub(crate) fn vietnam_date(at: OffsetDateTime) -> time::Date {
    let offset = time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC);
    at.to_offset(offset).date()
}

/// The highest of a blueprint's levels: what the group's rule reaches.
fn top_level(levels: impl Iterator<Item = String>) -> String {
    levels
        .max_by(|a, b| match (a.parse::<u32>(), b.parse::<u32>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => a.cmp(b),
        })
        .unwrap_or_default()
}

/// Records the attainment a passed final attempt confirms and issues its certificate; `None`
/// when the person was confirmed for that group already (nothing new is recorded).
pub(crate) async fn confirm_from_attempt(
    app: &App,
    tx: &mut Tx,
    who: &Principal,
    a: &Attempt,
    at: OffsetDateTime,
) -> Result<Option<String>> {
    let (Some(person_id), Some(group)) = (a.person_id, a.target_group) else {
        return Ok(None);
    };
    let Some(framework) = a.blueprint.draws.first().map(|d| d.competence.framework.clone()) else {
        return Ok(None);
    };
    let level = top_level(a.blueprint.draws.iter().map(|d| d.level.clone()));
    let method = match a.mode {
        Mode::Online => Method::Online,
        Mode::InPerson => Method::InPerson,
    };
    let Some(holder) = db::holder_tx(tx, person_id).await? else {
        return Ok(None);
    };
    // Online, the table where the person lives now may ask for the required lessons too; in
    // person, the test alone confirms (it is for people who cannot use the platform's lessons).
    let lessons_required = match a.mode {
        Mode::Online => {
            let checked = super::lessons::check(
                app,
                &mut hocvuso_db::learning::Via::Tx(&mut *tx),
                &holder.unit_path,
                group,
                a.account_id,
                at.year(),
            )
            .await?;
            if !checked.met() {
                return Ok(None);
            }
            checked.on
        }
        Mode::InPerson => false,
    };
    let attained_on = vietnam_date(at);
    let Some(attainment_id) = db::record(
        tx,
        &NewAttainment {
            person_id,
            unit_path: &holder.unit_path,
            group,
            framework_id: &framework,
            level: &level,
            attained_on,
            method,
            source: Source::Hocvuso,
            attempt_id: Some(a.id),
            recorded_by: who.account_id,
            recorded_at: at,
        },
    )
    .await?
    else {
        return Ok(None);
    };
    let actor = Actor::from(who);
    audit::append(
        tx,
        &actor,
        Entry::of(
            &holder.unit_path,
            &hocvuso_core::audit::Event::AttainmentRecorded {
                person_id,
                detail: json!({
                    "group": group.as_str(), "framework": framework, "level": level,
                    "method": method.as_str(), "source": Source::Hocvuso.as_str(), "attempt": a.id,
                    "lessons_required": lessons_required,
                }),
            },
        ),
    )
    .await?;
    let code = issue_certificate(
        app,
        tx,
        &actor,
        attainment_id,
        person_id,
        &holder,
        group,
        &framework,
        &level,
        attained_on,
        at,
    )
    .await?;
    Ok(Some(code))
}

/// After the learner completed a course (in that transaction): each group whose passed online
/// final waits for the required lessons is confirmed now if the rule is met (checked again here),
/// with its newest passed attempt, on today's date; the certificate codes issued.
pub(crate) async fn confirm_waiting(
    app: &App,
    tx: &mut Tx,
    who: &Principal,
    at: OffsetDateTime,
) -> Result<Vec<String>> {
    let (Some(person_id), Some(account_id)) = (who.person_id, who.account_id) else {
        return Ok(Vec::new());
    };
    confirm_waiting_of(app, tx, who, person_id, account_id, at).await
}

/// [`confirm_waiting`] for the person learning under `account_id`, recorded by `who` (the learner,
/// or whoever changed the requirement table that let the pass through).
pub(crate) async fn confirm_waiting_of(
    app: &App,
    tx: &mut Tx,
    who: &Principal,
    person_id: i64,
    account_id: i64,
    at: OffsetDateTime,
) -> Result<Vec<String>> {
    let waiting = hocvuso_db::attempts::waiting_finals_tx(tx, person_id, account_id).await?;
    let mut done: Vec<TargetGroup> = Vec::new();
    let mut codes = Vec::new();
    for a in &waiting {
        let Some(group) = a.target_group else {
            continue;
        };
        if done.contains(&group) {
            continue;
        }
        done.push(group);
        if let Some(code) = confirm_from_attempt(app, tx, who, a, at).await? {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// What a certificate of a group's attainment says, in Vietnamese (the language of the record).
struct Wording {
    achievement: String,
    criteria: String,
    level: String,
    issuer: String,
}

async fn wording(
    app: &App,
    tx: &mut Tx,
    holder: &db::Holder,
    group: TargetGroup,
    framework: &str,
    level: &str,
) -> Result<Wording> {
    let fw = crate::learning::framework(app, framework).await.ok();
    let level_name = fw
        .as_ref()
        .and_then(|f| f.levels.iter().find(|l| l.code == level))
        .map(|l| l.name.clone())
        .unwrap_or_else(|| level.to_string());
    let fw_title = fw
        .as_ref()
        .map(|f| f.title.clone())
        .unwrap_or_else(|| framework.to_string());
    let group_label = t(Lang::Vi, &group.label_key());
    let issuer = issuer_for(app, tx, &holder.unit_path).await?;
    Ok(Wording {
        achievement: format!("Đạt phổ cập kỹ năng số – {group_label}"),
        criteria: format!(
            "Đạt bài đánh giá của nhóm “{group_label}” trên nền tảng hocvuso: mọi năng lực mà nhóm phải đạt theo {fw_title}, tới {level_name}."
        ),
        level: level_name,
        issuer,
    })
}

/// The issuing body a certificate names: the platform's, with the province the holder lives in
/// (the second unit of the path).
pub(crate) async fn issuer_for(app: &App, tx: &mut Tx, unit_path: &str) -> Result<String> {
    let province = match unit_path
        .split('/')
        .filter(|s| !s.is_empty())
        .nth(1)
        .and_then(|s| s.parse().ok())
    {
        Some(id) => hocvuso_db::units::get_tx(tx, id).await?.map(|u| u.name),
        None => None,
    };
    Ok(match province {
        Some(p) => format!("{} – {p}", app.issuer_name),
        None => app.issuer_name.clone(),
    })
}

/// Stores a certificate under a fresh code and audits its issue; `base.code` is ignored.
pub(crate) async fn store_certificate(tx: &mut Tx, actor: &Actor, base: &NewCertificate<'_>) -> Result<String> {
    let mut rng = rand::rngs::OsRng;
    // 60 random bits: a collision is all but impossible, and retried when it happens.
    for _ in 0..5 {
        let code = Code::generate(&mut rng);
        let stored = db::issue(
            tx,
            &NewCertificate {
                code: code.as_str(),
                ..*base
            },
        )
        .await?;
        if stored.is_some() {
            let detail = match base.subject {
                db::Subject::Attainment(id) => json!({ "code": code.as_str(), "attainment": id }),
                db::Subject::Course(id) => json!({ "code": code.as_str(), "course": id }),
            };
            audit::append(
                tx,
                actor,
                Entry::of(
                    base.unit_path,
                    &hocvuso_core::audit::Event::CertificateIssued {
                        person_id: base.person_id,
                        detail,
                    },
                ),
            )
            .await?;
            return Ok(code.to_string());
        }
    }
    Err(crate::Error::Db(hocvuso_db::DbError::Invalid(
        "five certificate codes in a row were taken".into(),
    )))
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn issue_certificate(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    attainment_id: i64,
    person_id: i64,
    holder: &db::Holder,
    group: TargetGroup,
    framework: &str,
    level: &str,
    issued_on: time::Date,
    at: OffsetDateTime,
) -> Result<String> {
    let w = wording(app, tx, holder, group, framework, level).await?;
    store_certificate(
        tx,
        actor,
        &NewCertificate {
            code: "",
            subject: db::Subject::Attainment(attainment_id),
            person_id,
            unit_path: &holder.unit_path,
            holder_name: &holder.full_name,
            achievement: &w.achievement,
            criteria: &w.criteria,
            level: &w.level,
            issued_on,
            issued_at: at,
            issuer_name: &w.issuer,
        },
    )
    .await
}

/// The confirmed people of a unit's subtree against its denominators, group by group.
#[derive(Debug, Clone)]
pub struct ConfirmedFigures {
    pub year: i32,
    pub rows: Vec<ConfirmedRow>,
}

#[derive(Debug, Clone)]
pub struct ConfirmedRow {
    pub group: TargetGroup,
    /// People living in the subtree now who are confirmed for the group (any year).
    pub confirmed: i64,
    /// The unit's own figure for the year, else the sum its children reported; `None` when
    /// nobody entered one.
    pub denominator: Option<i64>,
}

impl ConfirmedRow {
    /// Per thousand, rounded down: shown as a percentage with one decimal.
    pub fn per_mille(&self) -> Option<i64> {
        self.denominator
            .filter(|d| *d > 0)
            .map(|d| self.confirmed.saturating_mul(1000) / d)
    }
}

pub async fn unit_confirmed(
    app: &App,
    who: &Principal,
    unit: &hocvuso_db::units::Unit,
    year: i32,
) -> Result<ConfirmedFigures> {
    who.authorize::<hocvuso_core::access::act::ViewLearning>(&unit.path)?;
    let confirmed = db::confirmed_in_subtree(&app.db, &unit.path).await?;
    let lines = hocvuso_db::denominators::for_unit(&app.db, unit.id, year).await?;
    let rows = TargetGroup::ALL
        .into_iter()
        .map(|group| {
            let kind = group.denominator();
            let denominator = lines.iter().find(|l| l.kind == kind).and_then(|l| {
                l.own
                    .as_ref()
                    .map(|d| d.value)
                    .or((l.children_reporting > 0).then_some(l.children_sum))
            });
            ConfirmedRow {
                group,
                confirmed: confirmed
                    .iter()
                    .find(|(g, _)| *g == group)
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
                denominator,
            }
        })
        .collect();
    Ok(ConfirmedFigures { year, rows })
}
