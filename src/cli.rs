//! The command-line face of the same binary. Help is bilingual; messages to operators are in
//! Vietnamese with the English beside them where an operator may not read Vietnamese.

use crate::config::Config;
use crate::server::{Application, prepare_db, shutdown_signal};
use hocvuso_core::Lang;
use hocvuso_core::crypto::PidVault;
use hocvuso_db::audit;
use hocvuso_db::{Backend, backup, demo, imports, units};
use std::path::PathBuf;

pub const HELP: &str = "\
hocvuso — Nền tảng Bình dân học vụ số

CÁCH DÙNG: hocvuso [LỆNH] [THAM SỐ]

LỆNH:
  serve                        Chạy máy chủ web (mặc định khi không có lệnh)
  migrate                      Tạo/cập nhật cấu trúc cơ sở dữ liệu và nạp danh mục đơn vị hành chính
  seed-demo                    Nạp dữ liệu mẫu (tỉnh Thái Nguyên) vào cơ sở dữ liệu chưa có dữ liệu mẫu
  import <mã-đơn-vị> <tệp>     Nhập danh sách người dân từ tệp CSV/XLSX; báo mọi dòng lỗi kèm số dòng.
                               Mã thoát 1 khi có dòng lỗi (các dòng đúng vẫn được nhập) hoặc tệp bị từ chối
        [--all-or-nothing]     Không nhập gì nếu tệp có dòng lỗi (mặc định: nhập các dòng đúng)
  generate <mã-tỉnh> <số-người>  Sinh dữ liệu thử nghiệm quy mô lớn cho một tỉnh (đo hiệu năng)
  backup <tệp-đích>            Sao lưu nhất quán CSDL SQLite đang chạy (PostgreSQL: dùng pg_dump)
  restore <tệp-sao-lưu>        Khôi phục CSDL SQLite từ bản sao lưu (hãy dừng máy chủ trước)
  verify-audit                 Kiểm tra chuỗi băm có khoá của nhật ký truy cập; mã thoát 1 nếu bị sửa/xoá
        [--checkpoint <tệp>]   Đối chiếu thêm với điểm chốt đã lưu: phát hiện mục cuối bị xoá, lịch sử bị viết lại
  audit-checkpoint             In điểm chốt có chữ ký của nhật ký (lưu ra tệp ở nơi khác CSDL):
                               hocvuso audit-checkpoint > diem-chot.txt
  verify-credential <tệp>      Kiểm tra tệp chứng nhận số (Open Badges 3.0): chữ ký và nội dung chưa bị sửa;
                               mã thoát 0 khi hợp lệ, 1 khi không (in lý do)
        [--did <tệp-did.json>] Kiểm tra bằng khóa công khai đã công bố (tải /.well-known/did.json của nền tảng),
                               không cần khóa bí mật của máy chủ này
  help, --help, -h             Hiện hướng dẫn này

CẤU HÌNH (biến môi trường hoặc tệp hocvuso.toml):
  HOCVUSO_ADDR (127.0.0.1:8080), HOCVUSO_DATA_DIR (./data), DATABASE_URL (SQLite trong thư mục dữ liệu),
  HOCVUSO_SECRET_KEY (64 ký tự hex; mặc định sinh tệp data/secret.key), HOCVUSO_DEMO (true),
  HOCVUSO_MAX_UPLOAD_MB (100), HOCVUSO_BEHIND_TLS (false), HOCVUSO_TRUST_PROXY (false),
  HOCVUSO_METRICS_TOKEN (không đặt: /metrics mở), HOCVUSO_CONFIG (đường dẫn tệp TOML),
  HOCVUSO_JOBS (true; false: tiến trình này chỉ phục vụ trang web, việc chạy nền do tiến trình khác
  dùng chung CSDL PostgreSQL đảm nhận), HOCVUSO_LESSON_AUDIO (true: tạo bản nghe của bài học bằng
  espeak-ng và opusenc)

hocvuso — the \"Digital literacy for all\" platform

USAGE: hocvuso [COMMAND] [ARGS]

COMMANDS:
  serve                        Run the web server (default)
  migrate                      Create/upgrade the database schema and load the official unit list
  seed-demo                    Seed the demo province (Thái Nguyên) into a database without it
  import <unit-code> <file>    Import residents from CSV/XLSX; every bad row is reported with its line.
                               Exit code 1 when any row was bad (the good rows are still imported) or
                               the file was refused
        [--all-or-nothing]     Import nothing if any row is bad (default: import the good rows)
  generate <province> <count>  Generate large-scale test data for one province (benchmarks)
  backup <dest-file>           Consistent copy of the live SQLite database (PostgreSQL: use pg_dump)
  restore <backup-file>        Restore the SQLite database from a backup (stop the server first)
  verify-audit                 Verify the audit log's keyed hash chain; exit code 1 if changed or deleted
        [--checkpoint <file>]  Also check against a saved checkpoint: finds a truncated tail, rewritten history
  audit-checkpoint             Print a signed checkpoint of the log (keep the file away from the database):
                               hocvuso audit-checkpoint > checkpoint.txt
  verify-credential <file>     Check a credential file (Open Badges 3.0): its signature and unchanged content;
                               exit code 0 when valid, 1 when not (with the reason)
        [--did <did.json>]     Check with the published public key (the platform's /.well-known/did.json)
                               instead of this server's own secret
  help, --help, -h             Show this help

CONFIGURATION (environment or hocvuso.toml): see the Vietnamese section above; same names.
";

type CliResult = Result<(), String>;

pub async fn run(args: Vec<String>) -> i32 {
    let cmd = args.first().map(String::as_str).unwrap_or("serve");
    if matches!(cmd, "help" | "--help" | "-h") {
        print!("{HELP}");
        return 0;
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("Lỗi cấu hình / configuration error: {e}");
            return 2;
        }
    };
    let rest = &args[args.len().min(1)..];
    let result = match cmd {
        "serve" => serve(config).await,
        "migrate" => migrate(config).await,
        "seed-demo" => seed_demo(config).await,
        "import" => import(config, rest).await,
        "generate" => generate(config, rest).await,
        "backup" => backup_cmd(config, rest).await,
        "restore" => restore_cmd(config, rest),
        "verify-audit" => return verify(config, rest).await,
        "audit-checkpoint" => audit_checkpoint(config).await,
        "verify-credential" => return verify_credential(&config, rest),
        other => Err(format!(
            "Lệnh không hợp lệ / unknown command: '{other}'. Chạy 'hocvuso --help' để xem danh sách lệnh."
        )),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

fn print_demo_accounts() {
    println!("\nTài khoản dùng thử / demo accounts (đăng nhập bằng số điện thoại / sign in with the phone number):");
    for (role, login) in demo::LOGINS {
        let label = hocvuso_core::i18n::t(Lang::Vi, &role.label_key());
        println!(
            "  {:<28} {}  mật khẩu / password: {}",
            label,
            login,
            demo::password_for(login)
        );
    }
    println!();
}

async fn serve(config: Config) -> CliResult {
    let demo_on = config.demo;
    // Listening for SIGTERM from before the port opens (see `shutdown_signal`).
    let shutdown = shutdown_signal();
    let app = Application::build(config.clone())
        .await
        .map_err(|e| format!("Không khởi động được / cannot start: {e}"))?;
    if demo_on {
        print_demo_accounts();
    }
    println!(
        "hocvuso đang chạy tại / running at http://{}:{}/",
        config.addr.ip(),
        app.port()
    );
    app.run_until(shutdown)
        .await
        .map_err(|e| format!("máy chủ dừng do lỗi / server error: {e}"))
}

async fn migrate(config: Config) -> CliResult {
    let (db, _) = prepare_db(&config)
        .await
        .map_err(|e| format!("Lỗi CSDL / database error: {e}"))?;
    db.close().await;
    println!("Đã cập nhật cơ sở dữ liệu / database is up to date.");
    Ok(())
}

async fn seed_demo(config: Config) -> CliResult {
    let (db, _) = prepare_db(&config).await.map_err(|e| e.to_string())?;
    if hocvuso_db::accounts::by_phone(&db, demo::LOGINS[0].1)
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        println!("Dữ liệu mẫu đã có sẵn / the demo is already seeded.");
        print_demo_accounts();
        return Ok(());
    }
    let vault = PidVault::new(&config.secret_key);
    let today = time::OffsetDateTime::now_utc().date();
    demo::seed(&db, &vault, &demo::Options::demo(today))
        .await
        .map_err(|e| e.to_string())?;
    db.close().await;
    print_demo_accounts();
    Ok(())
}

/// Runs the queued stage of import `import_id` in this process, through the queue like a server's
/// runner would (attempt counted, failure recorded with its reason). If a server sharing the
/// database took it first, waits for that server to finish it.
async fn run_stage<J: hocvuso_app::jobs::Job<Payload = hocvuso_app::imports::ImportRef>>(
    ctx: &hocvuso_app::App,
    import_id: i64,
) -> CliResult {
    let (job, ran_here) = hocvuso_app::imports::run_here::<J>(ctx, import_id)
        .await
        .map_err(|e| e.to_string())?;
    if ran_here {
        return Ok(());
    }
    loop {
        let status = hocvuso_db::jobs::get(&ctx.db, job)
            .await
            .map_err(|e| e.to_string())?
            .map(|j| j.status);
        if !matches!(
            status,
            Some(hocvuso_db::jobs::Status::Queued | hocvuso_db::jobs::Status::Running)
        ) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

async fn import(config: Config, args: &[String]) -> CliResult {
    let all_or_nothing = args.iter().any(|a| a == "--all-or-nothing");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let [code, file] = pos[..] else {
        return Err("Cách dùng / usage: hocvuso import <mã-đơn-vị> <tệp.csv|tệp.xlsx> [--all-or-nothing]".into());
    };
    let bytes = std::fs::read(file).map_err(|e| format!("Không đọc được tệp / cannot read {file}: {e}"))?;
    let (db, _) = prepare_db(&config).await.map_err(|e| e.to_string())?;
    let unit = units::by_code(&db, code)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("Không có đơn vị mã '{code}' / no unit with code '{code}'"))?;
    let vault = PidVault::new(&config.secret_key);
    let upload_dir = config.upload_dir();
    let name = PathBuf::from(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let started = std::time::Instant::now();
    let ctx = hocvuso_app::App::new(db.clone(), std::sync::Arc::new(vault), upload_dir);
    // The operator of the machine acts as the platform; the jobs carry no account.
    let operator = hocvuso_core::access::Principal::system("cli import");
    let job = hocvuso_app::imports::upload(&ctx, &operator, &unit, &name, &bytes)
        .await
        .map_err(|e| e.to_string())?;
    run_stage::<hocvuso_app::imports::CheckImport>(&ctx, job).await?;
    let j = imports::get(&db, job)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("job vanished")?;
    if let Some(m) = j.message() {
        return Err(format!("Không nhập được tệp / file refused: {}", m.render(Lang::Vi)));
    }
    if j.status() == imports::Status::NeedsMapping {
        let u = j.unknowns();
        return Err(format!(
            "Tệp thiếu cột bắt buộc ({}); các tiêu đề chưa biết: {}. Hãy đổi tiêu đề theo tệp mẫu, hoặc nhập trên trang web để chọn cột tương ứng một lần cho xã. / \
             Required columns missing; unknown headers listed: rename them as in the template or map them once on the web page.",
            u.missing
                .iter()
                .map(|f| hocvuso_core::i18n::t(Lang::Vi, &format!("field-{f}")))
                .collect::<Vec<_>>()
                .join(", "),
            u.headers.join(", ")
        ));
    }
    for n in imports::notes(&db, job, u64::MAX >> 1)
        .await
        .map_err(|e| e.to_string())?
    {
        eprintln!("dòng {} · ghi chú: {}", n.line, n.message().render(Lang::Vi));
    }
    let errors = imports::errors(&db, job, u64::MAX >> 1)
        .await
        .map_err(|e| e.to_string())?;
    for e in &errors {
        eprintln!(
            "dòng {} · cột {}: {}",
            e.line,
            e.column_name,
            e.message().render(Lang::Vi)
        );
    }
    println!(
        "Kiểm tra xong / checked: {} dòng, {} đúng, {} dòng lỗi ({:.1}s)",
        j.total_rows,
        j.good_rows,
        j.bad_rows,
        started.elapsed().as_secs_f64()
    );
    let decision = if all_or_nothing && j.bad_rows > 0 {
        imports::Decision::Cancel
    } else {
        imports::Decision::ImportGoodRows
    };
    hocvuso_app::imports::decide(&ctx, &operator, job, decision)
        .await
        .map_err(|e| e.to_string())?;
    if decision == imports::Decision::Cancel {
        return Err(
            "Không nhập gì vì tệp có dòng lỗi (--all-or-nothing) / nothing imported: the file has bad rows.".into(),
        );
    }
    run_stage::<hocvuso_app::imports::ApplyImport>(&ctx, job).await?;
    let j = imports::get(&db, job)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("job vanished")?;
    println!(
        "Đã nhập / imported: {} mới, {} cập nhật, {} không đổi — {:.1}s",
        j.inserted,
        j.updated,
        j.unchanged,
        started.elapsed().as_secs_f64()
    );
    db.close().await;
    if j.bad_rows > 0 {
        // Scripts that import lists must notice rows that did not go in.
        return Err(format!(
            "{} dòng lỗi không được nhập (xem từng dòng ở trên) / {} bad rows were not imported (listed above)",
            j.bad_rows, j.bad_rows
        ));
    }
    Ok(())
}

async fn generate(config: Config, args: &[String]) -> CliResult {
    let [code, count] = args else {
        return Err("Cách dùng / usage: hocvuso generate <mã-tỉnh> <số-người>".into());
    };
    let people: u64 = count
        .parse()
        .map_err(|_| format!("'{count}' không phải số / is not a number"))?;
    let (db, _) = prepare_db(&config).await.map_err(|e| e.to_string())?;
    let vault = PidVault::new(&config.secret_key);
    let today = time::OffsetDateTime::now_utc().date();
    let started = std::time::Instant::now();
    let opts = demo::Options {
        province_code: code.clone(),
        people,
        villages_per_commune: (8, 12),
        seed: 1,
        today,
        accounts: false,
    };
    demo::seed(&db, &vault, &opts).await.map_err(|e| e.to_string())?;
    println!(
        "Đã sinh / generated {people} người trong {:.1}s",
        started.elapsed().as_secs_f64()
    );
    db.close().await;
    Ok(())
}

async fn backup_cmd(config: Config, args: &[String]) -> CliResult {
    let [dest] = args else {
        return Err("Cách dùng / usage: hocvuso backup <tệp-đích>".into());
    };
    let dest = PathBuf::from(dest);
    if dest.exists() {
        return Err(format!(
            "Tệp {} đã tồn tại; hãy chọn tên khác / already exists",
            dest.display()
        ));
    }
    let db = hocvuso_db::Db::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    if db.backend() == Backend::Postgres {
        return Err("PostgreSQL: dùng pg_dump -Fc (xem README) / use pg_dump -Fc (see README)".into());
    }
    backup::backup_sqlite(&db, &dest).await.map_err(|e| e.to_string())?;
    println!("Đã sao lưu / backed up to {}", dest.display());
    Ok(())
}

fn restore_cmd(config: Config, args: &[String]) -> CliResult {
    let [src] = args else {
        return Err("Cách dùng / usage: hocvuso restore <tệp-sao-lưu>".into());
    };
    let Some(target) = config.sqlite_path() else {
        return Err("PostgreSQL: dùng pg_restore (xem README) / use pg_restore (see README)".into());
    };
    backup::restore_sqlite(&PathBuf::from(src), &target)
        .map_err(|e| format!("Không khôi phục được / restore failed: {e}"))?;
    println!(
        "Đã khôi phục / restored {} (bản cũ giữ ở *.before-restore)",
        target.display()
    );
    Ok(())
}

/// The database with the audit key derived from the configured secret, without migrating or
/// writing anything: checking the log must not change it.
async fn audit_db(config: &Config) -> Result<hocvuso_db::Db, String> {
    Ok(hocvuso_db::Db::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?
        .with_audit_key(hocvuso_core::crypto::AuditKey::new(&config.secret_key)))
}

async fn verify(config: Config, args: &[String]) -> i32 {
    let checkpoint = match args {
        [] => None,
        [flag, file] if flag == "--checkpoint" => {
            let text = match std::fs::read_to_string(file) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("Không đọc được điểm chốt / cannot read checkpoint {file}: {e}");
                    return 2;
                }
            };
            match audit::Checkpoint::parse(&text) {
                Ok(c) => Some(c),
                Err(e) => {
                    eprintln!("Tệp điểm chốt không hợp lệ / invalid checkpoint file {file}: {e}");
                    return 2;
                }
            }
        }
        _ => {
            eprintln!("Cách dùng / usage: hocvuso verify-audit [--checkpoint <tệp>]");
            return 2;
        }
    };
    let db = match audit_db(&config).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let result = audit::verify_with(&db, checkpoint.as_ref()).await;
    db.close().await;
    match result {
        Ok(v) if v.ok() => {
            match &checkpoint {
                Some(c) => println!(
                    "Nhật ký nguyên vẹn / audit chain intact: {} mục / entries; khớp điểm chốt / matches the checkpoint at {}",
                    v.entries, c.seq
                ),
                None => println!("Nhật ký nguyên vẹn / audit chain intact: {} mục / entries", v.entries),
            }
            0
        }
        Ok(v) => {
            let (id, why) = v.broken.unwrap_or_default();
            println!("NHẬT KÝ BỊ THAY ĐỔI tại mục {id}: {why} / AUDIT CHAIN BROKEN at entry {id}: {why}");
            1
        }
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}

/// Prints a signed checkpoint of the current head, after checking the chain: a checkpoint of a
/// broken chain would bless the damage.
async fn audit_checkpoint(config: Config) -> CliResult {
    let db = audit_db(&config).await?;
    let v = audit::verify(&db).await.map_err(|e| e.to_string())?;
    if let Some((id, why)) = v.broken {
        db.close().await;
        return Err(format!(
            "Nhật ký đã bị thay đổi tại mục {id} ({why}); không tạo điểm chốt / audit chain broken at entry {id}: {why}; no checkpoint made"
        ));
    }
    let cp = audit::checkpoint(&db).await.map_err(|e| e.to_string())?;
    db.close().await;
    println!("{}", cp.to_line());
    Ok(())
}

/// `hocvuso verify-credential FILE [--did DID.json]`: checks a credential offline, with this
/// server's key (derived from its secret) or with a published DID document. The register (a
/// revocation) is not consulted: the verification page and API do that.
fn verify_credential(config: &Config, args: &[String]) -> i32 {
    use hocvuso_core::certificate::credential::{self, Issuer, IssuerKey, PublicKey};
    let usage = || {
        eprintln!("Cách dùng / usage: hocvuso verify-credential <tệp> [--did <tệp-did.json>]");
        2
    };
    let (file, did) = match args {
        [file] => (file, None),
        [file, flag, did] if flag == "--did" => (file, Some(did)),
        _ => return usage(),
    };
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("Không đọc được tệp / cannot read {file}: {e}");
            return 2;
        }
    };
    let (issuer, keys) = match did {
        None => {
            let issuer = match Issuer::did_web(&config.public_url, hocvuso_app::DEFAULT_ISSUER_NAME) {
                Ok(i) => i,
                Err(m) => {
                    eprintln!("{}", m.render(Lang::Vi));
                    return 2;
                }
            };
            let key = IssuerKey::from_seed(&config.secret_key.credential_seed()).public_key();
            (issuer, vec![key])
        }
        Some(path) => {
            let doc: serde_json::Value = match std::fs::read(path).map(|b| serde_json::from_slice(&b)) {
                Ok(Ok(v)) => v,
                _ => {
                    eprintln!(
                        "Tệp DID không đọc được hoặc không phải JSON / the DID file is unreadable or not JSON: {path}"
                    );
                    return 2;
                }
            };
            let id = doc.get("id").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            // Keys in the document's order: #key-1 first, as the issuer publishes them.
            let keys: Vec<PublicKey> = doc
                .get("verificationMethod")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|m| m.get("publicKeyMultibase").and_then(|k| k.as_str()))
                        .filter_map(PublicKey::from_multibase)
                        .collect()
                })
                .unwrap_or_default();
            if !id.starts_with("did:") || keys.is_empty() {
                eprintln!("Tệp DID không có định danh hoặc khóa công khai / the DID file names no DID or key: {path}");
                return 2;
            }
            (
                Issuer {
                    id,
                    name: String::new(),
                },
                keys,
            )
        }
    };
    match credential::verify(&bytes, &issuer, &keys) {
        Ok(v) => {
            println!("HỢP LỆ / VALID: chữ ký đúng, nội dung chưa bị sửa.");
            println!("  Người được cấp: {}", v.holder_name);
            println!("  Nội dung:       {}", v.achievement);
            println!("  Mức:            {}", v.level);
            println!("  Cấp từ:         {}", v.issued);
            println!("  Mã:             {}", v.code);
            println!("  Danh sách thu hồi: {} (vị trí {})", v.status_list_url, v.status_index);
            println!(
                "  Việc thu hồi kiểm tra tại trang xác minh hoặc danh sách trên / revocation: see the page or list above."
            );
            0
        }
        Err(f) => {
            println!("KHÔNG HỢP LỆ / NOT VALID: {}", f.message().render(Lang::Vi));
            1
        }
    }
}
