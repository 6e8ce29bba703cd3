//! Access in scope, the audit log's scope and tamper evidence, and accounts holding wider grants.
//! The walk of every route × role × out-of-scope unit is in `walk.rs`, read from the router.

use crate::both;
use crate::helpers::{Backend, TestApp, officer_units};
use hocvuso_db::imports;
use hocvuso_db::units::{self, Unit};

pub(crate) struct Target {
    pub unit: Unit,
    pub person: i64,
    pub job: i64,
}

pub(crate) async fn target(app: &TestApp, unit: Unit, pid: &str) -> Target {
    let person = crate::security::person_in(app, &unit, pid, "Người Ngoài Phạm Vi").await;
    let csv = "Họ và tên,Ngày sinh,Giới tính,Số định danh\nA B,01/01/1990,Nam,001090123456\n";
    // Uploaded by the system administrator (account 1); the server's queue checks it.
    let job = hocvuso_app::imports::upload(
        &app.app(),
        &crate::helpers::admin(app).await,
        &unit,
        "x.csv",
        csv.as_bytes(),
    )
    .await
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let j = imports::get(&app.db, job).await.unwrap().unwrap();
        if j.status() != imports::Status::Checking {
            assert_eq!(j.status(), imports::Status::AwaitingDecision, "{j:?}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "import {job} still checking after 60 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // An item in the unit's bank, for the question-bank pages to name.
    crate::question_bank::seed_walk_item(app, &unit.path).await;
    Target { unit, person, job }
}

/// Inside their scope the same routes work, and the inspector reads but never changes (the walk
/// over every route out of scope is `walk::scope_walk_from_router`).
async fn in_scope_and_read_only(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (a, _) = officer_units(&app).await;
    let in_a = target(&app, a.clone(), "001090000001").await;
    let c = app.login("0900000005").await;
    assert_eq!(c.get(&format!("/people/{}", in_a.person)).await.status(), 200);
    assert_eq!(c.get(&format!("/imports/{}", in_a.job)).await.status(), 200);
    let c = app.login("0900000003").await;
    assert_eq!(
        c.get(&format!("/people/{}", in_a.person)).await.status(),
        200,
        "inspector reads in scope"
    );
    let s = c
        .post_form("/me", &format!("/people/{}/consent/withdraw", in_a.person), &[])
        .await
        .status();
    assert_eq!(s, 403, "inspector is read-only");
    app.finish().await;
}
both!(in_scope, in_scope_and_read_only);

async fn audit_is_scoped_and_tamper_evident(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (a, bunit) = officer_units(&app).await;
    let ta = target(&app, a, "001090000011").await;
    let tb = target(&app, bunit, "001090000012").await;
    let officer_a = app.login("0900000005").await;
    officer_a.get(&format!("/people/{}", ta.person)).await;
    let officer_b = app.login("0900000006").await;
    officer_b.get(&format!("/people/{}", tb.person)).await;
    // The inspector of the province sees both; the log page is forbidden to officers.
    let inspector = app.login("0900000003").await;
    let (s, page) = inspector.text("/audit").await;
    assert_eq!(s, 200);
    assert!(page.contains(&format!("/people/{}\"", ta.person)) && page.contains(&format!("/people/{}\"", tb.person)));
    assert_eq!(officer_a.get("/audit").await.status(), 403);
    // The person can see who looked at them.
    let v = hocvuso_db::audit::verify(&app.db).await.unwrap();
    assert!(v.ok(), "{v:?}");
    assert!(v.entries > 4);
    // The log refuses updates and deletes outright…
    let mut tx = app.db.begin().await.unwrap();
    let r = tx
        .execute(
            hocvuso_db::sea_query::Query::delete()
                .from_table(hocvuso_db::audit::AuditLog::Table)
                .and_where(hocvuso_db::sea_query::Expr::cust("id = 2")),
        )
        .await;
    assert!(r.is_err(), "append-only");
    drop(tx);
    // …and if someone with database access removes the guard and edits a row, verify finds it.
    let mut tx = app.db.begin().await.unwrap();
    match b {
        Backend::Sqlite => {
            tx.execute_unchecked("DROP TRIGGER audit_log_no_update").await.unwrap();
        }
        Backend::Postgres => {
            tx.execute_unchecked("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
                .await
                .unwrap();
        }
    }
    tx.execute_unchecked("UPDATE audit_log SET actor_label = 'người khác' WHERE id = 3")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let v = hocvuso_db::audit::verify(&app.db).await.unwrap();
    assert_eq!(v.broken.map(|(id, _)| id), Some(3));
    app.finish().await;
}
both!(audit, audit_is_scoped_and_tamper_evident);

/// An in-scope resident whose account holds a wider grant (here: officer of the whole province):
/// no one below the province may act on the account — reset its password, or revoke even the
/// narrow grant they could otherwise revoke — and nothing stored changes; the page hides the
/// button; the province can do it.
async fn account_with_a_wider_grant(b: Backend) {
    use hocvuso_core::roles::Role;
    use hocvuso_db::accounts;
    let app = TestApp::spawn(b).await;
    let (a, _) = officer_units(&app).await;
    let t = target(&app, a.clone(), "001090000021").await;
    let officer = app.login("0900000005").await;
    // The officer gives the resident an account (allowed: it holds nothing yet)…
    let r = officer
        .post_form(
            &format!("/people/{}", t.person),
            &format!("/people/{}/reset-password", t.person),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let account = accounts::by_person(&app.db, t.person).await.unwrap().unwrap();
    // …then the province makes that account an officer of the whole province, and a helper of A.
    let province = units::by_code(&app.db, "19").await.unwrap().unwrap();
    let mut tx = app.db.begin().await.unwrap();
    accounts::grant(&mut tx, account.id, Role::Officer, &province, None)
        .await
        .unwrap();
    let helper_grant = accounts::grant(&mut tx, account.id, Role::Helper, &a, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let before = crate::walk::contents(&app).await;
    let hash = |app: &TestApp| {
        let db = app.db.clone();
        let id = account.id;
        async move { accounts::get(&db, id).await.unwrap().unwrap().password_hash }
    };
    let hash_before = hash(&app).await;
    let grant_id = helper_grant.to_string();
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("/people/{}/reset-password", t.person), vec![("confirm", "yes")]),
        (format!("/people/{}/reset-password", t.person), vec![]),
        ("/access/revoke".to_string(), vec![("grant_id", grant_id.as_str())]),
    ];
    for (who, c) in [
        ("officer of A", &officer),
        ("helper of A", &app.login("0900000007").await),
    ] {
        let token = c.csrf("/me").await;
        for (path, fields) in &posts {
            let mut all = vec![("_csrf", token.as_str())];
            all.extend(fields.iter().copied());
            let r = c.http.post(c.url(path)).form(&all).send().await.unwrap();
            let s = r.status().as_u16();
            // The helper (a village of A) may not see the person at all: 404 is right for them.
            assert!(
                s == 403 || (s == 404 && who == "helper of A"),
                "{who}: POST {path} gave {s}"
            );
            if who == "officer of A" {
                assert_eq!(s, 403);
                let body = r.text().await.unwrap();
                assert!(body.contains("cấp tỉnh"), "{who}: POST {path} says who can: {body}");
            }
        }
    }
    // The confirmation page is refused too, with the same message.
    let r = officer.get(&format!("/people/{}/reset-password", t.person)).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("cấp tỉnh"));
    crate::walk::assert_same(&before, &crate::walk::contents(&app).await, "nothing stored changed");
    assert_eq!(hash(&app).await, hash_before, "the password is unchanged");
    assert_eq!(accounts::grants(&app.db, account.id).await.unwrap().len(), 2);
    let (_, page) = officer.text(&format!("/people/{}", t.person)).await;
    assert!(!page.contains("/reset-password"), "no reset button for the officer");
    // The province's steering committee may.
    let province_admin = app.login("0900000002").await;
    let (_, page) = province_admin.text(&format!("/people/{}", t.person)).await;
    assert!(page.contains("/reset-password"));
    let r = province_admin
        .post_form(
            &format!("/people/{}", t.person),
            &format!("/people/{}/reset-password", t.person),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_ne!(hash(&app).await, hash_before);
    app.finish().await;
}
both!(wider_account_walk, account_with_a_wider_grant);
