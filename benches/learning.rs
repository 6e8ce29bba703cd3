//! Learners benchmark (issue 9 §7). A province of residents is seeded, 2,000 of them get a learner
//! account, and concurrent HTTP clients play them against one real server: each learner enrols in
//! a shipped course, then reads every lesson and marks it done, in order. Reports the lesson page's
//! latency, the completions stored per second, the errors (there must be none) and the gzip
//! weight of every learner page.
//!
//!   cargo bench --bench learning -- [--learners N] [--clients C] [--backend sqlite|postgres|both]
//!                                   [--audio off|premade|during]
//!
//! Lesson audio (eSpeak NG, seconds of CPU per lesson) is made by the job runner when a lesson is
//! first opened. `--audio during` measures that as it happens: on this 2-core machine one core
//! reads lessons aloud for the whole measured phase. `--audio premade` opens every lesson once
//! before the learners come and waits for the audio jobs to finish (minutes): the learners get
//! pages with audio, the job runner is idle. `--audio off` (the default) starts the server without
//! lesson audio: the job runner is idle, and a lesson page costs the same statements as one whose
//! audio is made (the audio row is read with the text either way).
//!
//! The server runs on the main runtime (a worker per core); the clients on a runtime of their own
//! with one thread, so their tasks never queue in front of the server's.
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

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum AudioMode {
    Off,
    Premade,
    During,
}

struct Args {
    learners: usize,
    clients: usize,
    backends: Vec<&'static str>,
    audio: AudioMode,
}

fn args() -> Args {
    let mut a = Args {
        learners: 2000,
        clients: 16,
        backends: vec!["sqlite", "postgres"],
        audio: AudioMode::Off,
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
            "--audio" => {
                a.audio = match v.get(i + 1).map(String::as_str) {
                    Some("off") => AudioMode::Off,
                    Some("premade") => AudioMode::Premade,
                    Some("during") => AudioMode::During,
                    other => panic!("--audio off|premade|during, not {other:?}"),
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
    println!(
        "\n=== {backend}: {} learners, {} clients, audio {:?} ===",
        a.learners, a.clients, a.audio
    );
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
            "HOCVUSO_LESSON_AUDIO".to_string(),
            (a.audio != AudioMode::Off).to_string(),
        ),
        (
            "HOCVUSO_CONFIG".to_string(),
            dir.path().join("none.toml").display().to_string(),
        ),
    ];
    let config = Config::from_vars(&vars).expect("config");
    let app = Application::build(config).await.expect("app");
    let db = app.state().db.clone();
    let vault = app.state().vault.clone();
    let use_cases = app.state().app.clone();
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

    if a.audio == AudioMode::Premade {
        premake_audio(&use_cases, &courses).await;
    }

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
    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("bench-clients")
        .enable_all()
        .build()
        .expect("the clients' runtime");
    let sent_before = db.statements_sent();
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..a.clients {
        let (learners, courses, next, base) = (learners.clone(), courses.clone(), next.clone(), base.clone());
        tasks.push(clients.spawn(async move {
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
    let sent = db.statements_sent() - sent_before;
    clients.shutdown_background();
    let stored = hocvuso_db::learning::statements_count(&db).await.unwrap();
    let requests = pages.len() + done.len() + learners.len();
    println!(
        "SQL STATEMENTS in the measured phase: {sent} for {requests} requests (enrol, lesson, done) = {:.1} per request",
        sent as f64 / requests.max(1) as f64
    );
    println!("RENDERED LESSON HTML CACHE: {:?}", use_cases.rendered.stats());
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

/// Opens every lesson of every shipped course once (anonymously: nothing recorded), which asks
/// the job runner for its audio, then waits until no audio job is queued or running.
async fn premake_audio(app: &hocvuso_app::App, courses: &[(hocvuso_core::learning::Course, String)]) {
    let t = Instant::now();
    let lang = hocvuso_core::learning::ContentLang::Vi;
    for (c, _) in courses {
        for l in c.modules.iter().flat_map(|m| &m.lessons) {
            hocvuso_app::learning::lesson(app, None, &c.slug, &l.slug, lang)
                .await
                .expect("a shipped lesson opens");
        }
    }
    let deadline = Instant::now() + std::time::Duration::from_secs(3600);
    loop {
        let jobs = hocvuso_db::jobs::of_kind(&app.db, "lesson.audio").await.expect("jobs");
        let waiting = jobs
            .iter()
            .filter(|j| {
                matches!(
                    j.status,
                    hocvuso_db::jobs::Status::Queued | hocvuso_db::jobs::Status::Running
                )
            })
            .count();
        if waiting == 0 {
            let failed = jobs
                .iter()
                .filter(|j| j.status == hocvuso_db::jobs::Status::Failed)
                .count();
            println!(
                "audio: {} lesson audio jobs done ({failed} failed) in {:.0}s",
                jobs.len(),
                t.elapsed().as_secs_f64()
            );
            return;
        }
        assert!(
            Instant::now() < deadline,
            "audio not made within an hour: {waiting} jobs waiting"
        );
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
}
