//! Migrations carry what an older release stored: a database is built as that release left it,
//! the next migration runs, and the data is still found.

use crate::both;
use crate::helpers::{Backend, create_pg_database, pg_admin_url};
use hocvuso_core::crypto::{MasterKey, PidVault};
use hocvuso_core::text;
use hocvuso_core::units::Kind;
use hocvuso_db::people::{self, People, PeopleSearch, SearchTerm};
use hocvuso_db::sea_query::{Expr, Query};
use hocvuso_db::sessions::{self, Sessions};
use hocvuso_db::units;
use hocvuso_db::{Db, Scalar, accounts};
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
    let vault = PidVault::new(&MasterKey::generate());
    let app = hocvuso_app::App::new(
        db.clone(),
        std::sync::Arc::new(vault.clone()),
        dir.path().join("uploads"),
    );
    let village = hocvuso_app::units::create_child(
        &app,
        &crate::helpers::platform(),
        &commune,
        hocvuso_app::units::NewChild {
            kind: Kind::Thon,
            name: "Thôn Làng Mới",
            code: None,
        },
    )
    .await
    .unwrap();
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
        let found = people::search(
            &db,
            &vault,
            &crate::helpers::sees(&commune.path),
            &SearchTerm::parse(&phone),
            None,
            10,
        )
        .await
        .unwrap();
        assert_eq!(found.people.len(), 1, "{phone}");
        assert_eq!(found.people[0].full_name, p.full_name);
        let by_name = people::search(
            &db,
            &vault,
            &crate::helpers::sees(&village.path),
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
        let wide = people::search(
            &db,
            &vault,
            &crate::helpers::sees(&province.path),
            &SearchTerm::parse(&phone),
            None,
            10,
        )
        .await
        .unwrap();
        assert_eq!(wide.people.len(), 1, "the province finds {phone} once");
        let elsewhere = people::search(
            &db,
            &vault,
            &crate::helpers::sees(&other.path),
            &SearchTerm::parse(&phone),
            None,
            10,
        )
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

/// Release 8 kept its import work in `import_jobs` (checking, applying) with the starts of the
/// current stage in `import_jobs.attempts`; migration 9 makes each unfinished stage a job of the
/// queue, so an upgrade loses nothing: a stage never started is queued, one a process died in is
/// recovered like any job (run again, or failed when both starts were used), and the queue then
/// finishes them.
async fn unfinished_imports_become_jobs_9(b: Backend) {
    use hocvuso_app::imports::{ApplyImport, CheckImport, ImportRef};
    use hocvuso_app::jobs::{self, Job};
    use hocvuso_db::imports::ImportJobs;
    use hocvuso_db::imports::{self, Status};
    use hocvuso_db::jobs::Status as JobStatus;
    let dir = tempfile::tempdir().unwrap();
    let (db, pg) = open(b, &dir).await;
    db.migrate_to(8).await.unwrap();
    units::load_official(&db).await.unwrap();
    let commune = units::by_code(&db, "01840").await.unwrap().unwrap();
    let uploads = dir.path().join("uploads");
    std::fs::create_dir_all(&uploads).unwrap();
    // (status, attempts, created_by) as release 8 wrote them; 0 was the command line.
    let rows = [
        ("checking", 0, 0),
        ("checking", 1, 0),
        ("checking", 2, 7),
        ("applying", 1, 0),
        ("awaiting_decision", 0, 0),
        ("done", 0, 0),
    ];
    let mut ids = Vec::new();
    let mut tx = db.begin().await.unwrap();
    for (i, (status, attempts, by)) in rows.iter().enumerate() {
        let at = hocvuso_db::now();
        let id: Scalar<i64> = tx
            .fetch_one(
                Query::insert()
                    .into_table(ImportJobs::Table)
                    .columns([
                        ImportJobs::UnitId,
                        ImportJobs::CreatedBy,
                        ImportJobs::FileName,
                        ImportJobs::Status,
                        ImportJobs::Attempts,
                        ImportJobs::CreatedAt,
                        ImportJobs::UpdatedAt,
                    ])
                    .values_panic([
                        commune.id.into(),
                        (*by as i64).into(),
                        format!("ds-{i}.csv").into(),
                        (*status).into(),
                        (*attempts).into(),
                        at.into(),
                        at.into(),
                    ])
                    .returning_col(ImportJobs::Id),
            )
            .await
            .unwrap();
        let csv = format!("Họ và tên,Ngày sinh,Giới tính,Số định danh\nNgười Cũ {i},01/01/1990,Nam,00109001234{i}\n");
        std::fs::write(imports::upload_path(&uploads, id.0), csv).unwrap();
        ids.push(id.0);
    }
    tx.commit().await.unwrap();

    db.migrate().await.unwrap();

    let job = |kind: &'static str, import_id: i64| {
        let db = db.clone();
        async move {
            let payload = serde_json::to_string(&ImportRef { import_id }).unwrap();
            let mut found = hocvuso_db::jobs::find(&db, kind, &payload).await.unwrap();
            assert!(found.len() <= 1, "{found:?}");
            found.pop()
        }
    };
    let expected = [
        (CheckImport::KIND, "short", JobStatus::Queued, 0, None),
        (CheckImport::KIND, "short", JobStatus::Running, 1, None),
        (CheckImport::KIND, "short", JobStatus::Running, 2, Some(7)),
        (ApplyImport::KIND, "long", JobStatus::Running, 1, None),
    ];
    for (id, (kind, lane, status, attempts, actor)) in ids.iter().zip(expected) {
        let j = job(kind, *id)
            .await
            .unwrap_or_else(|| panic!("import {id} has no {kind} job"));
        assert_eq!(
            (j.lane.as_str(), j.status, j.attempts, j.max_attempts, j.actor_id),
            (lane, status, attempts, 2, actor),
            "{j:?}"
        );
        assert_eq!(
            j.payload,
            jobs::payload_text::<CheckImport>(&ImportRef { import_id: *id }).unwrap()
        );
    }
    for id in &ids[4..] {
        assert!(job(CheckImport::KIND, *id).await.is_none());
        assert!(job(ApplyImport::KIND, *id).await.is_none());
    }
    for id in &ids {
        assert_eq!(imports::get(&db, *id).await.unwrap().unwrap().attempts, 0);
    }

    // The queue carries them on.
    let vault = std::sync::Arc::new(PidVault::new(&MasterKey::generate()));
    let ctx = hocvuso_app::App::new(db.clone(), vault, uploads.clone());
    let runner = jobs::Runner::start(ctx, jobs::registry(), Default::default()).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let ended = |s: Status| !matches!(s, Status::Checking | Status::Applying);
    let mut imported = Vec::new();
    for id in &ids {
        loop {
            let j = imports::get(&db, *id).await.unwrap().unwrap();
            if ended(j.status()) {
                imported.push(j);
                break;
            }
            assert!(std::time::Instant::now() < deadline, "import {id} still {:?}", j.status);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    runner.stop().await;
    let outcome: Vec<(Status, Option<String>)> = imported
        .iter()
        .map(|j| (j.status(), j.message().map(|m| m.key)))
        .collect();
    assert_eq!(
        outcome,
        vec![
            (Status::AwaitingDecision, None),
            (Status::AwaitingDecision, None),
            (Status::Failed, Some("err-import-crashed-twice-checking".into())),
            // Its staged rows were never written in this test: said so, nothing half-applied.
            (Status::Failed, Some("err-import-staged-lost".into())),
            (Status::AwaitingDecision, None),
            (Status::Done, None),
        ]
    );
    assert_eq!((imported[0].good_rows, imported[1].good_rows), (1, 1));
    db.close().await;
    if let Some(name) = pg {
        let admin = Db::connect(&pg_admin_url()).await.unwrap();
        admin.drop_database(&name).await.unwrap();
        admin.close().await;
    }
}
both!(unfinished_imports_migration, unfinished_imports_become_jobs_9);

/// Migration 10 makes the schemas agree (tests/it/schema.rs): SQLite's session key refuses NULL,
/// with every session carried over, and a second account for one person is refused under the same
/// constraint name on both backends.
async fn sessions_and_names_survive_migration_10(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (db, pg) = open(b, &dir).await;
    db.migrate_to(9).await.unwrap();
    units::load_official(&db).await.unwrap();
    let commune = units::by_code(&db, "01840").await.unwrap().unwrap();
    let vault = PidVault::new(&MasterKey::generate());
    let today = time::OffsetDateTime::now_utc().date();
    let p = hocvuso_db::demo::person(&mut rand::rngs::StdRng::seed_from_u64(10), 1, today);
    let at = hocvuso_db::now();
    let mut tx = db.begin().await.unwrap();
    let person: Scalar<i64> = tx
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
                    p.groups.bits().into(),
                    commune.id.into(),
                    commune.path.clone().into(),
                    at.into(),
                    at.into(),
                ])
                .returning_col(People::Id),
        )
        .await
        .unwrap();
    let account = |phone: &'static str| accounts::NewAccount {
        display_name: "Người thử",
        phone: Some(phone),
        pid_index: None,
        person_id: Some(person.0),
        password_hash: "x".into(),
        must_change_password: false,
    };
    let first = accounts::create(&mut tx, account("0911000001")).await.unwrap();
    tx.commit().await.unwrap();
    let second = |db: Db| async move {
        let mut tx = db.begin().await.unwrap();
        accounts::create(&mut tx, account("0911000002")).await.unwrap_err()
    };
    let before = second(db.clone()).await;
    let token = sessions::create(&db, first, "127.0.0.1", "thử").await.unwrap();
    if b == Backend::Sqlite {
        // The quirk this migration removes: a NULL key was accepted.
        let mut tx = db.begin().await.unwrap();
        tx.execute_unchecked(&format!(
            "INSERT INTO sessions (id_digest, account_id, csrf_token, created_at, expires_at, last_seen_at, ip, user_agent) \
             VALUES (NULL, {first}, 'c', 'x', 'x', 'x', 'ip', 'ua')"
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(before.is_unique("accounts_person_id_key"), "{before:?}");
    } else {
        assert!(before.is_unique("accounts_person_key"), "{before:?}");
    }

    assert_eq!(
        db.migrate_to(10).await.unwrap(),
        1,
        "migration 10 and nothing else was pending"
    );

    let after = second(db.clone()).await;
    assert!(
        after.is_unique("accounts_person_id_key"),
        "the same name on both: {after:?}"
    );
    let session = sessions::get(&db, &token)
        .await
        .unwrap()
        .expect("the session was carried over");
    assert_eq!(session.account_id, first);
    let n: Scalar<i64> = db
        .fetch_one(
            &Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(Sessions::Table)
                .to_owned(),
        )
        .await
        .unwrap();
    assert_eq!(n.0, 1, "only the session that had a key");
    let mut tx = db.begin().await.unwrap();
    let null_key = tx
        .execute_unchecked(&format!(
            "INSERT INTO sessions (id_digest, account_id, csrf_token, created_at, expires_at, last_seen_at, ip, user_agent) \
             VALUES (NULL, {first}, 'c', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00', 'ip', 'ua')"
        ))
        .await;
    assert!(null_key.is_err(), "a NULL session key is refused");
    drop(tx);
    db.close().await;
    if let Some(name) = pg {
        let admin = Db::connect(&pg_admin_url()).await.unwrap();
        admin.drop_database(&name).await.unwrap();
        admin.close().await;
    }
}
both!(schema_parity_migration, sessions_and_names_survive_migration_10);

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
    let actor = hocvuso_db::audit::Actor::system("test");
    let entry = |i: i64, person: Option<i64>| {
        let event = match person {
            Some(person_id) => hocvuso_core::audit::Event::PersonImportCreated {
                person_id,
                job_id: i,
                line: i as u64,
            },
            None => hocvuso_core::audit::Event::PeopleListed {
                unit_code: i.to_string(),
                search: Default::default(),
            },
        };
        Entry::of("/1/19/", &event)
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
    let before = serde_json::to_value(
        audit::list(
            &db,
            hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
            &Filter::default(),
            1000,
        )
        .await
        .unwrap(),
    )
    .unwrap();

    assert_eq!(
        db.migrate_to(8).await.unwrap(),
        1,
        "migration 8 and nothing else was pending"
    );

    let after = serde_json::to_value(
        audit::list(
            &db,
            hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
            &Filter::default(),
            1000,
        )
        .await
        .unwrap(),
    )
    .unwrap();
    assert_eq!(after, before, "every entry carried over unchanged");
    let v = audit::verify_with(&db, Some(&cp)).await.unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.entries, 50);
    let history = audit::list(
        &db,
        hocvuso_db::audit::Reader::Within(&crate::helpers::sees::<hocvuso_core::access::act::ViewAudit>("/")),
        &Filter {
            person_id: Some(105),
            ..Default::default()
        },
        10,
    )
    .await
    .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].object_id, "105");
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

/// Release 18 kept one table of required levels per year; migration 20 gives each table a unit
/// (the country's is the national one). The rows stored before it become the country's, and a
/// province may then hold a row for the same year, group and competence.
async fn requirements_become_the_countrys_20(b: Backend) {
    use hocvuso_db::learning as ldb;
    let dir = tempfile::tempdir().unwrap();
    let (db, pg) = open(b, &dir).await;
    db.migrate_to(18).await.unwrap();
    units::load_official(&db).await.unwrap();
    let country = units::by_code(&db, hocvuso_core::units::COUNTRY_CODE)
        .await
        .unwrap()
        .unwrap();
    let province = units::by_code(&db, "19").await.unwrap().unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.execute_unchecked(
        "INSERT INTO frameworks (id, version, title, document, digest, updated_at) \
         VALUES ('digcomp22', '2.2', 'DigComp', '{}', 'd', '2026-01-01 00:00:00+00')",
    )
    .await
    .unwrap();
    for (competence, level) in [("1.1", "2"), ("4.2", "3")] {
        tx.execute_unchecked(&format!(
            "INSERT INTO learning_requirements (year, target_group, framework_id, competence, level, updated_at) \
             VALUES (2026, 'resident', 'digcomp22', '{competence}', '{level}', '2026-01-01 00:00:00+00')"
        ))
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    db.migrate_to(20).await.unwrap();

    let rows = ldb::requirements_of(&db, &country.path, 2026).await.unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.target_group.as_str(), r.competence.as_str(), r.level.as_str()))
            .collect::<Vec<_>>(),
        [("resident", "1.1", "2"), ("resident", "4.2", "3")]
    );
    let mut tx = db.begin().await.unwrap();
    ldb::set_requirements(&mut tx, &province.path, 2026, &rows[..1], None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        ldb::requirements_of(&db, &province.path, 2026).await.unwrap(),
        rows[..1]
    );
    assert_eq!(ldb::requirements_of(&db, &country.path, 2026).await.unwrap(), rows);
    let framework = ldb::framework(&db, "digcomp22").await.unwrap().unwrap();
    assert_eq!(framework.corrected_from, None);
    db.close().await;
    if let Some(name) = pg {
        let admin = Db::connect(&pg_admin_url()).await.unwrap();
        admin.drop_database(&name).await.unwrap();
        admin.close().await;
    }
}
both!(requirements_unit_migration, requirements_become_the_countrys_20);

/// Release 24 kept only certificates of attainment; migration 26 lets a certificate name a course
/// instead (SQLite rebuilds the table). Each certificate keeps its id — its bit in the published
/// status list —, code and attainment, the next one takes the next id, and a row naming neither
/// an attainment nor a course is refused.
async fn certificates_keep_their_ids_26(b: Backend) {
    use hocvuso_db::attainments::{self as att, Attainments, Certificates, NewCertificate, Subject};
    use hocvuso_db::sea_query::ExprTrait;
    let dir = tempfile::tempdir().unwrap();
    let (db, pg) = open(b, &dir).await;
    db.migrate_to(24).await.unwrap();
    units::load_official(&db).await.unwrap();
    let province = units::by_code(&db, "19").await.unwrap().unwrap();
    let at = hocvuso_db::now();
    let day = time::macros::date!(2026 - 12 - 01);
    let mut tx = db.begin().await.unwrap();
    let person: Scalar<i64> = tx
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
                    People::Groups,
                    People::UnitId,
                    People::UnitPath,
                    People::CreatedAt,
                    People::UpdatedAt,
                ])
                .values_panic([
                    "Lê Thị Mai".into(),
                    vec![1u8].into(),
                    time::macros::date!(1980 - 01 - 02).into(),
                    "female".into(),
                    vec![2u8].into(),
                    vec![3u8].into(),
                    "0001".into(),
                    1i64.into(),
                    province.id.into(),
                    province.path.clone().into(),
                    at.into(),
                    at.into(),
                ])
                .returning_col(People::Id),
        )
        .await
        .unwrap();
    let attainment: Scalar<i64> = tx
        .fetch_one(
            Query::insert()
                .into_table(Attainments::Table)
                .columns([
                    Attainments::PersonId,
                    Attainments::UnitPath,
                    Attainments::TargetGroup,
                    Attainments::FrameworkId,
                    Attainments::Level,
                    Attainments::AttainedOn,
                    Attainments::Method,
                    Attainments::Source,
                    Attainments::RecordedAt,
                ])
                .values_panic([
                    person.0.into(),
                    province.path.clone().into(),
                    "resident".into(),
                    "digcomp22".into(),
                    "2".into(),
                    day.into(),
                    "online".into(),
                    "hocvuso".into(),
                    at.into(),
                ])
                .returning_col(Attainments::Id),
        )
        .await
        .unwrap();
    let mut old = Vec::new();
    for code in ["AAAA-AAAA-AAA1", "AAAA-AAAA-AAA2"] {
        let id: Scalar<i64> = tx
            .fetch_one(
                Query::insert()
                    .into_table(Certificates::Table)
                    .columns([
                        Certificates::Code,
                        Certificates::AttainmentId,
                        Certificates::PersonId,
                        Certificates::UnitPath,
                        Certificates::HolderName,
                        Certificates::Achievement,
                        Certificates::Criteria,
                        Certificates::Level,
                        Certificates::IssuedOn,
                        Certificates::IssuedAt,
                        Certificates::IssuerName,
                    ])
                    .values_panic([
                        code.into(),
                        attainment.0.into(),
                        person.0.into(),
                        province.path.clone().into(),
                        "Lê Thị Mai".into(),
                        "Đạt".into(),
                        "Tiêu chí".into(),
                        "Cơ bản – mức 2".into(),
                        day.into(),
                        at.into(),
                        "Ban Chỉ đạo".into(),
                    ])
                    .returning_col(Certificates::Id),
            )
            .await
            .unwrap();
        old.push((id.0, code));
    }
    tx.commit().await.unwrap();

    db.migrate_to(26).await.unwrap();
    // As the next release starts: a new process opens the migrated database.
    db.close().await;
    let db = match &pg {
        None => Db::connect(&format!("sqlite://{}", dir.path().join("old.db").display()))
            .await
            .unwrap(),
        Some(name) => {
            let base = pg_admin_url();
            let url = format!("{}/{name}", base.rsplit_once('/').map(|(a, _)| a).unwrap_or(&base));
            Db::connect(&url).await.unwrap()
        }
    };

    let stored = att::certificates_of_person(&db, person.0).await.unwrap();
    assert_eq!(
        stored
            .iter()
            .map(|c| (c.id, c.code.as_str(), c.attainment_id, c.course_id))
            .collect::<Vec<_>>(),
        old.iter()
            .map(|(id, code)| (*id, *code, Some(attainment.0), None))
            .collect::<Vec<_>>()
    );
    let mut tx = db.begin().await.unwrap();
    let next = att::issue(
        &mut tx,
        &NewCertificate {
            code: "AAAA-AAAA-AAA3",
            subject: Subject::Attainment(attainment.0),
            person_id: person.0,
            unit_path: &province.path,
            holder_name: "Lê Thị Mai",
            achievement: "Đạt",
            criteria: "Tiêu chí",
            level: "Cơ bản – mức 2",
            issued_on: day,
            issued_at: at,
            issuer_name: "Ban Chỉ đạo",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(next, Some(old[1].0 + 1), "the next status-list index");
    // Neither an attainment nor a course: refused by the table.
    let mut tx = db.begin().await.unwrap();
    let r = tx
        .execute(
            Query::update()
                .table(Certificates::Table)
                .value(Certificates::AttainmentId, Option::<i64>::None)
                .and_where(Expr::col(Certificates::Id).eq(old[0].0)),
        )
        .await;
    assert!(r.is_err(), "a certificate of nothing: {r:?}");
    drop(tx);
    db.close().await;
    if let Some(name) = pg {
        let admin = Db::connect(&pg_admin_url()).await.unwrap();
        admin.drop_database(&name).await.unwrap();
        admin.close().await;
    }
}
both!(certificates_migration, certificates_keep_their_ids_26);
