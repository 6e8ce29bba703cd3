//! Learning: the shipped frameworks and courses installed at start, the catalogue, a course and a
//! lesson as a learner reads them, enrolling, marking lessons done, and a learner's progress. Every
//! learning event is an xAPI statement appended in the same transaction as the progress it records.

use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::Principal;
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::xapi::{self, Activity, Verb};
use hocvuso_core::learning::{self as core, ContentLang, CourseStatus};
use hocvuso_core::people::{Groups, TargetGroup};
use hocvuso_core::text;
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::learning::{self as db, Course, CourseData, Enrolment, Lesson, LessonData, Progress};
use hocvuso_db::{Tx, now};
use include_dir::{Dir, include_dir};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// The content shipped in the repository, built into the binary so that a server needs no files
/// beside it (content/README.md, data/frameworks/README.md).
static COURSES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../content/courses");
static FRAMEWORKS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../data/frameworks");

/// The stored digest of a course installed from the shipped files. A course an author has since
/// changed on the platform carries another digest and is never overwritten by a new release.
const SHIPPED: &str = "shipped:";

fn digest(parts: &[(&str, &[u8])]) -> String {
    let mut h = Sha256::new();
    for (name, bytes) in parts {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    hex::encode(h.finalize())
}

/// What installing the shipped content changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Installed {
    pub frameworks: usize,
    pub courses_created: usize,
    pub courses_updated: usize,
    pub lesson_versions: usize,
    /// Shipped courses left alone because an author changed them on the platform.
    pub kept_local: usize,
}

/// The shipped frameworks, as parsed (a broken shipped file is a bug of the release: it fails the
/// start with every error named, and a test parses them all).
pub fn shipped_frameworks() -> std::result::Result<Vec<(core::Framework, String)>, String> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for f in FRAMEWORKS.files() {
        let name = f.path().to_string_lossy().to_string();
        if !name.ends_with(".toml") || name.starts_with("mapping-") || name == "requirements.toml" {
            continue;
        }
        let text = f.contents_utf8().unwrap_or_default();
        match core::Framework::parse(text) {
            Ok(fw) => out.push((fw, digest(&[(&name, f.contents())]))),
            Err(es) => errors.extend(es.into_iter().map(|e| format!("data/frameworks/{name}: {}", e.message))),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.join("\n"))
    }
}

fn shipped_course(dir: &Dir<'_>) -> std::result::Result<(core::Course, String), String> {
    let mut files = BTreeMap::new();
    collect(dir, dir.path(), &mut files);
    let parts: Vec<(&str, &[u8])> = files.iter().map(|(k, v)| (k.as_str(), v.as_slice())).collect();
    let d = format!("{SHIPPED}{}", digest(&parts));
    core::Course::from_files(&files).map(|c| (c, d)).map_err(|es| {
        es.into_iter()
            .map(|e| format!("content/courses/{}/{}: {}", dir.path().display(), e.file, e.message))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn collect(dir: &Dir<'_>, root: &std::path::Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for f in dir.files() {
        if let Ok(rel) = f.path().strip_prefix(root) {
            out.insert(rel.to_string_lossy().replace('\\', "/"), f.contents().to_vec());
        }
    }
    for d in dir.dirs() {
        collect(d, root, out);
    }
}

/// Every shipped course, parsed.
pub fn shipped_courses() -> std::result::Result<Vec<(core::Course, String)>, String> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for d in COURSES.dirs() {
        match shipped_course(d) {
            Ok(c) => out.push(c),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.join("\n"))
    }
}

/// Installs or updates the shipped frameworks, the default requirements (only when none are set)
/// and the shipped courses, in one transaction. Run at every start: unchanged content costs one
/// read per framework and course.
pub async fn install_shipped(app: &App) -> Result<Installed> {
    let invalid = |e: String| {
        Error::Invalid(vec![FieldError::new(
            "",
            Message::new("err-learning-shipped").arg("detail", e),
        )])
    };
    let frameworks = shipped_frameworks().map_err(invalid)?;
    let courses = shipped_courses().map_err(invalid)?;
    let requirements = FRAMEWORKS
        .get_file("requirements.toml")
        .and_then(|f| f.contents_utf8())
        .map(core::Requirements::parse)
        .transpose()
        .map_err(|es| {
            invalid(
                es.into_iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        })?;

    let stored_fw: HashMap<String, String> = db::frameworks(&app.db)
        .await?
        .into_iter()
        .map(|f| (f.id, f.digest))
        .collect();
    let stored_courses: HashMap<String, String> = db::courses(&app.db)
        .await?
        .into_iter()
        .map(|c| (c.slug, c.digest))
        .collect();
    let mut report = Installed::default();
    let mut tx = app.db.begin().await?;
    let actor = Actor::system("install");
    for (fw, d) in &frameworks {
        if stored_fw.get(&fw.id) == Some(d) {
            continue;
        }
        let row = db::FrameworkRow {
            id: fw.id.clone(),
            version: fw.version.clone(),
            title: fw.title.clone(),
            document: serde_json::to_string(fw).map_err(|e| Error::Db(hocvuso_db::DbError::Invalid(e.to_string())))?,
            digest: d.clone(),
        };
        db::put_framework(&mut tx, &row, None).await?;
        report.frameworks += 1;
    }
    for f in FRAMEWORKS.files() {
        let name = f.path().to_string_lossy().to_string();
        if !name.starts_with("mapping-") {
            continue;
        }
        let text = f.contents_utf8().unwrap_or_default();
        let m = core::Mapping::parse(text).map_err(|es| {
            invalid(
                es.into_iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        })?;
        let row = db::MappingRow {
            from_framework: m.from_framework.clone(),
            to_framework: m.to_framework.clone(),
            document: serde_json::to_string(&m).map_err(|e| Error::Db(hocvuso_db::DbError::Invalid(e.to_string())))?,
            digest: digest(&[(&name, f.contents())]),
        };
        db::put_mapping(&mut tx, &row).await?;
    }
    if let Some(req) = requirements
        && !db::has_requirements(&mut tx).await?
    {
        let year = now().year();
        let rows: Vec<db::Requirement> = req
            .groups
            .iter()
            .flat_map(|g| {
                g.require.iter().map(move |r| db::Requirement {
                    year,
                    target_group: g.group.as_str().to_string(),
                    framework_id: g.framework.clone(),
                    competence: r.competence.clone(),
                    level: r.level.clone(),
                })
            })
            .collect();
        db::set_requirements(&mut tx, year, &rows, None).await?;
    }
    for (c, d) in &courses {
        match stored_courses.get(&c.slug) {
            Some(s) if s == d => continue,
            Some(s) if !s.starts_with(SHIPPED) => {
                report.kept_local += 1;
                continue;
            }
            _ => {}
        }
        let changed = put(&mut tx, c, d, CourseStatus::Published, None).await?;
        if changed.created {
            report.courses_created += 1;
        } else {
            report.courses_updated += 1;
        }
        report.lesson_versions += changed.new_versions;
        let event = Event::CourseInstalled {
            course_id: changed.course_id,
            detail: serde_json::json!({
                "slug": c.slug,
                "created": changed.created,
                "new_versions": changed.new_versions,
                "retired": changed.retired,
            }),
        };
        audit::append(&mut tx, &actor, Entry::of("/", &event)).await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// A course's title in `lang`, or in Vietnamese, from the texts of every course.
fn course_title(texts: &[db::CourseText], course_id: i64, lang: ContentLang) -> String {
    pick(
        lang,
        texts
            .iter()
            .filter(|t| t.course_id == course_id)
            .map(|t| (t.lang, t.title.clone())),
    )
    .map(|t| t.value)
    .unwrap_or_default()
}

fn groups_of(list: &[TargetGroup]) -> Groups {
    let mut g = Groups::default();
    for x in list {
        g.insert(*x);
    }
    g
}

/// Stores a parsed course inside the caller's transaction: created, or brought to this content
/// with new lesson versions where the text changed (see [`db::put_course`]). Installing shipped
/// content and importing a package both go through here.
pub async fn store_course(tx: &mut Tx, c: &core::Course, digest: &str, status: CourseStatus) -> Result<db::Changed> {
    put(tx, c, digest, status, None).await
}

async fn put(
    tx: &mut Tx,
    c: &core::Course,
    digest: &str,
    status: CourseStatus,
    by: Option<i64>,
) -> Result<db::Changed> {
    let mut texts = vec![(ContentLang::Vi, c.title.as_str(), c.summary.as_str())];
    let mut key = core::search_key(&c.title, &c.summary);
    if let Some(en) = &c.en {
        texts.push((ContentLang::En, en.title.as_str(), en.summary.as_str()));
        key.push(' ');
        key.push_str(&core::search_key(&en.title, &en.summary));
    }
    let modules = c
        .modules
        .iter()
        .map(|m| {
            let mut titles = serde_json::Map::new();
            titles.insert("vi".into(), m.title.clone().into());
            if let Some(en) = &m.title_en {
                titles.insert("en".into(), en.clone().into());
            }
            serde_json::Value::Object(titles)
        })
        .collect();
    let mut lessons = Vec::new();
    for (mi, m) in c.modules.iter().enumerate() {
        for l in &m.lessons {
            let mut lt = vec![(
                ContentLang::Vi,
                l.title.as_str(),
                l.body_md.as_str(),
                serde_json::to_string(&l.checklist).unwrap_or_else(|_| "[]".into()),
            )];
            for (lang, t) in &l.translations {
                lt.push((
                    *lang,
                    t.title.as_str(),
                    t.body_md.as_str(),
                    serde_json::to_string(&t.checklist).unwrap_or_else(|_| "[]".into()),
                ));
            }
            lessons.push(LessonData {
                module: mi,
                slug: &l.slug,
                minutes: i32::from(l.minutes),
                level: &l.level,
                competences: l
                    .competences
                    .iter()
                    .map(|r| (r.framework.as_str(), r.code.as_str()))
                    .collect(),
                texts: lt,
            });
        }
    }
    let data = CourseData {
        slug: &c.slug,
        language: c.language,
        groups: groups_of(&c.groups),
        level: &c.level,
        status,
        source_note: &c.source_note,
        search_key: &key,
        digest,
        texts,
        competences: c
            .competences
            .iter()
            .map(|r| (r.framework.as_str(), r.code.as_str()))
            .collect(),
        modules,
        lessons,
    };
    Ok(db::put_course(tx, &data, by).await?)
}

// ---- reading ----------------------------------------------------------------------------------

/// Text in the language asked for, or Vietnamese, saying which.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InLang<T> {
    pub value: T,
    pub lang: ContentLang,
    /// The language asked for was missing and Vietnamese is shown instead.
    pub fallback: bool,
}

fn pick<T: Clone>(wanted: ContentLang, mut options: impl Iterator<Item = (ContentLang, T)>) -> Option<InLang<T>> {
    let all: Vec<(ContentLang, T)> = options.by_ref().collect();
    if let Some((l, v)) = all.iter().find(|(l, _)| *l == wanted) {
        return Some(InLang {
            value: v.clone(),
            lang: *l,
            fallback: false,
        });
    }
    let (l, v) = all
        .iter()
        .find(|(l, _)| *l == ContentLang::Vi)
        .or_else(|| all.first())?;
    Some(InLang {
        value: v.clone(),
        lang: *l,
        fallback: true,
    })
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseCard {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub lang: ContentLang,
    pub fallback: bool,
    /// Languages the course's title is written in.
    pub languages: Vec<ContentLang>,
    pub groups: Vec<TargetGroup>,
    pub level: String,
    pub competences: Vec<(String, String)>,
    pub lessons: usize,
    pub minutes: i64,
}

#[derive(Debug, Clone, Default)]
pub struct CatalogueFilter {
    pub group: Option<TargetGroup>,
    /// Only courses written in (or translated into) this language.
    pub lang: Option<ContentLang>,
    /// `framework:code`, e.g. `digcomp22:4.1`.
    pub competence: Option<(String, String)>,
    /// Words of titles and summaries, with or without diacritics.
    pub q: Option<String>,
}

/// Published courses matching the filter, in the language asked for. The catalogue is read whole
/// and filtered here: a province has tens to a few hundred courses, and a word search over titles
/// and summaries folded without diacritics needs no index at that size.
pub async fn catalogue(app: &App, filter: &CatalogueFilter, lang: ContentLang) -> Result<Vec<CourseCard>> {
    let courses = db::courses(&app.db).await?;
    let texts = db::course_texts(&app.db).await?;
    let comps = db::course_competences(&app.db).await?;
    let lessons = db::all_lessons(&app.db).await?;
    let words: Vec<String> = filter
        .q
        .as_deref()
        .map(text::fold)
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut out = Vec::new();
    for c in courses.into_iter().filter(|c| c.status.open_to_learners()) {
        let own_texts: Vec<_> = texts.iter().filter(|t| t.course_id == c.id).collect();
        let languages: Vec<ContentLang> = own_texts.iter().map(|t| t.lang).collect();
        if let Some(g) = filter.group
            && !c.groups.contains(g)
        {
            continue;
        }
        if let Some(l) = filter.lang
            && !languages.contains(&l)
        {
            continue;
        }
        let competences: Vec<(String, String)> = comps
            .iter()
            .filter(|x| x.owner_id == c.id)
            .map(|x| (x.framework_id.clone(), x.code.clone()))
            .collect();
        if let Some(want) = &filter.competence
            && !competences.contains(want)
        {
            continue;
        }
        if !words.iter().all(|w| c.search_key.contains(w.as_str())) {
            continue;
        }
        let Some(t) = pick(
            lang,
            own_texts.iter().map(|t| (t.lang, (t.title.clone(), t.summary.clone()))),
        ) else {
            continue;
        };
        let own_lessons: Vec<&Lesson> = lessons.iter().filter(|l| l.course_id == c.id).collect();
        out.push(CourseCard {
            id: c.id,
            slug: c.slug.clone(),
            title: t.value.0,
            summary: t.value.1,
            lang: t.lang,
            fallback: t.fallback,
            languages,
            groups: c.groups.iter().collect(),
            level: c.level.clone(),
            competences,
            lessons: own_lessons.len(),
            minutes: own_lessons.iter().map(|l| i64::from(l.minutes)).sum(),
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LessonItem {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub minutes: i32,
    pub opened: bool,
    pub done: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ModuleView {
    pub title: String,
    pub lessons: Vec<LessonItem>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseView {
    pub card: CourseCard,
    pub source_note: String,
    pub modules: Vec<ModuleView>,
    pub enrolled: bool,
    pub completed: bool,
    pub done: usize,
    /// Where to go on: the lesson last opened if not done, else the first lesson not done.
    pub next: Option<String>,
}

/// A published course as a learner sees it (with their progress when signed in).
pub async fn course(app: &App, who: Option<&Principal>, slug: &str, lang: ContentLang) -> Result<CourseView> {
    let c = db::course_by_slug(&app.db, slug).await?.ok_or(Error::NotFound)?;
    if !c.status.open_to_learners() {
        return Err(Error::NotFound);
    }
    let card = catalogue(app, &CatalogueFilter::default(), lang)
        .await?
        .into_iter()
        .find(|x| x.id == c.id)
        .ok_or(Error::NotFound)?;
    let modules = db::modules(&app.db, c.id).await?;
    let lessons = db::lessons(&app.db, c.id).await?;
    let titles = db::lesson_titles(&app.db, c.id).await?;
    let (enrolment, progress) = match who.and_then(|w| w.account_id) {
        Some(a) => (
            db::enrolments(&app.db, a)
                .await?
                .into_iter()
                .find(|e| e.course_id == c.id),
            db::progress(&app.db, a, Some(c.id)).await?,
        ),
        None => (None, Vec::new()),
    };
    let mut views = Vec::new();
    for m in &modules {
        let titles_doc: BTreeMap<String, String> = serde_json::from_str(&m.titles).unwrap_or_default();
        let title = titles_doc
            .get(lang.as_str())
            .or_else(|| titles_doc.get("vi"))
            .cloned()
            .unwrap_or_default();
        let items: Vec<LessonItem> = lessons
            .iter()
            .filter(|l| l.module_id == m.id)
            .map(|l| item(l, lang, &titles, &progress))
            .collect();
        if !items.is_empty() {
            views.push(ModuleView { title, lessons: items });
        }
    }
    let done = progress
        .iter()
        .filter(|p| p.completed_at.is_some() && lessons.iter().any(|l| l.id == p.lesson_id))
        .count();
    let next = enrolment
        .as_ref()
        .and_then(|e| next_lesson(e, &lessons, &progress))
        .map(|l| l.slug.clone());
    Ok(CourseView {
        card,
        source_note: c.source_note.clone(),
        modules: views,
        enrolled: enrolment.is_some(),
        completed: enrolment.as_ref().is_some_and(|e| e.completed_at.is_some()),
        done,
        next,
    })
}

fn item(l: &Lesson, lang: ContentLang, titles: &[db::LessonTitle], progress: &[Progress]) -> LessonItem {
    let title = pick(
        lang,
        titles
            .iter()
            .filter(|t| t.lesson_id == l.id)
            .map(|t| (t.lang, t.title.clone())),
    )
    .map(|t| t.value)
    .unwrap_or_default();
    let p = progress.iter().find(|p| p.lesson_id == l.id);
    LessonItem {
        id: l.id,
        slug: l.slug.clone(),
        title,
        minutes: l.minutes,
        opened: p.is_some(),
        done: p.is_some_and(|p| p.completed_at.is_some()),
    }
}

fn next_lesson<'a>(e: &Enrolment, lessons: &'a [Lesson], progress: &[Progress]) -> Option<&'a Lesson> {
    let done = |id: i64| progress.iter().any(|p| p.lesson_id == id && p.completed_at.is_some());
    if let Some(last) = e.last_lesson_id.and_then(|id| lessons.iter().find(|l| l.id == id))
        && !done(last.id)
    {
        return Some(last);
    }
    lessons.iter().find(|l| !done(l.id))
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LessonView {
    pub course_slug: String,
    pub course_title: String,
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub minutes: i32,
    pub version: i32,
    /// Sanitised HTML of the lesson's Markdown.
    pub html: String,
    pub checklist: Vec<String>,
    pub lang: ContentLang,
    pub fallback: bool,
    pub languages: Vec<ContentLang>,
    pub position: usize,
    pub of: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub enrolled: bool,
    pub done: bool,
}

/// A lesson of a published course. An enrolled learner's first opening is recorded (progress and
/// an xAPI statement) and the course remembers it as where they are.
pub async fn lesson(
    app: &App,
    who: Option<&Principal>,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
) -> Result<LessonView> {
    let c = db::course_by_slug(&app.db, course_slug).await?.ok_or(Error::NotFound)?;
    if !c.status.open_to_learners() {
        return Err(Error::NotFound);
    }
    let lessons = db::lessons(&app.db, c.id).await?;
    let pos = lessons
        .iter()
        .position(|l| l.slug == lesson_slug)
        .ok_or(Error::NotFound)?;
    let l = &lessons[pos];
    let texts = db::lesson_texts(&app.db, l).await?;
    let languages: Vec<ContentLang> = texts.iter().map(|t| t.lang).collect();
    let t = pick(lang, texts.iter().map(|t| (t.lang, t.clone()))).ok_or(Error::NotFound)?;
    let course_title = course_title(&db::course_texts(&app.db).await?, c.id, lang);
    let mut enrolled = false;
    let mut done = false;
    if let Some(account_id) = who.and_then(|w| w.account_id) {
        let enrolment = db::enrolments(&app.db, account_id)
            .await?
            .into_iter()
            .find(|e| e.course_id == c.id);
        if let Some(e) = enrolment {
            enrolled = true;
            let p = db::progress(&app.db, account_id, Some(c.id)).await?;
            let mine = p.iter().find(|p| p.lesson_id == l.id);
            done = mine.is_some_and(|p| p.completed_at.is_some());
            // Written only when something changes: reading a lesson again costs no write.
            if (mine.is_none() || e.last_lesson_id != Some(l.id))
                && let Some(w) = who
            {
                record_open(app, w, &c, l, t.lang).await?;
            }
        }
    }
    let checklist: Vec<String> = serde_json::from_str(&t.value.checklist).unwrap_or_default();
    Ok(LessonView {
        course_slug: c.slug.clone(),
        course_title,
        id: l.id,
        slug: l.slug.clone(),
        title: t.value.title.clone(),
        minutes: l.minutes,
        version: t.value.version,
        html: core::markdown::render(&t.value.body_md),
        checklist,
        lang: t.lang,
        fallback: t.fallback,
        languages,
        position: pos + 1,
        of: lessons.len(),
        prev: pos.checked_sub(1).and_then(|i| lessons.get(i)).map(|l| l.slug.clone()),
        next: lessons.get(pos + 1).map(|l| l.slug.clone()),
        enrolled,
        done,
    })
}

/// The learner's unit and target groups, for a statement's context: their resident record's, or
/// for an account without one (a civil servant learning) the unit of its first role.
struct Context {
    unit_path: String,
    unit_code: Option<String>,
    groups: Groups,
}

async fn context(tx: &mut Tx, who: &Principal) -> Result<Context> {
    if let Some(pid) = who.person_id
        && let Some(w) = hocvuso_db::people::whereabouts_tx(tx, pid).await?
    {
        let code = hocvuso_db::units::get_tx(tx, w.unit_id).await?.map(|u| u.code);
        return Ok(Context {
            unit_path: w.unit_path,
            unit_code: code,
            groups: w.groups,
        });
    }
    match who.grants().first().map(|g| g.unit_path.clone()) {
        Some(path) => {
            let code = hocvuso_db::units::by_path_tx(tx, &path).await?.map(|u| u.code);
            Ok(Context {
                unit_path: path,
                unit_code: code,
                groups: Groups::default(),
            })
        }
        None => Ok(Context {
            unit_path: String::new(),
            unit_code: None,
            groups: Groups::default(),
        }),
    }
}

struct Said<'a> {
    verb: Verb,
    course: &'a Course,
    lesson: Option<&'a Lesson>,
    lang: ContentLang,
    duration: Option<time::Duration>,
}

async fn say(app: &App, tx: &mut Tx, who: &Principal, account_id: i64, s: Said<'_>) -> Result<()> {
    let ctx = context(tx, who).await?;
    let at = now();
    let id = xapi::new_id();
    let course_title = db::course_title_tx(tx, s.course.id, s.lang).await?.unwrap_or_default();
    let lesson_title = match s.lesson {
        Some(l) => db::lesson_title_tx(tx, l, s.lang).await?.unwrap_or_default(),
        None => String::new(),
    };
    let statement = xapi::statement(&xapi::Event {
        home: &app.public_url,
        id: &id,
        account_id,
        verb: s.verb,
        activity: Activity {
            course_slug: &s.course.slug,
            course_title: &course_title,
            lesson: s.lesson.map(|l| (l.slug.as_str(), lesson_title.as_str())),
        },
        at,
        language: s.lang.as_str(),
        unit_code: ctx.unit_code.as_deref(),
        groups: ctx.groups,
        duration: s.duration,
    });
    db::append_statement(
        tx,
        &db::NewStatement {
            uuid: &id,
            at,
            account_id,
            verb: s.verb.as_str(),
            course_id: s.course.id,
            lesson_id: s.lesson.map(|l| l.id),
            unit_path: &ctx.unit_path,
            groups: ctx.groups,
            statement: &statement,
        },
    )
    .await?;
    Ok(())
}

fn account(who: &Principal) -> Result<i64> {
    who.account_id
        .ok_or(Error::Denied(hocvuso_core::access::Denied::Forbidden))
}

/// The course as it is now, inside the writing transaction: only a published course takes
/// enrolments and progress.
async fn open_course(tx: &mut Tx, slug: &str) -> Result<Course> {
    let c = db::course_by_slug_tx(tx, slug).await?.ok_or(Error::NotFound)?;
    if !c.status.open_to_learners() {
        return Err(Error::NotFound);
    }
    Ok(c)
}

async fn record_open(app: &App, who: &Principal, c: &Course, l: &Lesson, lang: ContentLang) -> Result<()> {
    let account_id = account(who)?;
    let mut tx = app.db.begin().await?;
    let c = open_course(&mut tx, &c.slug).await?;
    let Some(l) = db::lesson_tx(&mut tx, l.id).await?.filter(|x| x.course_id == c.id) else {
        return Err(Error::NotFound);
    };
    if db::enrolment_tx(&mut tx, account_id, c.id).await?.is_none() {
        return Ok(());
    }
    let at = now();
    if db::open(&mut tx, account_id, &l, at).await? {
        say(
            app,
            &mut tx,
            who,
            account_id,
            Said {
                verb: Verb::Experienced,
                course: &c,
                lesson: Some(&l),
                lang,
                duration: None,
            },
        )
        .await?;
    }
    db::touch(&mut tx, account_id, c.id, l.id, at).await?;
    tx.commit().await?;
    Ok(())
}

/// Enrols the signed-in learner; `false` if they were already enrolled (nothing changes).
pub async fn enrol(app: &App, who: &Principal, course_slug: &str, lang: ContentLang) -> Result<bool> {
    let account_id = account(who)?;
    let mut tx = app.db.begin().await?;
    let c = open_course(&mut tx, course_slug).await?;
    let new = db::enrol(&mut tx, account_id, c.id, now()).await?;
    if new {
        say(
            app,
            &mut tx,
            who,
            account_id,
            Said {
                verb: Verb::Registered,
                course: &c,
                lesson: None,
                lang,
                duration: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(new)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Completed {
    /// `false` when the lesson was already done (a repeated post records nothing).
    pub lesson: bool,
    /// This completion finished the course.
    pub course: bool,
}

/// Marks a lesson of a course the learner is enrolled in as done. Enrolment, the course being
/// published and the lesson being live are checked inside the writing transaction.
pub async fn complete(
    app: &App,
    who: &Principal,
    course_slug: &str,
    lesson_slug: &str,
    lang: ContentLang,
) -> Result<Completed> {
    let account_id = account(who)?;
    let mut tx = app.db.begin().await?;
    let c = open_course(&mut tx, course_slug).await?;
    if db::enrolment_tx(&mut tx, account_id, c.id).await?.is_none() {
        return Err(Error::Conflict(FieldError::new(
            "",
            Message::new("err-learning-not-enrolled"),
        )));
    }
    let l = db::lesson_by_slug_tx(&mut tx, c.id, lesson_slug)
        .await?
        .ok_or(Error::NotFound)?;
    let at = now();
    let opened = db::progress_tx(&mut tx, account_id, l.id).await?.map(|p| p.opened_at);
    let lesson_done = db::complete(&mut tx, account_id, &l, at).await?;
    let mut course_done = false;
    if lesson_done {
        let duration = opened.map(|o| at - o);
        say(
            app,
            &mut tx,
            who,
            account_id,
            Said {
                verb: Verb::Completed,
                course: &c,
                lesson: Some(&l),
                lang,
                duration,
            },
        )
        .await?;
        db::touch(&mut tx, account_id, c.id, l.id, at).await?;
        course_done = db::complete_course_if_done(&mut tx, account_id, c.id, at).await?;
        if course_done {
            say(
                app,
                &mut tx,
                who,
                account_id,
                Said {
                    verb: Verb::Completed,
                    course: &c,
                    lesson: None,
                    lang,
                    duration: None,
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Completed {
        lesson: lesson_done,
        course: course_done,
    })
}

/// Where the signed-in learner goes on in a course: the lesson last opened if not done, else the
/// first not done; `None` when every lesson is done or they are not enrolled. Reads only this
/// course's rows (it answers every "done" and "enrol" post).
pub async fn next_lesson_slug(app: &App, who: &Principal, course_slug: &str) -> Result<Option<String>> {
    let account_id = account(who)?;
    let c = db::course_by_slug(&app.db, course_slug).await?.ok_or(Error::NotFound)?;
    let Some(e) = db::enrolments(&app.db, account_id)
        .await?
        .into_iter()
        .find(|e| e.course_id == c.id)
    else {
        return Ok(None);
    };
    let lessons = db::lessons(&app.db, c.id).await?;
    let progress = db::progress(&app.db, account_id, Some(c.id)).await?;
    Ok(next_lesson(&e, &lessons, &progress).map(|l| l.slug.clone()))
}

// ---- the learner's progress -------------------------------------------------------------------

#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseProgress {
    pub slug: String,
    pub title: String,
    pub done: usize,
    pub lessons: usize,
    pub completed: bool,
    pub next: Option<String>,
    pub next_title: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Requirement {
    pub framework_id: String,
    pub competence: String,
    pub level: String,
    /// Lessons of this competence the learner completed.
    pub lessons_done: usize,
    /// Published courses that teach it.
    pub courses: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MyLearning {
    pub courses: Vec<CourseProgress>,
    /// What the learner's target groups must reach, with what they have done towards it.
    pub required: Vec<Requirement>,
    pub groups: Vec<TargetGroup>,
}

/// The signed-in learner's courses (most recent first) and what their group must learn.
pub async fn my_learning(app: &App, who: &Principal, lang: ContentLang) -> Result<MyLearning> {
    let account_id = account(who)?;
    let enrolments = db::enrolments(&app.db, account_id).await?;
    let progress = db::progress(&app.db, account_id, None).await?;
    let courses = db::courses(&app.db).await?;
    let texts = db::course_texts(&app.db).await?;
    let mut out = Vec::new();
    for e in &enrolments {
        let Some(c) = courses.iter().find(|c| c.id == e.course_id) else {
            continue;
        };
        let lessons = db::lessons(&app.db, c.id).await?;
        let titles = db::lesson_titles(&app.db, c.id).await?;
        let next = next_lesson(e, &lessons, &progress);
        out.push(CourseProgress {
            slug: c.slug.clone(),
            title: course_title(&texts, c.id, lang),
            done: lessons
                .iter()
                .filter(|l| progress.iter().any(|p| p.lesson_id == l.id && p.completed_at.is_some()))
                .count(),
            lessons: lessons.len(),
            completed: e.completed_at.is_some(),
            next: next.map(|l| l.slug.clone()),
            next_title: next.map(|l| item(l, lang, &titles, &progress).title),
        });
    }
    let groups = match who.person_id {
        Some(pid) => hocvuso_db::people::whereabouts(&app.db, pid)
            .await?
            .map(|w| w.groups)
            .unwrap_or_default(),
        None => Groups::default(),
    };
    let year = now().year();
    let reqs = db::requirements(&app.db, year).await?;
    let done_comps = db::completed_competences(&app.db, account_id).await?;
    let course_comps = db::course_competences(&app.db).await?;
    let mut required: Vec<Requirement> = Vec::new();
    for r in reqs
        .iter()
        .filter(|r| TargetGroup::parse(&r.target_group).is_some_and(|g| groups.contains(g)))
    {
        if required
            .iter()
            .any(|x| x.framework_id == r.framework_id && x.competence == r.competence)
        {
            continue;
        }
        let teaching: Vec<String> = course_comps
            .iter()
            .filter(|x| x.framework_id == r.framework_id && x.code == r.competence)
            .filter_map(|x| {
                courses
                    .iter()
                    .find(|c| c.id == x.owner_id && c.status.open_to_learners())
            })
            .map(|c| c.slug.clone())
            .collect();
        required.push(Requirement {
            framework_id: r.framework_id.clone(),
            competence: r.competence.clone(),
            level: r.level.clone(),
            lessons_done: done_comps
                .iter()
                .filter(|x| x.framework_id == r.framework_id && x.code == r.competence)
                .count(),
            courses: teaching,
        });
    }
    Ok(MyLearning {
        courses: out,
        required,
        groups: groups.iter().collect(),
    })
}

/// Frameworks as stored, parsed back (the API and the framework pages).
pub async fn frameworks(app: &App) -> Result<Vec<core::Framework>> {
    db::frameworks(&app.db)
        .await?
        .into_iter()
        .map(|f| {
            serde_json::from_str(&f.document).map_err(|e| {
                Error::Db(hocvuso_db::DbError::Invalid(format!(
                    "frameworks.document of {}: {e}",
                    f.id
                )))
            })
        })
        .collect()
}

pub async fn framework(app: &App, id: &str) -> Result<core::Framework> {
    let f = db::framework(&app.db, id).await?.ok_or(Error::NotFound)?;
    serde_json::from_str(&f.document).map_err(|e| {
        Error::Db(hocvuso_db::DbError::Invalid(format!(
            "frameworks.document of {}: {e}",
            f.id
        )))
    })
}

// ---- figures for units ------------------------------------------------------------------------

/// One course's figures in a unit subtree: learners who enrolled in the period, of them how many
/// started and how many completed, in all and per target group (a learner in two groups counts in
/// both groups, once in all).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub enrolled: i64,
    pub started: i64,
    pub completed: i64,
}

impl Counts {
    fn add(&mut self, r: &db::FigureRow) {
        self.enrolled += r.enrolled;
        self.started += r.started;
        self.completed += r.completed;
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseFigures {
    pub slug: String,
    pub title: String,
    pub all: Counts,
    pub by_group: Vec<(TargetGroup, Counts)>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct UnitFigures {
    pub year: i32,
    pub courses: Vec<CourseFigures>,
    pub total: Counts,
}

/// The learning figures of a unit's subtree for a calendar year, for those who may see them
/// there. Counts only: no learner is named.
pub async fn unit_figures(
    app: &App,
    who: &Principal,
    unit_path: &str,
    year: i32,
    lang: ContentLang,
) -> Result<UnitFigures> {
    let scope = who.authorize::<hocvuso_core::access::act::ViewLearning>(unit_path)?;
    let start = |y: i32| {
        time::Date::from_calendar_date(y, time::Month::January, 1)
            .map(|d| d.midnight().assume_utc())
            .map_err(|_| {
                Error::Invalid(vec![FieldError::new(
                    "year",
                    Message::new("err-learning-year").arg("value", y),
                )])
            })
    };
    let (from, to) = (start(year)?, start(year + 1)?);
    let rows = db::unit_figures(&app.db, scope.bounds(), from, to).await?;
    let courses = db::courses(&app.db).await?;
    let texts = db::course_texts(&app.db).await?;
    let mut out: Vec<CourseFigures> = Vec::new();
    let mut total = Counts::default();
    for r in &rows {
        total.add(r);
        let Some(c) = courses.iter().find(|c| c.id == r.course_id) else {
            continue;
        };
        let i = match out.iter().position(|x| x.slug == c.slug) {
            Some(i) => i,
            None => {
                out.push(CourseFigures {
                    slug: c.slug.clone(),
                    title: course_title(&texts, c.id, lang),
                    all: Counts::default(),
                    by_group: TargetGroup::ALL.into_iter().map(|g| (g, Counts::default())).collect(),
                });
                out.len() - 1
            }
        };
        let f = &mut out[i];
        f.all.add(r);
        for (g, counts) in &mut f.by_group {
            if r.groups.contains(*g) {
                counts.add(r);
            }
        }
    }
    out.sort_by(|a, b| b.all.enrolled.cmp(&a.all.enrolled).then_with(|| a.slug.cmp(&b.slug)));
    Ok(UnitFigures {
        year,
        courses: out,
        total,
    })
}
