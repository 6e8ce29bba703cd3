//! Province-scale benchmark. Generates a whole province (default 1,000,000 people across the 92
//! communes of Thái Nguyên and ~1,000 villages), imports it through the real import path (CSV file →
//! check → apply), then measures name search without diacritics, commune listing page by page, and
//! pages served per second for a signed-in officer.
//!
//!   cargo bench --bench scale -- [--people N] [--backend sqlite|postgres|both] [--seconds S]
//!                                [--import-only | --pages-only] [--keep] [--only K]
//!
//! PostgreSQL: a fresh database is created on HOCVUSO_BENCH_PG (default
//! postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards.
//!
//! `--keep` keeps the imported province for the next run with `--keep` and the same `--people`
//! (SQLite: `target/bench-keep/sqlite-N/`; PostgreSQL: database `hvbench_keep_N`), which then skips
//! generation and import: for comparing read-side changes without an import each time.

// The server's allocator, as in src/main.rs: the benchmark measures the server in this process.
mod common;
use common::summary;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use hocvuso::{Application, Config};
use hocvuso_app::imports::{ApplyImport, CheckImport};
use hocvuso_core::crypto::PidVault;
use hocvuso_core::units::{Kind, Level};
use hocvuso_db::audit::Actor;
use hocvuso_db::people::{self, SearchTerm};
use hocvuso_db::units::{self, NewUnit, Unit};
use hocvuso_db::{Db, imports};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

struct Args {
    people: u64,
    backends: Vec<&'static str>,
    seconds: u64,
    /// Stop after the import (for profiling it alone).
    import_only: bool,
    /// After the import, measure the signed-in pages only (skip search, listing and counts).
    pages_only: bool,
    /// Keep the imported province and reuse it on the next run (see the module's comment).
    keep: bool,
    /// Request only this one of the signed-in pages (0–3), to profile it alone.
    only: Option<usize>,
}

fn args() -> Args {
    let mut a = Args {
        people: 1_000_000,
        backends: vec!["sqlite", "postgres"],
        seconds: 10,
        import_only: false,
        pages_only: false,
        keep: false,
        only: None,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < v.len() {
        match v[i].as_str() {
            "--people" => a.people = v.get(i + 1).and_then(|s| s.parse().ok()).expect("--people N"),
            "--import-only" => {
                a.import_only = true;
                i += 1;
                continue;
            }
            "--pages-only" => {
                a.pages_only = true;
                i += 1;
                continue;
            }
            "--keep" => {
                a.keep = true;
                i += 1;
                continue;
            }
            "--only" => a.only = Some(v.get(i + 1).and_then(|s| s.parse().ok()).expect("--only K")),
            "--seconds" => a.seconds = v.get(i + 1).and_then(|s| s.parse().ok()).expect("--seconds S"),
            "--backend" => {
                a.backends = match v.get(i + 1).map(String::as_str) {
                    Some("sqlite") => vec!["sqlite"],
                    Some("postgres") => vec!["postgres"],
                    _ => vec!["sqlite", "postgres"],
                }
            }
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let a = args();
    for backend in a.backends.clone() {
        run(backend, &a).await;
    }
}

async fn run(backend: &str, a: &Args) {
    println!("\n=== {backend}: {} people ===", a.people);
    let temp = tempfile::tempdir().expect("temp dir");
    let kept = std::path::PathBuf::from(format!("target/bench-keep/sqlite-{}", a.people));
    let dir: &std::path::Path = if a.keep && backend == "sqlite" {
        std::fs::create_dir_all(&kept).expect("keep dir");
        &kept
    } else {
        temp.path()
    };
    let mut pg_name = None;
    let url = if backend == "sqlite" {
        format!("sqlite://{}", dir.join("bench.db").display())
    } else {
        let admin_url =
            std::env::var("HOCVUSO_BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let admin = Db::connect(&admin_url).await.expect("PostgreSQL reachable");
        let name = if a.keep {
            format!("hvbench_keep_{}", a.people)
        } else {
            format!("hvbench_{}", std::process::id())
        };
        if !a.keep {
            let _ = admin.drop_database(&name).await;
        }
        // A kept database may exist already.
        let _ = admin.create_database(&name).await;
        admin.close().await;
        if !a.keep {
            pg_name = Some((admin_url.clone(), name.clone()));
        }
        format!(
            "{}/{}",
            admin_url.rsplit_once('/').map(|(x, _)| x).unwrap_or(&admin_url),
            name
        )
    };
    let vars = vec![
        ("HOCVUSO_DATA_DIR".to_string(), dir.display().to_string()),
        ("HOCVUSO_ADDR".to_string(), "127.0.0.1:0".to_string()),
        ("DATABASE_URL".to_string(), url),
        ("HOCVUSO_DEMO".to_string(), "false".to_string()),
        // The import below runs its stages itself, through the queue, timing each.
        ("HOCVUSO_JOBS".to_string(), "false".to_string()),
        (
            "HOCVUSO_CONFIG".to_string(),
            dir.join("none.toml").display().to_string(),
        ),
    ];
    std::fs::write(dir.join("none.toml"), "").expect("config");
    let pg_url = (backend != "sqlite")
        .then(|| vars.iter().find(|(k, _)| k == "DATABASE_URL").map(|(_, v)| v.clone()))
        .flatten();
    let config = Config::from_vars(&vars).expect("config");
    let app = Application::build(config.clone()).await.expect("app");
    let db = app.state().db.clone();
    let vault = app.state().vault.clone();

    // Villages: ~11 per commune, ~1,000 in all.
    let province = units::by_code(&db, "19").await.unwrap().unwrap();
    let communes: Vec<Unit> = units::children(&db, province.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.level() == Level::Commune)
        .collect();
    let mut rng = StdRng::seed_from_u64(42);
    let already = people::count_in(&db, &province.path).await.unwrap();
    if a.keep && already == a.people as i64 {
        println!("KEPT province of {already} people reused (no generation, no import)");
    } else {
        import(&db, &vault, &config, a, &province, &communes, &mut rng).await;
    }
    if let Some(url) = pg_url.as_deref() {
        // What autovacuum does within a minute of a bulk load on a default PostgreSQL (statistics,
        // visibility map for index-only scans); it is off on the benchmark machine.
        let t = Instant::now();
        let ok = std::process::Command::new("psql")
            .args([url, "-qc", "VACUUM (ANALYZE)"])
            .status()
            .is_ok_and(|s| s.success());
        println!(
            "VACUUM (ANALYZE) {}: {:.1}s",
            if ok { "done" } else { "FAILED" },
            t.elapsed().as_secs_f64()
        );
    }
    if a.import_only {
        db.close().await;
        if let Some((admin_url, name)) = pg_name {
            let admin = Db::connect(&admin_url).await.expect("PostgreSQL reachable");
            let _ = admin.drop_database(&name).await;
            admin.close().await;
        }
        return;
    }
    pages_and_queries(app, a, &db, &vault, &mut rng, &province, &communes, pg_name).await;
}

/// Villages, one generated CSV per commune, and their import through the queue's stages.
async fn import(
    db: &Db,
    vault: &std::sync::Arc<PidVault>,
    config: &Config,
    a: &Args,
    province: &Unit,
    communes: &[Unit],
    rng: &mut StdRng,
) {
    let mut villages: Vec<Vec<Unit>> = Vec::new();
    let mut tx = db.begin().await.unwrap();
    for c in communes {
        let mut vs = Vec::new();
        for i in 0..11 {
            let name = format!("Thôn {}", i + 1);
            vs.push(
                units::create_in(
                    &mut tx,
                    NewUnit {
                        parent: c,
                        kind: Kind::Thon,
                        name: &name,
                        code: None,
                    },
                    &Actor::system("bench"),
                )
                .await
                .map_err(|e| e.to_string())
                .unwrap(),
            );
        }
        villages.push(vs);
    }
    tx.commit().await.unwrap();
    println!(
        "units: {} communes, {} villages",
        communes.len(),
        villages.iter().map(Vec::len).sum::<usize>()
    );

    // One CSV per commune, as each commune would upload its list from the police register.
    let today = time::OffsetDateTime::now_utc().date();
    let per_commune = a.people / communes.len() as u64;
    let mut files: Vec<(Unit, String)> = Vec::new();
    let mut serial = 0u64;
    let gen_start = Instant::now();
    for (ci, c) in communes.iter().enumerate() {
        let n = if ci == communes.len() - 1 {
            a.people - serial
        } else {
            per_commune
        };
        let mut csv = String::with_capacity(n as usize * 90);
        csv.push_str("Họ và tên,Ngày sinh,Giới tính,Số định danh,Số điện thoại,Đối tượng,Thôn/Tổ dân phố\n");
        for _ in 0..n {
            let p = hocvuso_db::demo::person(rng, serial, today);
            serial += 1;
            let v = &villages[ci][rng.gen_range(0..villages[ci].len())];
            let group = p.groups.iter().next().map(|g| g.as_str()).unwrap_or("resident");
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{}",
                p.full_name,
                hocvuso_core::people::format_date(p.birth_date),
                if p.sex == hocvuso_core::people::Sex::Male {
                    "Nam"
                } else {
                    "Nữ"
                },
                p.personal_id.as_str(),
                p.phone.unwrap_or_default(),
                group,
                v.code
            );
        }
        files.push((c.clone(), csv));
    }
    println!(
        "generated {} rows in {:.1}s ({} MB of CSV)",
        serial,
        gen_start.elapsed().as_secs_f64(),
        files.iter().map(|f| f.1.len()).sum::<usize>() / 1_000_000
    );

    // Import through the real path, in the queue's two lanes: the check of the next commune's
    // file (short lane) runs while the previous one is applied (long lane), each stage claimed,
    // run and recorded by the queue as the server's runner does.
    let upload_dir = config.upload_dir();
    let ctx = hocvuso_app::App::new(db.clone(), vault.clone(), upload_dir.clone());
    let operator = hocvuso_core::access::Principal::system("bench");
    let start = Instant::now();
    let (tx_checked, mut rx_checked) = tokio::sync::mpsc::channel::<(i64, Duration)>(2);
    let checker = {
        let (db, ctx, operator) = (db.clone(), ctx.clone(), operator.clone());
        let files = std::mem::take(&mut files);
        tokio::spawn(async move {
            for (c, csv) in files {
                let t = Instant::now();
                let id = hocvuso_app::imports::upload(&ctx, &operator, &c, "bench.csv", csv.as_bytes())
                    .await
                    .unwrap();
                hocvuso_app::imports::run_here::<CheckImport>(&ctx, id).await.unwrap();
                let j = imports::get(&db, id).await.unwrap().unwrap();
                assert_eq!(j.bad_rows, 0, "generated data must be valid: {j:?}");
                hocvuso_app::imports::decide(&ctx, &operator, id, imports::Decision::ImportGoodRows)
                    .await
                    .unwrap();
                if tx_checked.send((id, t.elapsed())).await.is_err() {
                    break;
                }
            }
        })
    };
    let (mut check_t, mut apply_t) = (Duration::ZERO, Duration::ZERO);
    while let Some((id, checked_in)) = rx_checked.recv().await {
        check_t += checked_in;
        let t = Instant::now();
        hocvuso_app::imports::run_here::<ApplyImport>(&ctx, id).await.unwrap();
        let j = imports::get(db, id).await.unwrap().unwrap();
        assert_eq!(j.status(), imports::Status::Done, "{j:?}");
        apply_t += t.elapsed();
    }
    checker.await.unwrap();
    let total = start.elapsed();
    let count = people::count_in(db, &province.path).await.unwrap();
    println!(
        "IMPORT {} rows: {:.1}s total ({:.0} rows/s; checking {:.1}s overlapped with applying {:.1}s) — target < 60 s",
        count,
        total.as_secs_f64(),
        count as f64 / total.as_secs_f64(),
        check_t.as_secs_f64(),
        apply_t.as_secs_f64()
    );
}

/// Searches, listing and counts (unless `--pages-only`), then signed-in pages over HTTP.
#[allow(clippy::too_many_arguments)]
async fn pages_and_queries(
    app: Application,
    a: &Args,
    db: &Db,
    vault: &PidVault,
    rng: &mut StdRng,
    province: &Unit,
    communes: &[Unit],
    pg_name: Option<(String, String)>,
) {
    if !a.pages_only {
        queries(db, vault, rng, province, communes).await;
    }

    // Pages per second for a signed-in officer, over HTTP.
    let port = app.port();
    let state = app.state().clone();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stop_rx.await;
    }));
    let officer_phone = "0900000099";
    // A kept database has its officer from an earlier run.
    if hocvuso_db::accounts::by_phone(&state.db, officer_phone)
        .await
        .unwrap()
        .is_none()
    {
        let mut tx = state.db.begin().await.unwrap();
        let acc = hocvuso_db::accounts::create(
            &mut tx,
            hocvuso_db::accounts::NewAccount {
                display_name: "Cán bộ đo hiệu năng",
                phone: Some(officer_phone),
                pid_index: None,
                person_id: None,
                password_hash: hocvuso_core::password::hash("bench-password"),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
        hocvuso_db::accounts::grant(&mut tx, acc, hocvuso_core::roles::Role::Officer, &communes[0], None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login_page = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = login_page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let r = client
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("login", officer_phone),
            ("password", "bench-password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let paths: Vec<String> = vec![
        format!("/units/{}", communes[0].code),
        format!("/units/{}/people", communes[0].code),
        format!("/units/{}/people?q=nguyen+van", communes[0].code),
        format!("/units/{}/people?q=thi+hoa", communes[0].code),
    ];
    let paths: Vec<String> = match a.only {
        Some(k) => vec![paths[k].clone()],
        None => paths,
    };
    let audited_before = hocvuso_db::audit::count(&state.db).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let mut tasks = Vec::new();
    for w in 0..8 {
        let client = client.clone();
        let base = base.clone();
        let paths = paths.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat: Vec<(usize, Duration)> = Vec::new();
            let mut audited = 0u64;
            let mut i = w;
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = client
                    .get(format!("{base}{}", paths[i % paths.len()]))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let _ = r.bytes().await.unwrap();
                lat.push((i % paths.len(), t.elapsed()));
                // Every page but the unit's own is a people list, which records who viewed it.
                audited += u64::from(paths[i % paths.len()].contains("/people"));
                i += 1;
            }
            (lat, audited)
        }));
    }
    let mut all = Vec::new();
    let mut audited = 0;
    for t in tasks {
        let (lat, n) = t.await.unwrap();
        all.extend(lat);
        audited += n;
    }
    let recorded = hocvuso_db::audit::count(&state.db).await.unwrap() - audited_before;
    for (k, p) in paths.iter().enumerate() {
        let one: Vec<Duration> = all.iter().filter(|(i, _)| *i == k).map(|(_, d)| *d).collect();
        println!("  page {p}: {}", summary(one));
    }
    let all: Vec<Duration> = all.into_iter().map(|(_, d)| d).collect();
    assert_eq!(recorded as u64, audited, "every people page served is in the audit log");
    println!(
        "PAGES signed-in officer, 8 concurrent clients, {}s: {:.0} pages/s; {} ; {audited} audited, all recorded",
        a.seconds,
        all.len() as f64 / a.seconds as f64,
        summary(all)
    );
    let _ = stop_tx.send(());
    let _ = server.await;
    if let Some((admin_url, name)) = pg_name {
        let admin = Db::connect(&admin_url).await.unwrap();
        let _ = admin.drop_database(&name).await;
        admin.close().await;
    }
}

/// Search, listing page by page and the totals above lists.
async fn queries(db: &Db, vault: &PidVault, rng: &mut StdRng, province: &Unit, communes: &[Unit]) {
    // Name search without diacritics: province, commune and country scope.
    let country_path = units::by_code(db, hocvuso_core::units::COUNTRY_CODE)
        .await
        .unwrap()
        .expect("country root")
        .path;
    let queries = search_queries(rng, 500);
    for (label, scope) in [
        ("province", province.path.clone()),
        ("commune", communes[0].path.clone()),
        // The whole country (a system administrator): every commune's place is sought, though
        // only this province holds people.
        ("country", country_path.clone()),
    ] {
        let mut lat = Vec::new();
        let mut truncated = 0;
        for q in &queries {
            let t = Instant::now();
            let page = people::search(db, vault, &sees(&scope), &SearchTerm::parse(q), None, 50)
                .await
                .unwrap();
            lat.push(t.elapsed());
            truncated += page.truncated as usize;
        }
        println!(
            "SEARCH ({label} scope, folded names, 50 per page): {} ; {truncated} asked for a longer name — target p95 < 20 ms",
            summary(lat)
        );
    }

    // Listing a commune page by page.
    let mut lat = Vec::new();
    let mut cursor: Option<String> = None;
    let mut listed = 0;
    loop {
        let t = Instant::now();
        let page = people::search(
            db,
            vault,
            &sees(&communes[0].path),
            &SearchTerm::Everyone,
            cursor.as_deref(),
            50,
        )
        .await
        .unwrap();
        lat.push(t.elapsed());
        listed += page.people.len();
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    println!(
        "LIST commune of {listed} people, 50 per page, all pages: {}",
        summary(lat)
    );

    // The total shown above a people list (issue 7): a commune, a commune narrowed to a target
    // group, the whole province and the country, 20 times each.
    let student = people::ListFilter {
        group: Some(hocvuso_core::people::TargetGroup::Student),
    };
    for (label, path, filter) in [
        ("commune", communes[0].path.clone(), people::ListFilter::default()),
        ("commune, students", communes[0].path.clone(), student),
        ("province", province.path.clone(), people::ListFilter::default()),
        ("province, students", province.path.clone(), student),
        ("country", country_path.clone(), people::ListFilter::default()),
    ] {
        let mut lat = Vec::new();
        let mut n = people::Total::Exact(0);
        for _ in 0..20 {
            let t = Instant::now();
            n = people::count_filtered(db, &sees(&path), filter).await.unwrap();
            lat.push(t.elapsed());
        }
        println!("COUNT {label} ({n:?}): {}", summary(lat));
    }
}

/// Names people type when looking someone up: full names, family + middle, given names, lowercase
/// without diacritics.
fn search_queries(rng: &mut StdRng, n: usize) -> Vec<String> {
    let today = time::OffsetDateTime::now_utc().date();
    (0..n)
        .map(|i| {
            let p = hocvuso_db::demo::person(rng, 9_000_000 + i as u64, today);
            let folded = hocvuso_core::text::fold(&p.full_name);
            let words: Vec<&str> = folded.split(' ').collect();
            match i % 4 {
                0 => folded.clone(),
                1 => words[1..].join(" "),
                2 => words[..2].join(" "),
                _ => words.last().copied().unwrap_or("an").to_string(),
            }
        })
        .collect()
}

/// A scope over `path` as the platform itself holds it: the benchmark reads storage directly.
fn sees(path: &str) -> hocvuso_core::access::Scope<hocvuso_core::access::act::ViewPeople> {
    hocvuso_core::access::Principal::system("bench")
        .authorize(path)
        .expect("the platform may do everything")
}
