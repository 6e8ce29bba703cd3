//! Final assessment benchmark (issue 10 §6). A province of residents is seeded, 3,000 adults of
//! the groups the starter banks cover (resident, worker, public staff) get a learner account, and
//! they take the final assessment against one real server over HTTP:
//!
//! 1. the 3,000 starts are spread evenly over one minute; each learner then opens every question
//!    page and saves its answer, one by one, in order (nine learners in ten answer right, the
//!    tenth answers wrong and fails);
//! 2. when every answer is saved, all 3,000 submit at once — the end of an exam session: scoring,
//!    and on a pass the attainment and the certificate in the same transaction;
//! 3. the server stopped, the issued certificates are printed (one PDF at a time, then one PDF
//!    of 500) and signed as credentials.
//!
//! At most C requests are in flight at any time (`--clients`, a fair semaphore: a request waits
//! its turn behind the others, and its latency is timed from when it is sent).
//!
//!   cargo bench --bench assessment -- [--learners 3000] [--clients C] [--backend sqlite|postgres|both]
//!                                     [--spread SECONDS]
//!
//! The bench reads each attempt's answer key from the database (as tests/it/assessment.rs does) to
//! answer right; those reads are the harness, not a learner's request, and are not timed.
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
use hocvuso_core::assessment::{Body, Item, Response};
use hocvuso_core::people::TargetGroup;
use hocvuso_db::Db;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

struct Args {
    learners: usize,
    clients: usize,
    backends: Vec<&'static str>,
    spread: f64,
}

fn args() -> Args {
    let mut a = Args {
        learners: 3000,
        clients: 16,
        backends: vec!["sqlite", "postgres"],
        spread: 60.0,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < v.len() {
        match v[i].as_str() {
            "--learners" => a.learners = v.get(i + 1).and_then(|s| s.parse().ok()).expect("--learners N"),
            "--clients" => a.clients = v.get(i + 1).and_then(|s| s.parse().ok()).expect("--clients C"),
            "--spread" => a.spread = v.get(i + 1).and_then(|s| s.parse().ok()).expect("--spread SECONDS"),
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
    assert!(a.clients > 0, "--clients must be at least 1");
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

/// The form fields that answer an item as shown with `seed`: its key, or a wrong answer (the
/// same rule as tests/it/assessment.rs `answer_fields`).
fn answer_fields(item: &Item, seed: u64, right: bool) -> Vec<(String, String)> {
    let Some(key) = item.key(seed) else {
        return Vec::new();
    };
    let choice = |v: String| ("choice".to_string(), v);
    match (key, &item.body) {
        (Response::One(k), Body::SingleChoice { options, .. }) => {
            vec![choice(if right { k } else { k % options + 1 }.to_string())]
        }
        (Response::Several(set), Body::MultipleChoice { options, .. }) => {
            let chosen: Vec<usize> = if right {
                set.iter().copied().collect()
            } else {
                (1..=*options).filter(|p| !set.contains(p)).collect()
            };
            chosen.into_iter().map(|p| choice(p.to_string())).collect()
        }
        (Response::Truth(b), _) => vec![choice((b == right).to_string())],
        (Response::Sequence(mut seq), _) => {
            if !right && seq.len() > 1 {
                seq.swap(0, 1);
            }
            seq.iter()
                .enumerate()
                .map(|(i, p)| (format!("step{}", i + 1), p.to_string()))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// What one learner's journey measured.
#[derive(Default)]
struct Timings {
    starts: Vec<Duration>,
    pages: Vec<Duration>,
    saves: Vec<Duration>,
    /// When the start returned, from the beginning of the phase.
    started_at: Vec<Duration>,
    errors: Vec<String>,
}

impl Timings {
    fn extend(&mut self, o: Timings) {
        self.starts.extend(o.starts);
        self.pages.extend(o.pages);
        self.saves.extend(o.saves);
        self.started_at.extend(o.started_at);
        self.errors.extend(o.errors);
    }
}

async fn run(backend: &str, a: &Args) {
    println!(
        "\n=== {backend}: {} learners, {} clients, starts over {}s ===",
        a.learners, a.clients, a.spread
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut pg = None;
    let url = if backend == "sqlite" {
        format!("sqlite://{}", dir.path().join("bench.db").display())
    } else {
        let admin_url =
            std::env::var("HOCVUSO_BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let admin = Db::connect(&admin_url).await.expect("PostgreSQL reachable");
        let name = format!("hvassess_{}", std::process::id());
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
        ("HOCVUSO_LESSON_AUDIO".to_string(), "false".to_string()),
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
    // About half the demo's residents are adults outside school; four per learner leaves room.
    hocvuso_db::demo::seed(
        &db,
        &vault,
        &hocvuso_db::demo::Options {
            province_code: "19".into(),
            people: (a.learners as u64) * 4,
            villages_per_commune: (2, 3),
            seed: 11,
            today,
            accounts: false,
        },
    )
    .await
    .expect("seed");
    // Learners: residents in a group the starter banks cover, with an account and a session each
    // (signing in through argon2 3,000 times would measure the password hash, not the test).
    let province = hocvuso_db::units::by_code(&db, "19").await.unwrap().unwrap();
    let scope = hocvuso_core::access::Principal::system("bench")
        .authorize::<hocvuso_core::access::act::ViewPeople>(&province.path)
        .expect("the platform sees everyone");
    let covered = [TargetGroup::Resident, TargetGroup::Worker, TargetGroup::PublicStaff];
    let mut ids = Vec::new();
    let mut by_group = std::collections::BTreeMap::<&'static str, usize>::new();
    let mut cursor = None;
    'pages: while ids.len() < a.learners {
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
        for p in &page.people {
            let w = hocvuso_db::people::whereabouts(&db, p.id)
                .await
                .expect("whereabouts")
                .expect("the person exists");
            // The server takes the learner's first group; it must be one with a bank.
            if let Some(g) = w.groups.iter().next()
                && covered.contains(&g)
            {
                ids.push(p.id);
                *by_group.entry(g.as_str()).or_default() += 1;
                if ids.len() == a.learners {
                    break 'pages;
                }
            }
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(ids.len(), a.learners, "enough adult residents seeded");
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
        "setup: {} learners ({by_group:?}) in {:.1}s",
        learners.len(),
        t.elapsed().as_secs_f64()
    );

    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stop_rx.await;
    }));
    let main_rt = tokio::runtime::Handle::current();

    // Phase 1: the starts over one minute, then every question opened and answered.
    let learners = Arc::new(learners);
    let gate = Arc::new(Semaphore::new(a.clients));
    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("bench-clients")
        .enable_all()
        .build()
        .expect("the clients' runtime");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(a.clients)
        .build()
        .unwrap();
    let sent_before = db.statements_sent();
    let t0 = Instant::now();
    let n = learners.len();
    let mut tasks = Vec::new();
    for i in 0..n {
        let (learners, gate, base, http, db, main_rt) = (
            learners.clone(),
            gate.clone(),
            base.clone(),
            http.clone(),
            db.clone(),
            main_rt.clone(),
        );
        let at = t0 + Duration::from_secs_f64(a.spread * i as f64 / n as f64);
        tasks.push(clients.spawn(async move {
            tokio::time::sleep_until(at.into()).await;
            let l = &learners[i];
            let right = i % 10 != 9;
            let mut m = Timings::default();
            let post = |path: String, fields: Vec<(String, String)>| {
                let mut form = vec![("_csrf".to_string(), l.csrf.clone())];
                form.extend(fields);
                http.post(format!("{base}{path}"))
                    .header("cookie", &l.cookie)
                    .form(&form)
                    .send()
            };
            let permit = gate.acquire().await.expect("the gate stays open");
            let s = Instant::now();
            let r = post("/tests/final".into(), Vec::new()).await;
            let id = match r {
                Ok(r) if r.status() == 303 => {
                    m.starts.push(s.elapsed());
                    m.started_at.push(t0.elapsed());
                    let to = r
                        .headers()
                        .get("location")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    to.strip_prefix("/tests/attempt/")
                        .and_then(|s| s.strip_suffix("/1"))
                        .map(str::to_string)
                }
                Ok(r) => {
                    let status = r.status();
                    let body = r.text().await.unwrap_or_default();
                    m.errors.push(format!(
                        "start: {status} {}",
                        body.chars().take(300).collect::<String>()
                    ));
                    None
                }
                Err(e) => {
                    m.errors.push(format!("start: {e}"));
                    None
                }
            };
            drop(permit);
            let Some(id) = id else {
                return (m, None);
            };
            // The harness reads the key (untimed), on the server's runtime where the pool lives.
            let items = {
                let (db, id) = (db.clone(), id.clone());
                main_rt
                    .spawn(async move {
                        let at = hocvuso_db::attempts::by_public_id(&db, &id).await?;
                        match at {
                            Some(at) => hocvuso_db::attempts::items(&db, at.id).await,
                            None => Ok(Vec::new()),
                        }
                    })
                    .await
            };
            let items = match items {
                Ok(Ok(items)) if !items.is_empty() => items,
                other => {
                    m.errors.push(format!("attempt {id}: no items ({:?})", other.err()));
                    return (m, None);
                }
            };
            for it in &items {
                let page = format!("/tests/attempt/{id}/{}", it.position);
                let permit = gate.acquire().await.expect("the gate stays open");
                let s = Instant::now();
                let r = http
                    .get(format!("{base}{page}"))
                    .header("cookie", &l.cookie)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                        m.pages.push(s.elapsed());
                    }
                    Ok(r) => m.errors.push(format!("{page}: {}", r.status())),
                    Err(e) => m.errors.push(format!("{page}: {e}")),
                }
                drop(permit);
                let fields = answer_fields(&it.document, it.seed as u64, right);
                let permit = gate.acquire().await.expect("the gate stays open");
                let s = Instant::now();
                match post(page.clone(), fields).await {
                    Ok(r) if r.status() == 303 => m.saves.push(s.elapsed()),
                    Ok(r) => {
                        let status = r.status();
                        let body = r.text().await.unwrap_or_default();
                        m.errors.push(format!(
                            "save {page}: {status} {}",
                            body.chars().take(300).collect::<String>()
                        ));
                    }
                    Err(e) => m.errors.push(format!("save {page}: {e}")),
                }
                drop(permit);
            }
            (m, Some((i, id)))
        }));
    }
    let mut phase1 = Timings::default();
    let mut attempts = Vec::new();
    for t in tasks {
        let (m, id) = t.await.unwrap();
        phase1.extend(m);
        if let Some(a) = id {
            attempts.push(a);
        }
    }
    let secs1 = t0.elapsed().as_secs_f64();
    let sent1 = db.statements_sent() - sent_before;
    let last_start = phase1.started_at.iter().max().copied().unwrap_or_default();

    // Phase 2: every learner submits at once (at most C in flight).
    let sent_before = db.statements_sent();
    let t2 = Instant::now();
    let mut tasks = Vec::new();
    for (idx, id) in &attempts {
        let idx = *idx;
        let (learners, gate, base, http, id) = (learners.clone(), gate.clone(), base.clone(), http.clone(), id.clone());
        tasks.push(clients.spawn(async move {
            let l = &learners[idx];
            let _permit = gate.acquire().await.expect("the gate stays open");
            let s = Instant::now();
            let r = http
                .post(format!("{base}/tests/attempt/{id}/submit"))
                .header("cookie", &l.cookie)
                .form(&[("_csrf", l.csrf.as_str())])
                .send()
                .await;
            match r {
                Ok(r) if r.status() == 303 => Ok(s.elapsed()),
                Ok(r) => Err(format!("submit {id}: {}", r.status())),
                Err(e) => Err(format!("submit {id}: {e}")),
            }
        }));
    }
    let (mut submits, mut errors2) = (Vec::new(), Vec::new());
    for t in tasks {
        match t.await.unwrap() {
            Ok(d) => submits.push(d),
            Err(e) => errors2.push(e),
        }
    }
    let secs2 = t2.elapsed().as_secs_f64();
    let sent2 = db.statements_sent() - sent_before;
    clients.shutdown_background();

    // What was stored.
    let certs = hocvuso_db::attainments::certificates_in_scope(&db, &scope, (n as u64) * 2)
        .await
        .expect("certificates");
    let confirmed = hocvuso_db::attainments::confirmed_in_subtree(&db, &province.path)
        .await
        .expect("attainments");
    let confirmed: i64 = confirmed.iter().map(|(_, k)| k).sum();

    // The server stops (and closes the pool): the certificates below are printed on a free machine.
    let _ = stop_tx.send(());
    let _ = server.await;

    let starts = phase1.starts.len();
    println!(
        "PHASE 1 (start + every question): {secs1:.1}s; last attempt started at {:.1}s; {} requests, {sent1} SQL statements = {:.1} per request",
        last_start.as_secs_f64(),
        starts + phase1.pages.len() + phase1.saves.len(),
        sent1 as f64 / (starts + phase1.pages.len() + phase1.saves.len()).max(1) as f64
    );
    println!(
        "ATTEMPT START (POST /tests/final): {} — target p95 < 50 ms",
        summary(phase1.starts)
    );
    println!(
        "ANSWER SAVE (POST a question): {} — target p95 < 50 ms",
        summary(phase1.saves.clone())
    );
    println!("QUESTION PAGE (GET): {}", summary(phase1.pages));
    println!(
        "ANSWERS SAVED: {} in {secs1:.1}s = {:.0}/s",
        phase1.saves.len(),
        phase1.saves.len() as f64 / secs1
    );
    println!(
        "SUBMISSIONS (scoring; on a pass attainment + certificate): {} in {secs2:.2}s = {:.0}/s; {sent2} SQL statements = {:.1} per submission; POST {}",
        submits.len(),
        submits.len() as f64 / secs2,
        sent2 as f64 / submits.len().max(1) as f64,
        summary(submits)
    );
    println!(
        "STORED: {confirmed} attainments confirmed, {} certificates",
        certs.len()
    );
    let errors: Vec<String> = phase1.errors.into_iter().chain(errors2).collect();
    println!(
        "ERRORS: {} {:?}",
        errors.len(),
        errors.iter().take(5).collect::<Vec<_>>()
    );

    // Certificates printed and signed, the server stopped (all of the machine's cores free).
    let printed: Vec<hocvuso_core::certificate::Certificate> = certs
        .iter()
        .map(|c| hocvuso_app::assessment::certificate::printed(&use_cases, c).expect("a stored code parses"))
        .collect();
    if !printed.is_empty() {
        let one_by_one = printed.len().min(200);
        let t = Instant::now();
        let mut bytes = 0;
        let mut each = Vec::new();
        for c in &printed[..one_by_one] {
            let s = Instant::now();
            bytes += hocvuso_core::certificate::pdf::render(std::slice::from_ref(c))
                .expect("a certificate renders")
                .len();
            each.push(s.elapsed());
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "PDF one at a time: {one_by_one} in {secs:.2}s = {:.1}/s, {} B each on average; {}",
            one_by_one as f64 / secs,
            bytes / one_by_one,
            summary(each)
        );
        let batch = printed.len().min(500);
        let t = Instant::now();
        let pdf = hocvuso_core::certificate::pdf::render(&printed[..batch]).expect("the batch renders");
        let secs = t.elapsed().as_secs_f64();
        println!(
            "PDF batch: {batch} certificates in one PDF in {secs:.2}s = {:.1}/s, {} B",
            batch as f64 / secs,
            pdf.len()
        );
        let issuer = hocvuso_app::assessment::certificate::issuer(&use_cases).expect("issuer");
        let key = use_cases
            .credential_key
            .clone()
            .expect("the server has a credential key");
        let status_base = hocvuso_app::assessment::certificate::status_base(&use_cases);
        let t = Instant::now();
        let mut vc_bytes = 0;
        for (c, stored) in printed.iter().zip(&certs) {
            let status = hocvuso_core::certificate::credential::StatusEntry::nth(&status_base, stored.id as u64);
            let vc = hocvuso_core::certificate::credential::issue(c, &issuer, &key, status).expect("signed");
            vc_bytes += vc.to_string().len();
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "CREDENTIALS signed: {} in {secs:.2}s = {:.0}/s, {} B each on average",
            printed.len(),
            printed.len() as f64 / secs,
            vc_bytes / printed.len()
        );
    }

    db.close().await;
    if let Some((admin_url, name)) = pg {
        let admin = Db::connect(&admin_url).await.expect("PostgreSQL reachable");
        let _ = admin.drop_database(&name).await;
        admin.close().await;
    }
}
