//! Issue 7 §3, walked from the route table: every route declared as acting on an account
//! (`Routes::account_route` in `hocvuso_web::routes()`, the table the router is built from) is
//! tried by a commune officer against a resident of their commune whose account holds a
//! province-wide grant. Each answers 403 saying the province must do it, nothing stored changes
//! and the account's session lives on. Then every other state-changing route the officer may use
//! in scope is tried against the same resident, and the account must still be as it was: a route
//! that acts on an account without being declared so is caught as well.

use crate::access::target;
use crate::both;
use crate::helpers::{Backend, TestApp, officer_units};
use crate::walk::{assert_same, body, class_of, concrete, contents, csrf_text, fields, methods, send, served_paths};
use hocvuso_core::roles::Role;
use hocvuso_db::accounts::{self, NewAccount};
use hocvuso_db::units;
use hocvuso_web::kit::routes::Access;

/// The wide account signs in with these.
const PHONE: &str = "0911000077";
const PASSWORD: &str = "mat-khau-cua-tinh-2026";

fn account_paths() -> Vec<String> {
    hocvuso_web::routes().account_paths().to_vec()
}

/// A form that aims a route declared as acting on an account at the wide account.
fn aimed_at(path: &str, unit_code: &str, grant: i64) -> Vec<(String, String)> {
    let v = |pairs: &[(&str, &str)]| pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    match path {
        "/people/{id}/reset-password" => v(&[("confirm", "yes")]),
        // A role the officer could give anyone else, on their own commune.
        "/access" => v(&[
            ("phone", PHONE),
            ("name", "Người Giữ Quyền Tỉnh"),
            ("role", "helper"),
            ("unit_code", unit_code),
        ]),
        // The narrow grant the officer could otherwise revoke.
        "/access/revoke" => v(&[("grant_id", &grant.to_string())]),
        _ => panic!("{path} is declared as acting on an account: teach tests/it/walk_accounts.rs how to aim it at one"),
    }
}

/// What an account holds that no one below the province may change: its row (password hash,
/// phone, must-change flag…), its grants and its API tokens.
async fn held(app: &TestApp, account: i64) -> String {
    format!(
        "{:?}\n{:?}\n{:?}",
        accounts::get(&app.db, account).await.unwrap(),
        accounts::grants(&app.db, account).await.unwrap(),
        accounts::api_tokens(&app.db, account).await.unwrap()
    )
}

async fn account_routes_against_a_wider_account(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (a, _) = officer_units(&app).await;
    let t = target(&app, a.clone(), "001090000031").await;
    let province = units::by_code(&app.db, "19").await.unwrap().unwrap();
    // The resident's account: officer of the whole province, and helper of their commune (a
    // grant the commune officer could otherwise give and revoke).
    let mut tx = app.db.begin().await.unwrap();
    let account = accounts::create(
        &mut tx,
        NewAccount {
            display_name: "Người Giữ Quyền Tỉnh",
            phone: Some(PHONE),
            pid_index: None,
            person_id: Some(t.person),
            password_hash: hocvuso_core::password::hash(PASSWORD),
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    accounts::grant(&mut tx, account, Role::Officer, &province, None)
        .await
        .unwrap();
    let narrow = accounts::grant(&mut tx, account, Role::Helper, &a, None).await.unwrap();
    tx.commit().await.unwrap();
    let wide = app.client();
    assert_eq!(wide.login(PHONE, PASSWORD).await.status(), 303);
    assert_eq!(wide.get("/me").await.status(), 200);

    let officer = app.login("0900000005").await;
    let token = officer.csrf("/me").await;
    let refusal = hocvuso_core::i18n::t(hocvuso_core::Lang::Vi, "err-account-wider-rights");
    let before = contents(&app).await;
    let held_before = held(&app, account).await;
    let mut walked = Vec::new();
    for path in account_paths() {
        assert!(
            matches!(class_of(&path), Access::Scoped | Access::ScopedByForm),
            "{path} acts on an account yet needs no role"
        );
        let url = match class_of(&path) {
            Access::ScopedByForm => path.clone(),
            _ => concrete(&path, &t),
        };
        for m in methods(&officer, &url).await {
            // A GET names an account only through its path: the roles page itself (no parameter)
            // is the officer's to read.
            if m == "GET" && !path.contains('{') {
                continue;
            }
            let (s, _, text) = send(
                &officer,
                &m,
                &url,
                body(&path, Some(&token), aimed_at(&path, &a.code, narrow)),
            )
            .await;
            assert_eq!(s, 403, "commune officer: {m} {url} on a province account gave {s}");
            assert!(
                !text.contains(&csrf_text()),
                "{m} {url} was refused for its CSRF token, not for the account"
            );
            assert!(
                text.contains(&refusal),
                "{m} {url}: the refusal says the province must do it: {text}"
            );
            walked.push(format!("{m} {path}"));
        }
    }
    for p in ["/people/{id}/reset-password", "/access", "/access/revoke"] {
        assert!(walked.contains(&format!("POST {p}")), "POST {p} not walked: {walked:?}");
    }
    assert_same(&before, &contents(&app).await, "actions on a province account");
    assert_eq!(held(&app, account).await, held_before);
    assert_eq!(wide.get("/me").await.status(), 200, "the account's session lives on");

    // Every other state-changing route the officer may use, aimed at the same resident and
    // their commune: whatever it does, the account stays as it was.
    let mut tried = Vec::new();
    for path in served_paths() {
        if account_paths().contains(&path) || !matches!(class_of(&path), Access::Scoped | Access::ScopedByForm) {
            continue;
        }
        let url = match class_of(&path) {
            Access::ScopedByForm => path.clone(),
            _ => concrete(&path, &t),
        };
        if !methods(&officer, &url).await.contains(&"POST".to_string()) {
            continue;
        }
        let (s, _, text) = send(
            &officer,
            "POST",
            &url,
            body(&path, Some(&token), fields(&path, &t, narrow)),
        )
        .await;
        assert!(s < 500, "POST {url} gave {s}: {text}");
        assert!(!text.contains(&csrf_text()), "POST {url} refused for its CSRF token");
        tried.push(path);
    }
    assert!(tried.iter().any(|p| p.starts_with("/people/{id}/")), "{tried:?}");
    assert_eq!(
        held(&app, account).await,
        held_before,
        "a route not declared as acting on an account changed one (tried {tried:?})"
    );
    assert_eq!(wide.get("/me").await.status(), 200, "the account's session lives on");
    let again = app.client();
    assert_eq!(
        again.login(PHONE, PASSWORD).await.status(),
        303,
        "its password is unchanged"
    );
    app.finish().await;
}
both!(account_walk_from_router, account_routes_against_a_wider_account);
