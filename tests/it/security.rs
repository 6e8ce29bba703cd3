//! Issue 7, sections 4 and 7: personal ID numbers never at rest or in logs in plain text, the keyed
//! audit chain and its checkpoints, sessions and API tokens, sign-in throttling that neither tells
//! which accounts exist nor locks anyone out, refusals of numbers held elsewhere, same-site
//! redirects, `Secure` cookies, private files and a closed `/metrics`.

use crate::both;
use crate::helpers::{Backend, Client, LogCapture, Options, TestApp, create_pg_database, officer_units, pg_admin_url};
use hocvuso_core::crypto::{AuditKey, MasterKey, sha256_hex};
use hocvuso_core::people::PersonForm;
use hocvuso_db::audit::{self, Actor, AuditRow, Entry, Filter};
use hocvuso_db::people::{self, Placement};
use hocvuso_db::sea_query::{Alias, Expr, ExprTrait, Query};
use hocvuso_db::units::Unit;
use hocvuso_db::{Db, Scalar, accounts};
use reqwest::redirect::Policy;
use std::time::{Duration, Instant};

/// A person registered straight in the database (the setting of a test, not what it checks).
pub async fn person_in(app: &TestApp, unit: &Unit, pid: &str, name: &str) -> i64 {
    let today = time::OffsetDateTime::now_utc().date();
    let input = PersonForm {
        full_name: name.into(),
        birth_date: "01/01/1990".into(),
        sex: "Nam".into(),
        personal_id: pid.into(),
        ..Default::default()
    }
    .validate(today)
    .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let id = people::insert(
        &mut tx,
        &app.vault,
        &input,
        &Placement {
            residence: unit,
            workplace_id: None,
            household_id: None,
        },
        None,
    )
    .await
    .unwrap();
    people::record_consent(&mut tx, id, people::ConsentMethod::Paper, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

fn alert(page: &str) -> String {
    page.split("role=\"alert\"")
        .nth(1)
        .and_then(|x| x.find("</div>").map(|e| x[..e].to_string()))
        .unwrap_or_else(|| panic!("no alert in the page: {page}"))
}

// ---------------------------------------------------------------------------------------------
// next= redirects

async fn next_stays_on_site(b: Backend) {
    let app = TestApp::spawn(b).await;
    let c = app.login("0900000005").await;
    let base = reqwest::Url::parse(&app.addr).unwrap();
    // As they arrive in the query string (percent-encoded as an attacker would send them).
    let hostile = [
        "//evil.example",
        "/%2F%2Fevil.example",
        "/%252F%252Fevil.example",
        "/%5Cevil.example",
        "/%5C%5Cevil.example",
        "%5C%5Cevil.example",
        "/%09/evil.example",
        "/%0a/",
        "/%0d%0aSet-Cookie:%20x=1",
        "/%00/evil.example",
        "/%2509/evil.example",
        "/%7F/evil.example",
        "https://evil.example/",
        "http:/evil.example",
        "%20//evil.example",
        "javascript:alert(1)",
        "/%E2%80%8B/evil.example",
    ];
    let check = |how: &str, raw: &str, r: &reqwest::Response| {
        assert_eq!(r.status(), 303, "{how} next={raw}");
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        assert!(
            loc.starts_with('/') && !loc.starts_with("//") && !loc.starts_with("/\\"),
            "{how} next={raw} → {loc:?}"
        );
        assert!(!loc.chars().any(|c| c.is_control()), "{how} next={raw} → {loc:?}");
        let to = base.join(&loc).unwrap();
        assert_eq!(
            to.host_str(),
            base.host_str(),
            "{how} next={raw} → {loc:?} leaves the site"
        );
    };
    for raw in hostile {
        let r = c.get(&format!("/login?next={raw}")).await;
        check("GET /login", raw, &r);
        let r = c.get(&format!("/lang/vi?next={raw}")).await;
        check("GET /lang", raw, &r);
        let r = c.get(&format!("/text-size/large?next={raw}")).await;
        check("GET /text-size", raw, &r);
    }
    // The sign-in form's own next field (form-decoded once).
    for raw in [
        "//evil.example",
        "/\t/evil.example",
        "/\\evil.example",
        "/\n/",
        "/\u{0}x",
    ] {
        let fresh = app.client();
        let r = fresh
            .post_form(
                "/login",
                "/login",
                &[("login", "0900000005"), ("password", "Demo@0005"), ("next", raw)],
            )
            .await;
        check("POST /login", raw, &r);
    }
    // A real same-site path, with a query, survives (non-ASCII percent-encoded).
    let r = c.get("/login?next=/units/19/people%3Fq%3DNguy%E1%BB%85n").await;
    assert_eq!(r.headers()["location"], "/units/19/people?q=Nguy%E1%BB%85n");
    app.finish().await;
}
both!(next_redirects, next_stays_on_site);

// ---------------------------------------------------------------------------------------------
// cookies, files, metrics

async fn cookies_secure_behind_tls(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            vars: vec![("HOCVUSO_BEHIND_TLS", "true".into())],
            ..Default::default()
        },
    )
    .await;
    let c = app.client();
    let mut seen = Vec::new();
    let mut collect = |r: &reqwest::Response| {
        for v in r.headers().get_all("set-cookie") {
            seen.push(v.to_str().unwrap().to_string());
        }
    };
    collect(&c.get("/login").await);
    collect(&c.get("/lang/en?next=/").await);
    collect(&c.login("0900000005", "Demo@0005").await);
    for name in ["hvs_csrf=", "lang=", "hvs_session="] {
        assert!(seen.iter().any(|s| s.starts_with(name)), "{name} not set: {seen:?}");
    }
    for s in &seen {
        assert!(
            s.split(';').any(|a| a.trim().eq_ignore_ascii_case("secure")),
            "cookie without Secure behind TLS: {s}"
        );
    }
    app.finish().await;
    // Without TLS the cookies work over plain HTTP (no Secure), as before.
    let app = TestApp::spawn(b).await;
    let r = app.client().get("/login").await;
    let c = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(!c.contains("Secure"), "{c}");
    app.finish().await;
}
both!(secure_cookies, cookies_secure_behind_tls);

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
async fn files_are_private(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    // An upload puts a file with plain personal data into the uploads folder.
    let page = format!("/units/{}/import", commune.code);
    let token = c.csrf(&page).await;
    let csv = "Họ và tên,Ngày sinh,Giới tính,Số định danh\nLò Văn Tư,01/01/1990,Nam,019090333001\n";
    let form = reqwest::multipart::Form::new().text("_csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("a.csv"),
    );
    let r = c.http.post(c.url(&page)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let dir = app.dir.path();
    assert_eq!(mode(&dir.join("secret.key")), 0o600, "secret key");
    let uploads = dir.join("uploads");
    assert_eq!(mode(&uploads), 0o700, "uploads folder");
    for e in std::fs::read_dir(&uploads).unwrap() {
        let p = e.unwrap().path();
        assert_eq!(mode(&p) & 0o077, 0, "{} is readable by others", p.display());
    }
    if b == Backend::Sqlite {
        for f in ["test.db", "test.db-wal", "test.db-shm"] {
            let p = dir.join(f);
            assert!(p.exists(), "{f} exists while the server runs");
            assert_eq!(mode(&p), 0o600, "{f}");
        }
    }
    app.finish().await;
}
#[cfg(unix)]
both!(private_files, files_are_private);

/// An older release left the database readable by everyone: the next start tightens it.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_database_file_is_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let db = Db::open_sqlite(&path).await.unwrap();
    db.migrate().await.unwrap();
    db.close().await;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let db = Db::open_sqlite(&path).await.unwrap();
    assert_eq!(mode(&path), 0o600);
    db.close().await;
}

async fn metrics_need_the_token(b: Backend) {
    let token = "metrics-token-of-the-test-0123456789";
    let app = TestApp::spawn_with(
        b,
        Options {
            seed: false,
            vars: vec![("HOCVUSO_METRICS_TOKEN", token.into())],
            ..Default::default()
        },
    )
    .await;
    let c = app.client();
    assert_eq!(c.get("/metrics").await.status(), 401);
    let wrong = c
        .http
        .get(c.url("/metrics"))
        .bearer_auth("metrics-token-of-the-test-012345678X")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = c.http.get(c.url("/metrics")).bearer_auth(token).send().await.unwrap();
    assert_eq!(right.status(), 200);
    assert!(right.text().await.unwrap().contains("hocvuso_http_requests_total"));
    // Health checks stay open for the load balancer.
    assert_eq!(c.get("/healthz").await.status(), 200);
    app.finish().await;
}
both!(metrics_token, metrics_need_the_token);

// ---------------------------------------------------------------------------------------------
// sessions and API tokens

/// Makes every deletion of a session fail (as a lost connection or a full disk would), until
/// [`sessions_can_end`].
async fn sessions_cannot_end(app: &TestApp, b: Backend) {
    let sql = match b {
        Backend::Sqlite => {
            "CREATE TRIGGER test_sessions_kept BEFORE DELETE ON sessions \
             BEGIN SELECT RAISE(ABORT, 'sessions cannot end'); END"
        }
        Backend::Postgres => {
            "CREATE FUNCTION test_sessions_kept() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'sessions cannot end'; END $$; \
             CREATE TRIGGER test_sessions_kept BEFORE DELETE ON sessions \
             FOR EACH ROW EXECUTE FUNCTION test_sessions_kept()"
        }
    };
    let mut tx = app.db.begin().await.unwrap();
    tx.execute_unchecked(sql).await.unwrap();
    tx.commit().await.unwrap();
}

async fn sessions_can_end(app: &TestApp, b: Backend) {
    let sql = match b {
        Backend::Sqlite => "DROP TRIGGER test_sessions_kept",
        Backend::Postgres => "DROP TRIGGER test_sessions_kept ON sessions",
    };
    let mut tx = app.db.begin().await.unwrap();
    tx.execute_unchecked(sql).await.unwrap();
    tx.commit().await.unwrap();
}

async fn password_hash(app: &TestApp, phone: &str) -> String {
    accounts::by_phone(&app.db, phone).await.unwrap().unwrap().password_hash
}

/// A password change, or a reset, ends the account's other sessions in the same transaction: if
/// they cannot be ended, the password is not changed either (a new password with an old
/// session still open elsewhere would be the state the change exists to prevent).
async fn password_change_ends_other_sessions(b: Backend) {
    let app = TestApp::spawn(b).await;
    let here = app.login("0900000005").await;
    let elsewhere = app.login("0900000005").await;
    assert_eq!(elsewhere.get("/me").await.status(), 200);
    // The seeded learner is a resident of the officer's commune, signed in somewhere.
    let learner = app.login("0900000008").await;
    let learner_person = accounts::by_phone(&app.db, "0900000008")
        .await
        .unwrap()
        .unwrap()
        .person_id
        .expect("the learner is a resident");
    let change = [
        ("current", "Demo@0005"),
        ("new", "mat-khau-moi-2026"),
        ("confirm", "mat-khau-moi-2026"),
    ];
    let reset = format!("/people/{learner_person}/reset-password");
    let (own_before, learner_before) = (
        password_hash(&app, "0900000005").await,
        password_hash(&app, "0900000008").await,
    );

    sessions_cannot_end(&app, b).await;
    let r = here.post_form("/account/password", "/account/password", &change).await;
    assert!(r.status().is_server_error(), "{}", r.status());
    let r = here.post_form(&reset, &reset, &[("confirm", "yes")]).await;
    assert!(r.status().is_server_error(), "{}", r.status());
    sessions_can_end(&app, b).await;
    assert_eq!(
        password_hash(&app, "0900000005").await,
        own_before,
        "changed, though the other session could not be ended"
    );
    assert_eq!(
        password_hash(&app, "0900000008").await,
        learner_before,
        "reset, though the resident's session could not be ended"
    );
    assert_eq!(elsewhere.get("/me").await.status(), 200);
    assert_eq!(learner.get("/me").await.status(), 200);

    // The officer resets the resident's password: the resident's session ends.
    let r = here.post_form(&reset, &reset, &[("confirm", "yes")]).await;
    assert_eq!(r.status(), 200);
    assert_ne!(password_hash(&app, "0900000008").await, learner_before);
    assert_eq!(learner.get("/me").await.status(), 303, "the resident's session ended");

    let r = here.post_form("/account/password", "/account/password", &change).await;
    assert_eq!(r.status(), 200);
    assert_eq!(here.get("/me").await.status(), 200, "the session that changed it stays");
    let r = elsewhere.get("/me").await;
    assert_eq!(r.status(), 303, "the other session ended");
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
    app.finish().await;
}
both!(password_change_sessions, password_change_ends_other_sessions);

fn token_from(page: &str) -> String {
    let i = page.find("hvs_").expect("new token shown once");
    page[i..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

fn token_ids(page: &str) -> Vec<String> {
    page.split("name=\"token_id\" value=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

async fn is_problem_401(c: &Client, path: &str, token: &str) {
    let r = c.http.get(c.url(path)).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
}

async fn api_tokens_listed_revoked_and_expiring(b: Backend) {
    let app = TestApp::spawn(b).await;
    // An API route that needs a signed-in viewer (the unit list is public).
    let api_path = format!("/api/v1/people?unit={}", officer_units(&app).await.0.code);
    let c = app.login("0900000005").await;
    let r = c.post_form("/me", "/me/tokens", &[("name", "phan-mem-bao-cao")]).await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    let token = token_from(&page);
    assert!(
        page.contains("phan-mem-bao-cao") && page.contains("Chưa dùng"),
        "listed, never used"
    );
    // Shown in Vietnam's time (UTC+7), as every time on the pages.
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(90))
        .to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap())
        .date();
    let shown = format!(
        "{:02}/{:02}/{}",
        expires.day(),
        u8::from(expires.month()),
        expires.year()
    );
    assert!(page.contains(&shown), "expiry in 90 days ({shown}) shown");
    let api = app.client();
    let r = api
        .http
        .get(api.url(&api_path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, page) = c.text("/me").await;
    assert!(!page.contains("Chưa dùng"), "last use recorded and shown");
    let ids = token_ids(&page);
    assert_eq!(ids.len(), 1);
    // Revoking needs the CSRF token…
    let r = c
        .http
        .post(c.url("/me/tokens/revoke"))
        .form(&[("token_id", ids[0].as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = api
        .http
        .get(api.url(&api_path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "still valid after a forged revoke");
    // …and someone else cannot revoke it.
    let other = app.login("0900000006").await;
    let r = other
        .post_form("/me", "/me/tokens/revoke", &[("token_id", &ids[0])])
        .await;
    assert_eq!(r.status(), 404);
    let r = c.post_form("/me", "/me/tokens/revoke", &[("token_id", &ids[0])]).await;
    assert_eq!(r.status(), 303);
    is_problem_401(&api, &api_path, &token).await;
    let (_, page) = c.text("/me").await;
    assert!(page.contains("Đã thu hồi"));
    // An expired token is refused the same way.
    let r = c.post_form("/me", "/me/tokens", &[("name", "het-han")]).await;
    let second = token_from(&r.text().await.unwrap());
    let r = api
        .http
        .get(api.url(&api_path))
        .bearer_auth(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    app.db
        .execute(
            Query::update()
                .table(Alias::new("api_tokens"))
                .value(Alias::new("expires_at"), hocvuso_db::now() - time::Duration::minutes(1))
                .and_where(Expr::col(Alias::new("name")).eq("het-han")),
        )
        .await
        .unwrap();
    is_problem_401(&api, &api_path, &second).await;
    let (_, page) = c.text("/me").await;
    assert!(page.contains("Đã hết hạn"));
    app.finish().await;
}
both!(api_tokens, api_tokens_listed_revoked_and_expiring);

// ---------------------------------------------------------------------------------------------
// sign-in throttling

fn client_from(app: &TestApp, address: &str) -> Client {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("x-forwarded-for", address.parse().unwrap());
    Client {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .default_headers(h)
            .build()
            .unwrap(),
        base: app.addr.clone(),
    }
}

async fn throttle_reveals_nothing_and_locks_no_one_out(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            vars: vec![("HOCVUSO_TRUST_PROXY", "true".into())],
            ..Default::default()
        },
    )
    .await;
    let attacker = client_from(&app, "198.51.100.7");
    // Five wrong passwords on a real account (in several spellings of the same phone) and on a
    // login that does not exist: the same answers throughout.
    let real = [
        "0900000005",
        "+84900000005",
        "0900 000 005",
        "84900000005",
        "0900000005",
    ];
    let missing = [
        "0999999999",
        "+84999999999",
        "0999 999 999",
        "84999999999",
        "0999999999",
    ];
    for (r, m) in real.iter().zip(missing) {
        let a = attacker.login(r, "sai-mat-khau").await;
        let b2 = attacker.login(m, "sai-mat-khau").await;
        assert_eq!((a.status().as_u16(), b2.status().as_u16()), (401, 401), "{r} / {m}");
        assert_eq!(alert(&a.text().await.unwrap()), alert(&b2.text().await.unwrap()));
    }
    // The sixth from that address waits, for both, even with the right password.
    let a = attacker.login("0900000005", "Demo@0005").await;
    let b2 = attacker.login("0999999999", "Demo@0005").await;
    assert_eq!((a.status().as_u16(), b2.status().as_u16()), (429, 429));
    assert_eq!(a.headers().get("retry-after"), b2.headers().get("retry-after"));
    assert_eq!(alert(&a.text().await.unwrap()), alert(&b2.text().await.unwrap()));
    // The real user, from their own address, is not locked out.
    let user = client_from(&app, "203.0.113.20");
    let r = user.login("0900000005", "Demo@0005").await;
    assert_eq!(r.status(), 303, "a correct password from another address passes");
    // Nor is the account locked in the database for every address.
    let acc = accounts::by_phone(&app.db, "0900000005").await.unwrap().unwrap();
    assert!(acc.locked_until.is_none_or(|t| t <= hocvuso_db::now()));
    app.finish().await;
}
both!(login_throttle, throttle_reveals_nothing_and_locks_no_one_out);

#[test]
fn mass_guessing_spares_known_addresses() {
    use hocvuso_web::kit::throttle::{LOGIN_MAX_FAILURES, Throttle};
    let t = Throttle::default();
    t.succeed("tel:0900000005", "10.0.0.1");
    // A botnet: one failure from each of many addresses.
    for i in 0..LOGIN_MAX_FAILURES {
        assert!(!t.locked("tel:0900000005", &format!("192.0.2.{}", i % 250)));
        t.fail("tel:0900000005", &format!("198.18.{}.{}", i / 250, i % 250));
    }
    assert!(
        t.locked("tel:0900000005", "192.0.2.99"),
        "new addresses wait once the account is under attack"
    );
    assert!(
        !t.locked("tel:0900000005", "10.0.0.1"),
        "the user's known address still signs in"
    );
    assert!(
        !t.locked("tel:0900000006", "192.0.2.99"),
        "other accounts are not affected"
    );
}

// ---------------------------------------------------------------------------------------------
// refusals of an ID number held elsewhere

async fn id_refusals_are_audited_and_limited(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (a, other) = officer_units(&app).await;
    let held = "019090222001";
    person_in(&app, &other, held, "Người Xã Khác").await;
    let c = app.login("0900000005").await;
    let page = format!("/units/{}/people/new", a.code);
    let register = |pid: &'static str| {
        let c = c.clone();
        let page = page.clone();
        async move {
            c.post_form(
                &page,
                &page,
                &[
                    ("full_name", "Thử Số Trùng"),
                    ("birth_date", "01/01/1990"),
                    ("sex", "male"),
                    ("personal_id", pid),
                    ("consent", "paper"),
                ],
            )
            .await
        }
    };
    let r = register(held).await;
    assert_eq!(r.status(), 409, "the refusal is kept");
    let entries = audit::list(
        &app.db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &Filter {
            action: Some("person.pid_refused".into()),
            ..Default::default()
        },
        10,
    )
    .await
    .unwrap();
    assert_eq!(entries.len(), 1, "the refusal is audited");
    let e = &entries[0];
    let officer = accounts::by_phone(&app.db, "0900000005").await.unwrap().unwrap();
    assert_eq!(e.actor_id, Some(officer.id));
    assert!(
        !e.detail.contains(held) && e.detail.contains("********2001"),
        "{}",
        e.detail
    );
    // Past the limit the account's registrations wait, with a message that says why.
    let mut last = None;
    for _ in 0..hocvuso_app::limits::ID_REFUSAL_MAX {
        let r = register(held).await;
        let s = r.status().as_u16();
        last = Some((s, r.text().await.unwrap()));
        if s == 429 {
            break;
        }
        assert_eq!(s, 409);
    }
    let (s, body) = last.unwrap();
    assert_eq!(s, 429);
    assert!(body.contains("quá nhiều lần"), "{body}");
    // Even a number nobody holds is not tried meanwhile (no probe can be made).
    let r = register("019090222002").await;
    assert_eq!(r.status(), 429);
    let n = audit::list(
        &app.db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &Filter {
            action: Some("person.pid_refused".into()),
            ..Default::default()
        },
        100,
    )
    .await
    .unwrap()
    .len();
    assert_eq!(n as u32, hocvuso_app::limits::ID_REFUSAL_MAX);
    app.finish().await;
}
both!(id_refusals, id_refusals_are_audited_and_limited);

// ---------------------------------------------------------------------------------------------
// ID numbers never at rest or in logs in plain text

/// Every text (and binary) column of every table that contains `needle`, as "table.column".
async fn columns_holding(db: &Db, needle: &str) -> Vec<String> {
    #[derive(Debug)]
    struct Col {
        table: String,
        column: String,
        binary: bool,
    }
    let cols: Vec<Col> = match db.backend() {
        hocvuso_db::Backend::Postgres => catalogue(db)
            .await
            .into_iter()
            .filter(|(_, _, t)| matches!(t.as_str(), "text" | "character varying" | "json" | "jsonb" | "bytea"))
            .map(|(table, column, t)| Col {
                table,
                column,
                binary: t == "bytea",
            })
            .collect(),
        hocvuso_db::Backend::Sqlite => catalogue(db)
            .await
            .into_iter()
            .map(|(table, column, t)| Col {
                table,
                column,
                binary: t.eq_ignore_ascii_case("blob"),
            })
            .collect(),
    };
    assert!(cols.len() > 20, "the catalogue lists the tables: {cols:?}");
    let mut found = Vec::new();
    for c in cols {
        // The needle goes into the query as hex, so the statement (which the server logs at
        // debug level, and which a parallel test's log capture sees) holds no plain number.
        let hex: String = needle.bytes().map(|b| format!("{b:02x}")).collect();
        let cond = match (db.backend(), c.binary) {
            (hocvuso_db::Backend::Postgres, true) => format!("position('\\x{hex}'::bytea in \"{}\") > 0", c.column),
            (hocvuso_db::Backend::Postgres, false) => {
                format!(
                    "strpos(\"{}\"::text, convert_from('\\x{hex}'::bytea, 'UTF8')) > 0",
                    c.column
                )
            }
            (hocvuso_db::Backend::Sqlite, _) => format!("instr(CAST(\"{}\" AS BLOB), X'{hex}') > 0", c.column),
        };
        let n: Scalar<i64> = db
            .fetch_one(
                &Query::select()
                    .expr(Expr::cust("COUNT(*)"))
                    .from(Alias::new(c.table.as_str()))
                    .and_where(Expr::cust(cond))
                    .to_owned(),
            )
            .await
            .unwrap();
        if n.0 > 0 {
            found.push(format!("{}.{}", c.table, c.column));
        }
    }
    found
}

/// (table, column, type) of every column, from the database's own catalogue.
async fn catalogue(db: &Db) -> Vec<(String, String, String)> {
    let sql = match db.backend() {
        hocvuso_db::Backend::Postgres => {
            "table_name::text || '|' || column_name::text || '|' || data_type::text \
             FROM information_schema.columns WHERE table_schema = 'public'"
        }
        hocvuso_db::Backend::Sqlite => {
            "m.name || '|' || p.name || '|' || p.type \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
        }
    };
    let rows: Vec<Scalar<String>> = db
        .fetch_all(&Query::select().expr(Expr::cust(sql)).to_owned())
        .await
        .unwrap_or_else(|e| panic!("catalogue query failed: {e}"));
    rows.into_iter()
        .map(|Scalar(t)| {
            let mut it = t.splitn(3, '|').map(str::to_string);
            (
                it.next().unwrap_or_default(),
                it.next().unwrap_or_default(),
                it.next().unwrap_or_default(),
            )
        })
        .collect()
}

fn files_holding(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            found.extend(files_holding(&p, needle));
        } else if let Ok(bytes) = std::fs::read(&p)
            && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        {
            found.push(p.display().to_string());
        }
    }
    found
}

async fn wait_for_job(app: &TestApp, id: i64, until: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let j = hocvuso_db::imports::get(&app.db, id).await.unwrap().unwrap();
        if until.contains(&j.status.as_str()) {
            return;
        }
        assert!(Instant::now() < deadline, "import {id} still {:?} after 60 s", j.status);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn no_plain_id_numbers_at_rest_or_in_logs(b: Backend) {
    let log = LogCapture::start();
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let registered = "019090111001";
    let imported = ["019090111002", "019190111003"];
    let never_held = "019090111009";
    // Register through the form.
    let page = format!("/units/{}/people/new", commune.code);
    let r = c
        .post_form(
            &page,
            &page,
            &[
                ("full_name", "Vi Văn Khoá"),
                ("birth_date", "01/01/1990"),
                ("sex", "male"),
                ("personal_id", registered),
                ("phone", "0912111001"),
                ("consent", "paper"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let person: i64 = r.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // Refused as held elsewhere (the same number again).
    let r = c
        .post_form(
            &page,
            &page,
            &[
                ("full_name", "Vi Văn Khoá"),
                ("birth_date", "01/01/1990"),
                ("sex", "male"),
                ("personal_id", registered),
                ("consent", "paper"),
            ],
        )
        .await;
    assert_eq!(r.status(), 409);
    // Search by ID number: page and API, found and not found, typed in several ways.
    for q in [registered, never_held, "019 090 111 001", "019.090.111.001"] {
        let (s, body) = c
            .text(&format!("/units/{}/people?q={}", commune.code, q.replace(' ', "+")))
            .await;
        assert_eq!(s, 200);
        if q == registered {
            assert!(body.contains("Vi Văn Khoá"), "the search found the person");
        }
        let (s, _) = c
            .text(&format!(
                "/api/v1/people?unit={}&q={}",
                commune.code,
                q.replace(' ', "+")
            ))
            .await;
        assert_eq!(s, 200);
    }
    // Import a list through the page and apply it.
    let import_page = format!("/units/{}/import", commune.code);
    let token = c.csrf(&import_page).await;
    let csv = format!(
        "Họ và tên,Ngày sinh,Giới tính,Số định danh\nMa Văn Một,01/01/1990,Nam,{}\nMa Thị Hai,01/01/1990,Nữ,{}\nSai Ngày,31/02/1990,Nam,{}\n",
        imported[0], imported[1], never_held
    );
    let form = reqwest::multipart::Form::new().text("_csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("ds.csv"),
    );
    let r = c.http.post(c.url(&import_page)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let job: i64 = r.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    wait_for_job(&app, job, &["awaiting_decision", "failed"]).await;
    // While the officer has not decided, the upload waits on disk beside its checked rows.
    let uploads = app.upload_dir();
    assert!(
        hocvuso_db::imports::upload_path(&uploads, job).exists(),
        "the upload waits for the decision"
    );
    for n in [imported[0], imported[1], never_held] {
        let files = files_holding(app.dir.path(), n);
        assert!(files.is_empty(), "{n} in plain text awaiting a decision: {files:?}");
    }
    // A file with a header nobody taught the platform waits for the officer's mapping.
    let odd_number = "019190111004";
    let token = c.csrf(&import_page).await;
    let odd = format!("Họ và tên,Ngày sinh,Phái,Số định danh\nMa Văn Ba,01/01/1990,Nam,{odd_number}\n");
    let form = reqwest::multipart::Form::new().text("_csrf", token).part(
        "file",
        reqwest::multipart::Part::bytes(odd.into_bytes()).file_name("la.csv"),
    );
    let r = c.http.post(c.url(&import_page)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let waiting: i64 = r.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    wait_for_job(&app, waiting, &["needs_mapping", "failed"]).await;
    let j = hocvuso_db::imports::get(&app.db, waiting).await.unwrap().unwrap();
    assert_eq!(j.status.as_str(), "needs_mapping", "{j:?}");
    assert!(hocvuso_db::imports::upload_path(&uploads, waiting).exists());
    let files = files_holding(app.dir.path(), odd_number);
    assert!(
        files.is_empty(),
        "{odd_number} in plain text awaiting a mapping: {files:?}"
    );
    let (_, errors_csv) = c.text(&format!("/imports/{job}/errors.csv")).await;
    let r = c
        .post_form(
            &format!("/imports/{job}"),
            &format!("/imports/{job}/decision"),
            &[("choice", "import")],
        )
        .await;
    assert_eq!(r.status(), 303);
    wait_for_job(&app, job, &["done", "failed"]).await;
    let j = hocvuso_db::imports::get(&app.db, job).await.unwrap().unwrap();
    assert_eq!(j.status.as_str(), "done", "{j:?} / errors: {errors_csv}");
    // Reveal the full number (shown on the page, audited without it).
    let r = c
        .post_form(&format!("/people/{person}"), &format!("/people/{person}/reveal"), &[])
        .await;
    assert!(r.status().is_success() || r.status().is_redirection());
    // Give the person an account and sign in with the ID number.
    let r = c
        .post_form(
            &format!("/people/{person}"),
            &format!("/people/{person}/reset-password"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let fresh = app.client();
    fresh.login(registered, "sai-mat-khau").await;
    // Everything the server keeps: the database (every column, through its own catalogue), the
    // files of the data folder (SQLite file, WAL, uploads) and the server log.
    let logs = log.text();
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "the capture is verbose"
    );
    let mut found = Vec::new();
    for n in [registered, imported[0], imported[1], never_held, odd_number] {
        for col in columns_holding(&app.db, n).await {
            found.push(format!("{n} in column {col}"));
        }
        for f in files_holding(app.dir.path(), n) {
            found.push(format!("{n} in file {f}"));
        }
        if logs.contains(n) {
            let at = logs.find(n).unwrap_or(0);
            found.push(format!(
                "{n} in the server log: …{}…",
                &logs[at.saturating_sub(200)..(at + 40).min(logs.len())]
            ));
        }
    }
    assert!(found.is_empty(), "ID numbers in plain text:\n{}", found.join("\n"));
    drop(log);
    app.finish().await;
}
both!(no_plain_ids, no_plain_id_numbers_at_rest_or_in_logs);

// ---------------------------------------------------------------------------------------------
// the audit chain

async fn entries(db: &Db, n: usize) {
    for i in 0..n {
        audit::record(
            db,
            &Actor::system("test"),
            Entry::of(
                "/",
                &hocvuso_core::audit::Event::ApiTokenRevoked {
                    account_id: 0,
                    token_id: i as i64,
                },
            ),
        )
        .await
        .unwrap();
    }
}

async fn unguard(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    match db.backend() {
        hocvuso_db::Backend::Sqlite => {
            tx.execute_unchecked("DROP TRIGGER audit_log_no_update").await.unwrap();
            tx.execute_unchecked("DROP TRIGGER audit_log_no_delete").await.unwrap();
        }
        hocvuso_db::Backend::Postgres => {
            tx.execute_unchecked("ALTER TABLE audit_log DISABLE TRIGGER USER")
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
}

async fn all_rows(db: &Db) -> Vec<AuditRow> {
    let mut rows = audit::list(
        db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &Filter::default(),
        100_000,
    )
    .await
    .unwrap();
    rows.reverse();
    rows
}

/// What someone with write access to the database but not the secret key does: edit an entry and
/// recompute every link after it, and the head, with plain SHA-256 (which passed before the chain
/// was keyed).
async fn rewrite_from(db: &Db, from: i64) {
    let rows = all_rows(db).await;
    let mut prev = rows
        .iter()
        .find(|r| r.id == from - 1)
        .map(|r| r.hash.clone())
        .unwrap_or_else(|| "genesis".into());
    let mut tx = db.begin().await.unwrap();
    for mut r in rows.into_iter().filter(|r| r.id >= from) {
        if r.id == from {
            r.actor_label = "người khác".into();
        }
        r.prev_hash = prev.clone();
        let person = r.person_id.map(|p| p.to_string()).unwrap_or_default();
        let actor = r.actor_id.map(|p| p.to_string()).unwrap_or_default();
        r.hash = sha256_hex(&[
            r.prev_hash.as_bytes(),
            r.id.to_string().as_bytes(),
            r.at.unix_timestamp_nanos().to_string().as_bytes(),
            actor.as_bytes(),
            r.actor_label.as_bytes(),
            r.ip.as_bytes(),
            r.action.as_bytes(),
            r.object_kind.as_bytes(),
            r.object_id.as_bytes(),
            person.as_bytes(),
            r.unit_path.as_bytes(),
            r.detail.as_bytes(),
        ]);
        tx.execute(
            &Query::update()
                .table(Alias::new("audit_log"))
                .values([
                    (Alias::new("actor_label"), r.actor_label.clone().into()),
                    (Alias::new("prev_hash"), r.prev_hash.clone().into()),
                    (Alias::new("hash"), r.hash.clone().into()),
                ])
                .and_where(Expr::col(Alias::new("id")).eq(r.id))
                .to_owned(),
        )
        .await
        .unwrap();
        prev = r.hash;
    }
    tx.execute(
        &Query::update()
            .table(Alias::new("audit_head"))
            .value(Alias::new("last_hash"), prev)
            .to_owned(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Deletes the entries from `from` on and moves the head back, as someone hiding their last
/// actions would.
async fn truncate_from(db: &Db, from: i64) {
    let rows = all_rows(db).await;
    let last = rows.iter().find(|r| r.id == from - 1).unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.execute(
        &Query::delete()
            .from_table(Alias::new("audit_log"))
            .and_where(Expr::col(Alias::new("id")).gte(from))
            .to_owned(),
    )
    .await
    .unwrap();
    tx.execute(
        &Query::update()
            .table(Alias::new("audit_head"))
            .values([
                (Alias::new("seq"), (from - 1).into()),
                (Alias::new("last_hash"), last.hash.clone().into()),
            ])
            .to_owned(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn keyed_chain_finds_rewritten_history(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed: false,
            ..Default::default()
        },
    )
    .await;
    entries(&app.db, 8).await;
    assert!(audit::verify(&app.db).await.unwrap().ok());
    unguard(&app.db).await;
    rewrite_from(&app.db, 3).await;
    let v = audit::verify(&app.db).await.unwrap();
    assert_eq!(v.broken.as_ref().map(|(id, _)| *id), Some(3), "{v:?}");
    // Another key (a guess) does not verify the genuine chain either.
    let other = app.db.clone().with_audit_key(AuditKey::new(&MasterKey::generate()));
    assert!(!audit::verify(&other).await.unwrap().ok());
    app.finish().await;
}
both!(audit_rewrite, keyed_chain_finds_rewritten_history);

async fn deleted_middle_row_is_found(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed: false,
            ..Default::default()
        },
    )
    .await;
    entries(&app.db, 8).await;
    unguard(&app.db).await;
    app.db
        .execute(
            &Query::delete()
                .from_table(Alias::new("audit_log"))
                .and_where(Expr::col(Alias::new("id")).eq(4))
                .to_owned(),
        )
        .await
        .unwrap();
    let v = audit::verify(&app.db).await.unwrap();
    assert_eq!(v.broken, Some((4, "missing entry (deleted)".to_string())));
    app.finish().await;
}
both!(audit_deleted_middle, deleted_middle_row_is_found);

async fn checkpoint_finds_truncated_tail(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed: false,
            ..Default::default()
        },
    )
    .await;
    entries(&app.db, 10).await;
    let cp = audit::checkpoint(&app.db).await.unwrap();
    let line = cp.to_line();
    entries(&app.db, 3).await;
    assert!(
        audit::verify_with(&app.db, Some(&cp)).await.unwrap().ok(),
        "later entries are fine"
    );
    unguard(&app.db).await;
    truncate_from(&app.db, 7).await;
    // The chain left is consistent in itself: only the checkpoint kept outside tells.
    assert!(
        audit::verify(&app.db).await.unwrap().ok(),
        "documented limit without a checkpoint"
    );
    let cp = audit::Checkpoint::parse(&line).unwrap();
    let v = audit::verify_with(&app.db, Some(&cp)).await.unwrap();
    assert_eq!(v.broken.as_ref().map(|(id, _)| *id), Some(7), "{v:?}");
    // An edited checkpoint (claiming fewer entries) is refused, not believed.
    let edited = audit::Checkpoint::parse(&line.replace(&format!("seq={}", cp.seq), "seq=6")).unwrap();
    let v = audit::verify_with(&app.db, Some(&edited)).await.unwrap();
    assert!(v.broken.unwrap().1.contains("signature"));
    app.finish().await;
}
both!(audit_truncated_tail, checkpoint_finds_truncated_tail);

/// A database written before the chain was keyed: its entries stay verifiable, the boundary is
/// sealed on the first start with a key, and editing an old entry is found afterwards.
async fn plain_chain_carried_over(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = match b {
        Backend::Sqlite => (format!("sqlite://{}", dir.path().join("old.db").display()), None),
        Backend::Postgres => {
            let (name, url) = create_pg_database().await;
            (url, Some(name))
        }
    };
    let old = Db::connect(&url).await.unwrap();
    old.migrate_to(3).await.unwrap();
    entries(&old, 5).await;
    old.migrate().await.unwrap();
    let key = AuditKey::new(&MasterKey::generate());
    let db = old.clone().with_audit_key(key);
    audit::seal_boundary(&db).await.unwrap();
    entries(&db, 3).await;
    let v = audit::verify(&db).await.unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.entries, 8);
    unguard(&db).await;
    rewrite_from(&db, 2).await;
    let v = audit::verify(&db).await.unwrap();
    assert!(!v.ok(), "an old entry rewritten with plain SHA-256 is found: {v:?}");
    db.close().await;
    if let Some(name) = pg {
        let admin = Db::connect(&pg_admin_url()).await.unwrap();
        admin.drop_database(&name).await.unwrap();
        admin.close().await;
    }
}
both!(audit_plain_carried_over, plain_chain_carried_over);

/// The real binary: `audit-checkpoint` prints a checkpoint, `verify-audit --checkpoint` exits 0
/// on the intact chain and 1 after a truncated tail or a deleted row.
async fn verify_audit_binary(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = match b {
        Backend::Sqlite => (format!("sqlite://{}", dir.path().join("hocvuso.db").display()), None),
        Backend::Postgres => {
            let (name, url) = create_pg_database().await;
            (url, Some(name))
        }
    };
    let key = MasterKey::generate();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hocvuso"))
            .args(args)
            .env("HOCVUSO_DATA_DIR", dir.path())
            .env("DATABASE_URL", &url)
            .env("HOCVUSO_SECRET_KEY", key.to_hex())
            .env("HOCVUSO_DEMO", "false")
            .env("HOCVUSO_CONFIG", dir.path().join("none.toml"))
            .output()
            .unwrap()
    };
    std::fs::write(dir.path().join("none.toml"), "").unwrap();
    assert!(run(&["migrate"]).status.success());
    let db = Db::connect(&url).await.unwrap().with_audit_key(AuditKey::new(&key));
    entries(&db, 12).await;
    let out = run(&["audit-checkpoint"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cp_file = dir.path().join("diem-chot.txt");
    std::fs::write(&cp_file, &out.stdout).unwrap();
    let cp_path = cp_file.to_str().unwrap();
    let out = run(&["verify-audit", "--checkpoint", cp_path]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    unguard(&db).await;
    truncate_from(&db, 10).await;
    assert_eq!(
        run(&["verify-audit"]).status.code(),
        Some(0),
        "without the checkpoint it cannot tell"
    );
    let out = run(&["verify-audit", "--checkpoint", cp_path]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("BROKEN"));
    db.execute(
        &Query::delete()
            .from_table(Alias::new("audit_log"))
            .and_where(Expr::col(Alias::new("id")).eq(5))
            .to_owned(),
    )
    .await
    .unwrap();
    let out = run(&["verify-audit"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("mục 5"));
    // A file that is not a checkpoint is an operator error (2), not a verdict.
    std::fs::write(&cp_file, "rác").unwrap();
    assert_eq!(run(&["verify-audit", "--checkpoint", cp_path]).status.code(), Some(2));
    db.close().await;
    if let Some(name) = pg {
        let admin = Db::connect(&pg_admin_url()).await.unwrap();
        admin.drop_database(&name).await.unwrap();
        admin.close().await;
    }
}
both!(verify_audit_process, verify_audit_binary);
