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
pub mod scenarios;
pub mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

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
}

/// Starts serving on `listener` until the process ends.
pub async fn serve(config: Config, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let state = Arc::new(api::AppState::new(config));
    axum::serve(listener, api::router(state)).await
}

/// Binds `host:port` (port 0: any free port) and returns the listener and its address.
pub async fn bind(host: &str, port: u16) -> std::io::Result<(tokio::net::TcpListener, SocketAddr)> {
    let listener = tokio::net::TcpListener::bind((host, port)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}
