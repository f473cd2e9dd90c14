//! # mobilize-serve
//!
//! `mobilize serve`: a live dashboard in the browser. The server (axum on tokio) lists and
//! validates scenarios, starts runs on worker threads, streams each run's step aggregates to
//! every watching page as server-sent events, pauses, resumes and stops runs, and serves the
//! run folders' reports. The front end (`web/`, plain ES modules and uPlot, bundled by esbuild
//! into `web/dist/`) is embedded in the binary: nothing else is needed at run time.
//!
//! - [`scenarios`]: the scenarios offered (embedded, and `.toml` files of one folder only);
//! - [`live`]: a run in progress, its message history and its pause gate;
//! - [`api`]: the HTTP routes, every error a JSON message with the right status;
//! - [`files`]: run folders on disk, served without leaving the runs folder;
//! - [`guard`]: the trust boundary (Host allow-list, JSON-only changes from the dashboard's own
//!   origin, the token, security headers);
//! - [`assets`]: the embedded front end.

pub mod api;
pub mod assets;
pub mod files;
pub mod guard;
pub mod live;
pub mod replay;
pub mod scenarios;
pub mod state;
mod timed_io;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How the server is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// Folder of run folders (runs started here go there; CLI runs there are listed).
    pub runs: PathBuf,
    /// Folder of extra scenario files offered besides the embedded ones.
    pub scenarios: Option<PathBuf>,
    /// Runs executing at once.
    pub max_runs: usize,
    /// Runs waiting for a free slot; beyond this a start is answered "busy".
    pub queue: usize,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Provenance recorded in run manifests.
    pub provenance: mobilize_experiment::Provenance,
    /// Names the server answers to in `Host` (without port, lower case): see [`guard`].
    pub allowed_hosts: Vec<String>,
    /// The token every request must carry, if any (always set when the address is not
    /// loopback).
    pub token: Option<String>,
    /// Most memory one run may need, in bytes (default: what is available when it is asked for).
    pub max_memory: Option<u64>,
    /// Runs write a checkpoint every this many steps, and always when stopped (the server
    /// shut down, or the page's Stop), so that `mobilize resume` or the dashboard can finish
    /// them; only the newest is kept. 0: no checkpoints (stopped runs cannot be resumed).
    pub checkpoint_every: u32,
    /// How long a client may take to send a request's headers, and how long a kept-alive
    /// connection may wait idle for its next request, before it is closed (slow or idle
    /// connections would otherwise hold the server's sockets for ever).
    pub header_timeout: Duration,
    /// How long one request may take, its body read included (a body trickled in byte by
    /// byte); answered 408 after. Event streams are exempt: their handler answers at once
    /// and the stream follows.
    pub request_timeout: Duration,
    /// How long a write to a client may wait (a client that stops reading an answer, a file
    /// or an event stream) before its connection is closed.
    pub write_timeout: Duration,
    /// Bytes of live history (the messages a page opened late is sent) the server keeps for
    /// the runs it started, in all: runs that have ended are let go, oldest first, beyond it
    /// (their folders stay, and replay); a run whose history alone could not fit is refused.
    pub history_budget: u64,
}

/// Default of [`Config::header_timeout`].
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Default of [`Config::history_budget`]: 512 MiB.
pub const HISTORY_BUDGET: u64 = 512 << 20;

/// Default of [`Config::write_timeout`].
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Default of [`Config::request_timeout`].
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections served at once; further ones wait in the listen queue.
pub const MAX_CONNECTIONS: usize = 256;

/// Starts serving on `listener` until the process ends.
pub async fn serve(config: Config, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_until(config, listener, std::future::pending()).await
}

/// Serves on `listener` until `shutdown` completes; then stops every run at the end of its
/// current step (each writes a checkpoint and marks its folder interrupted, so `mobilize
/// resume` finishes it) and returns once they have all ended.
pub async fn serve_until(
    config: Config,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let header_timeout = config.header_timeout;
    let write_timeout = config.write_timeout;
    let state = Arc::new(api::AppState::new(config));
    let router = api::router(state.clone());
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // A connection that failed before it was accepted (reset, or the process is
                // out of file descriptors for a moment): the server goes on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let io = hyper_util::rt::TokioIo::new(timed_io::TimedIo::new(stream, write_timeout));
            // Errors here are a client's (a timeout, a reset, a malformed request): only
            // that connection ends.
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(io, service)
                .await;
        });
    }
    drop(listener);
    let state2 = state.clone();
    tokio::task::spawn_blocking(move || state2.stop_all_and_wait())
        .await
        .map_err(std::io::Error::other)
}
/// Binds `host:port` (port 0: any free port) and returns the listener and its address.
pub async fn bind(host: &str, port: u16) -> std::io::Result<(tokio::net::TcpListener, SocketAddr)> {
    let listener = tokio::net::TcpListener::bind((host, port)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}
