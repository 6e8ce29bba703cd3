//! Tests as a learner takes them: the tests page (placement, final assessment, results,
//! certificates), one question per page (a plain form: works without JavaScript, each answer
//! saved when given), submitting, and the result. The clock is the server's; the page says how
//! much time is left when it is drawn.

use crate::kit::csrf::CsrfForm;
use crate::kit::format::fmt_time;
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, Nav, html};
use crate::kit::problem::Problem;
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use crate::kit::viewer::{Parts0, Viewer};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_app::assessment::{self as app, QuestionView, ResultView};
use hocvuso_core::Lang;
use hocvuso_core::assessment::exam::Kind;
use hocvuso_core::assessment::{Response as Answer, Shown};
use hocvuso_core::learning::ContentLang;
use hocvuso_core::people::TargetGroup;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new()
        .route("/tests", Access::Own, get(hub))
        .route("/tests/placement", Access::Own, post(start_placement))
        .route("/tests/final", Access::Own, post(start_final))
        .route("/tests/practice/{course}", Access::Own, post(start_practice))
        .route("/tests/attempt/{id}/result", Access::Own, get(result))
        .route("/tests/attempt/{id}/submit", Access::Own, post(submit))
        .route("/tests/attempt/{id}/{n}", Access::Own, get(question).post(answer))
}

fn content_lang(tr: Tr) -> ContentLang {
    match tr.0 {
        Lang::Vi => ContentLang::Vi,
        Lang::En => ContentLang::En,
    }
}

#[derive(Deserialize, Default)]
struct GroupForm {
    #[serde(default)]
    group: String,
}

fn asked_group(form: &GroupForm) -> Option<TargetGroup> {
    TargetGroup::ALL.into_iter().find(|g| g.as_str() == form.group)
}

fn to_attempt(s: &app::Started) -> Response {
    Redirect::to(&format!("/tests/attempt/{}/1", s.public_id)).into_response()
}

async fn start_placement(
    State(state): State<AppState>,
    CsrfForm(v, form): CsrfForm<GroupForm>,
) -> Result<Response, Problem> {
    let s = app::start_placement(&state.app, &v.principal, asked_group(&form)).await?;
    Ok(to_attempt(&s))
}

async fn start_final(
    State(state): State<AppState>,
    CsrfForm(v, form): CsrfForm<GroupForm>,
) -> Result<Response, Problem> {
    let s = app::start_final(&state.app, &v.principal, asked_group(&form)).await?;
    Ok(to_attempt(&s))
}

async fn start_practice(
    State(state): State<AppState>,
    Path(course): Path<String>,
    CsrfForm(v, _form): CsrfForm<GroupForm>,
) -> Result<Response, Problem> {
    let s = app::start_practice(&state.app, &v.principal, &course).await?;
    Ok(to_attempt(&s))
}

/// One option or place of the question as the form shows it.
struct Choice {
    value: String,
    label: String,
    checked: bool,
}

/// A place of an ordering or matching question: its label and the select's options.
struct Place {
    name: String,
    label: String,
    options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "assessment/question.html")]
struct QuestionPage {
    l: Layout,
    q: QuestionView,
    title: String,
    /// "radio" or "checkbox" for choice questions, empty otherwise.
    input: &'static str,
    choices: Vec<Choice>,
    places: Vec<Place>,
    time_left: Option<String>,
    deadline: Option<String>,
    unanswered: usize,
    /// A scenario item's picture, described by the question's text in the language shown.
    picture: Option<hocvuso_app::question_bank::PictureRef>,
}

fn kind_title(tr: Tr, kind: Kind) -> String {
    tr.get(&format!("exam-kind-{}", kind.as_str()))
}

fn minutes_left(tr: Tr, seconds: i64) -> String {
    let m = (seconds + 59) / 60;
    tr.count("exam-minutes-left", m)
}

async fn question(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let n: usize = n.parse().map_err(|_| Problem::not_found())?;
    let q = app::question(&state.app, &v.principal, &id, n, content_lang(tr)).await?;
    if q.submitted {
        return Ok(Redirect::to(&format!("/tests/attempt/{id}/result")).into_response());
    }
    let mut input = "";
    let mut choices = Vec::new();
    let mut places = Vec::new();
    let chosen_one = |p: usize| match &q.answer {
        Some(Answer::One(x)) => *x == p,
        Some(Answer::Several(xs)) => xs.contains(&p),
        _ => false,
    };
    match &q.question.shown {
        Shown::OneOf(opts) | Shown::SomeOf(opts) => {
            input = if matches!(q.question.shown, Shown::OneOf(_)) {
                "radio"
            } else {
                "checkbox"
            };
            choices = opts
                .iter()
                .enumerate()
                .map(|(i, o)| Choice {
                    value: (i + 1).to_string(),
                    label: o.clone(),
                    checked: chosen_one(i + 1),
                })
                .collect();
        }
        Shown::TrueFalse => {
            input = "radio";
            for (value, key, b) in [("true", "exam-true", true), ("false", "exam-false", false)] {
                choices.push(Choice {
                    value: value.into(),
                    label: tr.get(key),
                    checked: q.answer == Some(Answer::Truth(b)),
                });
            }
        }
        Shown::Order(opts) | Shown::Match { right: opts, .. } => {
            let chosen = match &q.answer {
                Some(Answer::Sequence(s)) => s.clone(),
                _ => Vec::new(),
            };
            let labels: Vec<String> = match &q.question.shown {
                Shown::Match { left, .. } => left.clone(),
                _ => (1..=opts.len()).map(|k| tr.count("exam-step", k)).collect(),
            };
            for (k, label) in labels.into_iter().enumerate() {
                places.push(Place {
                    name: format!("step{}", k + 1),
                    label,
                    options: opts
                        .iter()
                        .enumerate()
                        .map(|(i, o)| Choice {
                            value: (i + 1).to_string(),
                            label: o.clone(),
                            checked: chosen.get(k) == Some(&(i + 1)),
                        })
                        .collect(),
                });
            }
        }
    }
    html(&QuestionPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        title: kind_title(tr, q.kind),
        input,
        choices,
        places,
        time_left: q.seconds_left.map(|s| minutes_left(tr, s)),
        deadline: q.deadline.as_ref().map(fmt_time),
        unanswered: q.answered.iter().filter(|a| !**a).count(),
        picture: q
            .question
            .picture
            .as_deref()
            .and_then(hocvuso_app::question_bank::picture_ref),
        q,
    })
}

async fn answer(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
    CsrfForm(v, fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let n: usize = n.parse().map_err(|_| Problem::not_found())?;
    let fields: Vec<(String, String)> = fields.into_iter().filter(|(k, _)| k != "_csrf").collect();
    let saved = app::answer(&state.app, &v.principal, &id, n, &fields).await?;
    // On to the next question in order; from the last one, to the first left unanswered.
    let to = if n < saved.total {
        n + 1
    } else {
        saved.next_unanswered.unwrap_or(n)
    };
    Ok(Redirect::to(&format!("/tests/attempt/{id}/{to}")).into_response())
}

async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(v, _form): CsrfForm<GroupForm>,
) -> Result<Response, Problem> {
    app::submit(&state.app, &v.principal, &id).await?;
    Ok(Redirect::to(&format!("/tests/attempt/{id}/result")).into_response())
}

/// A competence's result as the result page lists it.
struct CellRow {
    competence: String,
    level: String,
    right: usize,
    total: usize,
    passed: bool,
}

/// A reviewed question: the options with the learner's and the right choice marked.
struct ReviewRow {
    position: usize,
    stem: String,
    /// A scenario item's picture, as the question showed it, with its description.
    picture: Option<hocvuso_app::question_bank::PictureRef>,
    picture_alt: String,
    right: bool,
    yours: String,
    key: String,
    explanation: String,
}

#[derive(Template)]
#[template(path = "assessment/result.html")]
struct ResultPage {
    l: Layout,
    r: ResultView,
    title: String,
    cells: Vec<CellRow>,
    review: Vec<ReviewRow>,
    submitted: String,
}

/// An answer in words: the options chosen, in the order given.
fn answer_words(tr: Tr, shown: &Shown, a: Option<&Answer>) -> String {
    let opts: &[String] = match shown {
        Shown::OneOf(o) | Shown::SomeOf(o) | Shown::Order(o) => o,
        Shown::Match { right, .. } => right,
        Shown::TrueFalse => &[],
    };
    let pick = |p: &usize| opts.get(p.wrapping_sub(1)).cloned().unwrap_or_default();
    match a {
        None => tr.get("exam-no-answer"),
        Some(Answer::One(p)) => pick(p),
        Some(Answer::Several(ps)) => ps.iter().map(pick).collect::<Vec<_>>().join("; "),
        Some(Answer::Truth(b)) => tr.get(if *b { "exam-true" } else { "exam-false" }),
        Some(Answer::Sequence(ps)) => match shown {
            Shown::Match { left, .. } => left
                .iter()
                .zip(ps.iter())
                .map(|(l, p)| format!("{l} → {}", pick(p)))
                .collect::<Vec<_>>()
                .join("; "),
            _ => ps.iter().map(pick).collect::<Vec<_>>().join(" → "),
        },
    }
}

async fn result(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let r = app::result(&state.app, &v.principal, &id, content_lang(tr)).await?;
    let cells = r
        .score
        .cells
        .iter()
        .map(|c| CellRow {
            competence: format!("{}:{}", c.competence.framework, c.competence.code),
            level: c.level.clone(),
            right: c.right,
            total: c.total,
            passed: c.passed,
        })
        .collect();
    let review = r
        .review
        .iter()
        .map(|x| ReviewRow {
            position: x.position,
            stem: x.question.stem.clone(),
            picture: x
                .question
                .picture
                .as_deref()
                .and_then(hocvuso_app::question_bank::picture_ref),
            picture_alt: x.question.picture_alt.clone(),
            right: x.right,
            yours: answer_words(tr, &x.question.shown, x.answer.as_ref()),
            key: answer_words(tr, &x.question.shown, x.key.as_ref()),
            explanation: x.explanation.clone(),
        })
        .collect();
    html(&ResultPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        title: kind_title(tr, r.kind),
        submitted: fmt_time(&r.submitted_at),
        cells,
        review,
        r,
    })
}

#[derive(Template)]
#[template(path = "assessment/hub.html")]
struct HubPage {
    l: Layout,
    h: app::Hub,
    groups: Vec<(String, String)>,
}

async fn hub(State(state): State<AppState>, tr: Tr, parts: Parts0, v: Viewer) -> Result<Response, Problem> {
    let h = app::hub(&state.app, &v.principal).await?;
    html(&HubPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        groups: h
            .groups
            .iter()
            .map(|g| (g.as_str().to_string(), tr.get(&g.label_key())))
            .collect(),
        h,
    })
}

pub fn nav(tr: Tr, v: Option<&Viewer>) -> Vec<Nav> {
    match v {
        Some(_) => vec![Nav {
            href: "/tests".into(),
            label: tr.get("nav-tests"),
            current: false,
        }],
        None => Vec::new(),
    }
}
