//! `hocvuso`: the server and its command-line tools in one binary.

use tracing_subscriber::EnvFilter;

// Requests allocate many small strings and rows across threads; glibc's malloc cost about a tenth
// of the server's CPU on signed-in pages (docs/DECISIONS.md, 2026-12-04).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(hocvuso::cli::run(args).await);
}
