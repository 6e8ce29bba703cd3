//! Learners benchmark (issue 9 §7). A province of residents is seeded, 2,000 of them get a learner
//! account, and concurrent HTTP clients play them against one real server: each learner enrols in
//! a shipped course, then reads every lesson and marks it done, in order. Reports the lesson page's
//! latency, the completions stored per second, the errors (there must be none) and the gzip
//! weight of every learner page.
//!
//!   cargo bench --bench learning -- [--learners N] [--clients C] [--backend sqlite|postgres|both]
//!
//! PostgreSQL: a fresh database on HOCVUSO_BENCH_PG (default
//! postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards.

mod common;
use common::summary;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use hocvuso::{Application, Config};
use hocvuso_db::Db;
use std::sync::Arc;
use std::time::Instant;

struct Args {
    learners: usize,
    clients: usize,
    backends: Vec<&'static str>,
}

fn args() -> Args {
    let mut a = Args {
        learners: 2000,
        clients: 16,
        backends: vec!["sqlite", "postgres"],
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < v.len() {
        match v[i].as_str() {
            "--learners" => a.learners = v.get(i + 1).and_then(|s| s.parse().ok()).expect("--learners N"),
            "--clients" => a.clients = v.get(i + 1).and_then(|s| s.parse().ok()).expect("--clients C"),
            "--backend" => {
                a.backends = match v.get(i + 1).map(String::as_str) {
                    Some("sqlite") => vec!["sqlite"],
                    Some("postgres") => vec!["postgres"],
                    Some("both") => vec!["sqlite", "postgres"],
                    other => panic!("--backend sqlite|postgres|both, not {other:?}"),
                }
            }
            "--bench" => {
                i += 1;
                continue;
            }
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    a
}

#[tokio::main]
async fn main() {
    let a = args();
    for b in a.backends.clone() {
        run(b, &a).await;
    }
}

/// One learner as the server knows them: a session cookie and its CSRF token.
struct Learner {
    cookie: String,
    csrf: String,
}

async fn run(backend: &str, a: &Args) {
    println!("\n=== {backend}: {} learners, {} clients ===", a.learners, a.clients);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut pg = None;
    let url = if backend == "sqlite" {
        format!("sqlite://{}", dir.path().join("bench.db").display())
    } else {
        let admin_url =
            std::env::var("HOCVUSO_BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let admin = Db::connect(&admin_url).await.expect("PostgreSQL reachable");
        let name = format!("hvlearn_{}", std::process::id());
        let _ = admin.drop_database(&name).await;
        admin.create_database(&name).await.expect("create database");
        admin.close().await;
        pg = Some((admin_url.clone(), name.clone()));
        format!(
            "{}/{name}",
            admin_url.rsplit_once('/').map(|(x, _)| x).unwrap_or(&admin_url)
        )
    };
    std::fs::write(dir.path().join("none.toml"), "").expect("config");
    let vars = vec![
        ("HOCVUSO_DATA_DIR".to_string(), dir.path().display().to_string()),
        ("HOCVUSO_ADDR".to_string(), "127.0.0.1:0".to_string()),
        ("DATABASE_URL".to_string(), url),
        ("HOCVUSO_DEMO".to_string(), "false".to_string()),
        (
            "HOCVUSO_CONFIG".to_string(),
            dir.path().join("none.toml").display().to_string(),
        ),
    ];
    let config = Config::from_vars(&vars).expect("config");
    let app = Application::build(config).await.expect("app");
    let db = app.state().db.clone();
    let vault = app.state().vault.clone();
    let t = Instant::now();
    let today = time::OffsetDateTime::now_utc().date();
    hocvuso_db::demo::seed(
        &db,
        &vault,
        &hocvuso_db::demo::Options {
            province_code: "19".into(),
            people: (a.learners as u64) * 3,
            villages_per_commune: (2, 3),
            seed: 11,
            today,
            accounts: false,
        },
    )
    .await
    .expect("seed");
    // Learners: residents of the province with an account and a session each (signing in through
    // argon2 2,000 times would measure the password hash, not learning).
    let province = hocvuso_db::units::by_code(&db, "19").await.unwrap().unwrap();
    let scope = hocvuso_core::access::Principal::system("bench")
        .authorize::<hocvuso_core::access::act::ViewPeople>(&province.path)
        .expect("the platform sees everyone");
    let mut ids = Vec::new();
    let mut cursor = None;
    while ids.len() < a.learners {
        let page = hocvuso_db::people::search(
            &db,
            &vault,
            &scope,
            &hocvuso_db::people::SearchTerm::Everyone,
            cursor.as_deref(),
            200,
        )
        .await
        .expect("people");
        ids.extend(page.people.iter().map(|p| p.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    ids.truncate(a.learners);
    let mut learners = Vec::new();
    for chunk in ids.chunks(500) {
        let mut tx = db.begin().await.unwrap();
        let mut accounts = Vec::new();
        for (i, pid) in chunk.iter().enumerate() {
            let name = format!("Người học {i}");
            let id = hocvuso_db::accounts::create(
                &mut tx,
                hocvuso_db::accounts::NewAccount {
                    display_name: &name,
                    phone: None,
                    pid_index: None,
                    person_id: Some(*pid),
                    password_hash: "bench: no sign-in".into(),
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
            accounts.push(id);
        }
        tx.commit().await.unwrap();
        for id in accounts {
            let token = hocvuso_db::sessions::create(&db, id, "127.0.0.1", "bench")
                .await
                .unwrap();
            let s = hocvuso_db::sessions::get(&db, &token).await.unwrap().unwrap();
            learners.push(Learner {
                cookie: format!("hvs_session={token}"),
                csrf: s.csrf_token,
            });
        }
    }
    println!(
        "setup: {} learners in {:.1}s",
        learners.len(),
        t.elapsed().as_secs_f64()
    );

    let courses = hocvuso_app::learning::shipped_courses().expect("shipped courses");
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stop_rx.await;
    }));

    // The weight of every learner page, gzipped as a phone asks for it.
    let plain = reqwest::Client::builder().build().unwrap();
    let first = &learners[0];
    let c0 = &courses[0].0;
    let l0 = &c0.modules[0].lessons[0];
    for (label, path, signed) in [
        ("home", "/".to_string(), true),
        ("catalogue", "/learn".to_string(), false),
        ("course", format!("/learn/{}", c0.slug), true),
        ("lesson", format!("/learn/{}/{}", c0.slug, l0.slug), false),
        ("my learning", "/my-learning".to_string(), true),
    ] {
        let mut req = plain.get(format!("{base}{path}")).header("accept-encoding", "gzip");
        if signed {
            req = req.header("cookie", &first.cookie);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let bytes = r.bytes().await.unwrap().len();
        println!("WEIGHT {label} {path}: {status} {bytes} bytes gzipped (target < 51200)");
    }

    // The learners, spread over the clients; learner i takes course i mod 12.
    let learners = Arc::new(learners);
    let courses = Arc::new(courses.into_iter().map(|(c, _)| c).collect::<Vec<_>>());
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..a.clients {
        let (learners, courses, next, base) = (learners.clone(), courses.clone(), next.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let (mut pages, mut done, mut errors) = (Vec::new(), Vec::new(), Vec::<String>::new());
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(l) = learners.get(i) else { break };
                let c = &courses[i % courses.len()];
                let post = |path: String| {
                    http.post(format!("{base}{path}"))
                        .header("cookie", &l.cookie)
                        .form(&[("_csrf", l.csrf.as_str())])
                        .send()
                };
                match post(format!("/learn/{}/enrol", c.slug)).await {
                    Ok(r) if r.status() == 303 => {}
                    Ok(r) => errors.push(format!("enrol {}: {}", c.slug, r.status())),
                    Err(e) => errors.push(format!("enrol: {e}")),
                }
                for lesson in c.modules.iter().flat_map(|m| &m.lessons) {
                    let s = Instant::now();
                    let r = http
                        .get(format!("{base}/learn/{}/{}", c.slug, lesson.slug))
                        .header("cookie", &l.cookie)
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status() == 200 => {
                            let _ = r.bytes().await;
                            pages.push(s.elapsed());
                        }
                        Ok(r) => errors.push(format!("lesson {}: {}", lesson.slug, r.status())),
                        Err(e) => errors.push(format!("lesson: {e}")),
                    }
                    let s = Instant::now();
                    match post(format!("/learn/{}/{}/done", c.slug, lesson.slug)).await {
                        Ok(r) if r.status() == 303 => done.push(s.elapsed()),
                        Ok(r) => errors.push(format!("done {}: {}", lesson.slug, r.status())),
                        Err(e) => errors.push(format!("done: {e}")),
                    }
                }
            }
            (pages, done, errors)
        }));
    }
    let (mut pages, mut done, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for t in tasks {
        let (p, d, e) = t.await.unwrap();
        pages.extend(p);
        done.extend(d);
        errors.extend(e);
    }
    let secs = t.elapsed().as_secs_f64();
    let stored = hocvuso_db::learning::statements_count(&db).await.unwrap();
    println!(
        "LESSON PAGE (signed in, enrolled): {} — target p95 < 20 ms",
        summary(pages)
    );
    println!(
        "COMPLETIONS: {} in {secs:.1}s = {:.0}/s; POST {}",
        done.len(),
        done.len() as f64 / secs,
        summary(done.clone())
    );
    println!("xAPI statements stored: {stored}");
    println!(
        "ERRORS: {} {:?}",
        errors.len(),
        errors.iter().take(5).collect::<Vec<_>>()
    );
    let _ = stop_tx.send(());
    let _ = server.await;
    db.close().await;
    if let Some((admin_url, name)) = pg {
        let admin = Db::connect(&admin_url).await.expect("PostgreSQL reachable");
        let _ = admin.drop_database(&name).await;
        admin.close().await;
    }
}
