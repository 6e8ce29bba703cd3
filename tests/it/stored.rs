//! Stored values decode strictly: a value this release does not know, written behind its back with
//! raw SQL, makes the read fail with an error naming the table, the column and the value — never a
//! guess (an unknown level read as an organisation, an unknown status as a failure, an unknown
//! role as the widest).

use crate::both;
use crate::helpers::{Backend, LogCapture, TestApp, officer_units};
use hocvuso_core::roles::Role;
use hocvuso_core::units::{DenominatorKind, Kind};
use hocvuso_db::imports::{self, mappings};
use hocvuso_db::people::{self, People};
use hocvuso_db::sea_query::Query;
use hocvuso_db::units;
use hocvuso_db::{Db, DbError, Scalar, accounts, denominators};
use std::fmt::Debug;

async fn poke(db: &Db, sql: String) {
    let mut tx = db.begin().await.unwrap();
    tx.execute_unchecked(&sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    tx.commit().await.unwrap();
}

/// The read failed because `table.column` holds `value` (as Rust prints it), and says so.
#[track_caller]
fn unknown<T: Debug>(read: Result<T, DbError>, table: &str, column: &str, value: &str) {
    match read {
        Err(DbError::Unknown(u)) => {
            assert_eq!((u.table, u.column, u.value.as_str()), (table, column, value));
            let said = DbError::Unknown(u).to_string();
            for part in [table, column, value] {
                assert!(said.contains(part), "{said:?} names {part}");
            }
        }
        other => panic!("{table}.{column} = {value}: expected an unknown-value error, got {other:?}"),
    }
}

async fn unknown_values_fail_by_name(b: Backend) {
    let app = TestApp::spawn(b).await;
    let db = &app.db;
    let (commune, _) = officer_units(&app).await;

    // units.level and units.kind (an unknown level was read as an organisation).
    poke(
        db,
        format!("UPDATE units SET level = 'hamlet' WHERE id = {}", commune.id),
    )
    .await;
    unknown(units::get(db, commune.id).await, "units", "level", "\"hamlet\"");
    unknown(units::by_code(db, &commune.code).await, "units", "level", "\"hamlet\"");
    poke(
        db,
        format!(
            "UPDATE units SET level = 'commune', kind = 'hamlet' WHERE id = {}",
            commune.id
        ),
    )
    .await;
    unknown(units::get(db, commune.id).await, "units", "kind", "\"hamlet\"");
    poke(
        db,
        format!(
            "UPDATE units SET kind = '{}' WHERE id = {}",
            commune.kind.as_str(),
            commune.id
        ),
    )
    .await;
    assert_eq!(
        units::get(db, commune.id).await.unwrap().unwrap().level,
        commune.level,
        "restored"
    );

    // unit_events.event.
    let village = hocvuso_app::units::create_child(
        &app.app(),
        &crate::helpers::platform(),
        &commune,
        hocvuso_app::units::NewChild {
            kind: Kind::Thon,
            name: "Thôn Kiểm Tra",
            code: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(units::events(db, village.id).await.unwrap().len(), 1);
    poke(
        db,
        format!(
            "UPDATE unit_events SET event = 'demolished' WHERE unit_id = {}",
            village.id
        ),
    )
    .await;
    unknown(
        units::events(db, village.id).await,
        "unit_events",
        "event",
        "\"demolished\"",
    );

    // role_grants.role (an unknown role was treated as the widest one).
    let helper = accounts::by_phone(db, "0900000007").await.unwrap().unwrap();
    assert_eq!(accounts::grants(db, helper.id).await.unwrap()[0].role, Role::Helper);
    poke(
        db,
        format!(
            "UPDATE role_grants SET role = 'superuser' WHERE account_id = {}",
            helper.id
        ),
    )
    .await;
    unknown(
        accounts::grants(db, helper.id).await,
        "role_grants",
        "role",
        "\"superuser\"",
    );
    poke(
        db,
        format!(
            "UPDATE role_grants SET role = 'helper' WHERE account_id = {}",
            helper.id
        ),
    )
    .await;

    // people.sex: the lenient spellings a spreadsheet may use are not a stored form.
    let person: Scalar<i64> = db
        .fetch_one(Query::select().column(People::Id).from(People::Table).limit(1))
        .await
        .unwrap();
    let person = person.0;
    let sex = people::get(
        db,
        &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
        person,
    )
    .await
    .unwrap()
    .unwrap()
    .sex;
    poke(db, format!("UPDATE people SET sex = 'nam' WHERE id = {person}")).await;
    unknown(
        people::get(
            db,
            &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
            person,
        )
        .await,
        "people",
        "sex",
        "\"nam\"",
    );
    poke(
        db,
        format!(
            "UPDATE people SET sex = '{}', groups = 16 WHERE id = {person}",
            sex.as_str()
        ),
    )
    .await;
    unknown(
        people::get(
            db,
            &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
            person,
        )
        .await,
        "people",
        "groups",
        "16",
    );
    poke(db, format!("UPDATE people SET groups = 8 WHERE id = {person}")).await;
    assert!(
        people::get(
            db,
            &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
            person
        )
        .await
        .unwrap()
        .is_some(),
        "restored"
    );

    // consents.method.
    let mut tx = db.begin().await.unwrap();
    people::record_consent(&mut tx, person, people::ConsentMethod::Paper, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    poke(
        db,
        format!("UPDATE consents SET method = 'telepathy' WHERE person_id = {person}"),
    )
    .await;
    unknown(
        people::consents(db, person).await,
        "consents",
        "method",
        "\"telepathy\"",
    );

    // denominators.kind.
    let mut tx = db.begin().await.unwrap();
    denominators::set(&mut tx, commune.id, 2024, DenominatorKind::Adults, 5, "kiểm tra", None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    poke(
        db,
        format!(
            "UPDATE denominators SET kind = 'elders' WHERE unit_id = {} AND year = 2024",
            commune.id
        ),
    )
    .await;
    unknown(
        denominators::for_unit(db, commune.id, 2024).await,
        "denominators",
        "kind",
        "\"elders\"",
    );

    // import_jobs.status (an unknown status was read as a failure), its message and unknowns, and
    // import_errors.message: documents this release wrote as JSON.
    let uploads = app.dir.path().join("stored-test-uploads");
    // Stored without its check job, so the server's queue leaves it alone.
    let mut tx = db.begin().await.unwrap();
    let job = imports::create(&mut tx, &uploads, &app.vault, &commune, Some(helper.id), "a.csv", b"x")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    poke(db, format!("UPDATE import_jobs SET status = 'paused' WHERE id = {job}")).await;
    unknown(imports::get(db, job).await, "import_jobs", "status", "\"paused\"");
    poke(
        db,
        format!("UPDATE import_jobs SET status = 'failed', message = 'err-import-failed' WHERE id = {job}"),
    )
    .await;
    unknown(
        imports::get(db, job).await,
        "import_jobs",
        "message",
        "\"err-import-failed\"",
    );
    poke(
        db,
        format!("UPDATE import_jobs SET message = NULL, unknowns = '[1]' WHERE id = {job}"),
    )
    .await;
    unknown(imports::get(db, job).await, "import_jobs", "unknowns", "\"[1]\"");
    poke(db, format!("UPDATE import_jobs SET unknowns = NULL WHERE id = {job}")).await;
    assert_eq!(
        imports::get(db, job).await.unwrap().unwrap().status(),
        imports::Status::Failed
    );
    poke(
        db,
        format!(
            "INSERT INTO import_errors (job_id, seq, line, column_name, message, kind) \
             VALUES ({job}, 0, 2, 'a', 'plain words', 'error')"
        ),
    )
    .await;
    unknown(
        imports::errors(db, job, 10).await,
        "import_errors",
        "message",
        "\"plain words\"",
    );

    // jobs.last_error: the reason is a message this release wrote as JSON. (jobs.status cannot
    // hold an unknown value at all: the schema checks it.) A kind no runner knows, so it stays put.
    let mut tx = db.begin().await.unwrap();
    let queued = hocvuso_db::jobs::enqueue(
        &mut tx,
        hocvuso_db::jobs::NewJob {
            kind: "test.stored",
            lane: "long",
            payload: "{}".into(),
            max_attempts: 1,
            actor_id: None,
            run_after: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    poke(
        db,
        format!("UPDATE jobs SET last_error = 'plain words' WHERE id = {queued}"),
    )
    .await;
    unknown(
        hocvuso_db::jobs::get(db, queued).await,
        "jobs",
        "last_error",
        "\"plain words\"",
    );
    let refused = {
        let mut tx = db.begin().await.unwrap();
        tx.execute_unchecked(&format!("UPDATE jobs SET status = 'paused' WHERE id = {queued}"))
            .await
    };
    assert!(refused.is_err(), "the schema refuses a status it does not list");

    // import_mappings.target (a target this release does not know was silently forgotten).
    let choices = mappings::Choices {
        columns: vec![("Tên đầy đủ".into(), "full_name")],
        groups: Vec::new(),
    };
    let mut tx = db.begin().await.unwrap();
    mappings::save(&mut tx, commune.id, helper.id, &choices).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(mappings::load(db, commune.id).await.unwrap().columns.len(), 1);
    poke(
        db,
        format!(
            "UPDATE import_mappings SET target = 'nickname' WHERE unit_id = {}",
            commune.id
        ),
    )
    .await;
    unknown(
        mappings::load(db, commune.id).await,
        "import_mappings",
        "target",
        "\"nickname\"",
    );
    app.finish().await;
}
both!(unknown_values, unknown_values_fail_by_name);

/// Through the application: a signed-in account whose grant holds a role this release does not
/// know is not let in at any level (the old fallback made it a system administrator when another
/// account's rights were weighed); the request ends in a 500 and the log says why.
async fn unknown_role_is_a_logged_500(b: Backend) {
    let app = TestApp::spawn(b).await;
    let helper = app.login("0900000007").await;
    assert_eq!(helper.get("/me").await.status(), 200);
    let account = accounts::by_phone(&app.db, "0900000007").await.unwrap().unwrap();
    poke(
        &app.db,
        format!(
            "UPDATE role_grants SET role = 'superuser' WHERE account_id = {}",
            account.id
        ),
    )
    .await;
    let log = LogCapture::start();
    for path in ["/me", "/access", "/audit"] {
        assert_eq!(helper.get(path).await.status(), 500, "{path}");
    }
    assert!(
        log.text().contains("role_grants.role holds \"superuser\""),
        "the log names the table, column and value"
    );
    app.finish().await;
}
both!(unknown_role, unknown_role_is_a_logged_500);
