use crate::both;
use crate::helpers::{Backend, TestApp, extract_csrf};

fn cookie_value(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().split_once('=').unwrap().1.to_string())
}

async fn sign_in_and_out(b: Backend) {
    let app = TestApp::spawn(b).await;
    // A raw browser, so the test sees and sets every cookie itself.
    let raw = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = raw.get(app.url("/login")).send().await.unwrap();
    let anon = cookie_value(&r, "hvs_csrf").expect("anti-forgery cookie on the login page");
    let body = r.text().await.unwrap();
    assert_eq!(extract_csrf(&body).unwrap(), anon);
    let sign_in = |extra: Option<String>| {
        let raw = raw.clone();
        let anon = anon.clone();
        let url = app.url("/login");
        async move {
            let mut cookie = format!("hvs_csrf={anon}");
            if let Some(s) = extra {
                cookie.push_str(&format!("; hvs_session={s}"));
            }
            raw.post(url)
                .header("cookie", cookie)
                .form(&[
                    ("_csrf", anon.as_str()),
                    ("login", "0900000005"),
                    ("password", "Demo@0005"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let r = sign_in(None).await;
    assert_eq!(r.status(), 303);
    let header = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("hvs_session="))
        .unwrap();
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Lax"),
        "{header}"
    );
    let first = cookie_value(&r, "hvs_session").unwrap();
    let get_me = |s: String| {
        let raw = raw.clone();
        let url = app.url("/me");
        async move {
            raw.get(url)
                .header("cookie", format!("hvs_session={s}"))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(get_me(first.clone()).await.status(), 200);
    // Signing in again from the same browser gives a new session id and ends the old one.
    let r = sign_in(Some(first.clone())).await;
    let second = cookie_value(&r, "hvs_session").unwrap();
    assert_ne!(first, second);
    assert_eq!(get_me(first.clone()).await.status(), 303, "old session must be ended");
    // Sign-out really ends the session, server side.
    let page = get_me(second.clone()).await.text().await.unwrap();
    let token = extract_csrf(&page).unwrap();
    let r = raw
        .post(app.url("/logout"))
        .header("cookie", format!("hvs_session={second}"))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = get_me(second).await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
    app.finish().await;
}
both!(sign_in_out, sign_in_and_out);

async fn failures_lock_without_enumeration(b: Backend) {
    let app = TestApp::spawn(b).await;
    let c = app.client();
    let wrong_existing = c.login("0900000005", "sai-mat-khau").await;
    assert_eq!(wrong_existing.status(), 401);
    let a = wrong_existing.text().await.unwrap();
    let wrong_missing = c.login("0999999999", "sai-mat-khau").await;
    assert_eq!(wrong_missing.status(), 401);
    let b2 = wrong_missing.text().await.unwrap();
    let msg = |s: &str| {
        s.split("role=\"alert\"")
            .nth(1)
            .map(|x| x[..x.find("</div>").unwrap()].to_string())
            .unwrap()
    };
    assert_eq!(msg(&a), msg(&b2), "same message whether or not the account exists");
    // Five failures lock the login for both kinds, with the same message.
    for login in ["0900000005", "0999999999"] {
        for _ in 0..5 {
            c.login(login, "sai").await;
        }
    }
    let locked_existing = c.login("0900000005", "Demo@0005").await;
    assert_eq!(locked_existing.status(), 429, "even the right password waits");
    assert!(locked_existing.headers().contains_key("retry-after"));
    let t1 = locked_existing.text().await.unwrap();
    let locked_missing = c.login("0999999999", "x").await;
    assert_eq!(locked_missing.status(), 429);
    assert_eq!(msg(&t1), msg(&locked_missing.text().await.unwrap()));
    assert!(t1.contains("15 phút"));
    app.finish().await;
}
both!(lockout, failures_lock_without_enumeration);

async fn csrf_is_required(b: Backend) {
    let app = TestApp::spawn(b).await;
    let c = app.login("0900000005").await;
    let (commune, _) = crate::helpers::officer_units(&app).await;
    let action = format!("/units/{}/children", commune.code);
    let before = hocvuso_db::units::children(&app.db, commune.id).await.unwrap().len();
    // Without a token.
    let r = c
        .http
        .post(c.url(&action))
        .form(&[("kind", "thon"), ("name", "Thôn Giả")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("tải lại trang"));
    // With a stale token (from another session).
    let other = app.login("0900000005").await;
    let stale = other.csrf("/me").await;
    let r = c
        .http
        .post(c.url(&action))
        .form(&[("_csrf", stale.as_str()), ("kind", "thon"), ("name", "Thôn Giả")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        hocvuso_db::units::children(&app.db, commune.id).await.unwrap().len(),
        before
    );
    // The sign-in form without its cookie token.
    let fresh = app.client();
    let r = fresh
        .http
        .post(fresh.url("/login"))
        .form(&[("login", "0900000005"), ("password", "Demo@0005")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.finish().await;
}
both!(csrf, csrf_is_required);

async fn password_reset_in_person(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = crate::helpers::officer_units(&app).await;
    let officer = app.login("0900000005").await;
    let page = hocvuso_db::people::search(
        &app.db,
        &app.vault,
        &crate::helpers::sees(&commune.path),
        &hocvuso_db::people::SearchTerm::Everyone,
        None,
        5,
    )
    .await
    .unwrap();
    let person = page.people.iter().find(|p| p.phone.is_some()).unwrap().clone();
    let r = officer
        .post_form(
            &format!("/people/{}", person.id),
            &format!("/people/{}/reset-password", person.id),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    let temp = body
        .split("class=\"big\"><strong>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(temp.len(), 10);
    // The resident signs in with their ID number and the temporary password, and must change it.
    let pid = hocvuso_db::people::reveal_personal_id(
        &app.db,
        &app.vault,
        &crate::helpers::sees::<hocvuso_core::access::act::UnmaskPersonalId>("/"),
        person.id,
    )
    .await
    .unwrap()
    .unwrap();
    let resident = app.client();
    let r = resident.login(&pid, &temp).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account/password");
    let r = resident.get("/me").await;
    assert_eq!(r.headers()["location"], "/account/password");
    let token = extract_csrf(&resident.text("/account/password").await.1).unwrap();
    let short = resident
        .http
        .post(resident.url("/account/password"))
        .form(&[
            ("_csrf", token.as_str()),
            ("current", temp.as_str()),
            ("new", "ngan"),
            ("confirm", "ngan"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("ít nhất 8"));
    let ok = resident
        .http
        .post(resident.url("/account/password"))
        .form(&[
            ("_csrf", token.as_str()),
            ("current", temp.as_str()),
            ("new", "con mèo đen 2025"),
            ("confirm", "con mèo đen 2025"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let (s, me) = resident.text("/me").await;
    assert_eq!(s, 200);
    assert!(me.contains(&person.full_name));
    app.finish().await;
}
both!(password_reset, password_reset_in_person);

/// Without a configured proxy, a client cannot choose the address the audit log records.
#[tokio::test]
async fn forwarded_for_is_not_trusted_by_default() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let c = app.client();
    let token = c.csrf("/login").await;
    let r = c
        .http
        .post(c.url("/login"))
        .header("x-forwarded-for", "203.0.113.9")
        .form(&[
            ("_csrf", token.as_str()),
            ("login", "0900000005"),
            ("password", "Demo@0005"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let log = hocvuso_db::audit::list(
        &app.db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &hocvuso_db::audit::Filter {
            action: Some("auth.login".into()),
            ..Default::default()
        },
        5,
    )
    .await
    .unwrap();
    assert_eq!(log[0].ip, "127.0.0.1");
    app.finish().await;
}

/// Every request reads the session's grants afresh (they come with the session, in one
/// statement): a grant added or revoked takes effect on the next request of a live session, an
/// account with several grants keeps all of them, and one with none still signs in.
async fn grants_follow_the_session(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (own, other) = crate::helpers::officer_units(&app).await;
    let learner = app.login("0900000008").await;
    let (status, body) = learner.text("/me").await;
    assert_eq!(status, 200, "an account without grants signs in: {body}");

    let c = app.login("0900000005").await;
    let people = |u: &hocvuso_db::units::Unit| format!("/units/{}/people", u.code);
    assert_eq!(c.text(&people(&own)).await.0, 200);
    assert_ne!(
        c.text(&people(&other)).await.0,
        200,
        "the other commune is out of scope"
    );

    let account = hocvuso_db::accounts::by_phone(&app.db, "0900000005")
        .await
        .unwrap()
        .unwrap();
    let before = hocvuso_db::accounts::grants(&app.db, account.id).await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let added = hocvuso_db::accounts::grant(&mut tx, account.id, hocvuso_core::roles::Role::Officer, &other, Some(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(c.text(&people(&other)).await.0, 200, "a grant added counts at once");
    assert_eq!(c.text(&people(&own)).await.0, 200, "both grants count");

    let mut tx = app.db.begin().await.unwrap();
    for g in &before {
        hocvuso_db::accounts::revoke(&mut tx, g.id, Some(1)).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert_ne!(c.text(&people(&own)).await.0, 200, "a revoked grant stops at once");
    assert_eq!(c.text(&people(&other)).await.0, 200, "the grant left still counts");

    let mut tx = app.db.begin().await.unwrap();
    hocvuso_db::accounts::revoke(&mut tx, added, Some(1)).await.unwrap();
    tx.commit().await.unwrap();
    assert_ne!(c.text(&people(&other)).await.0, 200);
    assert_eq!(c.text("/me").await.0, 200, "still signed in, with no grant left");
    app.finish().await;
}
both!(session_grants, grants_follow_the_session);
