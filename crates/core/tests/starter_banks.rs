//! The starter question banks under `content/items/` as shipped: every file reads with no problem,
//! codes and stems are not repeated across files, and every requirement cell of the groups covered
//! so far has a bank large and varied enough to draw an exam from.

use hocvuso_core::assessment::Body;
use hocvuso_core::assessment::bank::{self, Bank};
use hocvuso_core::assessment::qti;
use hocvuso_core::text::fold;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Groups of `data/frameworks/requirements.toml` whose every cell must have a starter bank.
const COVERED: &[&str] = &["resident", "worker", "public_staff"];
const MIN_ITEMS: usize = 15;
const MIN_TYPES: usize = 3;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

/// Every bank by its path under `content/items/` (`digcomp22/1.1-2.toml`).
fn banks() -> BTreeMap<String, Bank> {
    let items = root().join("content/items");
    let mut files = Vec::new();
    toml_files(&items, &mut files);
    let mut out = BTreeMap::new();
    let mut failures = Vec::new();
    for path in files {
        let name = path
            .strip_prefix(&items)
            .expect("under content/items")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path).expect("read bank");
        match bank::read(&name, &text) {
            Ok(b) => {
                out.insert(name, b);
            }
            Err(problems) => {
                for p in problems {
                    failures.push(format!(
                        "{name} [{}]: {} {:?}",
                        p.item.unwrap_or_default(),
                        p.message.key,
                        p.message.args
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    out
}

fn type_name(body: &Body) -> &'static str {
    match body {
        Body::SingleChoice { .. } => "single_choice",
        Body::MultipleChoice { .. } => "multiple_choice",
        Body::TrueFalse { .. } => "true_false",
        Body::Ordering { .. } => "ordering",
        Body::Matching { .. } => "matching",
    }
}

#[test]
fn every_starter_bank_reads_without_a_problem() {
    let banks = banks();
    assert!(!banks.is_empty(), "no bank under content/items");
}

#[test]
fn codes_and_stems_are_not_repeated_across_banks() {
    let mut codes: BTreeMap<String, String> = BTreeMap::new();
    let mut stems: BTreeMap<String, String> = BTreeMap::new();
    let mut repeated = Vec::new();
    for (file, b) in banks() {
        for item in &b.items {
            if let Some(other) = codes.insert(item.code.clone(), file.clone()) {
                repeated.push(format!("code {} in {other} and {file}", item.code));
            }
            let stem = &item.texts[0].1.stem;
            if let Some(other) = stems.insert(fold(stem), format!("{file} {}", item.code)) {
                repeated.push(format!("stem of {file} {} also in {other}: {stem}", item.code));
            }
        }
    }
    assert!(repeated.is_empty(), "{}", repeated.join("\n"));
}

/// Every shipped item, with its pool, written as a QTI 2.1 package reads back as itself: the
/// export loses nothing of the starter content a province would take to another tool and back.
#[test]
fn every_starter_item_round_trips_through_a_qti_package() {
    let items: Vec<(String, hocvuso_core::assessment::Item)> = banks()
        .into_values()
        .flat_map(|b| {
            let pool = b.pool.clone();
            b.items.into_iter().map(move |i| (pool.clone(), i))
        })
        .collect();
    let pictures = pictures();
    let zip = qti::write_package(&items, &pictures).expect("package");
    // What the import page would choose: every item says otherwise in the package.
    let defaults = hocvuso_core::assessment::Defaults {
        competence: hocvuso_core::learning::CompetenceRef::parse("other:9.9").expect("ref"),
        level: "9".into(),
        difficulty: hocvuso_core::assessment::Difficulty::Medium,
    };
    let back = qti::parse_package(&zip, &defaults);
    let problems: Vec<String> = back
        .problems
        .iter()
        .map(|p| format!("{}: {} {:?}", p.question, p.message.key, p.message.args))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for ((pool, want), got) in items.iter().zip(&back.items) {
        // A picture comes back under the item's own name in the package, with its bytes.
        let mut want = want.clone();
        if let Some(file) = want.picture.take() {
            let ext = file.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
            let name = format!("{}.{ext}", want.code);
            let bytes = &back.files.iter().find(|(n, _)| *n == name).expect("the picture").1;
            assert_eq!(bytes, &pictures[&file]);
            want.picture = Some(name);
        }
        assert_eq!(got, &(pool.clone(), want));
    }
    assert_eq!(back.items.len(), items.len());
}

/// Every picture a starter item names, by that name: its bytes from the bank's `media/` folder.
fn pictures() -> std::collections::HashMap<String, Vec<u8>> {
    let mut out = std::collections::HashMap::new();
    for (file, b) in banks() {
        let dir = root().join("content/items").join(&file);
        let media = dir.parent().expect("a folder").join("media");
        for item in &b.items {
            if let Some(p) = &item.picture {
                let bytes = std::fs::read(media.join(p)).unwrap_or_else(|e| panic!("{file} {}: {p}: {e}", item.code));
                out.insert(p.clone(), bytes);
            }
        }
    }
    out
}

/// A scenario item's picture is a file of its bank's `media/` folder that the platform takes as
/// an author's upload (checked, re-encoded), described in every language the item has.
#[test]
fn every_starter_picture_is_there_and_accepted() {
    let pictures = pictures();
    assert!(!pictures.is_empty(), "a starter scenario item shows a picture");
    for (name, bytes) in &pictures {
        let p = hocvuso_core::learning::media::prepare_image(bytes).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(p.full.width >= 480, "{name}: {} px wide", p.full.width);
    }
    for (file, b) in banks() {
        for item in b.items.iter().filter(|i| i.picture.is_some()) {
            for (lang, t) in &item.texts {
                assert!(
                    !t.picture_alt.trim().is_empty(),
                    "{file} {} {lang:?}: no description",
                    item.code
                );
            }
        }
    }
}

#[derive(serde::Deserialize)]
struct Requirements {
    group: Vec<Group>,
}

#[derive(serde::Deserialize)]
struct Group {
    group: String,
    framework: String,
    require: Vec<Require>,
}

#[derive(serde::Deserialize)]
struct Require {
    competence: String,
    level: String,
}

#[test]
fn every_covered_requirement_cell_has_a_bank() {
    let text = std::fs::read_to_string(root().join("data/frameworks/requirements.toml")).expect("read requirements");
    let req: Requirements = toml::from_str(&text).expect("requirements.toml");
    let banks = banks();
    let mut missing = Vec::new();
    let mut cells = 0;
    for &covered in COVERED {
        let group = req
            .group
            .iter()
            .find(|g| g.group == covered)
            .unwrap_or_else(|| panic!("group {covered} not in requirements.toml"));
        for r in &group.require {
            cells += 1;
            let file = format!("{}/{}-{}.toml", group.framework, r.competence, r.level);
            let Some(b) = banks.get(&file) else {
                missing.push(format!("{covered}: no bank {file}"));
                continue;
            };
            let types: BTreeSet<&str> = b.items.iter().map(|i| type_name(&i.body)).collect();
            if b.items.len() < MIN_ITEMS || types.len() < MIN_TYPES {
                missing.push(format!(
                    "{covered}: {file} has {} items of {} types; needs {MIN_ITEMS} of {MIN_TYPES}",
                    b.items.len(),
                    types.len()
                ));
            }
        }
    }
    assert!(cells > 0);
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
