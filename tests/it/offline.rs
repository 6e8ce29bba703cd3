//! Offline reading over HTTP: the service worker is served from the root with the headers a
//! browser needs to install and update it, every page loads the registration script from a
//! file (the Content-Security-Policy allows no inline script), the offline page is a real page in
//! the visitor's language that holds nothing personal, and a lesson with its stylesheet and
//! script stays under 50 KB over the wire. The worker itself runs in Chromium: `browser.rs`.

use crate::helpers::{Backend, TestApp};
use crate::learning::{COURSE, LESSON};

/// The value of `attr` on the first tag starting with `tag` in `html`.
fn attr_of(html: &str, tag: &str, attr: &str) -> String {
    let at = html.find(tag).unwrap_or_else(|| panic!("no {tag} in {html}"));
    let rest = &html[at..];
    let key = format!("{attr}=\"");
    let from = rest.find(&key).unwrap_or_else(|| panic!("{tag} has no {attr}")) + key.len();
    rest[from..from + rest[from..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn worker_script_and_offline_page() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let anon = app.client();

    // Every page loads the script from a hashed address, deferred, never inline.
    let (s, home) = anon.text("/").await;
    assert_eq!(s, 200);
    let js = attr_of(&home, "<script", "src");
    assert!(js.starts_with("/static/app.js?v="), "{js}");
    assert!(
        home.contains(&format!("<script src=\"{js}\" defer></script>")),
        "{home}"
    );
    assert_eq!(home.matches("<script").count(), 1, "one script, from a file");
    let css = attr_of(&home, "<link rel=\"stylesheet\"", "href");
    let r = anon.get(&js).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/javascript; charset=utf-8");
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    assert!(r.text().await.unwrap().contains("register('/sw.js')"));

    // The worker: from the root (its scope is the whole site without Service-Worker-Allowed),
    // JavaScript, revalidated on every visit, and naming the assets of this build.
    let r = anon.get("/sw.js").await;
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(h["cache-control"], "no-cache");
    assert!(h.get("service-worker-allowed").is_none());
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'"),
        "the policy stays"
    );
    let sw = r.text().await.unwrap();
    assert!(!sw.contains("__"), "every placeholder filled: {sw}");
    let version = hocvuso_web::offline::cache_version();
    assert!(
        version.starts_with(env!("CARGO_PKG_VERSION")) && version.len() > 13,
        "{version}"
    );
    assert!(sw.contains(&format!("const VERSION = '{version}';")), "{sw}");
    assert!(
        sw.contains(&format!("'{css}'")) && sw.contains(&format!("'{js}'")),
        "{sw}"
    );
    assert!(sw.contains("'/offline'"));

    // The offline page, in Vietnamese first and in English when asked.
    let (s, page) = anon.text("/offline").await;
    assert_eq!(s, 200);
    assert!(page.contains("<html lang=\"vi\">"));
    assert!(page.contains("Bạn đang ngoại tuyến"), "{page}");
    assert!(
        page.contains("Các bài bạn đã mở trên thiết bị này vẫn đọc được"),
        "{page}"
    );
    assert!(page.contains("id=\"offline-kept\""));
    let en = anon
        .http
        .get(anon.url("/offline"))
        .header("accept-language", "en-US,en;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("You are offline"), "{en}");

    // Kept by the worker for anyone who uses the phone next: no name, no CSRF token.
    let learner = app.login("0900000008").await;
    let (_, mine) = learner.text("/").await;
    let name = mine
        .split("<span class=\"who\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the signed-in name in the header")
        .to_string();
    let (s, page) = learner.text("/offline").await;
    assert_eq!(s, 200);
    assert!(!page.contains(&name), "{name} on the offline page");
    assert!(!page.contains("_csrf") && !page.contains("class=\"who\""), "{page}");

    // A lesson over the wire, with everything it loads but images: under 50 KB.
    let mut total = 0;
    for path in [format!("/learn/{COURSE}/{LESSON}"), css, js] {
        let r = learner
            .http
            .get(learner.url(&path))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        total += r.bytes().await.unwrap().len();
    }
    assert!(total < 50 * 1024, "a lesson is {total} bytes over the wire");
    app.finish().await;
}
