//! Question-bank authoring (issue 10 §1): an author lists and reads the items of the banks they
//! may write, imports a GIFT, Moodle XML, XLSX or QTI file into a unit's bank as drafts (every
//! question not imported named with its reason), sends drafts for review; a second person
//! publishes or returns them, and a published item can be retired (no longer drawn; an attempt
//! that holds it keeps its copy, which lives in the attempt). Banks export as XLSX, GIFT and
//! Moodle XML. Rights are those of course authoring: `AuthorContent` on the bank's unit to write
//! and send, `PublishContent` to publish, return and retire, and never on a submission of one's
//! own (four eyes, judged on the stored row). Every change names the revision it was made from.

use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Principal, act};
use hocvuso_core::assessment::import::{MAX_IMPORT_BYTES, label};
use hocvuso_core::assessment::{
    Body, Defaults, Difficulty, ImportProblem, Imported, Item, gift, moodle_xml, qti, xlsx_items,
};
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::media::PreparedImage;
use hocvuso_core::learning::{CompetenceRef, ContentLang, CourseStatus};
use hocvuso_db::assessment::{self as db, AuthorItem};
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::units::{self, Unit};
use hocvuso_db::{Tx, accounts};
use serde_json::json;
use std::collections::BTreeSet;

/// The pool of an imported question whose file names no category.
pub const DEFAULT_POOL: &str = "Chung";

/// A unit whose bank the viewer may write: the root of one of their writing scopes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BankUnit {
    pub code: String,
    pub name: String,
    pub path: String,
}

fn me(who: &Principal) -> Result<i64> {
    who.account_id
        .ok_or(Error::Denied(hocvuso_core::access::Denied::Forbidden))
}

/// The banks the viewer may author: one per root of their `AuthorContent` scopes.
pub async fn banks(app: &App, who: &Principal) -> Result<Vec<BankUnit>> {
    me(who)?;
    let scopes = who.scopes::<act::AuthorContent>();
    if scopes.is_empty() {
        return Err(Error::Denied(hocvuso_core::access::Denied::Forbidden));
    }
    let mut out: Vec<BankUnit> = Vec::new();
    for s in scopes {
        if out.iter().any(|b| b.path == s.root()) {
            continue;
        }
        if let Some(u) = units::by_path(&app.db, s.root()).await? {
            out.push(BankUnit {
                code: u.code,
                name: u.name,
                path: u.path,
            });
        }
    }
    Ok(out)
}

/// The unit of a bank, with the viewer's right to write in it checked.
async fn bank_unit(app: &App, who: &Principal, unit_code: &str) -> Result<Unit> {
    if unit_code.len() > 60 {
        return Err(Error::NotFound);
    }
    let u = units::by_code(&app.db, unit_code).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::AuthorContent>(&u.path)?;
    Ok(u)
}

/// What the bank list is narrowed to; `None` shows all.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub pool: Option<String>,
    /// "framework:code"
    pub competence: Option<String>,
    pub level: Option<String>,
    pub status: Option<CourseStatus>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ItemLine {
    pub code: String,
    pub pool: String,
    /// "framework:code"
    pub competence: String,
    pub level: String,
    pub difficulty: Difficulty,
    pub status: CourseStatus,
    /// The Vietnamese stem's first words.
    pub stem: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct BankView {
    pub unit: BankUnit,
    pub items: Vec<ItemLine>,
    /// Every item of the bank, before the filter.
    pub total: usize,
    /// The values the filters offer, from the bank itself.
    pub pools: Vec<String>,
    pub competences: Vec<String>,
    pub levels: Vec<String>,
}

fn competence_of(item: &Item) -> String {
    format!("{}:{}", item.competence.framework, item.competence.code)
}

fn stem_vi(item: &Item) -> &str {
    item.texts.first().map(|(_, t)| t.stem.as_str()).unwrap_or("")
}

/// A unit's bank, by pool then code, narrowed by `filter`.
pub async fn bank(app: &App, who: &Principal, unit_code: &str, filter: &Filter) -> Result<BankView> {
    let u = bank_unit(app, who, unit_code).await?;
    let all = db::bank_for_authors(&app.db, &u.path).await?;
    let mut pools = BTreeSet::new();
    let mut competences = BTreeSet::new();
    let mut levels = BTreeSet::new();
    for i in &all {
        pools.insert(i.pool.clone());
        competences.insert(competence_of(&i.item));
        levels.insert(i.item.level.clone());
    }
    let total = all.len();
    let items = all
        .into_iter()
        .filter(|i| filter.pool.as_ref().is_none_or(|p| &i.pool == p))
        .filter(|i| filter.competence.as_ref().is_none_or(|c| &competence_of(&i.item) == c))
        .filter(|i| filter.level.as_ref().is_none_or(|l| &i.item.level == l))
        .filter(|i| filter.status.is_none_or(|s| i.status == s))
        .map(|i| ItemLine {
            stem: label("", stem_vi(&i.item)),
            code: i.item.code.clone(),
            pool: i.pool,
            competence: competence_of(&i.item),
            level: i.item.level.clone(),
            difficulty: i.item.difficulty,
            status: i.status,
        })
        .collect();
    Ok(BankView {
        unit: BankUnit {
            code: u.code,
            name: u.name,
            path: u.path,
        },
        items,
        total,
        pools: pools.into_iter().collect(),
        competences: competences.into_iter().collect(),
        levels: levels.into_iter().collect(),
    })
}

/// One item as its authors read it: as a learner sees it (options as written), with its key and
/// explanation, and what the viewer may do with it now.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ItemView {
    pub unit: BankUnit,
    pub pool: String,
    pub item: Item,
    pub status: CourseStatus,
    pub revision: i32,
    pub updated_by: String,
    pub updated_at: time::OffsetDateTime,
    /// The Vietnamese text (every item has one first).
    pub stem: String,
    pub options: Vec<String>,
    pub matches: Vec<String>,
    pub explanation: String,
    /// For each option as written: whether it is a right answer (choice items).
    pub correct: Vec<bool>,
    /// A true/false item's answer.
    pub truth: Option<bool>,
    pub may_submit: bool,
    pub may_publish: bool,
    pub may_return: bool,
    pub may_retire: bool,
    /// In review, sent by the viewer: someone else must publish it.
    pub own_submission: bool,
}

async fn name_of(app: &App, id: Option<i64>) -> Result<String> {
    Ok(match id {
        Some(id) => accounts::get(&app.db, id)
            .await?
            .map(|a| a.display_name)
            .unwrap_or_default(),
        None => String::new(),
    })
}

pub async fn item(app: &App, who: &Principal, unit_code: &str, code: &str) -> Result<ItemView> {
    let me = me(who)?;
    let u = bank_unit(app, who, unit_code).await?;
    let row = db::for_author(&app.db, &u.path, code).await?.ok_or(Error::NotFound)?;
    let may_publish_here = who.can(hocvuso_core::roles::Action::PublishContent, &u.path);
    let own = row.status == CourseStatus::Review && row.updated_by == Some(me);
    let text = row
        .item
        .texts
        .iter()
        .find(|(l, _)| *l == ContentLang::Vi)
        .or(row.item.texts.first())
        .map(|(_, t)| t.clone());
    let (stem, options, matches, explanation) = text
        .map(|t| (t.stem, t.options, t.matches, t.explanation))
        .unwrap_or_default();
    let correct = (0..options.len())
        .map(|i| match &row.item.body {
            Body::SingleChoice { correct, .. } => *correct == i,
            Body::MultipleChoice { correct, .. } => correct.contains(&i),
            _ => false,
        })
        .collect();
    let truth = match &row.item.body {
        Body::TrueFalse { answer } => Some(*answer),
        _ => None,
    };
    Ok(ItemView {
        unit: BankUnit {
            code: u.code,
            name: u.name,
            path: u.path,
        },
        updated_by: name_of(app, row.updated_by).await?,
        updated_at: row.updated_at,
        may_submit: row.status == CourseStatus::Draft,
        may_publish: may_publish_here && row.status == CourseStatus::Review && !own,
        may_return: may_publish_here && row.status == CourseStatus::Review,
        may_retire: may_publish_here && row.status == CourseStatus::Published,
        own_submission: own,
        pool: row.pool,
        status: row.status,
        revision: row.revision,
        item: row.item,
        stem,
        options,
        matches,
        explanation,
        correct,
        truth,
    })
}

/// What the import form offers: every framework's competences and levels.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Choice {
    /// "framework:code"
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportChoices {
    pub competences: Vec<Choice>,
    pub levels: Vec<Choice>,
}

pub async fn import_choices(app: &App) -> Result<ImportChoices> {
    let mut competences = Vec::new();
    let mut levels: Vec<Choice> = Vec::new();
    for f in crate::learning::frameworks(app).await? {
        for a in &f.areas {
            for c in &a.competences {
                competences.push(Choice {
                    value: format!("{}:{}", f.id, c.code),
                    label: format!("{} {} — {}", f.id, c.code, c.name),
                });
            }
        }
        for l in &f.levels {
            if !levels.iter().any(|x| x.value == l.code) {
                levels.push(Choice {
                    value: l.code.clone(),
                    label: format!("{} — {}", l.code, l.name),
                });
            }
        }
    }
    Ok(ImportChoices { competences, levels })
}

/// What the author chose for what the file does not say.
#[derive(Debug, Clone)]
pub struct ImportChoice {
    /// "framework:code"
    pub competence: String,
    pub level: String,
    pub difficulty: String,
}

/// What an import stored and every question it did not.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub imported: usize,
    /// The format the file was read as ("GIFT", "Moodle XML", "XLSX", "QTI 2.1").
    pub format: &'static str,
    pub problems: Vec<ImportProblem>,
    /// Imported questions that need the author's attention (a picture to describe).
    pub notes: Vec<ImportProblem>,
}

/// The format of an upload, by its name and, for XML, its root element.
fn read_file(name: &str, bytes: &[u8], defaults: &Defaults) -> Option<(&'static str, Imported)> {
    let lower = name.to_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "gift" | "txt" => Some(("GIFT", gift::parse(bytes, defaults))),
        "xlsx" => Some(("XLSX", xlsx_items::read_items(bytes, defaults))),
        "zip" => Some(("QTI 2.1", qti::parse_package(bytes, defaults))),
        "xml" => {
            // A QTI item names its root element early; a Moodle file is a <quiz>.
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_string();
            if head.contains("<assessmentItem") || head.contains(":assessmentItem") {
                Some(("QTI 2.1", qti::parse_item(bytes, defaults)))
            } else {
                Some(("Moodle XML", moodle_xml::parse(bytes, defaults)))
            }
        }
        _ => None,
    }
}

fn invalid(field: &str, message: Message) -> Error {
    Error::Invalid(vec![FieldError::new(field, message)])
}

/// The author's choices checked against the stored frameworks.
async fn defaults_of(app: &App, choice: &ImportChoice) -> Result<Defaults> {
    let competence = CompetenceRef::parse(&choice.competence)
        .ok_or_else(|| invalid("competence", Message::new("err-qbank-competence")))?;
    let f = crate::learning::framework(app, &competence.framework)
        .await
        .map_err(|e| match e {
            Error::NotFound => invalid("competence", Message::new("err-qbank-competence")),
            e => e,
        })?;
    if !f
        .areas
        .iter()
        .any(|a| a.competences.iter().any(|c| c.code == competence.code))
    {
        return Err(invalid("competence", Message::new("err-qbank-competence")));
    }
    if !f.levels.iter().any(|l| l.code == choice.level) {
        return Err(invalid("level", Message::new("err-qbank-level")));
    }
    let difficulty = Difficulty::parse(&choice.difficulty)
        .ok_or_else(|| invalid("difficulty", Message::new("err-qbank-difficulty")))?;
    Ok(Defaults {
        competence,
        level: choice.level.clone(),
        difficulty,
    })
}

/// Whether the viewer may write in the bank of `unit_code` (404 for an unknown unit): answered
/// before an upload is read, so a stranger learns nothing from its fields.
pub async fn check_author(app: &App, who: &Principal, unit_code: &str) -> Result<()> {
    bank_unit(app, who, unit_code).await.map(|_| ())
}

/// Imports a question file into the bank of `unit_code` as drafts, in one transaction with the
/// author's right checked inside it. A question whose code the bank holds is reported, not
/// overwritten; so is every question the parser refused.
pub async fn import(
    app: &App,
    who: &Principal,
    unit_code: &str,
    file_name: &str,
    bytes: Vec<u8>,
    choice: &ImportChoice,
) -> Result<ImportReport> {
    let me = me(who)?;
    bank_unit(app, who, unit_code).await?;
    if bytes.is_empty() {
        return Err(invalid("file", Message::new("err-qbank-empty")));
    }
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(invalid(
            "file",
            Message::new("err-qbank-too-large").arg("n", MAX_IMPORT_BYTES / (1024 * 1024)),
        ));
    }
    let defaults = defaults_of(app, choice).await?;
    let name = file_name.to_string();
    // Parsing a large workbook or package is CPU work: off the request threads.
    let (format, imported) = tokio::task::spawn_blocking(move || read_file(&name, &bytes, &defaults))
        .await
        .map_err(|e| Error::Db(hocvuso_db::DbError::Invalid(e.to_string())))?
        .ok_or_else(|| invalid("file", Message::new("err-qbank-format")))?;
    let mut report = ImportReport {
        format,
        problems: imported.problems,
        ..ImportReport::default()
    };
    // The pictures the questions show, checked by their bytes and re-encoded as an author's
    // upload is, on the reading gate. A recording a file carried has no place in a bank: the
    // parsers name each one with its question.
    let shown: BTreeSet<String> = imported.items.iter().filter_map(|(_, i)| i.picture.clone()).collect();
    let files: Vec<(String, Vec<u8>)> = imported
        .files
        .into_iter()
        .filter(|(name, _)| shown.contains(name))
        .collect();
    let pictures: std::collections::HashMap<String, std::result::Result<PreparedImage, Message>> = app
        .reader
        .read(move || {
            files
                .into_iter()
                .map(|(name, bytes)| {
                    let p = hocvuso_core::learning::media::prepare_image(&bytes).map_err(|e| e.message());
                    (name, p)
                })
                .collect()
        })
        .await?;
    // A file may name each question's competence and level (a spreadsheet's columns, a QTI
    // package's metadata): a question that names one the frameworks do not have is reported,
    // not stored where no test would ever draw it.
    let frameworks = crate::learning::frameworks(app).await?;
    let mut tx = app.db.begin().await?;
    // The unit as stored now, and the right on it, inside the writing transaction.
    let u = unit_tx(app, &mut tx, unit_code).await?;
    who.authorize::<act::AuthorContent>(&u.path)?;
    let mut codes = Vec::new();
    for (pool, mut item) in imported.items {
        if let Some(message) = unknown_in_frameworks(&frameworks, &item) {
            report.problems.push(ImportProblem {
                question: label(&item.code, stem_vi(&item)),
                line: None,
                column: None,
                message,
            });
            continue;
        }
        let pool = if pool.trim().is_empty() {
            DEFAULT_POOL.to_string()
        } else if format == "GIFT" {
            // GIFT names a category path "A/B", Moodle XML "A / B": one bank, one spelling, so a
            // pool exported in one format and imported from the other is the same pool.
            pool.replace('/', " / ")
        } else {
            pool
        };
        // The question's picture, stored as an author's upload is; one that failed its check is
        // left out, said so (the question's text describes the scene).
        let mut picture = None;
        if let Some(file) = item.picture.take() {
            match pictures.get(&file) {
                Some(Ok(p)) => {
                    item.picture = Some(picture_name(p));
                    picture = Some((file, p));
                }
                Some(Err(reason)) => {
                    let question = label(&item.code, stem_vi(&item));
                    report.problems.push(ImportProblem {
                        question: question.clone(),
                        line: None,
                        column: None,
                        message: Message::new("err-qbank-picture-refused").arg("file", &file),
                    });
                    report.problems.push(ImportProblem {
                        question,
                        line: None,
                        column: None,
                        message: reason.clone(),
                    });
                }
                None => report.problems.push(ImportProblem {
                    question: label(&item.code, stem_vi(&item)),
                    line: None,
                    column: None,
                    message: Message::new("err-qbank-picture-missing").arg("file", &file),
                }),
            }
        }
        match db::insert(&mut tx, &u.path, &pool, &item, CourseStatus::Draft, Some(me)).await? {
            Some(_) => {
                report.imported += 1;
                codes.push(item.code.clone());
                if let Some((file, p)) = picture {
                    store_picture(&mut tx, p, Some(me)).await?;
                    if item.texts.iter().any(|(_, t)| t.picture_alt.trim().is_empty()) {
                        report.notes.push(ImportProblem {
                            question: label(&item.code, stem_vi(&item)),
                            line: None,
                            column: None,
                            message: Message::new("err-qbank-picture-describe").arg("file", file),
                        });
                    }
                }
            }
            None => report.problems.push(ImportProblem {
                question: label(&item.code, stem_vi(&item)),
                line: None,
                column: None,
                message: Message::new("err-qbank-code-taken").arg("code", item.code.as_str()),
            }),
        }
    }
    let event = Event::ItemsImported {
        unit_code: u.code.clone(),
        detail: json!({
            "file": file_name, "format": format, "imported": report.imported,
            "refused": report.problems.len(), "codes": codes,
        }),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&u.path, &event)).await?;
    tx.commit().await?;
    Ok(report)
}

/// Why `item` cannot be stored against the frameworks: a competence or a level they do not have.
fn unknown_in_frameworks(frameworks: &[hocvuso_core::learning::Framework], item: &Item) -> Option<Message> {
    let c = &item.competence;
    let Some(f) = frameworks.iter().find(|f| f.id == c.framework) else {
        return Some(Message::new("err-qbank-item-competence").arg("value", c.to_string()));
    };
    if !f.areas.iter().any(|a| a.competences.iter().any(|x| x.code == c.code)) {
        return Some(Message::new("err-qbank-item-competence").arg("value", c.to_string()));
    }
    if !f.levels.iter().any(|l| l.code == item.level) {
        return Some(
            Message::new("err-qbank-item-level")
                .arg("value", item.level.as_str())
                .arg("framework", f.id.as_str()),
        );
    }
    None
}

/// The unit named by its code, as stored inside the writing transaction (a unit merged away
/// meanwhile is gone).
async fn unit_tx(app: &App, tx: &mut Tx, unit_code: &str) -> Result<Unit> {
    if unit_code.len() > 60 {
        return Err(Error::NotFound);
    }
    let path = units::by_code(&app.db, unit_code).await?.ok_or(Error::NotFound)?.path;
    units::by_path_tx(tx, &path).await?.ok_or(Error::NotFound)
}

fn conflict(key: &str) -> Error {
    Error::Conflict(FieldError::new("revision", Message::new(key)))
}

/// The item inside the writing transaction, with right `A` checked on its unit as stored now and
/// the form's revision compared with the row's.
async fn locked<A: hocvuso_core::access::Act>(
    app: &App,
    tx: &mut Tx,
    who: &Principal,
    unit_code: &str,
    code: &str,
    revision: i32,
) -> Result<(Unit, AuthorItem)> {
    let u = unit_tx(app, tx, unit_code).await?;
    who.authorize::<A>(&u.path)?;
    let row = db::for_author_tx(tx, &u.path, code).await?.ok_or(Error::NotFound)?;
    if row.revision != revision {
        return Err(conflict("err-qbank-stale"));
    }
    Ok((u, row))
}

/// Moves the item from `from` to `to` and audits `event`; a conflict when it is not in `from` or
/// moved on meanwhile.
async fn change(
    mut tx: Tx,
    who: &Principal,
    u: &Unit,
    row: &AuthorItem,
    from: CourseStatus,
    to: CourseStatus,
    event: Event,
) -> Result<()> {
    let me = me(who)?;
    if row.status != from {
        return Err(conflict(match from {
            CourseStatus::Draft => "err-qbank-not-draft",
            CourseStatus::Review => "err-qbank-not-review",
            _ => "err-qbank-not-published",
        }));
    }
    if !db::set_status(&mut tx, row.id, row.revision, to, me).await? {
        return Err(conflict("err-qbank-stale"));
    }
    audit::append(&mut tx, &Actor::from(who), Entry::of(&u.path, &event)).await?;
    tx.commit().await?;
    Ok(())
}

fn detail(u: &Unit, row: &AuthorItem) -> serde_json::Value {
    json!({"unit": u.code, "code": row.item.code, "revision": row.revision})
}

/// Sends a draft for review; whoever sends it may not publish it.
pub async fn submit(app: &App, who: &Principal, unit_code: &str, code: &str, revision: i32) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let (u, row) = locked::<act::AuthorContent>(app, &mut tx, who, unit_code, code, revision).await?;
    // An imported draft may still lack what the editor requires (its picture's description): it
    // is finished before anyone reviews it.
    if let Some(first) = row.item.problems().into_iter().next() {
        return Err(Error::Conflict(FieldError::new("revision", first)));
    }
    let event = Event::ItemSubmitted {
        item_id: row.id,
        detail: detail(&u, &row),
    };
    change(tx, who, &u, &row, CourseStatus::Draft, CourseStatus::Review, event).await
}

/// Publishes an item in review: by someone who may publish in its unit and did not send it (the
/// row's last writer is its sender while it is in review).
pub async fn publish(app: &App, who: &Principal, unit_code: &str, code: &str, revision: i32) -> Result<()> {
    let me = me(who)?;
    let mut tx = app.db.begin().await?;
    let (u, row) = locked::<act::PublishContent>(app, &mut tx, who, unit_code, code, revision).await?;
    if row.status == CourseStatus::Review && row.updated_by == Some(me) {
        return Err(conflict("err-qbank-own"));
    }
    let mut d = detail(&u, &row);
    d["submitted_by"] = json!(row.updated_by);
    let event = Event::ItemPublished {
        item_id: row.id,
        detail: d,
    };
    change(tx, who, &u, &row, CourseStatus::Review, CourseStatus::Published, event).await
}

/// Returns an item in review to draft: by someone who may publish in its unit, its sender
/// included (it takes nothing to learners).
pub async fn return_item(app: &App, who: &Principal, unit_code: &str, code: &str, revision: i32) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let (u, row) = locked::<act::PublishContent>(app, &mut tx, who, unit_code, code, revision).await?;
    let mut d = detail(&u, &row);
    d["submitted_by"] = json!(row.updated_by);
    let event = Event::ItemReturned {
        item_id: row.id,
        detail: d,
    };
    change(tx, who, &u, &row, CourseStatus::Review, CourseStatus::Draft, event).await
}

/// Retires a published item: no test draws it from now on; an attempt that already holds it
/// keeps its copy.
pub async fn retire(app: &App, who: &Principal, unit_code: &str, code: &str, revision: i32) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let (u, row) = locked::<act::PublishContent>(app, &mut tx, who, unit_code, code, revision).await?;
    let event = Event::ItemRetired {
        item_id: row.id,
        detail: detail(&u, &row),
    };
    change(
        tx,
        who,
        &u,
        &row,
        CourseStatus::Published,
        CourseStatus::Archived,
        event,
    )
    .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Gift,
    MoodleXml,
    /// An IMS QTI 2.1 content package (.zip) with the items' pictures and translations.
    Qti,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s {
            "xlsx" => Some(ExportFormat::Xlsx),
            "gift" => Some(ExportFormat::Gift),
            "xml" => Some(ExportFormat::MoodleXml),
            "qti" => Some(ExportFormat::Qti),
            _ => None,
        }
    }
}

/// A download: its file name, media type and bytes.
#[derive(Debug, Clone)]
pub struct Download {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A unit's bank (or one pool of it) as a file, retired items left out, by pool then code.
pub async fn export(
    app: &App,
    who: &Principal,
    unit_code: &str,
    pool: Option<&str>,
    format: ExportFormat,
) -> Result<Download> {
    let u = bank_unit(app, who, unit_code).await?;
    let items: Vec<(String, Item)> = db::bank_for_authors(&app.db, &u.path)
        .await?
        .into_iter()
        .filter(|i| i.status != CourseStatus::Archived)
        .filter(|i| pool.is_none_or(|p| i.pool == p))
        .map(|i| (i.pool, i.item))
        .collect();
    let base = format!("ngan-hang-{}", u.code);
    let failed = |m: Message| invalid("format", m);
    Ok(match format {
        ExportFormat::Xlsx => Download {
            file_name: format!("{base}.xlsx"),
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes: xlsx_items::write_items(&items).map_err(failed)?,
        },
        ExportFormat::Gift => Download {
            file_name: format!("{base}.gift.txt"),
            content_type: "text/plain; charset=utf-8",
            bytes: gift::write(&items).into_bytes(),
        },
        ExportFormat::MoodleXml => Download {
            file_name: format!("{base}.xml"),
            content_type: "application/xml; charset=utf-8",
            bytes: moodle_xml::write(&items).map_err(failed)?,
        },
        ExportFormat::Qti => {
            let mut pictures = std::collections::HashMap::new();
            for name in items.iter().filter_map(|(_, i)| i.picture.as_ref()) {
                if !pictures.contains_key(name)
                    && let Some(bytes) = hocvuso_db::media::picture(&app.db, name, false).await?
                {
                    pictures.insert(name.clone(), bytes);
                }
            }
            // Zipping a bank with its pictures is CPU work: off the request threads.
            let bytes = tokio::task::spawn_blocking(move || qti::write_package(&items, &pictures))
                .await
                .map_err(|e| Error::Db(hocvuso_db::DbError::Invalid(e.to_string())))?
                .map_err(failed)?;
            Download {
                file_name: format!("{base}.qti.zip"),
                content_type: "application/zip",
                bytes,
            }
        }
    })
}

/// An item as its form sends it: the type, one option per line, the right ones by number.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub pool: String,
    #[serde(default)]
    pub competence: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub difficulty: String,
    #[serde(default)]
    pub stem: String,
    /// One option per line; a matching pair is "left -> right".
    #[serde(default)]
    pub options: String,
    /// The right options' numbers ("2" or "1, 3"); "true" or "false" for a true/false item.
    #[serde(default)]
    pub right: String,
    #[serde(default)]
    pub explanation: String,
    /// The revision the form was opened at (0 for a new item).
    #[serde(default)]
    pub revision: String,
    /// Set ("on") to take the picture off the item.
    #[serde(default)]
    pub remove_picture: Option<String>,
    /// The texts in other languages, `stem_<lang>`, `options_<lang>`, `explanation_<lang>`
    /// (`lang` as [`ContentLang::as_str`]): a language whose fields the form sent replaces the
    /// stored text (removed when they are all empty); one it did not send is kept as stored.
    /// The picture's description, `picture_alt` (Vietnamese) and `picture_alt_<lang>`, likewise.
    #[serde(flatten)]
    pub more: std::collections::BTreeMap<String, String>,
}

/// The languages an item may be translated into besides Vietnamese.
pub fn translation_langs() -> impl Iterator<Item = ContentLang> {
    ContentLang::ALL.into_iter().filter(|l| *l != ContentLang::Vi)
}

/// A text's options as its form shows them: one per line, a matching pair as "left -> right".
fn options_text(options: &[String], matches: &[String]) -> String {
    if matches.is_empty() {
        options.join("\n")
    } else {
        options
            .iter()
            .zip(matches)
            .map(|(a, b)| format!("{a} -> {b}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The field of a form holding `what` ("stem", "options", "explanation") in `lang`.
pub fn field_name(what: &str, lang: ContentLang) -> String {
    match lang {
        ContentLang::Vi => what.to_string(),
        l => format!("{what}_{}", l.as_str()),
    }
}

impl ItemForm {
    /// What the form sent of `lang`'s text, when it sent any of its fields.
    pub fn translation(&self, lang: ContentLang) -> Option<[&str; 3]> {
        let get = |what: &str| self.more.get(&field_name(what, lang)).map(String::as_str);
        let fields = [get("stem"), get("options"), get("explanation")];
        if fields.iter().all(Option::is_none) {
            return None;
        }
        Some(fields.map(|f| f.unwrap_or("")))
    }

    /// The picture's description in `lang` as sent, spaces tidied; empty when not sent.
    pub fn alt(&self, lang: ContentLang) -> String {
        self.more
            .get(&field_name("picture_alt", lang))
            .map(|a| a.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    }

    /// The form of a stored item, to edit it.
    pub fn of(pool: &str, item: &Item, revision: i32) -> ItemForm {
        let t = item.texts.first().map(|(_, t)| t.clone());
        let (stem, options, matches, explanation) = t
            .map(|t| (t.stem, t.options, t.matches, t.explanation))
            .unwrap_or_default();
        let (kind, right) = match &item.body {
            Body::SingleChoice { correct, .. } => ("single", (correct + 1).to_string()),
            Body::MultipleChoice { correct, .. } => (
                "multiple",
                correct
                    .iter()
                    .map(|c| (c + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Body::TrueFalse { answer } => ("truefalse", answer.to_string()),
            Body::Ordering { .. } => ("ordering", String::new()),
            Body::Matching { .. } => ("matching", String::new()),
        };
        let options = options_text(&options, &matches);
        let mut more = std::collections::BTreeMap::new();
        if item.picture.is_some() {
            for (lang, t) in &item.texts {
                more.insert(field_name("picture_alt", *lang), t.picture_alt.clone());
            }
        }
        for (lang, t) in item.texts.iter().filter(|(l, _)| *l != ContentLang::Vi) {
            more.insert(field_name("stem", *lang), t.stem.clone());
            more.insert(field_name("options", *lang), options_text(&t.options, &t.matches));
            more.insert(field_name("explanation", *lang), t.explanation.clone());
        }
        ItemForm {
            kind: kind.into(),
            code: item.code.clone(),
            pool: pool.to_string(),
            competence: competence_of(item),
            level: item.level.clone(),
            difficulty: item.difficulty.as_str().into(),
            stem,
            options,
            right,
            explanation,
            revision: revision.to_string(),
            remove_picture: None,
            more,
        }
    }
}

/// The field an item problem belongs beside: its language's when it names one.
fn field_of(m: &Message) -> String {
    let arg = |name: &str| m.args.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let lang = arg("lang").and_then(ContentLang::parse).unwrap_or(ContentLang::Vi);
    field_name(base_field_of(&m.key, arg("field")), lang)
}

fn base_field_of(key: &str, field_arg: Option<&str>) -> &'static str {
    match key {
        "err-item-no-correct" | "err-item-all-correct" => "right",
        "err-item-no-stem" => "stem",
        "err-item-no-explanation" => "explanation",
        "err-item-no-picture-alt" => "picture_alt",
        "err-item-too-long" => match field_arg {
            Some("item-stem") => "stem",
            Some("item-explanation") => "explanation",
            Some("item-picture-alt") => "picture_alt",
            _ => "options",
        },
        _ => "options",
    }
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 60
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// The item a form describes (its Vietnamese text) and the problems of the form's own fields;
/// `Err` when the form does not describe an item at all. The item's own problems are judged by
/// [`checked`], once what the form does not show is put back.
async fn item_of(app: &App, form: &ItemForm, code: &str) -> Result<(String, Item, Vec<FieldError>)> {
    let mut errors = Vec::new();
    let defaults = defaults_of(
        app,
        &ImportChoice {
            competence: form.competence.clone(),
            level: form.level.clone(),
            difficulty: form.difficulty.clone(),
        },
    )
    .await;
    if let Err(Error::Invalid(f)) = &defaults {
        errors.extend(f.iter().cloned());
    }
    if !is_code(code) {
        errors.push(FieldError::new("code", Message::new("err-qbank-code")));
    }
    let pool = form.pool.split_whitespace().collect::<Vec<_>>().join(" ");
    if pool.chars().count() > 200 {
        errors.push(FieldError::new("pool", Message::new("err-qbank-pool")));
    }
    let lines: Vec<String> = form
        .options
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    let numbers = || -> Option<BTreeSet<usize>> {
        form.right
            .split([',', ' ', ';'])
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<usize>().ok().and_then(|n| n.checked_sub(1)))
            .collect()
    };
    let mut options = lines.clone();
    let mut matches = Vec::new();
    let body = match form.kind.as_str() {
        "single" => match numbers().map(|s| s.into_iter().collect::<Vec<_>>()).as_deref() {
            Some([one]) => Some(Body::SingleChoice {
                options: lines.len(),
                correct: *one,
            }),
            _ => {
                errors.push(FieldError::new("right", Message::new("err-qbank-right-one")));
                None
            }
        },
        "multiple" => match numbers() {
            Some(correct) => Some(Body::MultipleChoice {
                options: lines.len(),
                correct,
            }),
            None => {
                errors.push(FieldError::new("right", Message::new("err-qbank-right-numbers")));
                None
            }
        },
        "truefalse" => {
            options.clear();
            match form.right.trim() {
                "true" => Some(Body::TrueFalse { answer: true }),
                "false" => Some(Body::TrueFalse { answer: false }),
                _ => {
                    errors.push(FieldError::new("right", Message::new("err-qbank-right-truth")));
                    None
                }
            }
        }
        "ordering" => Some(Body::Ordering { options: lines.len() }),
        "matching" => {
            options.clear();
            for l in &lines {
                match l.split_once("->") {
                    Some((a, b)) => {
                        options.push(a.trim().to_string());
                        matches.push(b.trim().to_string());
                    }
                    None => {
                        errors.push(FieldError::new("options", Message::new("err-qbank-pair")));
                        break;
                    }
                }
            }
            Some(Body::Matching { options: options.len() })
        }
        _ => {
            errors.push(FieldError::new("kind", Message::new("err-qbank-kind")));
            None
        }
    };
    let (Some(body), Ok(defaults)) = (body, defaults) else {
        return Err(Error::Invalid(errors));
    };
    let mut item = Item {
        code: code.to_string(),
        competence: defaults.competence,
        level: defaults.level,
        difficulty: defaults.difficulty,
        body,
        picture: None,
        texts: vec![(
            ContentLang::Vi,
            hocvuso_core::assessment::ItemText {
                picture_alt: form.alt(ContentLang::Vi),
                stem: form.stem.trim().to_string(),
                options,
                matches,
                explanation: form.explanation.trim().to_string(),
            },
        )],
    };
    for lang in translation_langs() {
        let Some([stem, options, explanation]) = form.translation(lang) else {
            continue;
        };
        if [stem, options, explanation].iter().all(|f| f.trim().is_empty()) {
            // Every field of a language emptied: the translation is removed.
            continue;
        }
        let mut lines: Vec<String> = options
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect();
        let mut matches = Vec::new();
        match item.body {
            Body::TrueFalse { .. } => lines.clear(),
            Body::Matching { .. } => {
                let mut left = Vec::new();
                for l in &lines {
                    match l.split_once("->") {
                        Some((a, b)) => {
                            left.push(a.trim().to_string());
                            matches.push(b.trim().to_string());
                        }
                        None => {
                            errors.push(FieldError::new(
                                &field_name("options", lang),
                                Message::new("err-qbank-pair"),
                            ));
                            break;
                        }
                    }
                }
                lines = left;
            }
            _ => {}
        }
        item.texts.push((
            lang,
            hocvuso_core::assessment::ItemText {
                picture_alt: form.alt(lang),
                stem: stem.trim().to_string(),
                options: lines,
                matches,
                explanation: explanation.trim().to_string(),
            },
        ));
    }
    Ok((
        if pool.is_empty() {
            DEFAULT_POOL.to_string()
        } else {
            pool
        },
        item,
        errors,
    ))
}

/// The form's errors and the item's problems, each beside its field; `Ok` when there are none.
fn checked(item: &Item, mut errors: Vec<FieldError>) -> Result<()> {
    for m in item.problems() {
        errors.push(FieldError::new(&field_of(&m), m.clone()));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// What an edit of a draft keeps from the stored item because the form does not show it: its
/// picture and its texts in other languages. Losing them to an edit of the Vietnamese text would
/// be silent data loss.
fn keep_unshown(item: &mut Item, stored: &Item, form: &ItemForm) {
    item.picture = match form.remove_picture {
        Some(_) => None,
        None => stored.picture.clone(),
    };
    for (lang, t) in &stored.texts {
        if *lang != ContentLang::Vi && form.translation(*lang).is_none() {
            item.texts.push((*lang, t.clone()));
        }
    }
    for (lang, t) in item.texts.iter_mut() {
        if item.picture.is_none() {
            t.picture_alt.clear();
        } else if !form.more.contains_key(&field_name("picture_alt", *lang)) {
            t.picture_alt = stored
                .texts
                .iter()
                .find(|(l, _)| l == lang)
                .map(|(_, t)| t.picture_alt.clone())
                .unwrap_or_default();
        }
    }
}

/// Writes a new draft into the bank of `unit_code`, or changes the draft `existing` (its code)
/// from the revision the form was opened at; returns the item's code.
pub async fn save_item(
    app: &App,
    who: &Principal,
    unit_code: &str,
    existing: Option<&str>,
    form: &ItemForm,
) -> Result<String> {
    let me = me(who)?;
    // Who may write is decided before what was written is judged.
    bank_unit(app, who, unit_code).await?;
    let code = existing.unwrap_or(form.code.trim());
    let (pool, mut item, errors) = item_of(app, form, code).await?;
    let mut tx = app.db.begin().await?;
    let u = unit_tx(app, &mut tx, unit_code).await?;
    who.authorize::<act::AuthorContent>(&u.path)?;
    match existing {
        None => {
            // A new item has no picture yet (it is given one on its edit page).
            for (_, t) in item.texts.iter_mut() {
                t.picture_alt.clear();
            }
            checked(&item, errors)?;
            if db::insert(&mut tx, &u.path, &pool, &item, CourseStatus::Draft, Some(me))
                .await?
                .is_none()
            {
                return Err(Error::Invalid(vec![FieldError::new(
                    "code",
                    Message::new("err-qbank-code-taken").arg("code", code),
                )]));
            }
        }
        Some(code) => {
            let row = db::for_author_tx(&mut tx, &u.path, code)
                .await?
                .ok_or(Error::NotFound)?;
            let revision = form.revision.trim().parse().unwrap_or(-1);
            if row.status != CourseStatus::Draft {
                return Err(conflict("err-qbank-edit-not-draft"));
            }
            // Judged on the row as stored in this transaction: what the form keeps is what the
            // update below overwrites (the revision compared there).
            keep_unshown(&mut item, &row.item, form);
            checked(&item, errors)?;
            if !db::update_draft(&mut tx, row.id, revision, &pool, &item, me).await? {
                return Err(conflict("err-qbank-stale"));
            }
        }
    }
    let event = Event::ItemSaved {
        unit_code: u.code.clone(),
        detail: json!({"code": code, "new": existing.is_none()}),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&u.path, &event)).await?;
    tx.commit().await?;
    Ok(code.to_string())
}

/// The stored name of a prepared picture: the upload's SHA-256 (its first 128 bits) and the full
/// variant's size, so that a page can keep the picture's room from the name alone.
pub(crate) fn picture_name(p: &PreparedImage) -> String {
    let hash: String = p.sha256.chars().take(32).collect();
    format!("{hash}-{}x{}.jpg", p.full.width, p.full.height)
}

/// A picture's size read from its stored name; `None` for a name [`picture_name`] did not make.
pub fn picture_size(name: &str) -> Option<(u32, u32)> {
    let stem = name.strip_suffix(".jpg")?;
    let (hash, size) = stem.split_once('-')?;
    if hash.len() != 32 || !hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    let (w, h) = size.split_once('x')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(w) || !digits(h) {
        return None;
    }
    Some((w.parse().ok()?, h.parse().ok()?))
}

/// Where a stored item picture is served, and its size: what an `<img>` needs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PictureRef {
    /// The phone-sized variant (480 px wide at most).
    pub phone: String,
    pub full: String,
    pub width: u32,
    pub height: u32,
    /// The phone variant's width: the `srcset` names both when the picture is wider.
    pub phone_width: u32,
}

pub fn picture_ref(name: &str) -> Option<PictureRef> {
    let (width, height) = picture_size(name)?;
    Some(PictureRef {
        phone: format!("/bank/pictures/{name}?size=phone"),
        full: format!("/bank/pictures/{name}"),
        width,
        height,
        phone_width: width.min(hocvuso_core::learning::media::PHONE_WIDTH),
    })
}

/// A stored item picture's bytes (a JPEG), to any signed-in account: its name is made from its
/// bytes, so only whoever was shown the item knows it.
pub async fn picture(app: &App, who: &Principal, name: &str, phone: bool) -> Result<Vec<u8>> {
    me(who)?;
    if picture_size(name).is_none() {
        return Err(Error::NotFound);
    }
    hocvuso_db::media::picture(&app.db, name, phone)
        .await?
        .ok_or(Error::NotFound)
}

/// Stores a prepared item picture (once by name) and returns the name an item gives it.
pub async fn store_picture(tx: &mut Tx, p: &PreparedImage, by: Option<i64>) -> Result<String> {
    let name = picture_name(p);
    hocvuso_db::media::put_picture(
        tx,
        &hocvuso_db::media::NewPicture {
            name: &name,
            content: &p.full.jpeg,
            phone: &p.phone.jpeg,
            width: p.full.width,
            height: p.full.height,
            sha256: &p.sha256,
            uploaded_by: by,
        },
    )
    .await?;
    Ok(name)
}

/// Gives a draft a picture (a scenario item: "on this screen, where do you tap…"): the upload is
/// checked by its bytes and re-encoded as a lesson picture is (JPEG, PNG, WebP or GIF, never SVG,
/// under the same size limits) on the reading gate, and every text of the item gets its
/// description from `alts` (by language). Made from the revision the form was opened at.
pub async fn set_picture(
    app: &App,
    who: &Principal,
    unit_code: &str,
    code: &str,
    revision: i32,
    bytes: Vec<u8>,
    alts: &std::collections::BTreeMap<ContentLang, String>,
) -> Result<()> {
    let me = me(who)?;
    // Who may write is decided before the file is looked at.
    bank_unit(app, who, unit_code).await?;
    if bytes.is_empty() {
        return Err(invalid("picture", Message::new("err-qbank-picture-empty")));
    }
    let prepared = app
        .reader
        .read(move || hocvuso_core::learning::media::prepare_image(&bytes))
        .await?
        .map_err(|e| invalid("picture", e.message()))?;
    let mut tx = app.db.begin().await?;
    let (u, row) = locked::<act::AuthorContent>(app, &mut tx, who, unit_code, code, revision).await?;
    if row.status != CourseStatus::Draft {
        return Err(conflict("err-qbank-edit-not-draft"));
    }
    let mut item = row.item.clone();
    let name = store_picture(&mut tx, &prepared, Some(me)).await?;
    item.picture = Some(name.clone());
    for (lang, t) in item.texts.iter_mut() {
        t.picture_alt = alts
            .get(lang)
            .map(|a| a.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default();
    }
    let mut errors = Vec::new();
    for m in item.problems() {
        let field = field_of(&m);
        // Only what this form sends is its to fix; anything else was there before the picture.
        if field.starts_with("picture_alt") {
            errors.push(FieldError::new(&field, m.clone()));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if !db::update_draft(&mut tx, row.id, revision, &row.pool, &item, me).await? {
        return Err(conflict("err-qbank-stale"));
    }
    let event = Event::ItemSaved {
        unit_code: u.code.clone(),
        detail: json!({
            "code": code, "new": false, "picture": name,
            "upload_sha256": prepared.sha256,
        }),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&u.path, &event)).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(competence: &str, level: &str) -> Item {
        let mut item = hocvuso_core::assessment::bank::read(
            "digcomp22/1.1-2.toml",
            include_str!("../../../content/items/digcomp22/1.1-2.toml"),
        )
        .expect("a starter bank")
        .items
        .remove(0);
        item.competence = CompetenceRef::parse(competence).expect("a reference");
        item.level = level.into();
        item
    }

    #[test]
    fn a_question_is_checked_against_the_frameworks() {
        let digcomp = hocvuso_core::learning::Framework::parse(include_str!("../../../data/frameworks/digcomp22.toml"))
            .expect("the shipped framework");
        let frameworks = [digcomp];
        let key = |i: &Item| unknown_in_frameworks(&frameworks, i).map(|m| (m.key, m.args));
        assert_eq!(key(&item("digcomp22:4.2", "8")), None);
        assert_eq!(
            key(&item("digcomp22:9.9", "1")),
            Some((
                "err-qbank-item-competence".to_string(),
                vec![("value".to_string(), "digcomp22:9.9".to_string())]
            ))
        );
        assert_eq!(
            key(&item("khac:4.2", "1")),
            Some((
                "err-qbank-item-competence".to_string(),
                vec![("value".to_string(), "khac:4.2".to_string())]
            ))
        );
        assert_eq!(
            key(&item("digcomp22:4.2", "9")),
            Some((
                "err-qbank-item-level".to_string(),
                vec![
                    ("value".to_string(), "9".to_string()),
                    ("framework".to_string(), "digcomp22".to_string())
                ]
            ))
        );
    }
}
