//! Taking a test: start (or resume) an attempt, see one question, save one answer, submit. The
//! learner's own account is the only one that acts on an attempt; everything is checked again in
//! the transaction that writes, against the attempt row locked there: its owner, that it is not
//! submitted, and the server's clock.

use super::attainment;
use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Denied, Principal};
use hocvuso_core::assessment::exam::{self, Blueprint, Cell, Kind, Mode, Score};
use hocvuso_core::assessment::{Presented, Response, Shown};
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::{CompetenceRef, ContentLang};
use hocvuso_core::people::TargetGroup;
use hocvuso_db::attempts::{self as db, Attempt, NewAttempt, NewItem};
use hocvuso_db::{assessment as bank, now};
use rand::SeedableRng;
use std::collections::HashMap;
use time::OffsetDateTime;

/// Where a learner's attempt is, for the page that opens it.
#[derive(Debug, Clone)]
pub struct Started {
    pub public_id: String,
    /// An open attempt of the same test was continued rather than a new one drawn.
    pub resumed: bool,
}

/// The learner: their account, their person record, where they live and their groups.
pub(crate) struct Learner {
    pub account_id: i64,
    pub person_id: i64,
    pub unit_path: String,
    pub groups: Vec<TargetGroup>,
}

fn conflict(key: &str) -> Error {
    Error::Conflict(FieldError::new("", Message::new(key)))
}

pub(crate) async fn learner(app: &App, who: &Principal) -> Result<Learner> {
    let account_id = who.account_id.ok_or(Error::Denied(Denied::Forbidden))?;
    // An account with no resident record (an officer's only) has no group to be assessed in.
    let person_id = who.person_id.ok_or_else(|| conflict("err-exam-no-person"))?;
    let w = hocvuso_db::people::whereabouts(&app.db, person_id)
        .await?
        .ok_or_else(|| conflict("err-exam-no-person"))?;
    Ok(Learner {
        account_id,
        person_id,
        unit_path: w.unit_path,
        groups: w.groups.iter().collect(),
    })
}

/// The group a test is for: the one asked for if the learner belongs to it, else their first.
pub(crate) fn group_of(l: &Learner, asked: Option<TargetGroup>) -> Result<TargetGroup> {
    match asked {
        Some(g) if l.groups.contains(&g) => Ok(g),
        Some(_) => Err(Error::Invalid(vec![FieldError::new(
            "group",
            Message::new("err-exam-not-in-group"),
        )])),
        None => l.groups.first().copied().ok_or_else(|| conflict("err-exam-no-group")),
    }
}

/// The framework and cells a group must reach where the learner lives, this year.
pub(crate) async fn group_cells(app: &App, unit_path: &str, group: TargetGroup) -> Result<(String, Vec<Cell>)> {
    let reqs = crate::learning::admin::requirements_for(app, Some(unit_path), now().year()).await?;
    let rows: Vec<_> = reqs
        .rows
        .into_iter()
        .filter(|r| TargetGroup::parse(&r.target_group) == Some(group))
        .collect();
    let Some(framework) = rows.first().map(|r| r.framework_id.clone()) else {
        return Err(conflict("err-exam-no-requirements"));
    };
    let cells = rows
        .iter()
        .filter(|r| r.framework_id == framework)
        .filter_map(|r| {
            CompetenceRef::parse(&format!("{}:{}", r.framework_id, r.competence)).map(|c| (c, r.level.clone()))
        })
        .collect();
    Ok((framework, cells))
}

/// Starts the placement test of the learner's group (or resumes the open one).
pub async fn start_placement(app: &App, who: &Principal, group: Option<TargetGroup>) -> Result<Started> {
    let l = learner(app, who).await?;
    let group = group_of(&l, group)?;
    let (framework, cells) = group_cells(app, &l.unit_path, group).await?;
    let bp = Blueprint::placement(group, &cells);
    start(app, &l, &framework, bp, None, Mode::Online, None).await
}

/// Starts a final assessment of the learner's group, if the attempts policy allows it now (or
/// resumes the open one).
pub async fn start_final(app: &App, who: &Principal, group: Option<TargetGroup>) -> Result<Started> {
    let l = learner(app, who).await?;
    let group = group_of(&l, group)?;
    let (framework, cells) = group_cells(app, &l.unit_path, group).await?;
    let bp = Blueprint::final_for(group, &cells);
    start(app, &l, &framework, bp, None, Mode::Online, None).await
}

/// Starts a final assessment conducted in person (issue 10 §2): a helper or officer of the
/// person's unit reads the questions to someone who cannot take the test online (the elderly,
/// people with disabilities) and enters their answers on their own device. The attempt is under
/// the conductor's account, names the person, and is marked in person, as the attainment it may
/// confirm is; the attempts policy counts the person's attempts however they were taken.
pub async fn start_in_person(
    app: &App,
    who: &Principal,
    person_id: i64,
    group: Option<TargetGroup>,
) -> Result<Started> {
    let account_id = who.account_id.ok_or(Error::Denied(Denied::Forbidden))?;
    let path = hocvuso_db::people::locate(&app.db, person_id)
        .await?
        .ok_or(Error::NotFound)?;
    who.authorize_person::<hocvuso_core::access::act::RegisterPerson>(&path)?;
    if who.person_id == Some(person_id) {
        return Err(conflict("err-exam-in-person-self"));
    }
    let w = hocvuso_db::people::whereabouts(&app.db, person_id)
        .await?
        .ok_or(Error::NotFound)?;
    let l = Learner {
        account_id,
        person_id,
        unit_path: w.unit_path,
        groups: w.groups.iter().collect(),
    };
    let group = group_of(&l, group)?;
    let (framework, cells) = group_cells(app, &l.unit_path, group).await?;
    let bp = Blueprint::final_for(group, &cells);
    start(app, &l, &framework, bp, None, Mode::InPerson, Some(account_id)).await
}

/// Starts a practice quiz on a published course's competences at its level.
pub async fn start_practice(app: &App, who: &Principal, course_slug: &str) -> Result<Started> {
    let l = learner(app, who).await?;
    let course = hocvuso_db::learning::course_by_slug(&app.db, course_slug)
        .await?
        .filter(|c| c.status.open_to_learners())
        .ok_or(Error::NotFound)?;
    let comps = hocvuso_db::learning::course_competences(&app.db).await?;
    let cells: Vec<Cell> = comps
        .iter()
        .filter(|c| c.owner_id == course.id)
        .filter_map(|c| CompetenceRef::parse(&format!("{}:{}", c.framework_id, c.code)))
        .map(|c| (c, course.level.clone()))
        .collect();
    // A course names competences of several frameworks; the quiz draws from the first that has items.
    let mut frameworks: Vec<String> = cells.iter().map(|(c, _)| c.framework.clone()).collect();
    frameworks.dedup();
    let mut last = conflict("err-exam-no-items");
    for fw in frameworks {
        let of_fw: Vec<Cell> = cells.iter().filter(|(c, _)| c.framework == fw).cloned().collect();
        let bp = Blueprint::practice(&of_fw);
        match start(app, &l, &fw, bp, Some(course.id), Mode::Online, None).await {
            Ok(s) => return Ok(s),
            Err(e @ Error::Conflict(_)) => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Draws and stores an attempt in one transaction: the open attempt of the same test is resumed;
/// the final attempts policy is read and applied inside it.
pub(crate) async fn start(
    app: &App,
    l: &Learner,
    framework: &str,
    bp: Blueprint,
    course_id: Option<i64>,
    mode: Mode,
    conducted_by: Option<i64>,
) -> Result<Started> {
    let mut tx = app.db.begin().await?;
    // In person, the conductor's role was checked on where the person lives: still there now.
    if mode == Mode::InPerson
        && hocvuso_db::people::locate_tx(&mut tx, l.person_id).await?.as_deref() != Some(l.unit_path.as_str())
    {
        return Err(Error::NotFound);
    }
    if let Some(open) = db::open_tx(&mut tx, l.account_id, l.person_id, bp.kind, bp.group, course_id).await?
        && exam::in_time(open.deadline, now())
    {
        tx.commit().await?;
        return Ok(Started {
            public_id: open.public_id,
            resumed: true,
        });
    }
    let at = now();
    if bp.kind == Kind::Final
        && let Some(g) = bp.group
    {
        let earlier = db::final_starts_tx(&mut tx, l.person_id, g).await?;
        exam::may_start_final(&earlier, at).map_err(|m| Error::Limited(FieldError::new("", m)))?;
    }
    let owners = crate::learning::admin::ancestor_paths(&l.unit_path);
    let cells: Vec<(String, String)> = bp
        .draws
        .iter()
        .map(|d| (d.competence.code.clone(), d.level.clone()))
        .collect();
    let live = bank::drawable_tx(&mut tx, &owners, framework, &cells).await?;
    let mut pools: HashMap<(&str, &str), Vec<i64>> = HashMap::new();
    for d in &live {
        pools
            .entry((d.competence.as_str(), d.level.as_str()))
            .or_default()
            .push(d.id);
    }
    let seen = db::items_seen_tx(&mut tx, l.person_id).await?;
    let mut rng = rand::rngs::StdRng::from_entropy();
    let drawn = bp
        .draw(
            |d| {
                pools
                    .get(&(d.competence.code.as_str(), d.level.as_str()))
                    .cloned()
                    .unwrap_or_default()
            },
            &seen,
            &mut rng,
        )
        .map_err(|ms| {
            Error::Conflict(FieldError::new(
                "",
                ms.into_iter()
                    .next()
                    .unwrap_or_else(|| Message::new("err-exam-no-items")),
            ))
        })?;
    let ids: Vec<i64> = drawn.iter().map(|d| d.item_id).collect();
    let docs: HashMap<i64, hocvuso_db::assessment::StoredItem> = bank::documents_tx(&mut tx, &ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut items = Vec::with_capacity(drawn.len());
    for d in &drawn {
        let Some(s) = docs.get(&d.item_id) else {
            continue;
        };
        items.push(NewItem {
            item_id: d.item_id,
            cell: d.cell,
            seed: d.seed,
            item: &s.item,
        });
    }
    let public_id = hocvuso_core::crypto::random_token();
    db::create(
        &mut tx,
        &NewAttempt {
            public_id: &public_id,
            account_id: l.account_id,
            person_id: Some(l.person_id),
            unit_path: &l.unit_path,
            group: bp.group,
            course_id,
            blueprint: &bp,
            mode,
            conducted_by,
            started_at: at,
            deadline: bp.deadline(at),
        },
        &items,
    )
    .await?;
    tx.commit().await?;
    Ok(Started {
        public_id,
        resumed: false,
    })
}

/// The attempt if `who` may act on it: its learner, or the person who conducts it in person.
/// Anyone else is told it does not exist.
fn owned(a: Option<Attempt>, who: &Principal) -> Result<Attempt> {
    let a = a.ok_or(Error::NotFound)?;
    let me = who.account_id.ok_or(Error::NotFound)?;
    if a.account_id == me || a.conducted_by == Some(me) {
        Ok(a)
    } else {
        Err(Error::NotFound)
    }
}

/// A public id as URLs carry it: a random token, so anything longer or odd is not one.
fn plausible(public_id: &str) -> bool {
    public_id.len() <= 64
        && public_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[derive(Debug, Clone)]
pub struct QuestionView {
    pub public_id: String,
    pub kind: Kind,
    pub mode: Mode,
    pub group: Option<TargetGroup>,
    pub position: usize,
    pub total: usize,
    pub question: Presented,
    pub answer: Option<Response>,
    /// For each position, whether it has an answer.
    pub answered: Vec<bool>,
    pub deadline: Option<OffsetDateTime>,
    /// Seconds left on the server's clock (`None`: no limit).
    pub seconds_left: Option<i64>,
    pub submitted: bool,
    pub time_up: bool,
}

/// One question of an attempt as its learner sees it: no answer key.
pub async fn question(
    app: &App,
    who: &Principal,
    public_id: &str,
    position: usize,
    lang: ContentLang,
) -> Result<QuestionView> {
    if !plausible(public_id) {
        return Err(Error::NotFound);
    }
    let a = owned(db::by_public_id(&app.db, public_id).await?, who)?;
    let items = db::items(&app.db, a.id).await?;
    let total = items.len();
    let it = items
        .iter()
        .find(|i| usize::try_from(i.position).ok() == Some(position))
        .ok_or(Error::NotFound)?;
    let at = now();
    Ok(QuestionView {
        public_id: a.public_id.clone(),
        kind: a.kind,
        mode: a.mode,
        group: a.target_group,
        position,
        total,
        question: it.document.present(lang, it.seed as u64),
        answer: it.response.clone(),
        answered: items.iter().map(|i| i.response.is_some()).collect(),
        deadline: a.deadline,
        seconds_left: a.deadline.map(|d| (d - at).whole_seconds().max(0)),
        submitted: a.submitted_at.is_some(),
        time_up: !exam::in_time(a.deadline, at),
    })
}

/// What saving an answer leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub position: usize,
    pub total: usize,
    /// The next question without an answer after this one (wrapping), if any.
    pub next_unanswered: Option<usize>,
}

/// Saves the answer to one question, given as a form's fields (display positions).
pub async fn answer(
    app: &App,
    who: &Principal,
    public_id: &str,
    position: usize,
    fields: &[(String, String)],
) -> Result<Saved> {
    if !plausible(public_id) {
        return Err(Error::NotFound);
    }
    let pos = i32::try_from(position).map_err(|_| Error::NotFound)?;
    let mut tx = app.db.begin().await?;
    let a = owned(db::by_public_id_tx(&mut tx, public_id).await?, who)?;
    if a.submitted_at.is_some() {
        return Err(conflict("err-exam-already-submitted"));
    }
    let at = now();
    if !exam::in_time(a.deadline, at) {
        return Err(conflict("err-exam-time-up"));
    }
    let it = db::item_tx(&mut tx, a.id, pos).await?.ok_or(Error::NotFound)?;
    // The option order depends on the seed only, never on the language.
    let shown = it.document.present(ContentLang::Vi, it.seed as u64).shown;
    let response = exam::read_answer(&shown, fields).ok_or_else(|| {
        let key = match shown {
            Shown::Order(_) | Shown::Match { .. } => "err-exam-answer-steps",
            Shown::SomeOf(_) => "err-exam-answer-some",
            _ => "err-exam-answer-one",
        };
        Error::Invalid(vec![FieldError::new("choice", Message::new(key))])
    })?;
    db::save_answer(&mut tx, a.id, pos, &response, at).await?;
    let items = db::items_tx(&mut tx, a.id).await?;
    tx.commit().await?;
    let total = items.len();
    let unanswered = |p: usize| {
        items
            .iter()
            .find(|i| usize::try_from(i.position).ok() == Some(p))
            .is_some_and(|i| i.response.is_none() && p != position)
    };
    let next_unanswered = (position + 1..=total).chain(1..position).find(|p| unanswered(*p));
    Ok(Saved {
        position,
        total,
        next_unanswered,
    })
}

/// What a submission recorded.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub score: Score,
    /// This request scored it (false: it had been submitted before; nothing changed).
    pub first: bool,
    /// The attainment this attempt confirmed and its certificate's code.
    pub certificate: Option<String>,
}

/// Scores the attempt once, from the answers saved in time; a final attempt that passes every
/// competence confirms the learner's attainment and issues its certificate, in the same
/// transaction.
pub async fn submit(app: &App, who: &Principal, public_id: &str) -> Result<Submitted> {
    if !plausible(public_id) {
        return Err(Error::NotFound);
    }
    let mut tx = app.db.begin().await?;
    let a = owned(db::by_public_id_tx(&mut tx, public_id).await?, who)?;
    if let (Some(_), Some(score)) = (a.submitted_at, a.result.clone()) {
        tx.commit().await?;
        return Ok(Submitted {
            score,
            first: false,
            certificate: None,
        });
    }
    let items = db::items_tx(&mut tx, a.id).await?;
    let answered: Vec<exam::Answered<'_>> = items
        .iter()
        .map(|i| exam::Answered {
            cell: usize::try_from(i.cell).unwrap_or(usize::MAX),
            item: &i.document,
            seed: i.seed as u64,
            response: i.response.as_ref(),
        })
        .collect();
    let score = exam::score(&a.blueprint, &answered);
    let at = now();
    if !db::finish(&mut tx, a.id, &score, at).await? {
        return Err(conflict("err-exam-already-submitted"));
    }
    let mut certificate = None;
    if a.kind == Kind::Final && score.passed {
        certificate = attainment::confirm_from_attempt(app, &mut tx, who, &a, at).await?;
    }
    tx.commit().await?;
    Ok(Submitted {
        score,
        first: true,
        certificate,
    })
}

/// One question of a scored attempt, as its review shows it (practice and placement only).
#[derive(Debug, Clone)]
pub struct Reviewed {
    pub position: usize,
    pub question: Presented,
    pub answer: Option<Response>,
    pub right: bool,
    /// The right answer by display position, as [`Response`].
    pub key: Option<Response>,
    pub explanation: String,
}

#[derive(Debug, Clone)]
pub struct ResultView {
    pub public_id: String,
    pub kind: Kind,
    pub mode: Mode,
    pub group: Option<TargetGroup>,
    pub score: Score,
    pub submitted_at: OffsetDateTime,
    /// Practice and placement: every question with the right answer and the explanation.
    pub review: Vec<Reviewed>,
    /// Per competence not passed: the published courses that teach it (slug, title).
    pub to_learn: Vec<(CompetenceRef, Vec<(String, String)>)>,
    /// The certificate this attempt led to, if any.
    pub certificate: Option<String>,
    /// A passed online final whose attainment waits for the required lessons: the cells still
    /// needed, with their courses (issue 10 §3).
    pub waiting: Vec<super::lessons::Needed>,
    pub course_slug: Option<String>,
}

/// A scored attempt's result for its learner; a final assessment shows only its per-competence
/// result, never the right answers (its items are drawn again for the next attempt).
pub async fn result(app: &App, who: &Principal, public_id: &str, lang: ContentLang) -> Result<ResultView> {
    if !plausible(public_id) {
        return Err(Error::NotFound);
    }
    let a = owned(db::by_public_id(&app.db, public_id).await?, who)?;
    let (Some(submitted_at), Some(score)) = (a.submitted_at, a.result.clone()) else {
        return Err(conflict("err-exam-not-submitted"));
    };
    let mut review = Vec::new();
    if a.kind.shows_answers() {
        for i in db::items(&app.db, a.id).await? {
            let seed = i.seed as u64;
            let right = i.response.as_ref().is_some_and(|r| i.document.is_correct(seed, r));
            let explanation = i
                .document
                .texts
                .iter()
                .find(|(l, _)| *l == lang)
                .or_else(|| i.document.texts.first())
                .map(|(_, t)| t.explanation.clone())
                .unwrap_or_default();
            review.push(Reviewed {
                position: usize::try_from(i.position).unwrap_or(0),
                question: i.document.present(lang, seed),
                key: i.document.key(seed),
                answer: i.response,
                right,
                explanation,
            });
        }
    }
    let mut to_learn = Vec::new();
    let failed: Vec<&CompetenceRef> = score
        .cells
        .iter()
        .filter(|c| !c.passed)
        .map(|c| &c.competence)
        .collect();
    if !failed.is_empty() {
        let comps = hocvuso_db::learning::course_competences(&app.db).await?;
        let courses = hocvuso_db::learning::courses(&app.db).await?;
        let texts = hocvuso_db::learning::course_texts(&app.db).await?;
        for c in failed {
            let teaching: Vec<(String, String)> = comps
                .iter()
                .filter(|x| x.framework_id == c.framework && x.code == c.code)
                .filter_map(|x| {
                    courses
                        .iter()
                        .find(|k| k.id == x.owner_id && k.status.open_to_learners())
                })
                .map(|k| (k.slug.clone(), crate::learning::course_title(&texts, k.id, lang)))
                .collect();
            to_learn.push((c.clone(), teaching));
        }
    }
    let certificate = match (a.kind, a.person_id) {
        (Kind::Final, Some(pid)) if score.passed => hocvuso_db::attainments::certificates_of_person(&app.db, pid)
            .await?
            .into_iter()
            // A course's certificate of completion is not what a passed final confirms.
            .find(|c| c.revoked_at.is_none() && c.attainment_id.is_some())
            .map(|c| c.code),
        _ => None,
    };
    let waiting = match (a.kind, a.mode, a.person_id, a.target_group) {
        (Kind::Final, Mode::Online, Some(pid), Some(group)) if score.passed => {
            waiting_lessons(app, pid, group, a.account_id, lang).await?
        }
        _ => Vec::new(),
    };
    let course_slug = match a.course_id {
        Some(id) => hocvuso_db::learning::courses(&app.db)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .map(|c| c.slug),
        None => None,
    };
    Ok(ResultView {
        public_id: a.public_id,
        kind: a.kind,
        mode: a.mode,
        group: a.target_group,
        score,
        submitted_at,
        review,
        to_learn,
        certificate,
        waiting,
        course_slug,
    })
}

/// The lessons a passed online final of `group` waits for: none when the person is confirmed for
/// the group already (by any means) or the rule is met.
pub(crate) async fn waiting_lessons(
    app: &App,
    person_id: i64,
    group: TargetGroup,
    account_id: i64,
    lang: ContentLang,
) -> Result<Vec<super::lessons::Needed>> {
    let confirmed = hocvuso_db::attainments::of_person(&app.db, person_id)
        .await?
        .iter()
        .any(|x| x.target_group == group);
    if confirmed {
        return Ok(Vec::new());
    }
    let Some(home) = hocvuso_db::people::whereabouts(&app.db, person_id).await? else {
        return Ok(Vec::new());
    };
    super::lessons::needed(app, &home.unit_path, group, account_id, lang).await
}
