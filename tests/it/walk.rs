//! Walks every route the application serves, read from `hocvuso_web::routes()` (the table the
//! router itself is built from): every role against a unit outside its scope, the system admin
//! inside it, an anonymous visitor, and every state-changing route without a CSRF token. After
//! each walk the stored contents (not row counts) are compared with what they were. Positive
//! controls prove the token the walk sends is valid, so its 403s are refusals of access. Routes
//! that act on an account are walked against a wider account in `walk_accounts.rs`.

use crate::access::{Target, target};
use crate::both;
use crate::helpers::{Backend, Client, TestApp, officer_units};
use hocvuso_db::units;
use hocvuso_web::kit::routes::Access;
use std::collections::BTreeMap;

/// How a path is protected, as the feature declared it with the route
/// (`hocvuso_web::kit::routes::Access`): a new feature's routes are walked without editing a list.
pub(crate) fn class_of(path: &str) -> Access {
    hocvuso_web::routes()
        .table()
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, a)| *a)
        .unwrap_or_else(|| panic!("{path} is not in the route table"))
}

pub(crate) fn served_paths() -> Vec<String> {
    hocvuso_web::routes().paths()
}

#[test]
fn every_path_is_declared_once() {
    let table = hocvuso_web::routes();
    let mut seen = std::collections::BTreeSet::new();
    let twice: Vec<&String> = table
        .table()
        .iter()
        .map(|(p, _)| p)
        .filter(|p| !seen.insert(*p))
        .collect();
    assert!(twice.is_empty(), "paths declared more than once: {twice:?}");
    // Personal data is never public: every people, import and audit route needs a role or is
    // about the viewer's own account.
    for (path, access) in table.table() {
        if [
            "/people",
            "/imports/{id}",
            "/api/v1/people",
            "/api/v1/imports",
            "/audit",
            "/access",
        ]
        .iter()
        .any(|p| path.starts_with(p))
            || path.contains("/people")
        {
            assert_ne!(
                *access,
                Access::Public,
                "{path} carries personal data but is declared public"
            );
        }
    }
}

/// What legitimately changes while the walks run: the log of what was tried, sign-in state.
pub(crate) const VOLATILE: &[&str] = &[
    "audit_log",
    "audit_head",
    "sessions",
    "accounts.last_login_at",
    "accounts.failed_logins",
    "accounts.locked_until",
    "api_tokens.last_used_at",
];

pub(crate) async fn contents(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    hocvuso_db::backup::table_contents(&app.db, VOLATILE).await.unwrap()
}

pub(crate) fn assert_same(before: &BTreeMap<String, Vec<String>>, after: &BTreeMap<String, Vec<String>>, what: &str) {
    for (table, rows) in before {
        let now = after
            .get(table)
            .unwrap_or_else(|| panic!("{what}: table {table} vanished"));
        let gone: Vec<_> = rows.iter().filter(|r| !now.contains(r)).take(3).collect();
        let new: Vec<_> = now.iter().filter(|r| !rows.contains(r)).take(3).collect();
        assert!(
            gone.is_empty() && new.is_empty(),
            "{what}: {table} changed: gone {gone:?}, new {new:?}"
        );
    }
    assert_eq!(before.len(), after.len(), "{what}: tables added");
}

/// A certificate code of the right shape that no certificate has: its public page is a 404.
pub(crate) const WALK_CERTIFICATE: &str = "0000-0000-0000";

/// An attempt id of the right shape that no attempt has.
pub(crate) const WALK_ATTEMPT: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// The concrete URL of a path for a target: its unit, person or import job.
pub(crate) fn concrete(path: &str, t: &Target) -> String {
    let mut url = path
        .replace("{code}", &t.unit.code)
        .replace("{course}", crate::learning::COURSE)
        .replace("{lesson}", crate::learning::LESSON)
        .replace("{framework}", "digcomp22")
        .replace("{name}", "to-khai.pdf")
        .replace("{size}", "large")
        .replace("{n}", "1")
        .replace("{cert}", crate::walk::WALK_CERTIFICATE)
        // Every target's bank holds this item (`access::target` stores it).
        .replace("{item}", crate::question_bank::WALK_ITEM);
    if url.contains("{id}") {
        // An attempt is its learner's own: no role reaches another's, so a well-formed id that
        // names none is as good a target as any (the learner's own are walked in assessment.rs).
        if path.starts_with("/tests/attempt/") {
            url = url.replace("{id}", WALK_ATTEMPT);
        }
    }
    if url.contains("{id}") {
        let id = if path.starts_with("/people/") {
            t.person
        } else if path.starts_with("/imports/") || path.starts_with("/api/v1/imports/") {
            t.job
        } else {
            panic!("no target for {{id}} in {path}: teach tests/it/walk.rs which record it names")
        };
        url = url.replace("{id}", &id.to_string());
    }
    assert!(!url.contains('{'), "a parameter of {path} has no target");
    if matches!(path, "/api/v1/people" | "/api/v1/people/import") {
        url.push_str(&format!("?unit={}", t.unit.code));
    }
    url
}

/// The methods a path answers, from the `Allow` header of an OPTIONS request.
pub(crate) async fn methods(c: &Client, url: &str) -> Vec<String> {
    let r = c
        .http
        .request(reqwest::Method::OPTIONS, c.url(url))
        .send()
        .await
        .unwrap();
    let allow = r
        .headers()
        .get("allow")
        .unwrap_or_else(|| panic!("OPTIONS {url} gave {} without an Allow header", r.status()))
        .to_str()
        .unwrap()
        .to_string();
    let m: Vec<String> = allow
        .split(',')
        .map(|m| m.trim().to_string())
        .filter(|m| m == "GET" || m == "POST")
        .collect();
    assert!(!m.is_empty(), "{url} allows {allow}");
    m
}

/// Form fields that get a POST past its own validation, so the answer is about access.
pub(crate) fn fields(path: &str, t: &Target, grant: i64) -> Vec<(String, String)> {
    let year = time::OffsetDateTime::now_utc().year().to_string();
    let v = |pairs: &[(&str, &str)]| pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    match path {
        "/units/{code}/people/new" => v(&[
            ("full_name", "X Y"),
            ("birth_date", "01/01/1990"),
            ("sex", "male"),
            ("personal_id", "001090654321"),
            ("consent", "paper"),
        ]),
        "/units/{code}/denominators" => v(&[("year", &year), ("value_adults", "5"), ("source_adults", "x")]),
        "/units/{code}/children" => v(&[("kind", "thon"), ("name", "Thôn Lạ")]),
        "/units/{code}/rename" => v(&[("name", "Tên Lạ")]),
        "/units/{code}/merge" => v(&[("into", &t.unit.code), ("confirm", "yes")]),
        "/units/{code}/move" => v(&[("parent", &t.unit.code), ("confirm", "yes")]),
        "/people/{id}/reset-password" => v(&[("confirm", "yes")]),
        "/imports/{id}/decision" => v(&[("choice", "import")]),
        "/imports/{id}/mapping" => v(&[("g0", "resident")]),
        "/access" => v(&[
            ("phone", "0911111111"),
            ("name", "Ai Đó"),
            ("role", "officer"),
            ("unit_code", &t.unit.code),
        ]),
        "/access/revoke" => v(&[("grant_id", &grant.to_string())]),
        "/author/{course}/media/remove" => v(&[("name", "anh.jpg")]),
        _ => Vec::new(),
    }
}

pub(crate) enum Body {
    Form(Vec<(String, String)>),
    Multipart(Vec<(String, String)>),
    Json(serde_json::Value),
}

/// The body a POST route reads: JSON under /api except uploads, multipart for uploads, else a form.
pub(crate) fn body(path: &str, csrf: Option<&str>, fields: Vec<(String, String)>) -> Body {
    let mut all: Vec<(String, String)> = csrf.map(|t| ("_csrf".to_string(), t.to_string())).into_iter().collect();
    all.extend(fields);
    // Upload forms: a package, a list, a course's image or file, a lesson's recording, an
    // item's picture.
    if path.ends_with("import")
        || path.ends_with("/media")
        || path.ends_with("/recording")
        || path.ends_with("/picture")
    {
        Body::Multipart(all)
    } else if path.starts_with("/api/") {
        let mut m = serde_json::Map::new();
        for (k, v) in all {
            m.insert(k, serde_json::Value::String(v));
        }
        if path.ends_with("/decision") {
            m.insert("choice".into(), "import".into());
        }
        Body::Json(serde_json::Value::Object(m))
    } else {
        Body::Form(all)
    }
}

pub(crate) async fn send(c: &Client, method: &str, url: &str, body: Body) -> (u16, String, String) {
    let r = if method == "GET" {
        c.http.get(c.url(url)).send().await
    } else {
        let req = c.http.post(c.url(url));
        match body {
            Body::Form(f) => req.form(&f).send().await,
            Body::Json(j) => req.json(&j).send().await,
            Body::Multipart(f) => {
                let mut form = reqwest::multipart::Form::new();
                for (k, v) in f {
                    form = form.text(k, v);
                }
                let form = form.part(
                    "file",
                    reqwest::multipart::Part::bytes(b"Ho va ten,Ngay sinh,Gioi tinh,So dinh danh\n".to_vec())
                        .file_name("a.csv"),
                );
                req.multipart(form).send().await
            }
        }
    }
    .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, location, r.text().await.unwrap_or_default())
}

/// The Vietnamese text of a refused CSRF token, to tell it apart from a refusal of access.
pub(crate) fn csrf_text() -> String {
    hocvuso_core::i18n::t(hocvuso_core::Lang::Vi, "err-csrf")
}

/// Every scoped route, every method, against a target outside the viewer's scope: 403 or 404,
/// and never because the CSRF token was refused (the token is the session's own; the positive
/// controls in `every_route_every_viewer` prove it valid). Returns the token it sent.
async fn walk_out_of_scope(c: &Client, t: &Target, grant: i64, who: &str, reaches: &[&str]) -> String {
    let token = c.csrf("/me").await;
    for path in served_paths() {
        if !matches!(class_of(&path), Access::Scoped | Access::ScopedByForm) {
            continue;
        }
        if reaches.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        let url = if class_of(&path) == Access::ScopedByForm {
            path.clone()
        } else {
            concrete(&path, t)
        };
        for m in methods(c, &url).await {
            if m == "GET" && class_of(&path) == Access::ScopedByForm {
                continue;
            }
            let (s, _, text) = send(c, &m, &url, body(&path, Some(&token), fields(&path, t, grant))).await;
            assert!(s == 403 || s == 404, "{who}: {m} {url} gave {s}");
            assert!(
                !text.contains(&csrf_text()),
                "{who}: {m} {url} was refused for its CSRF token, not for access"
            );
        }
    }
    token
}

async fn grant_in(app: &TestApp, unit: &units::Unit) -> i64 {
    let mut tx = app.db.begin().await.unwrap();
    let account = hocvuso_db::accounts::create(
        &mut tx,
        hocvuso_db::accounts::NewAccount {
            display_name: "Người Được Giao",
            phone: None,
            pid_index: None,
            person_id: None,
            password_hash: "x".into(),
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    let g = hocvuso_db::accounts::grant(&mut tx, account, hocvuso_core::roles::Role::Helper, unit, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    g
}

async fn every_route_every_viewer(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (a, bunit) = officer_units(&app).await;
    let hanoi = units::children(&app.db, units::by_code(&app.db, "01").await.unwrap().unwrap().id)
        .await
        .unwrap()
        .remove(0);
    let in_a = target(&app, a.clone(), "001090000001").await;
    let in_b = target(&app, bunit.clone(), "001090000002").await;
    let in_hanoi = target(&app, hanoi.clone(), "001090000003").await;
    let grants: BTreeMap<i64, i64> = [
        (in_a.unit.id, grant_in(&app, &a).await),
        (in_b.unit.id, grant_in(&app, &bunit).await),
        (in_hanoi.unit.id, grant_in(&app, &hanoi).await),
    ]
    .into();
    let before = contents(&app).await;
    // (account, a target outside its scope)
    // (account, a target outside its scope, the paths it reaches there by right)
    let plan: [(&str, &Target, &[&str]); 8] = [
        ("0900000005", &in_b, &[]),     // officer of A → B
        ("0900000006", &in_a, &[]),     // officer of B → A
        ("0900000007", &in_b, &[]),     // helper of a village of A → B
        ("0900000002", &in_hanoi, &[]), // steering committee of Thái Nguyên → Hà Nội
        ("0900000003", &in_hanoi, &[]), // inspector of Thái Nguyên → Hà Nội
        // content author of Thái Nguyên: no access to people anywhere; the banks of the
        // province's communes are theirs to write (walked below against Hà Nội's).
        ("0900000004", &in_a, &["/bank/"]),
        ("0900000004", &in_hanoi, &[]),
        ("0900000008", &in_a, &[]), // learner: none either
    ];
    let mut walkers = Vec::new();
    for (phone, t, reaches) in plan {
        let c = app.login(phone).await;
        let token = walk_out_of_scope(&c, t, grants[&t.unit.id], phone, reaches).await;
        walkers.push((phone, c, token));
    }
    assert_same(&before, &contents(&app).await, "roles out of scope");

    // Anonymous visitors: every non-public route asks them to sign in, whatever the method.
    let anon = app.client();
    for path in served_paths() {
        if class_of(&path) == Access::Public {
            continue;
        }
        let url = concrete(&path, &in_a);
        for m in methods(&anon, &url).await {
            let (s, location, _) = send(&anon, &m, &url, body(&path, None, fields(&path, &in_a, 0))).await;
            let to_login = s == 303 && location.starts_with("/login");
            assert!(
                to_login || s == 401 || s == 403,
                "anonymous: {m} {url} gave {s} {location}"
            );
        }
    }
    assert_same(&before, &contents(&app).await, "anonymous visitors");

    // The system admin reaches every scoped page anywhere: the walks above do not pass because
    // everything is closed.
    let admin = app.login("0900000001").await;
    for t in [&in_a, &in_hanoi] {
        for path in served_paths() {
            if class_of(&path) != Access::Scoped {
                continue;
            }
            let url = concrete(&path, t);
            if methods(&admin, &url).await.contains(&"GET".to_string()) {
                let (s, _, _) = send(&admin, "GET", &url, Body::Form(Vec::new())).await;
                assert!((200..400).contains(&s), "system admin: GET {url} gave {s}");
            }
        }
    }

    // Positive controls: the refusals above were about access, not about the CSRF token, which
    // the walk tells apart only by the refusal's text. First, the same POSTs, bodies built and
    // token taken the same way, sent in scope by the system admin (who may do everything): none
    // is refused, so a token sent as the walk sends it (form, multipart, JSON) is accepted.
    let token = admin.csrf("/me").await;
    // A commune is never moved, whoever asks (only villages and organisations are): the move is
    // replayed on a village of the same commune.
    let village = units::children(&app.db, in_a.unit.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.level() == hocvuso_core::units::Level::Village)
        .expect("the commune has villages");
    let in_village = Target {
        unit: village,
        person: in_a.person,
        job: in_a.job,
    };
    let mut replayed = Vec::new();
    for path in served_paths() {
        if !matches!(class_of(&path), Access::Scoped | Access::ScopedByForm) {
            continue;
        }
        let t = if path == "/units/{code}/move" {
            &in_village
        } else {
            &in_a
        };
        let url = if class_of(&path) == Access::ScopedByForm {
            path.clone()
        } else {
            concrete(&path, t)
        };
        if !methods(&admin, &url).await.contains(&"POST".to_string()) {
            continue;
        }
        let f = fields(&path, t, grants[&in_a.unit.id]);
        let (s, location, text) = send(&admin, "POST", &url, body(&path, Some(&token), f)).await;
        assert!(
            s != 403 && s < 500,
            "system admin in scope: POST {url} gave {s} {location}: {text}"
        );
        replayed.push(path);
    }
    assert!(replayed.len() >= 15, "{replayed:?}");
    // Then each walker's own token, the one its walk sent: signing out with it works.
    for (phone, c, token) in walkers {
        let r = c
            .http
            .post(c.url("/logout"))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{phone}: the token of the walk is not the session's");
        assert_eq!(c.get("/me").await.status(), 303, "{phone}: signed out");
    }
    app.finish().await;
}
both!(scope_walk_from_router, every_route_every_viewer);

/// Every state-changing route refuses a request without the session's CSRF token, whether the
/// body is a form, multipart or JSON, and nothing stored changes. The viewer is in scope, so a
/// refusal can only be the token's.
async fn csrf_on_every_post(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (a, _) = officer_units(&app).await;
    let t = target(&app, a.clone(), "001090000004").await;
    let grant = grant_in(&app, &a).await;
    let admin = app.login("0900000001").await;
    let before = contents(&app).await;
    let mut checked = Vec::new();
    for path in served_paths() {
        let url = concrete(&path, &t);
        if !methods(&admin, &url).await.contains(&"POST".to_string()) {
            continue;
        }
        let f = fields(&path, &t, grant);
        // A POST that only checks what it is sent takes no token; that it changes nothing is
        // proved by the comparison of contents below.
        if hocvuso_web::routes().pure_paths().contains(&path) {
            let (s, _, _) = send(&admin, "POST", &url, Body::Json(serde_json::json!({}))).await;
            assert!(s < 500, "POST {url} gave {s}");
            continue;
        }
        let mut refused_for_token = false;
        let variants = [
            Body::Form(f.clone()),
            Body::Multipart(f.clone()),
            body(&path, None, f.clone()),
            Body::Json(serde_json::Value::Object(
                f.iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect(),
            )),
        ];
        for v in variants {
            let (s, location, text) = send(&admin, "POST", &url, v).await;
            assert!(s >= 400, "POST {url} without a CSRF token gave {s} {location}");
            refused_for_token |= s == 403 && text.contains(&csrf_text());
        }
        assert!(
            refused_for_token,
            "POST {url} is never refused for its missing CSRF token"
        );
        checked.push(path);
    }
    assert!(checked.len() >= 20, "{checked:?}");
    assert_same(&before, &contents(&app).await, "posts without a CSRF token");
    // The admin's session still works: the refusals did not sign them out.
    assert_eq!(admin.get("/me").await.status(), 200);
    app.finish().await;
}
both!(csrf_from_router, csrf_on_every_post);
