//! The starter question banks shipped in `content/items/` (content/items/README.md), built into
//! the binary and installed into the country's bank at every start: new items are added as
//! published; an item nobody changed on the platform follows the release; an item an author
//! changed or retired stays as they left it. A scenario item's picture (a file of the bank's
//! `media/` folder) is checked and stored as an author's upload is, and the item names it as
//! stored: the same file always gives the same name, so an unchanged item stays unchanged.

use crate::question_bank::{picture_name, store_picture};
use crate::{App, Error, FieldError, Result};
use hocvuso_core::assessment::bank;
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::CourseStatus;
use hocvuso_core::learning::media::{PreparedImage, prepare_image};
use hocvuso_db::assessment as db;
use include_dir::{Dir, include_dir};
use std::collections::HashMap;

static BANKS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../content/items");

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BanksInstalled {
    pub added: usize,
    pub updated: usize,
    /// Shipped items left alone because a person changed them on the platform.
    pub kept_local: usize,
}

type Shipped = std::result::Result<(Vec<bank::Bank>, Vec<PreparedImage>), String>;

/// Every shipped bank file, read and checked, each item's picture named as stored, with the
/// pictures prepared by that name; the problems of every bad file otherwise (a release with one is
/// broken: the starter_banks test refuses it first). Read once a process: the files are in the
/// binary and preparing a picture is CPU work.
pub fn shipped_banks() -> Shipped {
    static SHIPPED: std::sync::OnceLock<Shipped> = std::sync::OnceLock::new();
    SHIPPED.get_or_init(read_shipped).clone()
}

fn read_shipped() -> Shipped {
    let mut files = Vec::new();
    fn walk<'a>(d: &'a Dir<'a>, out: &mut Vec<&'a include_dir::File<'a>>) {
        for f in d.files() {
            out.push(f);
        }
        for sub in d.dirs() {
            walk(sub, out);
        }
    }
    walk(&BANKS, &mut files);
    files.retain(|f| f.path().extension().is_some_and(|e| e == "toml"));
    files.sort_by_key(|f| f.path().to_path_buf());
    let mut out = Vec::new();
    let mut pictures: Vec<PreparedImage> = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        let name = f.path().to_string_lossy().to_string();
        let text = f.contents_utf8().unwrap_or_default();
        match bank::read(&name, text) {
            Ok(mut b) => {
                let dir = f.path().parent().map(|d| d.join("media")).unwrap_or_default();
                for item in &mut b.items {
                    let Some(file) = item.picture.take() else {
                        continue;
                    };
                    let prepared = BANKS
                        .get_file(dir.join(&file))
                        .ok_or_else(|| "no such file in media/".to_string())
                        .and_then(|m| prepare_image(m.contents()).map_err(|e| format!("{e:?}")));
                    match prepared {
                        Ok(p) => {
                            item.picture = Some(picture_name(&p));
                            pictures.push(p);
                        }
                        Err(e) => errors.push(format!("{name} {}: picture {file}: {e}", item.code)),
                    }
                }
                out.push(b);
            }
            Err(problems) => {
                for p in problems {
                    errors.push(format!("{name} {}: {}", p.item.unwrap_or_default(), p.message));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok((out, pictures))
    } else {
        Err(errors.join("\n"))
    }
}

pub async fn install_banks(app: &App) -> Result<BanksInstalled> {
    // Decoding and re-encoding the pictures is CPU work: off the async threads.
    let shipped = tokio::task::spawn_blocking(shipped_banks)
        .await
        .map_err(|e| Error::Db(hocvuso_db::DbError::Invalid(e.to_string())))?;
    let (banks, pictures) = shipped.map_err(|e| {
        Error::Invalid(vec![FieldError::new(
            "",
            Message::new("err-learning-shipped").arg("detail", e),
        )])
    })?;
    let Some(country) = hocvuso_db::units::by_code(&app.db, hocvuso_core::units::COUNTRY_CODE).await? else {
        return Ok(BanksInstalled::default());
    };
    let mut report = BanksInstalled::default();
    let mut tx = app.db.begin().await?;
    // Stored once by name (the same file, the same name): a restart writes nothing new.
    for p in &pictures {
        store_picture(&mut tx, p, None).await?;
    }
    let stored: HashMap<String, db::BankEntry> = db::bank_tx(&mut tx, &country.path)
        .await?
        .into_iter()
        .map(|e| (e.code.clone(), e))
        .collect();
    for b in &banks {
        for item in &b.items {
            match stored.get(&item.code) {
                None => {
                    if db::insert(&mut tx, &country.path, &b.pool, item, CourseStatus::Published, None)
                        .await?
                        .is_some()
                    {
                        report.added += 1;
                    }
                }
                Some(s) if s.item == *item && s.pool == b.pool => {}
                Some(s) if s.updated_by.is_some() => report.kept_local += 1,
                Some(s) => {
                    if db::replace_untouched(&mut tx, s.id, &b.pool, item).await? {
                        report.updated += 1;
                    } else {
                        report.kept_local += 1;
                    }
                }
            }
        }
    }
    tx.commit().await?;
    Ok(report)
}
