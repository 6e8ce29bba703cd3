//! Installing the content shipped in the repository, and storing a parsed course.

use crate::{App, Error, FieldError, Result};
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::video::Video;
use hocvuso_core::learning::{self as core, ContentLang, CourseStatus};
use hocvuso_core::people::{Groups, TargetGroup};
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::learning::{self as db, CourseData, LessonData};
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
    /// Shipped frameworks left alone because the steering committee corrected them.
    pub frameworks_kept_local: usize,
}

/// The shipped national requirements (`data/frameworks/requirements.toml`), if shipped.
pub fn shipped_requirements() -> Result<Option<core::Requirements>> {
    FRAMEWORKS
        .get_file("requirements.toml")
        .and_then(|f| f.contents_utf8())
        .map(core::Requirements::parse)
        .transpose()
        .map_err(|es| {
            Error::Invalid(vec![FieldError::new(
                "",
                Message::new("err-learning-shipped").arg(
                    "detail",
                    es.into_iter()
                        .map(|e| e.message.to_string())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            )])
        })
}

fn requirement_rows(req: &core::Requirements, year: i32) -> Vec<db::Requirement> {
    req.groups
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
        .collect()
}

/// The shipped national requirements as rows of `year` (the fallback when no table is stored).
pub fn shipped_requirement_rows(year: i32) -> Result<Vec<db::Requirement>> {
    Ok(shipped_requirements()?
        .map(|r| requirement_rows(&r, year))
        .unwrap_or_default())
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
    let requirements = shipped_requirements()?;

    let stored_fw: HashMap<String, db::FrameworkRow> = db::frameworks(&app.db)
        .await?
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    let stored_courses: HashMap<String, String> = db::courses(&app.db)
        .await?
        .into_iter()
        .map(|c| (c.slug, c.digest))
        .collect();
    // The shipped courses belong to the country: national authors edit them.
    let country = hocvuso_db::units::by_code(&app.db, hocvuso_core::units::COUNTRY_CODE)
        .await?
        .map(|u| u.path)
        .unwrap_or_default();
    let mut report = Installed::default();
    let mut tx = app.db.begin().await?;
    let actor = Actor::system("install");
    for (fw, d) in &frameworks {
        match stored_fw.get(&fw.id) {
            Some(s) if &s.digest == d => continue,
            // Corrected by the steering committee: the correction stays (its original is kept in
            // framework_versions), whatever a release ships.
            Some(s) if s.corrected_from.is_some() => {
                report.frameworks_kept_local += 1;
                continue;
            }
            _ => {}
        }
        let row = db::FrameworkRow {
            id: fw.id.clone(),
            version: fw.version.clone(),
            title: fw.title.clone(),
            document: serde_json::to_string(fw).map_err(|e| Error::Db(hocvuso_db::DbError::Invalid(e.to_string())))?,
            digest: d.clone(),
            corrected_from: None,
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
    // The national table, once: after that it is the steering committee's (a province's own
    // tables are never touched here).
    if let Some(req) = requirements
        && !db::has_requirements(&mut tx, &country).await?
    {
        let year = now().year();
        db::set_requirements(&mut tx, &country, year, &requirement_rows(&req, year), None).await?;
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
        let changed = put(&mut tx, c, d, CourseStatus::Published, &country, None).await?;
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
/// A new course belongs to `owner_path`; an existing one keeps its owner.
pub async fn store_course(
    tx: &mut Tx,
    c: &core::Course,
    digest: &str,
    status: CourseStatus,
    owner_path: &str,
) -> Result<db::Changed> {
    put(tx, c, digest, status, owner_path, None).await
}

async fn put(
    tx: &mut Tx,
    c: &core::Course,
    digest: &str,
    status: CourseStatus,
    owner_path: &str,
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
                Video::to_stored(l.video.as_ref()),
            )];
            for (lang, t) in &l.translations {
                lt.push((
                    *lang,
                    t.title.as_str(),
                    t.body_md.as_str(),
                    serde_json::to_string(&t.checklist).unwrap_or_else(|_| "[]".into()),
                    Video::to_stored(t.video.as_ref()),
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
        completion_certificate: c.completion_certificate,
        owner_path,
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
