//! The audit write path (issue 8 §8): views recorded by concurrent requests share one transaction
//! (group commit), keep the order they were queued in, are all written exactly once, are answered
//! only after they are committed, and a view that cannot be recorded is not served.

use crate::both;
use crate::helpers::{Backend, Options, TestApp, create_pg_database, officer_units, pg_admin_url};
use hocvuso_core::crypto::{AuditKey, MasterKey};
use hocvuso_db::audit::{self, Actor, Entry, Filter};
use hocvuso_db::{Db, Result};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};
use std::time::Duration;

/// Every wait in these tests ends; a hung group commit fails them instead of stalling the suite.
const DEADLINE: Duration = Duration::from_secs(60);

type Pending<'a> = Pin<Box<dyn Future<Output = Result<i64>> + Send + 'a>>;

/// A recorded view whose object names it ("view-7"), so order and completeness can be read back.
fn view(i: usize) -> Entry<'static> {
    let event = hocvuso_core::audit::Event::PeopleListed {
        unit_code: format!("view-{i}"),
        search: Default::default(),
    };
    Entry::of("/", &event)
}

fn actor(i: usize) -> Actor {
    Actor {
        account_id: Some(i as i64),
        label: format!("officer {i}"),
        ip: "127.0.0.1".into(),
    }
}

/// Starts `n` recordings and polls each once, so all of them are queued (in this order) before
/// the caller goes on; none is awaited yet.
fn queue_views<'a>(db: &'a Db, actors: &'a [Actor]) -> Vec<Pending<'a>> {
    let mut cx = Context::from_waker(Waker::noop());
    actors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut f: Pending<'a> = Box::pin(audit::record(db, a, view(i)));
            // Ready already (the flusher, on another thread, wrote and answered it between the
            // push and the first await): keep the answer, a finished future must not be polled again.
            match f.as_mut().poll(&mut cx) {
                std::task::Poll::Ready(answer) => Box::pin(std::future::ready(answer)),
                std::task::Poll::Pending => f,
            }
        })
        .collect()
}

async fn all_entries(db: &Db) -> Vec<audit::AuditRow> {
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

/// While a change holds the chain's head, fifty views are queued; when it commits they are written
/// in at most two transactions, in the order they were queued, right after the change.
async fn queued_views_share_a_transaction_in_order(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed: false,
            ..Default::default()
        },
    )
    .await;
    let db = &app.db;
    let base = audit::count(db).await.unwrap();
    let actors: Vec<Actor> = (0..50).map(actor).collect();
    // The change holds SQLite's single writer, and PostgreSQL's head row once it has appended.
    let mut tx = db.begin().await.unwrap();
    let change = audit::append(&mut tx, &Actor::system("test"), view(999)).await.unwrap();
    let queued = queue_views(db, &actors);
    tx.commit().await.unwrap();
    let mut ids = Vec::new();
    for f in queued {
        ids.push(tokio::time::timeout(DEADLINE, f).await.expect("answered").unwrap());
    }
    let expected: Vec<i64> = (0..50).map(|i| change + 1 + i).collect();
    assert_eq!(ids, expected, "ids follow the change, in queue order");
    let rows = all_entries(db).await;
    assert_eq!(rows.len() as i64, base + 51);
    let views: Vec<&audit::AuditRow> = rows.iter().filter(|r| r.id > change).collect();
    for (i, r) in views.iter().enumerate() {
        assert_eq!(r.object_id, format!("view-{i}"));
        assert_eq!(r.actor_label, format!("officer {i}"), "each entry keeps its own actor");
        assert_eq!(r.actor_id, Some(i as i64));
    }
    // One transaction stamps one time: the fifty views took one or two commits, not fifty.
    let stamps: HashSet<_> = views.iter().map(|r| r.at).collect();
    assert!(stamps.len() <= 2, "{} transactions for 50 queued views", stamps.len());
    let v = audit::verify(db).await.unwrap();
    assert!(v.ok(), "{v:?}");
    app.finish().await;
}
both!(audit_group_commit_order, queued_views_share_a_transaction_in_order);

/// Many requests record views while others append inside their own changes: every entry is there
/// exactly once, each request's entry is readable as soon as it is answered, and the chain holds.
async fn concurrent_views_all_recorded_once(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed: false,
            ..Default::default()
        },
    )
    .await;
    let base = audit::count(&app.db).await.unwrap();
    let mut tasks = Vec::new();
    for w in 0..8usize {
        let db = app.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for k in 0..25usize {
                let i = w * 100 + k;
                let id = audit::record(&db, &actor(w), view(i)).await.unwrap();
                // Answered means committed: another connection reads it now.
                let seen = audit::list(
                    &db,
                    hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>(
                        "/",
                    )),
                    &Filter {
                        before_id: Some(id + 1),
                        ..Default::default()
                    },
                    1,
                )
                .await
                .unwrap();
                assert_eq!(
                    seen.first().map(|r| (r.id, r.object_id.clone())),
                    Some((id, format!("view-{i}")))
                );
                got.push((id, format!("view-{i}")));
            }
            got
        }));
    }
    for w in 0..4usize {
        let db = app.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for k in 0..5usize {
                let i = 10_000 + w * 100 + k;
                let mut tx = db.begin().await.unwrap();
                let id = audit::append(&mut tx, &actor(w), view(i)).await.unwrap();
                tx.commit().await.unwrap();
                got.push((id, format!("view-{i}")));
            }
            got
        }));
    }
    let mut answered: HashMap<i64, String> = HashMap::new();
    for t in tasks {
        for (id, object) in tokio::time::timeout(DEADLINE, t).await.expect("done").unwrap() {
            assert!(answered.insert(id, object).is_none(), "id {id} given twice");
        }
    }
    assert_eq!(answered.len(), 8 * 25 + 4 * 5);
    let rows = all_entries(&app.db).await;
    assert_eq!(rows.len() as i64, base + 220, "nothing lost, nothing doubled");
    let mut objects = HashSet::new();
    for r in rows.iter().filter(|r| r.action == "people.list") {
        assert!(objects.insert(r.object_id.clone()), "{} written twice", r.object_id);
        assert_eq!(
            answered.get(&r.id),
            Some(&r.object_id),
            "entry {} is the one answered",
            r.id
        );
    }
    assert_eq!(objects.len(), 220);
    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.entries, base + 220);
    app.finish().await;
}
both!(audit_group_commit_complete, concurrent_views_all_recorded_once);

/// Closing the database writes what is queued and answers it: a request in flight at shutdown is
/// recorded, not failed.
async fn close_writes_queued_views(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = match b {
        Backend::Sqlite => (format!("sqlite://{}", dir.path().join("close.db").display()), None),
        Backend::Postgres => {
            let (name, url) = create_pg_database().await;
            (url, Some(name))
        }
    };
    let key = MasterKey::generate();
    let db = Db::connect(&url).await.unwrap().with_audit_key(AuditKey::new(&key));
    db.migrate().await.unwrap();
    audit::seal_boundary(&db).await.unwrap();
    let actors: Vec<Actor> = (0..40).map(actor).collect();
    let queued = queue_views(&db, &actors);
    tokio::time::timeout(DEADLINE, db.close()).await.expect("closed");
    for (i, f) in queued.into_iter().enumerate() {
        let r = tokio::time::timeout(DEADLINE, f).await.expect("answered");
        assert!(r.is_ok(), "view {i} queued before close was refused: {r:?}");
    }
    let db = Db::connect(&url).await.unwrap().with_audit_key(AuditKey::new(&key));
    let rows = all_entries(&db).await;
    let objects: Vec<String> = rows.iter().map(|r| r.object_id.clone()).collect();
    let expected: Vec<String> = (0..40).map(|i| format!("view-{i}")).collect();
    assert_eq!(objects, expected);
    assert!(audit::verify(&db).await.unwrap().ok());
    db.close().await;
    if let Some(name) = pg {
        let admin = Db::connect(&pg_admin_url()).await.unwrap();
        admin.drop_database(&name).await.unwrap();
        admin.close().await;
    }
}
both!(audit_close_drains, close_writes_queued_views);

async fn rename_audit_log(db: &Db, from: &str, to: &str) {
    let mut tx = db.begin().await.unwrap();
    tx.execute_unchecked(&format!("ALTER TABLE {from} RENAME TO {to}"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// When the audit entry of a people list cannot be written, the list is not served; once the log
/// is back, the next view is recorded and the chain has no gap.
async fn unrecorded_view_is_not_served(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.login("0900000005").await;
    let path = format!("/units/{}/people", commune.code);
    let (status, page) = c.text(&path).await;
    assert_eq!(status, 200);
    let first = hocvuso_db::people::list(
        &app.db,
        &app.vault,
        &crate::helpers::sees(&commune.path),
        &hocvuso_db::people::SearchTerm::Everyone,
        hocvuso_db::people::ListFilter::default(),
        hocvuso_db::people::PageAt::First,
        1,
    )
    .await
    .unwrap();
    let name = first.people.first().expect("seeded people").full_name.clone();
    assert!(page.contains(&name), "the list shows {name}");
    let before = audit::count(&app.db).await.unwrap();

    rename_audit_log(&app.db, "audit_log", "audit_log_away").await;
    let (status, page) = c.text(&path).await;
    assert_eq!(status, 500, "a view that could not be recorded fails");
    assert!(!page.contains(&name), "no personal data in the failed page");
    rename_audit_log(&app.db, "audit_log_away", "audit_log").await;

    assert_eq!(audit::count(&app.db).await.unwrap(), before, "nothing half-written");
    let (status, _) = c.text(&path).await;
    assert_eq!(status, 200);
    assert_eq!(audit::count(&app.db).await.unwrap(), before + 1);
    let v = audit::verify(&app.db).await.unwrap();
    assert!(v.ok(), "{v:?}");
    app.finish().await;
}
both!(audit_unrecorded_refused, unrecorded_view_is_not_served);

async fn wal_threshold(db: &Db) -> i64 {
    db.wal_autocheckpoint().await.unwrap().expect("SQLite")
}

/// SQLite's writer checkpoints every 1,000 WAL pages in normal traffic, so readers search a short
/// WAL; while an import applies, every 50,000 pages; back to 1,000 when it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wal_checkpoints_small_except_during_imports() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("wal.db").display()))
        .await
        .unwrap();
    assert_eq!(wal_threshold(&db).await, i64::from(hocvuso_db::WAL_PAGES));
    assert_eq!(hocvuso_db::WAL_PAGES, 1_000);
    let bulk = db.bulk_writes();
    let second = db.clone().bulk_writes();
    assert_eq!(wal_threshold(&db).await, i64::from(hocvuso_db::WAL_PAGES_BULK));
    drop(bulk);
    assert_eq!(
        wal_threshold(&db).await,
        i64::from(hocvuso_db::WAL_PAGES_BULK),
        "another import still applies"
    );
    drop(second);
    assert_eq!(wal_threshold(&db).await, i64::from(hocvuso_db::WAL_PAGES));
    db.close().await;
}
