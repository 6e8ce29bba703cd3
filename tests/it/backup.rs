use crate::helpers::{Backend, TestApp};
use hocvuso_db::{Db, backup};

/// A backup taken while the platform serves requests restores to an identical database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_serving_and_restore() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let c = app.login("0900000005").await;
    let (commune, _) = crate::helpers::officer_units(&app).await;
    // Keep the server busy (reads and audited writes) during the backup.
    let busy = {
        let c = c.clone();
        let path = format!("/units/{}/people?q=nguyen", commune.code);
        tokio::spawn(async move {
            for _ in 0..30 {
                assert_eq!(c.get(&path).await.status(), 200);
            }
        })
    };
    // The fingerprint covers every table the database has, read from its own catalogue: a table
    // a new module adds is covered without being listed anywhere.
    use sea_query::ExprTrait;
    let catalogue: Vec<hocvuso_db::Scalar<String>> = app
        .db
        .fetch_all(
            sea_query::Query::select()
                .column(sea_query::Alias::new("name"))
                .from(sea_query::Alias::new("sqlite_master"))
                .and_where(sea_query::Expr::col(sea_query::Alias::new("type")).eq("table"))
                .and_where(sea_query::Expr::col(sea_query::Alias::new("name")).not_like("sqlite_%")),
        )
        .await
        .unwrap();
    let mut in_db: Vec<String> = catalogue.into_iter().map(|s| s.0).collect();
    in_db.sort();
    let mut listed: Vec<String> = backup::sqlite_fingerprint(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|(t, _, _)| t)
        .collect();
    listed.sort();
    assert_eq!(listed, in_db, "every table of the database is in the backup comparison");
    let dest = app.dir.path().join("backup.db");
    backup::backup_sqlite(&app.db, &dest).await.expect("backup");
    busy.await.unwrap();
    let copy = Db::open_sqlite(&dest)
        .await
        .unwrap()
        .with_audit_key(app.db.audit_key().expect("the app's audit key").clone());
    let copy_print = backup::sqlite_fingerprint(&copy).await.unwrap();
    assert!(copy_print.iter().any(|(t, n, _)| t == "people" && *n > 0));
    assert!(
        hocvuso_db::audit::verify(&copy).await.unwrap().ok(),
        "the copy's audit chain is intact"
    );
    copy.close().await;
    // Restore into a fresh location and compare every table with the backup.
    let target = app.dir.path().join("restored.db");
    std::fs::write(&target, b"old contents").unwrap();
    backup::restore_sqlite(&dest, &target).unwrap();
    assert!(
        target.with_extension("before-restore").exists(),
        "the replaced file is kept"
    );
    let restored = Db::open_sqlite(&target).await.unwrap();
    assert_eq!(backup::sqlite_fingerprint(&restored).await.unwrap(), copy_print);
    restored.close().await;
    // A backup of a quiet database equals the database itself, table by table.
    let quiet = app.dir.path().join("quiet.db");
    backup::backup_sqlite(&app.db, &quiet).await.unwrap();
    let q = Db::open_sqlite(&quiet).await.unwrap();
    assert_eq!(
        backup::sqlite_fingerprint(&q).await.unwrap(),
        backup::sqlite_fingerprint(&app.db).await.unwrap()
    );
    q.close().await;
    // Restoring from a missing file is refused and leaves the target alone.
    assert!(backup::restore_sqlite(&app.dir.path().join("none.db"), &target).is_err());
    assert!(target.exists());
    app.finish().await;
}
