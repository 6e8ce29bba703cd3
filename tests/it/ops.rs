use crate::both;
use crate::helpers::{Backend, Options, TestApp};

async fn health_and_metrics(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed: false,
            ..Default::default()
        },
    )
    .await;
    let c = app.client();
    let (s, body) = c.text("/healthz").await;
    assert_eq!((s, body.as_str()), (200, "ok"));
    let r = c.get("/metrics").await;
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let m = r.text().await.unwrap();
    assert!(m.contains("# TYPE hocvuso_http_requests_total counter"), "{m}");
    assert!(m.contains("hocvuso_http_responses_total{class=\"2xx\"}"));
    let backend = if b == Backend::Sqlite { "sqlite" } else { "postgres" };
    assert!(m.contains(&format!("hocvuso_database_backend{{backend=\"{backend}\"}} 1")));
    app.finish().await;
}
both!(health_metrics, health_and_metrics);

async fn security_headers_and_errors(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed: false,
            ..Default::default()
        },
    )
    .await;
    let c = app.client();
    let r = c.get("/khong-co-trang-nay").await;
    assert_eq!(r.status(), 404);
    let h = r.headers().clone();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(!h["content-security-policy"].to_str().unwrap().contains("unsafe-inline"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    let body = r.text().await.unwrap();
    assert!(body.contains("Không tìm thấy"), "{body}");
    assert!(body.contains("lang=\"vi\""));
    // English when the browser asks for it.
    let r = c
        .http
        .get(c.url("/khong-co"))
        .header("accept-language", "en-US,en;q=0.8")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Not found"));
    // The API answers problem+json.
    let r = c.get("/api/v1/units/00000").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let j: serde_json::Value = r.json().await.unwrap();
    assert_eq!(j["status"], 404);
    assert!(j["detail"].as_str().unwrap().contains("00000"));
    // Wrong method: 405 page in Vietnamese, no stack trace.
    let r = c.http.delete(c.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.text().await.unwrap().contains("không được hỗ trợ"));
    app.finish().await;
}
both!(security_headers, security_headers_and_errors);

#[tokio::test]
async fn openapi_document_lists_the_api() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            seed: false,
            ..Default::default()
        },
    )
    .await;
    let j: serde_json::Value = app.client().get("/api/openapi.json").await.json().await.unwrap();
    for p in [
        "/api/v1/units",
        "/api/v1/units/{code}",
        "/api/v1/units/{code}/children",
        "/api/v1/people",
        "/api/v1/people/import",
    ] {
        assert!(j["paths"].get(p).is_some(), "missing {p}");
    }
    app.finish().await;
}

/// Pages a learner opens stay under 50 KB over the wire (compressed, as a browser receives them).
#[tokio::test]
async fn learner_pages_are_light() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let learner = app.login("0900000008").await;
    let anon = app.client();
    for (c, path) in [
        (&anon, "/"),
        (&anon, "/login"),
        (&learner, "/"),
        (&learner, "/me"),
        (&learner, "/account/password"),
    ] {
        let r = c
            .http
            .get(c.url(path))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let bytes = r.bytes().await.unwrap().len();
        assert!(bytes < 50 * 1024, "{path}: {bytes} bytes");
    }
    let css = anon
        .http
        .get(anon.url("/static/app.css"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(css.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    assert!(css.bytes().await.unwrap().len() < 10 * 1024);
    app.finish().await;
}
