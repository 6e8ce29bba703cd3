//! Migrations carry what an older release stored: a database is built as that release left it,
//! the next migration runs, and the data is still found.

use crate::both;
use crate::helpers::{Backend, create_pg_database, pg_admin_url};
use hocvuso_core::crypto::{MasterKey, PidVault};
use hocvuso_core::text;
use hocvuso_core::units::Kind;
use hocvuso_db::audit::Actor;
use hocvuso_db::people::{self, SearchTerm};
use hocvuso_db::schema::{People, PeopleSearch};
use hocvuso_db::sea_query::{Expr, Query};
use hocvuso_db::units::{self, NewUnit};
use hocvuso_db::{Db, Scalar};
use rand::SeedableRng;

async fn open(b: Backend, dir: &tempfile::TempDir) -> (Db, Option<String>) {
    match b {
        Backend::Sqlite => (
            Db::connect(&format!("sqlite://{}", dir.path().join("old.db").display()))
                .await
                .unwrap(),
            None,
        ),
        Backend::Postgres => {
            let (name, url) = create_pg_database().await;
            (Db::connect(&url).await.unwrap(), Some(name))
        }
    }
}

async fn count(db: &Db, sql_where: &'static str) -> i64 {
    let q = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from(PeopleSearch::Table)
        .and_where(Expr::cust(sql_where))
        .to_owned();
    let n: Scalar<i64> = db.fetch_one(&q).await.unwrap();
    n.0
}

/// Release 2 kept search rows keyed by name first and phones in an index of their own; migration 3
/// clusters the rows by place and makes the phone a search row. People registered before it must
/// still be found by name and by phone, in the right scope only.
async fn search_rows_survive_migration_3(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (db, pg) = open(b, &dir).await;
    db.migrate_to(2).await.unwrap();
    units::load_official(&db).await.unwrap();
    let commune = units::by_code(&db, "01840").await.unwrap().unwrap();
    let other = units::by_code(&db, "01843").await.unwrap().unwrap();
    let village = units::create(
        &db,
        NewUnit {
            parent: &commune,
            kind: Kind::Thon,
            name: "Thôn Làng Mới",
            code: None,
        },
        &Actor::system("test"),
    )
    .await
    .unwrap();
    let vault = PidVault::new(&MasterKey::generate());
    let today = time::OffsetDateTime::now_utc().date();
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    // What release 2 wrote for each person: the people row, then one search row per word suffix
    // keyed (key, unit_path, person_id); phones only in the people row.
    let mut tx = db.begin().await.unwrap();
    let mut people_in = Vec::new();
    for serial in 0..40u64 {
        let mut p = hocvuso_db::demo::person(&mut rng, serial, today);
        p.phone = Some(format!("0912{serial:06}"));
        let at = hocvuso_db::now();
        let id: Scalar<i64> = tx
            .fetch_one(
                Query::insert()
                    .into_table(People::Table)
                    .columns([
                        People::FullName,
                        People::NameKey,
                        People::BirthDate,
                        People::Sex,
                        People::PidCipher,
                        People::PidIndex,
                        People::PidLast4,
                        People::Phone,
                        People::Groups,
                        People::UnitId,
                        People::UnitPath,
                        People::CreatedAt,
                        People::UpdatedAt,
                    ])
                    .values_panic([
                        p.full_name.clone().into(),
                        text::person_name_key(&p.full_name).into(),
                        p.birth_date.into(),
                        p.sex.as_str().into(),
                        vault.encrypt(&p.personal_id).into(),
                        vault.blind_index(&p.personal_id).into(),
                        p.personal_id.last4().into(),
                        p.phone.clone().into(),
                        p.groups.bits().into(),
                        village.id.into(),
                        village.path.clone().into(),
                        at.into(),
                        at.into(),
                    ])
                    .returning_col(People::Id),
            )
            .await
            .unwrap();
        for key in text::search_keys(&text::fold(&p.full_name)) {
            tx.execute(
                Query::insert()
                    .into_table(PeopleSearch::Table)
                    .columns([
                        PeopleSearch::Key,
                        PeopleSearch::UnitPath,
                        PeopleSearch::PersonId,
                        PeopleSearch::NameKey,
                    ])
                    .values_panic([
                        key.into(),
                        village.path.clone().into(),
                        id.0.into(),
                        text::person_name_key(&p.full_name).into(),
                    ]),
            )
            .await
            .unwrap();
        }
        people_in.push(p);
    }
    tx.commit().await.unwrap();
    let name_rows = count(&db, "1 = 1").await;
    assert!(name_rows >= 80, "{name_rows}");

    // Up to 3 exactly: later releases add migrations of their own.
    assert_eq!(
        db.migrate_to(3).await.unwrap(),
        1,
        "migration 3 and nothing else was pending"
    );

    assert_eq!(
        count(&db, "key NOT LIKE 'tel:%'").await,
        name_rows,
        "every name row carried over"
    );
    assert_eq!(
        count(&db, "key LIKE 'tel:%'").await,
        40,
        "one phone row per person with a phone"
    );
    for p in people_in.iter().take(10) {
        let phone = p.phone.clone().unwrap();
        let found = people::search(&db, &vault, &commune.path, &SearchTerm::parse(&phone), None, 10)
            .await
            .unwrap();
        assert_eq!(found.people.len(), 1, "{phone}");
        assert_eq!(found.people[0].full_name, p.full_name);
        let by_name = people::search(
            &db,
            &vault,
            &village.path,
            &SearchTerm::parse(&hocvuso_core::text::fold(&p.full_name)),
            None,
            50,
        )
        .await
        .unwrap();
        assert!(
            by_name.people.iter().any(|x| x.full_name == p.full_name),
            "{}",
            p.full_name
        );
        let province = units::by_code(&db, "19").await.unwrap().unwrap();
        let wide = people::search(&db, &vault, &province.path, &SearchTerm::parse(&phone), None, 10)
            .await
            .unwrap();
        assert_eq!(wide.people.len(), 1, "the province finds {phone} once");
        let elsewhere = people::search(&db, &vault, &other.path, &SearchTerm::parse(&phone), None, 10)
            .await
            .unwrap();
        assert!(
            elsewhere.people.is_empty(),
            "a neighbouring commune does not see {phone}"
        );
    }
    db.close().await;
    if let Some(name) = pg {
        let admin = Db::connect(&pg_admin_url()).await.unwrap();
        admin.drop_database(&name).await.unwrap();
        admin.close().await;
    }
}
both!(search_rows_migration, search_rows_survive_migration_3);

/// Release 7 kept `audit_log.id` as a plain BIGINT key (SQLite kept a hidden unique index beside
/// the table); migration 8 rebuilds SQLite's table keyed by the rowid and makes the person index
/// partial on both. Entries written before it carry over unchanged: the same rows, a checkpoint
/// taken before still verifies, a person's history is still found, the log stays append-only, and
/// new entries continue the chain.
async fn audit_log_survives_migration_8(b: Backend) {
    use hocvuso_core::crypto::AuditKey;
    use hocvuso_db::audit::{self, Entry, Filter};
    let dir = tempfile::tempdir().unwrap();
    let (db, pg) = open(b, &dir).await;
    db.migrate_to(7).await.unwrap();
    let db = db.with_audit_key(AuditKey::new(&MasterKey::generate()));
    audit::seal_boundary(&db).await.unwrap();
    let actor = Actor::system("test");
    let entry = |i: i64, person: Option<i64>| Entry {
        action: if person.is_some() {
            "person.import_create"
        } else {
            "people.list"
        },
        object_kind: if person.is_some() { "person" } else { "unit" },
        object_id: i.to_string(),
        person_id: person,
        unit_path: "/1/19/",
        detail: serde_json::json!({ "i": i }),
    };
    for i in 0..30 {
        audit::record(&db, &actor, entry(i, None)).await.unwrap();
    }
    let mut tx = db.begin().await.unwrap();
    audit::append_many(&mut tx, &actor, (0..20).map(|i| entry(i, Some(100 + i))).collect())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let cp = audit::checkpoint(&db).await.unwrap();
    let before = serde_json::to_value(audit::list(&db, &Filter::default(), 1000).await.unwrap()).unwrap();

    assert_eq!(
        db.migrate_to(8).await.unwrap(),
        1,
        "migration 8 and nothing else was pending"
    );

    let after = serde_json::to_value(audit::list(&db, &Filter::default(), 1000).await.unwrap()).unwrap();
    assert_eq!(after, before, "every entry carried over unchanged");
    let v = audit::verify_with(&db, Some(&cp)).await.unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.entries, 50);
    let history = audit::list(
        &db,
        &Filter {
            person_id: Some(105),
            ..Default::default()
        },
        10,
    )
    .await
    .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].object_id, "5");
    let mut tx = db.begin().await.unwrap();
    assert!(
        tx.execute_unchecked("UPDATE audit_log SET actor_label = 'x' WHERE id = 1")
            .await
            .is_err(),
        "still append-only"
    );
    drop(tx);
    if b == Backend::Sqlite {
        // `id` is the rowid: no index of SQLite's own beside the table.
        let auto: Scalar<i64> = db
            .fetch_one(
                &Query::select()
                    .expr(Expr::cust("COUNT(*)"))
                    .from(hocvuso_db::sea_query::Alias::new("sqlite_master"))
                    .and_where(Expr::cust("tbl_name = 'audit_log' AND name LIKE 'sqlite_autoindex%'"))
                    .to_owned(),
            )
            .await
            .unwrap();
        assert_eq!(auto.0, 0);
    }
    audit::record(&db, &actor, entry(50, None)).await.unwrap();
    let v = audit::verify_with(&db, Some(&cp)).await.unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.entries, 51);
    db.close().await;
    if let Some(name) = pg {
        let admin = Db::connect(&pg_admin_url()).await.unwrap();
        admin.drop_database(&name).await.unwrap();
        admin.close().await;
    }
}
both!(audit_rowid_migration, audit_log_survives_migration_8);
