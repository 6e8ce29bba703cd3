//! A course's images and downloadable files: an author uploads one (checked and, for an image,
//! re-encoded by its bytes on the blocking pool, one at a time in the process), lessons show them
//! (`media/<name>` in the Markdown, rendered against the course's [`Shelf`]), and they are served
//! to whoever may read the course.

use crate::{App, Error, FieldError, Result};
use hocvuso_core::access::{Principal, act};
use hocvuso_core::audit::Event;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::CourseStatus;
use hocvuso_core::learning::media::{
    self, MAX_COURSE_MEDIA, MediaKind, Prepared, Shelf, Shelved, numbered_name, stored_name,
};
use hocvuso_db::audit::{self, Actor, Entry};
use hocvuso_db::learning::{self as db, Course};
use hocvuso_db::media::{self as stored, MediaInfo, NewMedia};
use hocvuso_db::{Db, Tx};
use serde_json::json;

/// One file of a course as the author's pages list it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MediaItem {
    pub name: String,
    pub is_image: bool,
    /// "PDF", "Word", … or "JPEG".
    pub kind_label: &'static str,
    pub width: i32,
    pub height: i32,
    /// Rounded up to whole kilobytes.
    pub kilobytes: i64,
    /// What to paste into a lesson to show it.
    pub markdown: String,
}

fn kind_label(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "JPEG",
        MediaKind::File(k) => match k {
            media::DownloadKind::Pdf => "PDF",
            media::DownloadKind::Docx => "Word",
            media::DownloadKind::Xlsx => "Excel",
            media::DownloadKind::Pptx => "PowerPoint",
            media::DownloadKind::Text => "TXT",
        },
    }
}

impl MediaItem {
    fn of(m: &MediaInfo) -> MediaItem {
        let is_image = m.kind == MediaKind::Image;
        let stem = m.name.rsplit_once('.').map_or(m.name.as_str(), |(s, _)| s);
        MediaItem {
            name: m.name.clone(),
            is_image,
            kind_label: kind_label(m.kind),
            width: m.width,
            height: m.height,
            kilobytes: (m.bytes + 1023) / 1024,
            markdown: if is_image {
                format!("![{stem}]({}{})", media::MEDIA_DIR, m.name)
            } else {
                format!("[{stem}]({}{})", media::MEDIA_DIR, m.name)
            },
        }
    }
}

pub use hocvuso_core::learning::media::PHONE_WIDTH;

/// Where a course's files are served.
pub fn base(course_slug: &str) -> String {
    format!("/media/{course_slug}/")
}

fn shelf_of(course_slug: &str, rows: &[MediaInfo]) -> Shelf {
    let mut shelf = Shelf::new(base(course_slug));
    for m in rows {
        shelf.insert(
            m.name.clone(),
            Shelved {
                kind: m.kind,
                width: u32::try_from(m.width).unwrap_or(0),
                height: u32::try_from(m.height).unwrap_or(0),
                bytes: u64::try_from(m.bytes).unwrap_or(0),
            },
        );
    }
    shelf
}

/// The files a course's lessons may show, as stored now.
pub async fn shelf(db: &Db, course: &Course) -> Result<Shelf> {
    Ok(shelf_of(&course.slug, &stored::list(db, course.id).await?))
}

/// [`shelf`] inside the writing transaction: what a saved lesson is checked against.
pub async fn shelf_tx(tx: &mut Tx, course: &Course) -> Result<Shelf> {
    Ok(shelf_of(&course.slug, &stored::list_tx(tx, course.id).await?))
}

/// The course's files for its authors' pages.
pub async fn list(app: &App, who: &Principal, course_slug: &str) -> Result<Vec<MediaItem>> {
    let c = db::course_by_slug(&app.db, course_slug).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    Ok(stored::list(&app.db, c.id).await?.iter().map(MediaItem::of).collect())
}

fn invalid(message: Message) -> Error {
    Error::Invalid(vec![FieldError::new("file", message)])
}

/// Stores an author's upload for a course under a plain name made from the one it came with
/// (numbered when the course holds that name already: a stored file never changes under a lesson
/// that shows it). Returns the stored file.
pub async fn upload(
    app: &App,
    who: &Principal,
    course_slug: &str,
    upload_name: &str,
    bytes: Vec<u8>,
) -> Result<MediaItem> {
    let me = super::account(who)?;
    // Who may upload is decided before the file is looked at.
    let c = db::course_by_slug(&app.db, course_slug).await?.ok_or(Error::NotFound)?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    if bytes.is_empty() {
        return Err(invalid(Message::new("err-authoring-media-empty")));
    }
    let name_given = upload_name.to_string();
    // Decoding a photo takes memory and CPU: one at a time in the process, with spreadsheet reads.
    let prepared = app
        .reader
        .read(move || media::prepare_upload(&name_given, &bytes).map(|p| (p, bytes)))
        .await?;
    let (prepared, bytes) = prepared.map_err(|e| invalid(e.message()))?;
    let kind = prepared.kind();
    let wanted = stored_name(upload_name, kind);

    let mut tx = app.db.begin().await?;
    let c = db::course_for_edit_tx(&mut tx, course_slug)
        .await?
        .ok_or(Error::NotFound)?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    let rows = stored::list_tx(&mut tx, c.id).await?;
    let held: Vec<String> = rows.iter().map(|m| m.name.clone()).collect();
    if held.len() >= MAX_COURSE_MEDIA {
        return Err(Error::Conflict(FieldError::new(
            "file",
            Message::new("err-authoring-media-full").arg("max", MAX_COURSE_MEDIA),
        )));
    }
    let name = std::iter::once(wanted.clone())
        .chain((2..).map(|n| numbered_name(&wanted, n)))
        .find(|n| !held.contains(n))
        .unwrap_or(wanted);
    let (content, phone, width, height, sha256) = match &prepared {
        Prepared::Image(img) => (
            img.full.jpeg.as_slice(),
            Some(img.phone.jpeg.as_slice()),
            img.full.width,
            img.full.height,
            img.sha256.as_str(),
        ),
        Prepared::File { sha256, .. } => (bytes.as_slice(), None, 0, 0, sha256.as_str()),
    };
    let total: u64 = rows.iter().map(|m| u64::try_from(m.bytes).unwrap_or(0)).sum();
    if total + content.len() as u64 > media::MAX_COURSE_MEDIA_BYTES {
        return Err(Error::Conflict(FieldError::new(
            "file",
            Message::new("err-authoring-media-course-full").arg("max", media::MAX_COURSE_MEDIA_BYTES / (1024 * 1024)),
        )));
    }
    stored::put(
        &mut tx,
        &NewMedia {
            course_id: c.id,
            name: &name,
            kind,
            content,
            phone,
            width,
            height,
            sha256,
            uploaded_by: Some(me),
        },
    )
    .await?;
    let event = Event::CourseMediaUploaded {
        course_id: c.id,
        detail: json!({
            "course": c.slug, "name": name, "kind": kind.as_str(),
            "bytes": content.len(), "upload_sha256": sha256,
        }),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&c.owner_path, &event)).await?;
    tx.commit().await?;
    let info = stored::list(&app.db, c.id)
        .await?
        .into_iter()
        .find(|m| m.name == name)
        .ok_or(Error::NotFound)?;
    Ok(MediaItem::of(&info))
}

/// Removes a file from a course when no lesson text shows it: not the published text of a lesson
/// learners can open, in any language, nor any draft. Checked on what is stored when the course is
/// held for editing, so a text naming the file cannot be saved, published or imported beside the
/// removal. A file in use is refused with every lesson text that shows it.
pub async fn remove(app: &App, who: &Principal, course_slug: &str, name: &str) -> Result<()> {
    if !media::is_stored_name(name) {
        return Err(Error::NotFound);
    }
    let mut tx = app.db.begin().await?;
    let c = db::course_for_edit_tx(&mut tx, course_slug)
        .await?
        .ok_or(Error::NotFound)?;
    who.authorize::<act::AuthorContent>(&c.owner_path)?;
    let info = stored::list_tx(&mut tx, c.id)
        .await?
        .into_iter()
        .find(|m| m.name == name)
        .ok_or(Error::NotFound)?;
    let (mut published, mut drafts) = (Vec::new(), Vec::new());
    for t in stored::texts_tx(&mut tx, c.id).await? {
        if hocvuso_core::learning::markdown::media_names(&t.body_md).contains(name) {
            let shown = format!("“{}” ({})", t.title, t.lang.as_str());
            if t.draft {
                drafts.push(shown)
            } else {
                published.push(shown)
            }
        }
    }
    if !published.is_empty() || !drafts.is_empty() {
        let list = |v: Vec<String>| if v.is_empty() { "—".to_string() } else { v.join(", ") };
        return Err(Error::Conflict(FieldError::new(
            "file",
            Message::new("err-authoring-media-in-use")
                .arg("name", name)
                .arg("published", list(published))
                .arg("drafts", list(drafts)),
        )));
    }
    stored::remove(&mut tx, c.id, name).await?;
    let event = Event::CourseMediaRemoved {
        course_id: c.id,
        detail: json!({
            "course": c.slug, "name": name, "kind": info.kind.as_str(),
            "bytes": info.bytes, "sha256": info.sha256,
        }),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&c.owner_path, &event)).await?;
    tx.commit().await?;
    Ok(())
}

/// A served file: what it is and its bytes.
pub struct Served {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    /// The course is open to everyone: the file may be cached by anyone on the way.
    pub public: bool,
    /// A download: the name to save it under.
    pub download: Option<String>,
}

/// A course file for a reader: anyone when the course is published, else only its authors (an
/// author's preview of a draft shows its pictures). `phone`: the phone-sized variant of an image.
pub async fn file(app: &App, who: Option<&Principal>, course_slug: &str, name: &str, phone: bool) -> Result<Served> {
    if !media::is_stored_name(name) {
        return Err(Error::NotFound);
    }
    let c = db::course_by_slug(&app.db, course_slug).await?.ok_or(Error::NotFound)?;
    let public = c.status == CourseStatus::Published;
    if !public {
        // A course that is not open looks absent to anyone who may not edit it.
        who.ok_or(Error::NotFound)?
            .authorize::<act::AuthorContent>(&c.owner_path)
            .map_err(|_| Error::NotFound)?;
    }
    let info = stored::list(&app.db, c.id)
        .await?
        .into_iter()
        .find(|m| m.name == name)
        .ok_or(Error::NotFound)?;
    let bytes = if phone && info.kind == MediaKind::Image {
        stored::phone(&app.db, c.id, name).await?
    } else {
        stored::content(&app.db, c.id, name).await?
    }
    .ok_or(Error::NotFound)?;
    Ok(Served {
        content_type: info.kind.content_type(),
        bytes,
        public,
        download: (info.kind != MediaKind::Image).then(|| name.to_string()),
    })
}

/// A package's files made ready to store, one per `media/<name>` entry: each checked by its bytes
/// (an image re-encoded as uploads are) and its kind matching its name. Slow for many photos: run
/// it on the reading gate.
pub fn prepare_package_media(
    files: &std::collections::BTreeMap<String, Vec<u8>>,
) -> std::result::Result<Vec<(String, Prepared)>, Vec<hocvuso_core::learning::ContentError>> {
    use hocvuso_core::learning::ContentError;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (name, bytes) in files {
        let file = format!("{}{name}", media::MEDIA_DIR);
        match media::prepare_upload(name, bytes) {
            Ok(p) if p.kind().extension() == name.rsplit_once('.').map_or("", |(_, e)| e) => {
                out.push((name.clone(), p))
            }
            Ok(_) => errors.push(ContentError::new(
                &file,
                None,
                Message::new("err-authoring-package-media-kind").arg("name", name),
            )),
            Err(e) => errors.push(ContentError::new(&file, None, e.message())),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Stores a package's files for a course in the import's transaction. A name the course holds
/// keeps its bytes: the same file again (a course exported and imported back) changes nothing,
/// other bytes under that name are refused. Returns the names stored.
pub async fn store_package_media(
    tx: &mut Tx,
    course_id: i64,
    who: Option<i64>,
    originals: &std::collections::BTreeMap<String, Vec<u8>>,
    prepared: &[(String, Prepared)],
) -> Result<Vec<String>> {
    let mut stored_names = Vec::new();
    for (name, p) in prepared {
        let original = originals.get(name).map(Vec::as_slice).unwrap_or_default();
        if let Some(held) = stored::content_tx(tx, course_id, name).await? {
            let same = match p {
                Prepared::Image(img) => held == original || held == img.full.jpeg,
                Prepared::File { .. } => held == original,
            };
            if same {
                continue;
            }
            return Err(Error::Conflict(FieldError::new(
                "file",
                Message::new("err-authoring-package-media-taken").arg("name", name),
            )));
        }
        let (content, phone, width, height, sha256) = match p {
            Prepared::Image(img) => (
                img.full.jpeg.as_slice(),
                Some(img.phone.jpeg.as_slice()),
                img.full.width,
                img.full.height,
                img.sha256.as_str(),
            ),
            Prepared::File { sha256, .. } => (original, None, 0, 0, sha256.as_str()),
        };
        stored::put(
            tx,
            &NewMedia {
                course_id,
                name,
                kind: p.kind(),
                content,
                phone,
                width,
                height,
                sha256,
                uploaded_by: who,
            },
        )
        .await?;
        stored_names.push(name.clone());
    }
    let rows = stored::list_tx(tx, course_id).await?;
    let total: u64 = rows.iter().map(|m| u64::try_from(m.bytes).unwrap_or(0)).sum();
    if rows.len() > MAX_COURSE_MEDIA || total > media::MAX_COURSE_MEDIA_BYTES {
        return Err(Error::Conflict(FieldError::new(
            "file",
            Message::new("err-authoring-media-course-full").arg("max", media::MAX_COURSE_MEDIA_BYTES / (1024 * 1024)),
        )));
    }
    Ok(stored_names)
}

/// Every file of a course with its stored bytes (an image's full JPEG): what its package carries.
pub async fn package_files(db: &Db, course_id: i64) -> Result<std::collections::BTreeMap<String, Vec<u8>>> {
    let mut out = std::collections::BTreeMap::new();
    for m in stored::list(db, course_id).await? {
        if let Some(bytes) = stored::content(db, course_id, &m.name).await? {
            out.insert(m.name, bytes);
        }
    }
    Ok(out)
}
