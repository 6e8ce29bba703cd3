//! The harness's own promise (issue 7 §7): a test whose server task stopped with an error or
//! panicked fails in `TestApp::finish`, even when every request it made was answered.

use crate::both;
use crate::helpers::{Backend, Options, TestApp};

async fn spawn(b: Backend) -> TestApp {
    TestApp::spawn_with(
        b,
        Options {
            seed: false,
            ..Default::default()
        },
    )
    .await
}

/// What `finish` panicked with, when it did.
async fn finish_outcome(app: TestApp) -> Option<String> {
    match tokio::spawn(app.finish()).await {
        Ok(()) => None,
        Err(e) => {
            assert!(e.is_panic(), "finish was cancelled: {e}");
            let p = e.into_panic();
            Some(
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default(),
            )
        }
    }
}

async fn finish_fails_on_a_failed_server(b: Backend) {
    // A server that stopped cleanly passes: the other cases fail because of the task, not always.
    let app = spawn(b).await;
    assert_eq!(app.client().get("/healthz").await.status(), 200);
    assert_eq!(finish_outcome(app).await, None);

    // The server's task returned an error.
    let mut app = spawn(b).await;
    app.replace_server_task(tokio::spawn(async { Err(std::io::Error::other("the listener broke")) }))
        .await;
    let panicked = finish_outcome(app)
        .await
        .expect("finish passed a server that stopped with an error");
    assert!(
        panicked.contains("the server stopped with an error: the listener broke"),
        "{panicked}"
    );

    // The server's task panicked.
    let mut app = spawn(b).await;
    app.replace_server_task(tokio::spawn(async {
        if std::hint::black_box(true) {
            panic!("a bug in the server");
        }
        Ok(())
    }))
    .await;
    let panicked = finish_outcome(app).await.expect("finish passed a server that panicked");
    assert!(
        panicked.contains("the server task failed") && panicked.contains("a bug in the server"),
        "{panicked}"
    );
}
both!(finish_fails_on_server_failure, finish_fails_on_a_failed_server);
