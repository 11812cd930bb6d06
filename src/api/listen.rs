//! The HTTP server itself: accepting connections under a limit, the timeouts that keep
//! slow or idle clients from holding them, and a graceful shutdown that lets requests in
//! flight finish.
//!
//! - **Connections**: at most [`HttpLimits::max_connections`] at once; one more is
//!   answered `503` (problem+json, `Connection: close`) without its request being read.
//! - **Header read**: a request head must arrive within
//!   [`HttpLimits::header_read_timeout`] of the connection being ready for it; hyper starts
//!   that clock when the connection waits for its next request, so the same limit closes
//!   an idle keep-alive connection (there is no separate idle timer).
//! - **Request body**: the body must arrive within [`HttpLimits::body_timeout`]
//!   (an unread body then fails with a 400 naming the timeout).
//! - **Whole request**: a handler that has not answered within
//!   [`HttpLimits::request_timeout`] is answered `503` (problem+json).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// The limits of the HTTP server, each a setting of `landreuse serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpLimits {
    /// Connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Time for a request head to arrive (also the idle limit between requests).
    pub header_read_timeout: Duration,
    /// Time for a request body to arrive.
    pub body_timeout: Duration,
    /// Time for a handler to answer.
    pub request_timeout: Duration,
    /// Time in-flight requests get to finish after a shutdown signal.
    pub shutdown_timeout: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            // Below the common limit of 1,024 open files, with room for the store's
            // connections and the index's files.
            max_connections: 900,
            header_read_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(120),
            // A land-reserve report of a million parcels takes about a minute on two cores.
            request_timeout: Duration::from_secs(600),
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

/// The 503 a connection past the limit gets before it is closed.
fn refusal(limit: usize) -> Vec<u8> {
    let body = serde_json::json!({
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": format!("the server holds its most connections ({limit}) now; try again in a moment"),
    })
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves `app` on `listener` within `limits` until `shutdown` resolves; then stops
/// accepting and waits up to `limits.shutdown_timeout` for the connections to finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &HttpLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let builder = Arc::new(builder);
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file handles and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            let limit = limits.max_connections;
            tokio::spawn(async move {
                let mut stream = stream;
                let _ = stream.write_all(&refusal(limit)).await;
                let _ = stream.shutdown().await;
            });
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = tower::service_fn(move |mut request: Request<hyper::body::Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(remote));
            tower::ServiceExt::oneshot(app.clone(), request.map(Body::new))
        });
        let builder = builder.clone();
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _held = permit;
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %remote, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("every connection finished"),
        () = tokio::time::sleep(limits.shutdown_timeout) => tracing::warn!(
            seconds = limits.shutdown_timeout.as_secs(),
            "connections still open after the shutdown timeout are dropped"
        ),
    }
    Ok(())
}
