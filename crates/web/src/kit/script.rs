//! The site's one script (progressive enhancement: it registers the offline service worker),
//! served under a URL that carries its content hash, like the stylesheet. A separate file rather
//! than an inline script: the Content-Security-Policy allows scripts from 'self' only.

pub const SCRIPT: &str = include_str!("../../static/app.js");
pub const SCRIPT_PATH: &str = "/static/app.js";

pub fn script_url() -> &'static str {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        let h = hocvuso_core::crypto::sha256_hex(&[SCRIPT.as_bytes()]);
        format!("{SCRIPT_PATH}?v={}", &h[..12])
    })
}
