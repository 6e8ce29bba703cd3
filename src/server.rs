//! Builds the application from configuration: database (migrated, official units loaded, demo
//! seeded on an empty database), the background job runner, router; serves until a shutdown signal, then
//! finishes requests in flight and closes the database cleanly.

use crate::config::Config;
use hocvuso_app::jobs::{self, Runner};
use hocvuso_core::crypto::{AuditKey, PidVault};
use hocvuso_db::{Db, demo, units};
use hocvuso_web::kit::{metrics::Metrics, throttle::Throttle};
use hocvuso_web::{AppState, WebConfig};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Db(#[from] hocvuso_db::DbError),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("shipped learning content: {0}")]
    Content(String),
}

pub struct Application {
    listener: TcpListener,
    port: u16,
    state: AppState,
    /// `None` when this process leaves background jobs to another (`HOCVUSO_JOBS=false`).
    runner: Option<Runner>,
    sweeper: tokio::task::JoinHandle<()>,
    pub demo_accounts: Vec<demo::DemoAccount>,
}

/// Opens the database, applies migrations and loads the official units. Returns the database and
/// whether it was empty before.
pub async fn prepare_db(config: &Config) -> Result<(Db, bool), hocvuso_db::DbError> {
    let db = Db::connect(&config.database_url)
        .await?
        .with_audit_key(AuditKey::new(&config.secret_key));
    db.migrate().await?;
    hocvuso_db::audit::seal_boundary(&db).await?;
    let loaded = units::load_official(&db).await?;
    if loaded > 0 {
        tracing::info!(units = loaded, "official administrative units loaded");
    }
    Ok((db, loaded > 0))
}

/// Uploaded lists hold personal data in plain text until they are checked: the folder is readable
/// by the server's user only (mode 0700), whatever the umask.
fn restrict_dir(dir: &std::path::Path) {
    if let Err(e) = std::fs::create_dir_all(dir) {
        tracing::warn!(error = %e, dir = %dir.display(), "cannot create the uploads folder");
        return;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)) {
            tracing::warn!(error = %e, dir = %dir.display(), "cannot restrict the uploads folder");
        }
    }
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartError> {
        // Every file the server creates from here on (database, WAL, uploads, staged rows) is
        // readable by its own user only.
        #[cfg(unix)]
        // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
        unsafe {
            libc::umask(0o077);
        }
        let (db, fresh) = prepare_db(&config).await?;
        let vault = Arc::new(PidVault::new(&config.secret_key));
        let mut demo_accounts = Vec::new();
        if fresh && config.demo {
            tracing::info!("empty database: seeding the demo province (Thái Nguyên)");
            let today = time::OffsetDateTime::now_utc().date();
            demo_accounts = demo::seed(&db, &vault, &demo::Options::demo(today)).await?;
        }
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|e| StartError::Listen(config.addr, e))?;
        let port = listener
            .local_addr()
            .map_err(|e| StartError::Listen(config.addr, e))?
            .port();
        let metrics = Arc::new(Metrics::default());
        let upload_dir = config.upload_dir();
        restrict_dir(&upload_dir);
        let app = hocvuso_app::App::new(db.clone(), vault.clone(), upload_dir.clone())
            .with_upload_wait(config.upload_wait)
            .with_public_url(&config.public_url)
            .with_lesson_audio(config.lesson_audio);
        // The shipped frameworks and courses, installed or brought up to date (a course an author
        // changed on the platform is left as it is).
        let installed = hocvuso_app::learning::install_shipped(&app)
            .await
            .map_err(|e| match e {
                hocvuso_app::Error::Db(d) => StartError::Db(d),
                other => StartError::Content(format!("{other:?}")),
            })?;
        if installed != hocvuso_app::learning::Installed::default() {
            tracing::info!(?installed, "learning content installed");
        }
        // The starter question banks, after the frameworks their items name.
        let banks = hocvuso_app::assessment::install_banks(&app)
            .await
            .map_err(|e| match e {
                hocvuso_app::Error::Db(d) => StartError::Db(d),
                other => StartError::Content(format!("{other:?}")),
            })?;
        if banks != hocvuso_app::assessment::BanksInstalled::default() {
            tracing::info!(?banks, "question banks installed");
        }
        let runner = if config.jobs {
            Some(Runner::start(app.clone(), jobs::registry(), jobs::Options::default()).await)
        } else {
            None
        };
        // Expired sessions are removed hourly; they are refused on sight anyway.
        let sweeper = {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
                loop {
                    tick.tick().await;
                    match hocvuso_db::sessions::purge_expired(&db).await {
                        Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
                    }
                }
            })
        };
        let state = AppState {
            app,
            db,
            vault,
            config: Arc::new(WebConfig {
                max_upload_bytes: config.max_upload_bytes,
                behind_tls: config.behind_tls,
                trust_proxy: config.trust_proxy,
                upload_dir,
                request_timeout: config.request_timeout,
                metrics_token: config.metrics_token.clone(),
            }),
            metrics,
            throttle: Arc::new(Throttle::default()),
        };
        Ok(Application {
            listener,
            port,
            state,
            runner,
            sweeper,
            demo_accounts,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves; then stops accepting, lets requests in flight finish,
    /// stops the job runner between statements and closes the database.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let router = hocvuso_web::router(self.state.clone());
        let db = self.state.db.clone();
        let result = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        // A job stopped here loses only its uncommitted transaction (an import, its current frame)
        // and is queued again with its attempt given back; the next start resumes it.
        if let Some(r) = self.runner {
            r.stop().await;
        }
        self.sweeper.abort();
        db.close().await;
        tracing::info!("stopped cleanly");
        result
    }
}

/// Resolves on Ctrl-C or SIGTERM. The SIGTERM handler is installed when this is called, not when
/// the future is first polled: called before the application is built, a SIGTERM that arrives
/// during start-up (after the port is open, before serving) still stops cleanly instead of killing
/// the process.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let term_stream = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async move {
            match term_stream {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
        tracing::info!("shutdown signal received: finishing requests in flight");
    }
}
