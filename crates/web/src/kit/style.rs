//! The one stylesheet, served under a URL that carries its content hash.

/// The stylesheet's URL carries its content hash, so it can be cached forever.
pub const STYLESHEET: &str = include_str!("../../static/app.css");
pub const STYLESHEET_PATH: &str = "/static/app.css";

pub fn stylesheet_url() -> &'static str {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        let h = hocvuso_core::crypto::sha256_hex(&[STYLESHEET.as_bytes()]);
        format!("{STYLESHEET_PATH}?v={}", &h[..12])
    })
}
