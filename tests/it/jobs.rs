//! The one job queue: a job exists exactly when its transaction commits; claims never overlap;
//! a kind that panics is failed with the reason after its attempts; a job its process died in is
//! recovered at the next start (queued again, or failed once its attempts are used), while a live
//! process's job is left alone; a long job does not hold up the short lane; a clean stop gives the
//! attempt back, while a job that ended as the stop came is recorded done; `/metrics` counts jobs by kind and status; a job whose account lost the right
//! fails with the reason and changes nothing.

use crate::both;
use crate::helpers::{Backend, Client, Options, TestApp, officer_units, upload_import};
use hocvuso_app::App;
use hocvuso_app::imports::{ApplyImport, CheckImport, ImportRef};
use hocvuso_app::jobs::{self, Failure, Job, JobError, Lane, Registry, Retry, Run, Runner};
use hocvuso_db::jobs::{self as store, Status};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// A claim time that stands for a process that claimed the job and died long ago (its heartbeat
/// is far older than any lease).
pub fn long_ago() -> OffsetDateTime {
    hocvuso_db::now() - time::Duration::hours(1)
}

/// The latest job of stage `J` of an import.
pub async fn job_of<J: Job<Payload = ImportRef>>(app: &TestApp, import_id: i64) -> store::Job {
    let payload = jobs::payload_text::<J>(&ImportRef { import_id }).unwrap();
    store::find(&app.db, J::KIND, &payload)
        .await
        .unwrap()
        .pop()
        .unwrap_or_else(|| panic!("no {} job for import {import_id}", J::KIND))
}

/// A process claims the queued job (its attempt committed before any work) and dies. Returns the
/// attempts counted so far.
pub async fn died_during(app: &TestApp, job_id: i64) -> i32 {
    store::claim_id(&app.db, job_id, long_ago())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("job {job_id} is not queued"))
        .attempts
}

/// What a restart's recovery does first: running jobs whose process is gone are queued again
/// while they have attempts left. Asserts how many.
pub async fn restart_requeues(app: &TestApp, expected: u64) {
    assert_eq!(
        store::requeue_stale(&app.db, hocvuso_db::now()).await.unwrap(),
        expected
    );
}

async fn wait_for(app: &TestApp, id: i64, what: &str, done: impl Fn(&store::Job) -> bool) -> store::Job {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let j = store::get(&app.db, id).await.unwrap().expect("job exists");
        if done(&j) {
            return j;
        }
        assert!(Instant::now() < deadline, "job {id} not {what} within 60 s: {j:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub async fn wait_ended(app: &TestApp, id: i64) -> store::Job {
    wait_for(app, id, "ended", |j| matches!(j.status, Status::Done | Status::Failed)).await
}

/// Fast polling, the default lease (no live job looks dead during a test).
fn options() -> jobs::Options {
    jobs::Options {
        poll: Duration::from_millis(20),
        ..Default::default()
    }
}

async fn plain_app(b: Backend) -> TestApp {
    TestApp::spawn_with(
        b,
        Options {
            seed: false,
            ..Options::without_jobs()
        },
    )
    .await
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Note {
    n: u32,
}

/// Records its runs; fails with `Broke` while `fail_first` runs remain.
#[derive(Clone, Default)]
struct Counts {
    runs: Arc<AtomicUsize>,
    fail_first: usize,
    failures: Arc<Mutex<Vec<(i64, Failure)>>>,
}

impl Job for Counts {
    const KIND: &'static str = "test.counts";
    const LANE: Lane = Lane::Short;
    const MAX_ATTEMPTS: i32 = 3;
    const RETRY: Retry = Retry::Backoff { first: Duration::ZERO };
    type Payload = Note;
    async fn run(&self, _: &App, _: &Run<Note>) -> Result<(), JobError> {
        let n = self.runs.fetch_add(1, Ordering::SeqCst);
        if n < self.fail_first {
            return Err(JobError::Broke(format!("not yet ({n})")));
        }
        Ok(())
    }
    async fn failed(
        &self,
        _: &App,
        _: &mut hocvuso_db::Tx,
        run: &Run<Note>,
        f: &Failure,
    ) -> Result<(), hocvuso_db::DbError> {
        self.failures.lock().unwrap().push((run.id, f.clone()));
        Ok(())
    }
}

/// Panics on every run.
#[derive(Clone, Default)]
struct Panics {
    runs: Arc<AtomicUsize>,
    failures: Arc<Mutex<Vec<Failure>>>,
}

impl Job for Panics {
    const KIND: &'static str = "test.panics";
    const LANE: Lane = Lane::Short;
    const MAX_ATTEMPTS: i32 = 3;
    const RETRY: Retry = Retry::Backoff { first: Duration::ZERO };
    type Payload = Note;
    async fn run(&self, _: &App, run: &Run<Note>) -> Result<(), JobError> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        panic!("boom on attempt {}", run.attempt);
    }
    async fn failed(
        &self,
        _: &App,
        _: &mut hocvuso_db::Tx,
        _: &Run<Note>,
        f: &Failure,
    ) -> Result<(), hocvuso_db::DbError> {
        self.failures.lock().unwrap().push(f.clone());
        Ok(())
    }
}

/// A long job: runs until the test lets it finish (or the runner stops it).
#[derive(Clone)]
struct Blocks {
    release: Arc<tokio::sync::Semaphore>,
}

impl Job for Blocks {
    const KIND: &'static str = "test.blocks";
    const LANE: Lane = Lane::Long;
    type Payload = Note;
    async fn run(&self, _: &App, _: &Run<Note>) -> Result<(), JobError> {
        // Each permit lets one run finish, once.
        self.release
            .acquire()
            .await
            .map_err(|e| JobError::Broke(e.to_string()))?
            .forget();
        Ok(())
    }
}

async fn enqueue<J: Job>(app: &TestApp, payload: &J::Payload) -> i64 {
    let mut tx = app.db.begin().await.unwrap();
    let id = jobs::enqueue::<J>(&mut tx, payload, None).await.unwrap();
    tx.commit().await.unwrap();
    app.app().jobs.wake();
    id
}

/// A job enqueued in a transaction that rolls back does not exist; one that commits does, queued.
async fn enqueue_follows_the_transaction(b: Backend) {
    let app = plain_app(b).await;
    let mut tx = app.db.begin().await.unwrap();
    let gone = jobs::enqueue::<Counts>(&mut tx, &Note { n: 1 }, None).await.unwrap();
    drop(tx);
    assert!(store::get(&app.db, gone).await.unwrap().is_none());
    assert!(store::of_kind(&app.db, Counts::KIND).await.unwrap().is_empty());
    // A change that fails after enqueueing (here: a statement the database refuses) takes its
    // job with it: the caller returns its error and never commits.
    let mut tx = app.db.begin().await.unwrap();
    jobs::enqueue::<Counts>(&mut tx, &Note { n: 2 }, None).await.unwrap();
    let err = tx
        .execute_unchecked("INSERT INTO jobs (kind) VALUES ('incomplete')")
        .await;
    assert!(err.is_err(), "a NOT NULL column refuses the row");
    drop(tx);
    assert!(store::of_kind(&app.db, Counts::KIND).await.unwrap().is_empty());
    let kept = enqueue::<Counts>(&app, &Note { n: 3 }).await;
    let j = store::get(&app.db, kept).await.unwrap().unwrap();
    assert_eq!(
        (
            j.status,
            j.attempts,
            j.max_attempts,
            j.lane.as_str(),
            j.payload.as_str()
        ),
        (Status::Queued, 0, 3, "short", r#"{"n":3}"#)
    );
    app.finish().await;
}
both!(enqueue_in_transaction, enqueue_follows_the_transaction);

/// Four workers claiming at once never get the same job, and every job is claimed.
async fn concurrent_claims_never_overlap(b: Backend) {
    let app = plain_app(b).await;
    let mut ids = Vec::new();
    for n in 0..24 {
        ids.push(enqueue::<Counts>(&app, &Note { n }).await);
    }
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let db = app.db.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(j) = store::claim(&db, "short", &[Counts::KIND], hocvuso_db::now())
                    .await
                    .unwrap()
                {
                    assert_eq!((j.status, j.attempts), (Status::Running, 1));
                    mine.push(j.id);
                }
                mine
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for w in workers {
        claimed.extend(w.await.unwrap());
    }
    claimed.sort();
    assert_eq!(claimed, ids, "each job claimed exactly once");
    // Nothing of another lane or an unknown kind is claimed.
    enqueue::<Counts>(&app, &Note { n: 99 }).await;
    assert!(
        store::claim(&app.db, "long", &[Counts::KIND], hocvuso_db::now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store::claim(&app.db, "short", &["test.other"], hocvuso_db::now())
            .await
            .unwrap()
            .is_none()
    );
    app.finish().await;
}
both!(concurrent_claims, concurrent_claims_never_overlap);

/// A kind that panics is run in a task of its own: each panic is an attempt, retried per its
/// policy, and after its last attempt the job is failed with the panic's text as the reason (and
/// the kind told so). The lane goes on with the next job; errors that later succeed are retried.
async fn panicking_kind_fails_with_reason(b: Backend) {
    let app = plain_app(b).await;
    let panics = Panics::default();
    let counts = Counts {
        fail_first: 1,
        ..Default::default()
    };
    let registry = Registry::new().with(panics.clone()).with(counts.clone());
    let runner = Runner::start(app.app(), registry, options()).await;
    let bad = enqueue::<Panics>(&app, &Note { n: 1 }).await;
    let next = enqueue::<Counts>(&app, &Note { n: 2 }).await;
    let failed = wait_ended(&app, bad).await;
    let ok = wait_ended(&app, next).await;
    runner.stop().await;
    assert_eq!((failed.status, failed.attempts), (Status::Failed, 3));
    assert_eq!(panics.runs.load(Ordering::SeqCst), 3);
    let reason = failed.last_error.expect("reason");
    assert_eq!(reason.key, "err-job-broke");
    let shown = reason.render(hocvuso_core::Lang::Vi);
    assert!(shown.contains("panic: boom on attempt 3"), "{shown}");
    assert!(failed.finished_at.is_some());
    assert_eq!(
        *panics.failures.lock().unwrap(),
        vec![Failure::Broke("panic: boom on attempt 3".into())]
    );
    // The same lane ran the next job: it failed once, was retried, and succeeded.
    assert_eq!((ok.status, ok.attempts), (Status::Done, 2));
    assert_eq!(counts.runs.load(Ordering::SeqCst), 2);
    assert!(counts.failures.lock().unwrap().is_empty());
    app.finish().await;
}
both!(panicking_kind, panicking_kind_fails_with_reason);

/// At start-up, a job whose process died mid-run (running, heartbeat stale) is queued again and
/// run; one that used all its attempts that way is failed with the reason, and its kind is told;
/// a job another live process is running (fresh heartbeat) is left alone.
async fn restart_recovers_running_jobs(b: Backend) {
    let app = plain_app(b).await;
    let counts = Counts::default();
    let resumed = enqueue::<Counts>(&app, &Note { n: 1 }).await;
    let exhausted = enqueue::<Counts>(&app, &Note { n: 2 }).await;
    let elsewhere = enqueue::<Counts>(&app, &Note { n: 3 }).await;
    assert_eq!(died_during(&app, exhausted).await, 1);
    restart_requeues(&app, 1).await;
    assert_eq!(died_during(&app, exhausted).await, 2);
    restart_requeues(&app, 1).await;
    assert_eq!(died_during(&app, exhausted).await, 3);
    assert_eq!(died_during(&app, resumed).await, 1);
    // Claimed just now by a process that is alive.
    let live = store::claim_id(&app.db, elsewhere, hocvuso_db::now())
        .await
        .unwrap()
        .unwrap();
    let runner = Runner::start(app.app(), Registry::new().with(counts.clone()), options()).await;
    // Recovery ran before `start` returned.
    let j = store::get(&app.db, exhausted).await.unwrap().unwrap();
    assert_eq!((j.status, j.attempts), (Status::Failed, 3), "{j:?}");
    let reason = j.last_error.unwrap();
    assert_eq!(reason.key, "err-job-crashed");
    assert!(reason.render(hocvuso_core::Lang::Vi).contains("3 lần"), "{reason:?}");
    assert_eq!(
        *counts.failures.lock().unwrap(),
        vec![(exhausted, Failure::Crashed { attempts: 3 })]
    );
    let j = wait_ended(&app, resumed).await;
    assert_eq!((j.status, j.attempts), (Status::Done, 2));
    runner.stop().await;
    let j = store::get(&app.db, elsewhere).await.unwrap().unwrap();
    assert_eq!(
        (j.status, j.attempts),
        (Status::Running, 1),
        "a live process's job is not taken"
    );
    assert_eq!(counts.runs.load(Ordering::SeqCst), 1, "only the resumed job ran here");
    // The live process's writes still land; a stale run's would not.
    assert!(store::finish(&app.db, elsewhere, live.attempts).await.unwrap());
    assert!(!store::finish(&app.db, exhausted, 3).await.unwrap());
    app.finish().await;
}
both!(restart_recovery, restart_recovers_running_jobs);

/// While a long job runs, the short lane keeps working; a clean stop then interrupts the long one
/// and gives its attempt back.
async fn long_job_does_not_block_short_lane(b: Backend) {
    let app = plain_app(b).await;
    let blocks = Blocks {
        release: Arc::new(tokio::sync::Semaphore::new(0)),
    };
    let counts = Counts::default();
    let registry = Registry::new().with(blocks.clone()).with(counts.clone());
    let runner = Runner::start(app.app(), registry.clone(), options()).await;
    let long = enqueue::<Blocks>(&app, &Note { n: 1 }).await;
    wait_for(&app, long, "running", |j| j.status == Status::Running).await;
    let shorts = [
        enqueue::<Counts>(&app, &Note { n: 2 }).await,
        enqueue::<Counts>(&app, &Note { n: 3 }).await,
    ];
    for s in shorts {
        assert_eq!(wait_ended(&app, s).await.status, Status::Done);
    }
    assert_eq!(
        store::get(&app.db, long).await.unwrap().unwrap().status,
        Status::Running,
        "the long job still runs while the short ones are done"
    );
    blocks.release.add_permits(1);
    assert_eq!(wait_ended(&app, long).await.status, Status::Done);
    // A clean stop during a long job: queued again, its attempt not counted.
    let stopped = enqueue::<Blocks>(&app, &Note { n: 4 }).await;
    wait_for(&app, stopped, "running", |j| j.status == Status::Running).await;
    runner.stop().await;
    let j = store::get(&app.db, stopped).await.unwrap().unwrap();
    assert_eq!((j.status, j.attempts), (Status::Queued, 0), "{j:?}");
    // The next start runs it.
    blocks.release.add_permits(1);
    let runner = Runner::start(app.app(), registry, options()).await;
    let j = wait_ended(&app, stopped).await;
    runner.stop().await;
    assert_eq!((j.status, j.attempts), (Status::Done, 1));
    app.finish().await;
}
both!(long_and_short_lanes, long_job_does_not_block_short_lane);

/// Finishes its work without yielding while the runner is told to stop: the stop arrives during
/// a run that can no longer be interrupted.
#[derive(Clone)]
struct EndsDuringStop {
    started: Arc<tokio::sync::Notify>,
}

impl Job for EndsDuringStop {
    const KIND: &'static str = "test.ends_during_stop";
    const LANE: Lane = Lane::Long;
    type Payload = Note;
    async fn run(&self, _: &App, _: &Run<Note>) -> Result<(), JobError> {
        self.started.notify_one();
        // Work that holds its thread (as a statement the database is executing does): the stop
        // is sent meanwhile and the job still ends with its work done.
        std::thread::sleep(Duration::from_millis(300));
        Ok(())
    }
}

/// A job that ended as the process was being stopped is recorded done, not queued again to run
/// a second time at the next start (the stop used to win the race and give its attempt back).
async fn job_ending_at_stop_is_done(b: Backend) {
    let app = plain_app(b).await;
    let kind = EndsDuringStop {
        started: Arc::new(tokio::sync::Notify::new()),
    };
    let runner = Runner::start(app.app(), Registry::new().with(kind.clone()), options()).await;
    let id = enqueue::<EndsDuringStop>(&app, &Note { n: 1 }).await;
    tokio::time::timeout(Duration::from_secs(60), kind.started.notified())
        .await
        .expect("the job started within 60 s");
    runner.stop().await;
    let j = store::get(&app.db, id).await.unwrap().unwrap();
    assert_eq!((j.status, j.attempts), (Status::Done, 1), "{j:?}");
    app.finish().await;
}
both!(ending_at_stop, job_ending_at_stop_is_done);

async fn metrics(c: &Client) -> String {
    let (s, body) = c.text("/metrics").await;
    assert_eq!(s, 200);
    body
}

/// `/metrics` counts the queue's jobs by kind and status: every kind of the application (zeros
/// included) and kinds only a newer release knows.
async fn metrics_count_jobs_by_kind(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let c = app.client();
    let m = metrics(&c).await;
    for kind in [CheckImport::KIND, ApplyImport::KIND] {
        for status in ["queued", "running", "done", "failed"] {
            let line = format!("hocvuso_jobs{{kind=\"{kind}\",status=\"{status}\"}} 0\n");
            assert!(m.contains(&line), "{line} in {m}");
        }
    }
    assert!(m.contains("# TYPE hocvuso_jobs gauge"), "{m}");
    // A check that succeeds, a job whose payload does not decode, a kind this release lacks.
    let csv = "Họ và tên,Ngày sinh,Giới tính,Số định danh\nA B,01/01/1990,Nam,001090123456\n";
    let import = hocvuso_app::imports::upload(
        &app.app(),
        &crate::helpers::admin(&app).await,
        &commune,
        "x.csv",
        csv.as_bytes(),
    )
    .await
    .unwrap();
    let check = job_of::<CheckImport>(&app, import).await;
    let mut tx = app.db.begin().await.unwrap();
    let broken = store::enqueue(
        &mut tx,
        store::NewJob {
            kind: CheckImport::KIND,
            lane: "short",
            payload: r#"{"import":"x"}"#.into(),
            max_attempts: 2,
            actor_id: None,
            run_after: None,
        },
    )
    .await
    .unwrap();
    store::enqueue(
        &mut tx,
        store::NewJob {
            kind: "reports.render",
            lane: "long",
            payload: "{}".into(),
            max_attempts: 3,
            actor_id: None,
            run_after: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.app().jobs.wake();
    assert_eq!(wait_ended(&app, check.id).await.status, Status::Done);
    let j = wait_ended(&app, broken).await;
    assert_eq!(j.status, Status::Failed);
    assert_eq!(j.last_error.unwrap().key, "err-job-payload");
    let m = metrics(&c).await;
    for line in [
        "hocvuso_jobs{kind=\"import.check\",status=\"queued\"} 0\n",
        "hocvuso_jobs{kind=\"import.check\",status=\"done\"} 1\n",
        "hocvuso_jobs{kind=\"import.check\",status=\"failed\"} 1\n",
        "hocvuso_jobs{kind=\"import.apply\",status=\"done\"} 0\n",
        "hocvuso_jobs{kind=\"reports.render\",status=\"queued\"} 1\n",
        "hocvuso_jobs{kind=\"reports.render\",status=\"running\"} 0\n",
        "hocvuso_imports_total{outcome=\"done\"} 0\n",
        "hocvuso_imports_total{outcome=\"failed\"} 1\n",
    ] {
        assert!(m.contains(line), "{line} in {m}");
    }
    app.finish().await;
}
both!(metrics_by_kind, metrics_count_jobs_by_kind);

async fn revoke_all(app: &TestApp, phone: &str) {
    let account = hocvuso_db::accounts::by_phone(&app.db, phone).await.unwrap().unwrap();
    let mut tx = app.db.begin().await.unwrap();
    for g in hocvuso_db::accounts::grants(&app.db, account.id).await.unwrap() {
        hocvuso_db::accounts::revoke(&mut tx, g.id, Some(1)).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// A job acts for the officer who asked for it, with that officer's rights when it runs: an
/// officer whose grant was revoked after uploading (or after deciding) gets the job failed with a
/// Vietnamese reason on the import's page, and nothing is imported.
async fn actor_who_lost_the_right_fails_the_job(b: Backend) {
    let app = TestApp::spawn_with(b, Options::without_jobs()).await;
    let (commune, other) = officer_units(&app).await;
    let csv = "Họ và tên,Ngày sinh,Giới tính,Số định danh\nNgười Mất Quyền,01/01/1990,Nam,001090555001\n";
    // Officer 5 uploads, then loses the grant before the check runs.
    let c5 = app.login("0900000005").await;
    let checked_late = upload_import(&c5, &commune.code, "ds.csv", csv.as_bytes().to_vec()).await;
    let officer5 = hocvuso_db::accounts::by_phone(&app.db, "0900000005")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        job_of::<CheckImport>(&app, checked_late).await.actor_id,
        Some(officer5.id)
    );
    revoke_all(&app, "0900000005").await;
    // Officer 6 uploads; the check runs; officer 6 decides, then loses the grant.
    let c6 = app.login("0900000006").await;
    let applied_late = upload_import(&c6, &other.code, "ds.csv", csv.replace("555001", "555002").into_bytes()).await;
    hocvuso_app::imports::run_here::<CheckImport>(&app.app(), applied_late)
        .await
        .unwrap();
    let r = c6
        .post_form(
            &format!("/imports/{applied_late}"),
            &format!("/imports/{applied_late}/decision"),
            &[("choice", "import")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let officer6 = hocvuso_db::accounts::by_phone(&app.db, "0900000006")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        job_of::<ApplyImport>(&app, applied_late).await.actor_id,
        Some(officer6.id)
    );
    revoke_all(&app, "0900000006").await;
    let runner = Runner::start(app.app(), jobs::registry(), options()).await;
    let check = wait_ended(&app, job_of::<CheckImport>(&app, checked_late).await.id).await;
    let apply = wait_ended(&app, job_of::<ApplyImport>(&app, applied_late).await.id).await;
    runner.stop().await;
    for (job, import, unit) in [(check, checked_late, &commune), (apply, applied_late, &other)] {
        assert_eq!((job.status, job.attempts), (Status::Failed, 1), "refused, not retried");
        let reason = job.last_error.clone().unwrap();
        assert_eq!(reason.key, "err-job-actor-denied");
        let i = hocvuso_db::imports::get(&app.db, import).await.unwrap().unwrap();
        assert_eq!(i.status(), hocvuso_db::imports::Status::Failed);
        assert_eq!(i.message(), Some(reason));
        assert_eq!(i.inserted, 0);
        // The province's steering administrator reads why, in Vietnamese.
        let admin = app.login("0900000002").await;
        let (s, page) = admin.text(&format!("/imports/{import}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("không còn quyền"), "{page}");
        assert!(page.contains(&unit.name), "{page}");
    }
    for pid in ["001090555001", "001090555002"] {
        let pid = hocvuso_core::personal_id::PersonalId::parse(pid).unwrap();
        assert!(
            hocvuso_db::people::find_by_pid(
                &app.db,
                &app.vault,
                &crate::helpers::sees::<hocvuso_core::access::act::ViewPeople>("/"),
                &pid
            )
            .await
            .unwrap()
            .is_none()
        );
    }
    app.finish().await;
}
both!(actor_lost_right, actor_who_lost_the_right_fails_the_job);
