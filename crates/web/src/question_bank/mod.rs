//! Question-bank pages (issue 10 §1): the banks an author may write, a bank's items with filters,
//! an item as a learner sees it with its key, an import of a GIFT, Moodle XML, XLSX or QTI file
//! (every question not imported listed by name with the reason), review and retirement of items,
//! and downloads of a bank. Plain forms: everything works without JavaScript; a status change
//! sent from an older revision of the item is answered 409.

use crate::kit::csrf::{self, CsrfForm};
use crate::kit::format::fmt_time;
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, Nav, html};
use crate::kit::problem::{Problem, Rendered};
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use crate::kit::upload::read_upload_with_fields;
use crate::kit::viewer::{Parts0, Viewer};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_app::Error as AppError;
use hocvuso_app::question_bank::{
    self as app, BankUnit, BankView, ExportFormat, Filter, ImportChoice, ImportChoices, ItemForm, ItemView, PictureRef,
};
use hocvuso_core::assessment::Difficulty;
use hocvuso_core::assessment::import::MAX_IMPORT_BYTES;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::{ContentLang, CourseStatus};
use hocvuso_core::roles::Action;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new()
        .route("/bank", Access::Own, get(banks))
        .route("/bank/{code}", Access::Scoped, get(bank))
        .route("/bank/{code}/import", Access::Scoped, post(import))
        .route("/bank/{code}/export", Access::Scoped, get(export))
        .route("/bank/{code}/new", Access::Scoped, get(new_item).post(create_item))
        .route("/bank/{code}/items/{item}", Access::Scoped, get(item))
        .route(
            "/bank/{code}/items/{item}/edit",
            Access::Scoped,
            get(edit_item).post(update_item),
        )
        .route(
            "/bank/{code}/items/{item}/picture",
            Access::Scoped,
            post(upload_picture),
        )
        .route("/bank/pictures/{name}", Access::Own, get(picture))
        .route("/bank/{code}/items/{item}/submit", Access::Scoped, post(submit))
        .route("/bank/{code}/items/{item}/publish", Access::Scoped, post(publish))
        .route("/bank/{code}/items/{item}/return", Access::Scoped, post(give_back))
        .route("/bank/{code}/items/{item}/retire", Access::Scoped, post(retire))
}

/// An item code as a path segment: codes are slugs, but a spreadsheet may give others.
pub(crate) fn segment(code: &str) -> String {
    let mut out = String::new();
    for b in code.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn status_label(tr: Tr, s: CourseStatus) -> String {
    tr.get(&format!("qbank-status-{}", s.as_str()))
}

#[derive(Template)]
#[template(path = "question_bank/banks.html")]
struct BanksPage {
    l: Layout,
    banks: Vec<BankUnit>,
}

async fn banks(State(state): State<AppState>, tr: Tr, parts: Parts0, v: Viewer) -> Result<Response, Problem> {
    let banks = app::banks(&state.app, &v.principal).await?;
    html(&BanksPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        banks,
    })
}

/// The filters as the address carries them; an unknown value shows everything rather than an
/// error page.
#[derive(Deserialize, Default)]
struct FilterQuery {
    pool: Option<String>,
    competence: Option<String>,
    level: Option<String>,
    status: Option<String>,
}

fn some(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A row of a select: value, label, chosen.
struct Opt {
    value: String,
    label: String,
    chosen: bool,
}

fn opts(values: &[String], chosen: Option<&str>) -> Vec<Opt> {
    values
        .iter()
        .map(|v| Opt {
            value: v.clone(),
            label: v.clone(),
            chosen: chosen == Some(v.as_str()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "question_bank/bank.html")]
struct BankPage {
    l: Layout,
    b: BankView,
    pools: Vec<Opt>,
    competences: Vec<Opt>,
    levels: Vec<Opt>,
    statuses: Vec<Opt>,
    /// Each listed item's address and status label, in the list's order.
    links: Vec<String>,
    status_labels: Vec<String>,
    difficulty_labels: Vec<String>,
    import: ImportForm,
}

/// The import form: the framework's competences and levels, the difficulties, what was chosen.
struct ImportForm {
    competences: Vec<Opt>,
    levels: Vec<Opt>,
    difficulties: Vec<Opt>,
    max_mb: usize,
    errors: Vec<String>,
}

fn import_form(tr: Tr, c: ImportChoices, chosen: Option<&ImportChoice>) -> ImportForm {
    let pick = |choices: Vec<app::Choice>, value: Option<&str>| {
        choices
            .into_iter()
            .map(|c| Opt {
                chosen: value == Some(c.value.as_str()),
                value: c.value,
                label: c.label,
            })
            .collect()
    };
    ImportForm {
        competences: pick(c.competences, chosen.map(|c| c.competence.as_str())),
        levels: pick(c.levels, chosen.map(|c| c.level.as_str())),
        difficulties: Difficulty::ALL
            .into_iter()
            .map(|d| Opt {
                value: d.as_str().to_string(),
                label: tr.get(&format!("qbank-difficulty-{}", d.as_str())),
                chosen: chosen.map_or(d == Difficulty::Medium, |c| c.difficulty == d.as_str()),
            })
            .collect(),
        max_mb: MAX_IMPORT_BYTES / (1024 * 1024),
        errors: Vec::new(),
    }
}

async fn bank_page(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Viewer,
    code: &str,
    q: FilterQuery,
    chosen: Option<&ImportChoice>,
) -> Result<BankPage, Problem> {
    let status = some(q.status).and_then(|s| CourseStatus::parse(&s));
    let filter = Filter {
        pool: some(q.pool),
        competence: some(q.competence),
        level: some(q.level),
        status,
    };
    let b = app::bank(&state.app, &v.principal, code, &filter).await?;
    let choices = app::import_choices(&state.app).await?;
    Ok(BankPage {
        l: Layout::for_viewer(tr, &parts.0, v),
        pools: opts(&b.pools, filter.pool.as_deref()),
        competences: opts(&b.competences, filter.competence.as_deref()),
        levels: opts(&b.levels, filter.level.as_deref()),
        statuses: CourseStatus::ALL
            .into_iter()
            .map(|s| Opt {
                value: s.as_str().to_string(),
                label: status_label(tr, s),
                chosen: filter.status == Some(s),
            })
            .collect(),
        links: b
            .items
            .iter()
            .map(|i| format!("/bank/{}/items/{}", b.unit.code, segment(&i.code)))
            .collect(),
        status_labels: b.items.iter().map(|i| status_label(tr, i.status)).collect(),
        difficulty_labels: b
            .items
            .iter()
            .map(|i| tr.get(&format!("qbank-difficulty-{}", i.difficulty.as_str())))
            .collect(),
        import: import_form(tr, choices, chosen),
        b,
    })
}

async fn bank(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<FilterQuery>,
) -> Result<Response, Problem> {
    html(&bank_page(&state, tr, &parts, &v, &code, q, None).await?)
}

/// One question not imported, as the report lists it.
struct Refused {
    question: String,
    place: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "question_bank/report.html")]
struct ReportPage {
    l: Layout,
    unit: BankUnit,
    file: String,
    format: String,
    imported: usize,
    refused: Vec<Refused>,
    /// Imported questions the author must look at (a picture to describe).
    notes: Vec<Refused>,
}

async fn import(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    mp: Multipart,
) -> Result<Response, Problem> {
    // Who may write in this bank is answered before anything of the upload is.
    app::check_author(&state.app, &v.principal, &code).await?;
    let (sent, name, bytes, fields) = read_upload_with_fields(&state, mp).await?;
    csrf::check(&v, sent.as_deref().unwrap_or(""))?;
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let choice = ImportChoice {
        competence: field("competence"),
        level: field("level"),
        difficulty: field("difficulty"),
    };
    let outcome = app::import(&state.app, &v.principal, &code, &name, bytes, &choice)
        .await
        .map(|r| (name, r));
    match outcome {
        Ok((name, r)) => {
            let b = app::bank(&state.app, &v.principal, &code, &Filter::default()).await?;
            let listed = |problems: &[hocvuso_core::assessment::ImportProblem]| -> Vec<Refused> {
                problems
                    .iter()
                    .map(|p| Refused {
                        question: if p.question.is_empty() {
                            tr.get("qbank-report-whole-file")
                        } else {
                            p.question.clone()
                        },
                        place: match (p.line, &p.column) {
                            (Some(line), Some(col)) => tr.count2("qbank-report-line-column", line, col),
                            (Some(line), None) => tr.count("qbank-report-line", line),
                            _ => String::new(),
                        },
                        reason: tr.msg(&p.message),
                    })
                    .collect()
            };
            html(&ReportPage {
                l: Layout::for_viewer(tr, &parts.0, &v),
                unit: b.unit,
                file: name,
                format: r.format.to_string(),
                imported: r.imported,
                refused: listed(&r.problems),
                notes: listed(&r.notes),
            })
        }
        Err(AppError::Invalid(fields)) => {
            let mut page = bank_page(&state, tr, &parts, &v, &code, FilterQuery::default(), Some(&choice)).await?;
            page.import.errors = fields.iter().map(|f| tr.msg(&f.message)).collect();
            with_status(html(&page), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn with_status(r: Result<Response, Problem>, status: StatusCode) -> Result<Response, Problem> {
    r.map(|mut r| {
        *r.status_mut() = status;
        r.extensions_mut().insert(Rendered);
        r
    })
}

#[derive(Deserialize, Default)]
struct ExportQuery {
    format: Option<String>,
    pool: Option<String>,
}

async fn export(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, Problem> {
    let format = some(q.format)
        .and_then(|f| ExportFormat::parse(&f))
        .unwrap_or(ExportFormat::Xlsx);
    let pool = some(q.pool);
    let d = app::export(&state.app, &v.principal, &code, pool.as_deref(), format).await?;
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", d.file_name)).map_err(|_| Problem::internal())?;
    let mut r = d.bytes.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(d.content_type));
    r.headers_mut().insert(header::CONTENT_DISPOSITION, disposition);
    Ok(r)
}

#[derive(Template)]
#[template(path = "question_bank/item.html")]
struct ItemPage {
    l: Layout,
    i: ItemView,
    status: String,
    difficulty: String,
    kind: String,
    updated_at: String,
    action: String,
    /// A matching item's pairs, left then right.
    pairs: Vec<(String, String)>,
    /// The right options of a choice item.
    right: Vec<String>,
    /// Why a change was refused (a stale form, a submission of one's own).
    refused: Option<String>,
    done: Option<String>,
    picture: Option<PictureRef>,
    /// The picture's Vietnamese description.
    picture_alt: String,
    /// The item's other languages, by name ("Tiếng Anh"), each with its text.
    translations: Vec<Translation>,
}

/// An item's text in another language, as its page lists it (a matching pair on one line).
struct Translation {
    code: &'static str,
    name: String,
    stem: String,
    options: Vec<String>,
    explanation: String,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    done: Option<String>,
}

fn kind_key(i: &ItemView) -> &'static str {
    use hocvuso_core::assessment::Body;
    match i.item.body {
        Body::SingleChoice { .. } => "qbank-kind-single",
        Body::MultipleChoice { .. } => "qbank-kind-multiple",
        Body::TrueFalse { .. } => "qbank-kind-truefalse",
        Body::Ordering { .. } => "qbank-kind-ordering",
        Body::Matching { .. } => "qbank-kind-matching",
    }
}

async fn item_page(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Viewer,
    code: &str,
    item: &str,
) -> Result<ItemPage, Problem> {
    let i = app::item(&state.app, &v.principal, code, item).await?;
    Ok(ItemPage {
        l: Layout::for_viewer(tr, &parts.0, v),
        status: status_label(tr, i.status),
        difficulty: tr.get(&format!("qbank-difficulty-{}", i.item.difficulty.as_str())),
        kind: tr.get(kind_key(&i)),
        updated_at: fmt_time(&i.updated_at),
        action: format!("/bank/{}/items/{}", i.unit.code, segment(&i.item.code)),
        pairs: i.options.iter().cloned().zip(i.matches.iter().cloned()).collect(),
        right: i
            .options
            .iter()
            .zip(&i.correct)
            .filter(|(_, c)| **c)
            .map(|(o, _)| o.clone())
            .collect(),
        picture: i.item.picture.as_deref().and_then(app::picture_ref),
        picture_alt: i
            .item
            .texts
            .first()
            .map(|(_, t)| t.picture_alt.clone())
            .unwrap_or_default(),
        translations: i
            .item
            .texts
            .iter()
            .filter(|(l, _)| *l != ContentLang::Vi)
            .map(|(l, t)| Translation {
                code: l.as_str(),
                name: tr.get(&l.label_key()),
                stem: t.stem.clone(),
                options: if t.matches.is_empty() {
                    t.options.clone()
                } else {
                    t.options
                        .iter()
                        .zip(&t.matches)
                        .map(|(a, b)| format!("{a} → {b}"))
                        .collect()
                },
                explanation: t.explanation.clone(),
            })
            .collect(),
        i,
        refused: None,
        done: None,
    })
}

async fn item(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path((code, item)): Path<(String, String)>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, Problem> {
    let mut page = item_page(&state, tr, &parts, &v, &code, &item).await?;
    page.done = q
        .done
        .filter(|d| ["submit", "publish", "return", "retire"].contains(&d.as_str()))
        .map(|d| tr.get(&format!("qbank-done-{d}")));
    html(&page)
}

/// A status change names the revision its form was opened at; read leniently, so that a missing
/// one is judged after who may act (a stranger learns nothing about the item).
#[derive(Deserialize, Default)]
struct RevisionForm {
    #[serde(default)]
    revision: String,
}

impl RevisionForm {
    fn revision(&self) -> i32 {
        self.revision.trim().parse().unwrap_or(-1)
    }
}

async fn after_change(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Viewer,
    (code, item): (&str, &str),
    done: &str,
    result: hocvuso_app::Result<()>,
) -> Result<Response, Problem> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/bank/{code}/items/{}?done={done}", segment(item))).into_response()),
        Err(AppError::Conflict(f)) => {
            let mut page = item_page(state, tr, parts, v, code, item).await?;
            page.refused = Some(tr.msg(&f.message));
            with_status(html(&page), StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

macro_rules! change_handler {
    ($name:ident, $call:path, $done:literal) => {
        async fn $name(
            State(state): State<AppState>,
            tr: Tr,
            parts: Parts0,
            Path((code, item)): Path<(String, String)>,
            CsrfForm(v, form): CsrfForm<RevisionForm>,
        ) -> Result<Response, Problem> {
            let r = $call(&state.app, &v.principal, &code, &item, form.revision()).await;
            after_change(&state, tr, &parts, &v, (&code, &item), $done, r).await
        }
    };
}

change_handler!(submit, app::submit, "submit");
change_handler!(publish, app::publish, "publish");
change_handler!(give_back, app::return_item, "return");
change_handler!(retire, app::retire, "retire");

/// The item form: what was typed (or stored), and each problem beside its field.
#[derive(Template)]
#[template(path = "question_bank/form.html")]
struct FormPage {
    l: Layout,
    unit: BankUnit,
    /// The item's code when a stored draft is edited.
    editing: Option<String>,
    action: String,
    f: ItemForm,
    kinds: Vec<Opt>,
    competences: Vec<Opt>,
    levels: Vec<Opt>,
    difficulties: Vec<Opt>,
    /// (field, message)
    errors: Vec<(String, String)>,
    /// The stored item is no longer a draft, or moved on: why it cannot be saved.
    refused: Option<String>,
    /// A section per language besides Vietnamese, open when the item has that text.
    langs: Vec<LangSection>,
    /// The stored item's picture (editing a draft that has one).
    picture: Option<PictureRef>,
    /// The Vietnamese description of the picture, as the form holds it.
    picture_alt: String,
    remove_picture: bool,
    picture_action: String,
    /// The picture form's description fields: one per language the stored item has.
    picture_langs: Vec<AltField>,
}

struct AltField {
    code: &'static str,
    name: String,
    field: String,
    /// Where its problems are listed: the picture form's own, apart from the item form's.
    err: String,
    value: String,
}

/// One language's fields in the item form.
struct LangSection {
    code: &'static str,
    /// The section's title, e.g. "Bản Tiếng Anh".
    title: String,
    /// The language's name ("Tiếng Anh"), in each field's label.
    name: String,
    stem: String,
    options: String,
    explanation: String,
    open: bool,
    f_stem: String,
    f_options: String,
    f_explanation: String,
    alt: String,
    f_alt: String,
}

fn lang_sections(tr: Tr, f: &ItemForm) -> Vec<LangSection> {
    app::translation_langs()
        .map(|lang| {
            let [stem, options, explanation] = f.translation(lang).unwrap_or(["", "", ""]);
            let name = tr.get(&lang.label_key());
            LangSection {
                code: lang.as_str(),
                title: tr.msg(&Message::new("qbank-translation-of").arg("lang", &name)),
                name,
                open: [stem, options, explanation].iter().any(|s| !s.trim().is_empty()),
                stem: stem.to_string(),
                options: options.to_string(),
                explanation: explanation.to_string(),
                f_stem: app::field_name("stem", lang),
                f_options: app::field_name("options", lang),
                f_explanation: app::field_name("explanation", lang),
                alt: f
                    .more
                    .get(&app::field_name("picture_alt", lang))
                    .cloned()
                    .unwrap_or_default(),
                f_alt: app::field_name("picture_alt", lang),
            }
        })
        .collect()
}

/// A problem as the form shows it: a language it names by its name ("Tiếng Anh"), not its code.
fn with_lang_named(tr: Tr, m: &Message) -> String {
    let mut m = m.clone();
    for (k, v) in m.args.iter_mut() {
        if *k == "lang"
            && let Some(lang) = ContentLang::parse(v)
        {
            *v = tr.get(&lang.label_key());
        }
    }
    tr.msg(&m)
}

impl FormPage {
    fn error(&self, field: &str) -> Vec<String> {
        self.errors
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .collect()
    }
}

async fn form_page(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Viewer,
    code: &str,
    editing: Option<String>,
    f: ItemForm,
) -> Result<FormPage, Problem> {
    let b = app::bank(&state.app, &v.principal, code, &Filter::default()).await?;
    let choices = app::import_choices(&state.app).await?;
    let chosen = ImportChoice {
        competence: f.competence.clone(),
        level: f.level.clone(),
        difficulty: if f.difficulty.is_empty() {
            "medium".into()
        } else {
            f.difficulty.clone()
        },
    };
    let form = import_form(tr, choices, Some(&chosen));
    let stored = match &editing {
        Some(c) => Some(app::item(&state.app, &v.principal, code, c).await?),
        None => None,
    };
    let picture = stored
        .as_ref()
        .and_then(|i| i.item.picture.as_deref())
        .and_then(app::picture_ref);
    let picture_langs = stored
        .as_ref()
        .map(|i| {
            i.item
                .texts
                .iter()
                .map(|(lang, _)| {
                    let field = app::field_name("picture_alt", *lang);
                    AltField {
                        code: lang.as_str(),
                        name: tr.get(&lang.label_key()),
                        err: format!("upload_{field}"),
                        value: f.more.get(&field).cloned().unwrap_or_default(),
                        field,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(FormPage {
        l: Layout::for_viewer(tr, &parts.0, v),
        action: match &editing {
            Some(c) => format!("/bank/{}/items/{}/edit", b.unit.code, segment(c)),
            None => format!("/bank/{}/new", b.unit.code),
        },
        kinds: ["single", "multiple", "truefalse", "ordering", "matching"]
            .into_iter()
            .map(|k| Opt {
                value: k.to_string(),
                label: tr.get(&format!("qbank-kind-{k}")),
                chosen: f.kind == k,
            })
            .collect(),
        competences: form.competences,
        levels: form.levels,
        difficulties: form.difficulties,
        picture_action: match &editing {
            Some(c) => format!("/bank/{}/items/{}/picture", b.unit.code, segment(c)),
            None => String::new(),
        },
        picture,
        picture_alt: f.more.get("picture_alt").cloned().unwrap_or_default(),
        remove_picture: f.remove_picture.is_some(),
        picture_langs,
        unit: b.unit,
        editing,
        langs: lang_sections(tr, &f),
        f,
        errors: Vec::new(),
        refused: None,
    })
}

async fn new_item(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let f = ItemForm {
        kind: "single".into(),
        revision: "0".into(),
        ..ItemForm::default()
    };
    html(&form_page(&state, tr, &parts, &v, &code, None, f).await?)
}

async fn edit_item(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path((code, item)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let i = app::item(&state.app, &v.principal, &code, &item).await?;
    let f = ItemForm::of(&i.pool, &i.item, i.revision);
    let mut page = form_page(&state, tr, &parts, &v, &code, Some(i.item.code.clone()), f).await?;
    if i.status != CourseStatus::Draft {
        page.refused = Some(tr.msg(&Message::new("err-qbank-edit-not-draft")));
    }
    html(&page)
}

async fn save_answer(
    state: &AppState,
    tr: Tr,
    parts: &Parts0,
    v: &Viewer,
    code: &str,
    editing: Option<String>,
    f: ItemForm,
) -> Result<Response, Problem> {
    match app::save_item(&state.app, &v.principal, code, editing.as_deref(), &f).await {
        Ok(saved) => Ok(Redirect::to(&format!("/bank/{code}/items/{}", segment(&saved))).into_response()),
        Err(AppError::Invalid(fields)) => {
            let mut page = form_page(state, tr, parts, v, code, editing, f).await?;
            page.errors = fields
                .iter()
                .map(|e| (e.field.clone(), with_lang_named(tr, &e.message)))
                .collect();
            with_status(html(&page), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Conflict(e)) => {
            let mut page = form_page(state, tr, parts, v, code, editing, f).await?;
            page.refused = Some(tr.msg(&e.message));
            with_status(html(&page), StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

async fn create_item(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path(code): Path<String>,
    CsrfForm(v, f): CsrfForm<ItemForm>,
) -> Result<Response, Problem> {
    save_answer(&state, tr, &parts, &v, &code, None, f).await
}

async fn update_item(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    Path((code, item)): Path<(String, String)>,
    CsrfForm(v, f): CsrfForm<ItemForm>,
) -> Result<Response, Problem> {
    save_answer(&state, tr, &parts, &v, &code, Some(item), f).await
}

/// A picture for a draft: the file and its description in each of the item's languages.
async fn upload_picture(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path((code, item)): Path<(String, String)>,
    mp: Multipart,
) -> Result<Response, Problem> {
    // Who may write in this bank is answered before anything of the upload is.
    app::check_author(&state.app, &v.principal, &code).await?;
    let (sent, _name, bytes, fields) = read_upload_with_fields(&state, mp).await?;
    csrf::check(&v, sent.as_deref().unwrap_or(""))?;
    let revision = fields.get("revision").and_then(|r| r.trim().parse().ok()).unwrap_or(-1);
    let alts: std::collections::BTreeMap<ContentLang, String> = ContentLang::ALL
        .into_iter()
        .filter_map(|l| fields.get(&app::field_name("picture_alt", l)).map(|a| (l, a.clone())))
        .collect();
    let edit = format!("/bank/{code}/items/{}/edit", segment(&item));
    let outcome = app::set_picture(&state.app, &v.principal, &code, &item, revision, bytes, &alts).await;
    match outcome {
        Ok(()) => Ok(Redirect::to(&edit).into_response()),
        Err(AppError::Invalid(errors)) => {
            let i = app::item(&state.app, &v.principal, &code, &item).await?;
            let mut f = ItemForm::of(&i.pool, &i.item, i.revision);
            for (l, a) in &alts {
                f.more.insert(app::field_name("picture_alt", *l), a.clone());
            }
            let mut p = form_page(&state, tr, &parts, &v, &code, Some(item.clone()), f).await?;
            for (l, a) in &alts {
                if let Some(field) = p.picture_langs.iter_mut().find(|x| x.code == l.as_str()) {
                    field.value = a.clone();
                }
            }
            p.errors = errors
                .iter()
                .map(|e| (format!("upload_{}", e.field), with_lang_named(tr, &e.message)))
                .collect();
            with_status(html(&p), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Conflict(e)) => {
            let i = app::item(&state.app, &v.principal, &code, &item).await?;
            let f = ItemForm::of(&i.pool, &i.item, i.revision);
            let mut p = form_page(&state, tr, &parts, &v, &code, Some(item.clone()), f).await?;
            p.refused = Some(with_lang_named(tr, &e.message));
            with_status(html(&p), StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct PictureQuery {
    size: Option<String>,
}

/// An item's picture: named by its bytes, so it never changes and may be kept.
async fn picture(
    State(state): State<AppState>,
    v: Viewer,
    Path(name): Path<String>,
    Query(q): Query<PictureQuery>,
) -> Result<Response, Problem> {
    let phone = q.size.as_deref() == Some("phone");
    let bytes = app::picture(&state.app, &v.principal, &name, phone).await?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    Ok(r)
}

pub fn nav(tr: Tr, v: Option<&Viewer>) -> Vec<Nav> {
    match v {
        Some(v) if v.principal.can_somewhere(Action::AuthorContent) => vec![Nav {
            href: "/bank".into(),
            label: tr.get("nav-bank"),
            current: false,
        }],
        _ => Vec::new(),
    }
}
