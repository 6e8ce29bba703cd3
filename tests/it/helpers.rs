//! Test harness: every test gets the real application on a random port with its own database — a
//! temporary SQLite file, or a fresh PostgreSQL database created here and dropped at the end. A
//! PostgreSQL server that cannot be reached is a failure, never a skip.

use hocvuso::{Application, Config};
use hocvuso_core::crypto::PidVault;
use hocvuso_db::{Db, demo};
use reqwest::redirect::Policy;
use std::sync::Arc;
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend: `both!(name, body_fn)`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$body($crate::helpers::Backend::Postgres).await
            }
        }
    };
}

pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn pg_admin_url() -> String {
    std::env::var("HOCVUSO_TEST_PG").unwrap_or_else(|_| PG_ADMIN_URL.to_string())
}

pub struct TestApp {
    pub addr: String,
    pub db: Db,
    pub vault: Arc<PidVault>,
    /// The use cases as the server runs them (its `jobs` wakes the server's job runner).
    server_app: hocvuso_app::App,
    pub dir: tempfile::TempDir,
    pg_db: Option<String>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

pub struct Options {
    /// Seed the small test province (accounts for every role, a few hundred people).
    pub seed: bool,
    pub people: u64,
    pub max_upload_mb: Option<usize>,
    /// More configuration variables (`HOCVUSO_BEHIND_TLS`, `HOCVUSO_METRICS_TOKEN`…).
    pub vars: Vec<(&'static str, String)>,
}

impl Options {
    /// The server runs no background job (`HOCVUSO_JOBS=false`): the test runs them itself, as a
    /// process that dies, restarts or runs beside the server would.
    pub fn without_jobs() -> Options {
        Options {
            vars: vec![("HOCVUSO_JOBS", "false".to_string())],
            ..Default::default()
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: true,
            people: 300,
            max_upload_mb: None,
            vars: Vec::new(),
        }
    }
}

/// Captures the application's tracing output at every level (trace included) while it lives,
/// whatever `TEST_LOG` says for the console. Tests run in parallel in one process, so the capture
/// also holds other tests' events: fine for a search of what must never be logged.
pub struct LogCapture {
    buf: Arc<std::sync::Mutex<String>>,
}

static CAPTURES: std::sync::Mutex<Vec<std::sync::Weak<std::sync::Mutex<String>>>> = std::sync::Mutex::new(Vec::new());
static CAPTURING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl LogCapture {
    pub fn start() -> LogCapture {
        init_tracing();
        let buf = Arc::new(std::sync::Mutex::new(String::new()));
        if let Ok(mut c) = CAPTURES.lock() {
            c.push(Arc::downgrade(&buf));
        }
        CAPTURING.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        LogCapture { buf }
    }

    pub fn text(&self) -> String {
        self.buf.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

impl Drop for LogCapture {
    fn drop(&mut self) {
        CAPTURING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Writes every event and span (message and fields, as the formatter would show them) to the live
/// captures.
struct CaptureLayer;

struct Fields<'a>(&'a mut String);
impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        use std::fmt::Write;
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

fn capture(line: String) {
    if let Ok(mut c) = CAPTURES.lock() {
        c.retain(|w| w.strong_count() > 0);
        for w in c.iter() {
            if let Some(b) = w.upgrade()
                && let Ok(mut b) = b.lock()
            {
                b.push_str(&line);
                b.push('\n');
            }
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CaptureLayer {
    fn register_callsite(&self, _: &'static tracing::Metadata<'static>) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }
    fn enabled(&self, _: &tracing::Metadata<'_>, _: tracing_subscriber::layer::Context<'_, S>) -> bool {
        CAPTURING.load(std::sync::atomic::Ordering::SeqCst) > 0
    }
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let m = event.metadata();
        let mut line = format!("{} {}:", m.level(), m.target());
        event.record(&mut Fields(&mut line));
        capture(line);
    }
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut line = format!("span {}:", attrs.metadata().name());
        attrs.record(&mut Fields(&mut line));
        capture(line);
    }
}

/// The console output (`TEST_LOG`, errors only by default) and the capture layer, once per process.
fn init_tracing() {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let console = tracing_subscriber::fmt::layer().with_test_writer().with_filter(
        tracing_subscriber::EnvFilter::try_from_env("TEST_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
    );
    let _ = tracing_subscriber::registry()
        .with(console)
        .with(CaptureLayer)
        .try_init();
}

pub async fn create_pg_database() -> (String, String) {
    let name = format!(
        "hvtest_{}",
        hocvuso_core::crypto::random_token()
            .to_lowercase()
            .replace(['-', '_'], "")
            .chars()
            .take(16)
            .collect::<String>()
    );
    let admin = Db::connect(&pg_admin_url()).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is required for the tests and is not reachable at {}: {e}",
            pg_admin_url()
        )
    });
    admin.create_database(&name).await.expect("create test database");
    admin.close().await;
    let base = pg_admin_url();
    let url = format!("{}/{}", base.rsplit_once('/').map(|(a, _)| a).unwrap_or(&base), name);
    (name, url)
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, Options::default()).await
    }

    pub async fn spawn_with(backend: Backend, opts: Options) -> TestApp {
        init_tracing();
        let dir = tempfile::tempdir().expect("temp dir");
        let (pg_db, url) = match backend {
            Backend::Sqlite => (None, format!("sqlite://{}", dir.path().join("test.db").display())),
            Backend::Postgres => {
                let (name, url) = create_pg_database().await;
                (Some(name), url)
            }
        };
        let mut vars = vec![
            ("HOCVUSO_DATA_DIR".to_string(), dir.path().display().to_string()),
            ("HOCVUSO_ADDR".to_string(), "127.0.0.1:0".to_string()),
            ("DATABASE_URL".to_string(), url),
            ("HOCVUSO_DEMO".to_string(), "false".to_string()),
            // Lesson audio costs seconds of CPU per lesson: on only in the tests about it
            // (`learning::audio`, the browser's learner path), which set it in `vars`.
            ("HOCVUSO_LESSON_AUDIO".to_string(), "false".to_string()),
            (
                "HOCVUSO_CONFIG".to_string(),
                dir.path().join("none.toml").display().to_string(),
            ),
        ];
        std::fs::write(dir.path().join("none.toml"), "").expect("config file");
        if let Some(mb) = opts.max_upload_mb {
            vars.push(("HOCVUSO_MAX_UPLOAD_MB".to_string(), mb.to_string()));
        }
        vars.extend(opts.vars.iter().map(|(k, v)| (k.to_string(), v.clone())));
        let config = Config::from_vars(&vars).expect("config");
        let app = Application::build(config.clone()).await.expect("application starts");
        let state = app.state().clone();
        let db = state.db.clone();
        let vault = state.vault.clone();
        let server_app = state.app.clone();
        if opts.seed {
            let today = time::OffsetDateTime::now_utc().date();
            let o = demo::Options {
                province_code: "19".into(),
                people: opts.people,
                villages_per_commune: (2, 3),
                seed: 7,
                today,
                accounts: true,
            };
            demo::seed(&db, &vault, &o).await.expect("seed test data");
        }
        let addr = format!("http://127.0.0.1:{}", app.port());
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            db,
            vault,
            server_app,
            dir,
            pg_db,
            stop: Some(tx),
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.addr, path)
    }

    /// Where uploads and staged rows wait.
    pub fn upload_dir(&self) -> std::path::PathBuf {
        self.server_app.upload_dir.clone()
    }

    /// A browser-like client: cookies kept, redirects not followed (so tests see them).
    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .expect("client"),
            base: self.addr.clone(),
        }
    }

    /// Signs in as one of the seeded accounts (see `demo::LOGINS`).
    pub async fn login(&self, phone: &str) -> Client {
        let c = self.client();
        let r = c.login(phone, &demo::password_for(phone)).await;
        assert_eq!(
            r.status(),
            303,
            "login of {phone} failed: {}",
            r.text().await.unwrap_or_default()
        );
        c
    }

    /// Stops the real server and puts `task` where the server's task was, so that the harness's
    /// own test (`harness.rs`) can check what [`TestApp::finish`] makes of a server that failed.
    pub async fn replace_server_task(&mut self, task: tokio::task::JoinHandle<std::io::Result<()>>) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.server.take() {
            h.await
                .expect("the real server's task")
                .expect("the real server stopped cleanly");
        }
        self.server = Some(task);
    }

    /// Stops the server (gracefully) and drops a PostgreSQL test database.
    pub async fn finish(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.server.take() {
            // A server that failed or panicked fails the test, even if every request passed.
            match h.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => panic!("the server stopped with an error: {e}"),
                Err(e) => panic!("the server task failed: {e}"),
            }
        }
        self.db.close().await;
        if let Some(name) = self.pg_db.take()
            && let Ok(admin) = Db::connect(&pg_admin_url()).await
        {
            let _ = admin.drop_database(&name).await;
            admin.close().await;
        }
    }
}

/// A test that panics never reaches `finish`: its PostgreSQL database is dropped here instead, on a
/// thread of its own because the test's runtime is unwinding.
impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = self.pg_db.take() {
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(admin) = Db::connect(&pg_admin_url()).await {
                        let _ = admin.drop_database(&name).await;
                        admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A GET, retried once on a connection the server closed while it sat in the pool (after a
    /// refused oversized upload the server closes the connection; browsers retry idempotent
    /// requests the same way).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        match self.http.get(self.url(path)).send().await {
            Ok(r) => r,
            Err(e) if e.is_request() => self.http.get(self.url(path)).send().await.expect("request (retried)"),
            Err(e) => panic!("request: {e}"),
        }
    }

    pub async fn text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let s = r.status().as_u16();
        (s, r.text().await.unwrap_or_default())
    }

    /// The CSRF token embedded in a page's forms.
    pub async fn csrf(&self, path: &str) -> String {
        let (_, body) = self.text(path).await;
        extract_csrf(&body).unwrap_or_else(|| panic!("no CSRF token on {path}"))
    }

    /// Posts a form with the CSRF token taken from `page`.
    pub async fn post_form(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf(page).await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.http.post(self.url(action)).form(&all).send().await.expect("post")
    }

    pub async fn login(&self, login: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/login",
            "/login",
            &[("login", login), ("password", password), ("next", "/")],
        )
        .await
    }
}

pub fn extract_csrf(body: &str) -> Option<String> {
    let i = body.find("name=\"_csrf\" value=\"")?;
    let rest = &body[i + 20..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The commune of the first officer (0900000005) and of the second (0900000006).
pub async fn officer_units(app: &TestApp) -> (hocvuso_db::units::Unit, hocvuso_db::units::Unit) {
    let grants = |phone: &'static str| async move {
        let a = hocvuso_db::accounts::by_phone(&app.db, phone).await.unwrap().unwrap();
        let g = hocvuso_db::accounts::grants(&app.db, a.id).await.unwrap();
        hocvuso_db::units::get(&app.db, g[0].unit_id).await.unwrap().unwrap()
    };
    (grants("0900000005").await, grants("0900000006").await)
}

/// A scope over `path` as the platform itself holds it, for tests that read storage directly.
pub fn sees<A: hocvuso_core::access::Act>(path: &str) -> hocvuso_core::access::Scope<A> {
    hocvuso_core::access::Principal::system("test")
        .authorize::<A>(path)
        .expect("the platform may do everything")
}

impl TestApp {
    /// The use cases over this app's database, as the server runs them.
    pub fn app(&self) -> hocvuso_app::App {
        self.server_app.clone()
    }
}

/// The platform acting on its own (as the command line does): every right everywhere.
pub fn platform() -> hocvuso_core::access::Principal {
    hocvuso_core::access::Principal::system("test")
}

/// The principal of a seeded account as a request would carry it (its grants now).
pub async fn principal(app: &TestApp, phone: &str) -> hocvuso_core::access::Principal {
    let account = hocvuso_db::accounts::by_phone(&app.db, phone)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no account {phone}"));
    let roles = hocvuso_db::accounts::grants(&app.db, account.id)
        .await
        .unwrap()
        .into_iter()
        .map(|g| hocvuso_core::access::RoleOn {
            role: g.role,
            unit_path: g.unit_path,
        })
        .collect();
    hocvuso_core::access::Principal::account(account.id, &account.display_name, "test", roles)
        .for_person(account.person_id)
}

/// The system administrator of the seeded province (account 1), as a request would carry it.
pub async fn admin(app: &TestApp) -> hocvuso_core::access::Principal {
    let p = principal(app, "0900000001").await;
    assert_eq!(p.account_id, Some(1));
    p
}

/// Uploads a people list through the unit's import page as `c` (the browser's form, CSRF token
/// included) and returns the response: a redirect to the import's page when accepted.
pub async fn upload_list(c: &Client, unit_code: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let page = format!("/units/{unit_code}/import");
    let token = c.csrf(&page).await;
    let form = reqwest::multipart::Form::new().text("_csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    c.http.post(c.url(&page)).multipart(form).send().await.expect("upload")
}

/// The import id an accepted upload redirected to.
pub fn import_id(r: &reqwest::Response) -> i64 {
    r.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no import id in the answer to an upload ({})", r.status()))
}

/// [`upload_list`], which must be accepted; returns the import id.
pub async fn upload_import(c: &Client, unit_code: &str, name: &str, bytes: Vec<u8>) -> i64 {
    let r = upload_list(c, unit_code, name, bytes).await;
    assert_eq!(r.status(), 303, "upload refused");
    import_id(&r)
}

/// Waits (at most a minute) until the import is neither being checked nor applied.
pub async fn wait_import(app: &TestApp, id: i64) -> hocvuso_db::imports::Job {
    use hocvuso_db::imports::{self, Status};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let j = imports::get(&app.db, id).await.unwrap().unwrap();
        if !matches!(j.status(), Status::Checking | Status::Applying) {
            return j;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "import {id} did not finish: {j:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Every province, commune and village's total kept by the triggers of `people_counts` equals a
/// count of its people (the totals above lists are read from the kept counts).
pub async fn kept_counts_match(db: &hocvuso_db::Db) {
    use hocvuso_core::units::Level;
    for level in [Level::Country, Level::Province, Level::Commune, Level::Village] {
        for u in hocvuso_db::units::by_level(db, level).await.unwrap() {
            let kept = hocvuso_db::people::count_scope(db, &sees::<hocvuso_core::access::act::ViewPeople>(&u.path))
                .await
                .unwrap();
            let counted = hocvuso_db::people::count_in(db, &u.path).await.unwrap();
            assert_eq!(
                kept, counted,
                "kept total of {} ({}) against its people",
                u.name, u.path
            );
        }
    }
}
