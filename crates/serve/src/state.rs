//! What every route shares: the server's state (its runs and run slots) and the error a route
//! answers with.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Condvar, Mutex};

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::live::LiveRun;
use crate::scenarios::ProblemView;
use crate::Config;

/// The server's state.
pub struct AppState {
    /// Its configuration.
    pub config: Config,
    pub(crate) runs: Mutex<BTreeMap<String, Arc<LiveRun>>>,
    /// (running, queued).
    pub(crate) slots: Mutex<(usize, usize)>,
    pub(crate) freed: Condvar,
    pub(crate) next: AtomicU64,
}

impl AppState {
    /// A server with no runs yet.
    pub fn new(config: Config) -> AppState {
        AppState {
            config,
            runs: Mutex::new(BTreeMap::new()),
            slots: Mutex::new((0, 0)),
            freed: Condvar::new(),
            next: AtomicU64::new(1),
        }
    }

    /// Stops every run (queued ones before they start) and waits until none is left
    /// running: each stopped run writes its checkpoint and marks its folder interrupted.
    pub fn stop_all_and_wait(&self) {
        for run in self.runs.lock().unwrap_or_else(|e| e.into_inner()).values() {
            run.stop.store(true, std::sync::atomic::Ordering::SeqCst);
            run.pause(false);
        }
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        self.freed.notify_all();
        while slots.0 + slots.1 > 0 {
            slots = self
                .freed
                .wait_timeout(slots, std::time::Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Bytes held in the live histories of every run kept.
    pub(crate) fn history_bytes(&self) -> u64 {
        self.runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|r| r.history_bytes() as u64)
            .sum()
    }

    /// Lets go of runs that have ended, oldest first, until the histories kept fit the budget
    /// (a finished run's folder stays on disk and replays; its live history goes). Runs under
    /// way are never let go.
    pub(crate) fn evict_ended(&self) {
        let budget = self.config.history_budget;
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        let mut total: u64 = runs.values().map(|r| r.history_bytes() as u64).sum();
        // Ids are in start order (`r000001-…`): the map's order is the oldest first.
        let ended: Vec<String> = runs
            .values()
            .filter(|r| {
                matches!(
                    r.phase(),
                    crate::live::Phase::Finished
                        | crate::live::Phase::Stopped
                        | crate::live::Phase::Failed
                )
            })
            .map(|r| r.id.clone())
            .collect();
        for id in ended {
            if total <= budget {
                break;
            }
            if let Some(r) = runs.remove(&id) {
                total = total.saturating_sub(r.history_bytes() as u64);
            }
        }
    }

    pub(crate) fn run(&self, id: &str) -> Result<Arc<LiveRun>, ApiError> {
        self.runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
            .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no run `{id}`")))
    }
}

/// A failure, as the page shows it.
#[derive(Debug)]
pub struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    pub(crate) problems: Vec<ProblemView>,
}

impl ApiError {
    /// A failure with a status and a message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            problems: vec![],
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            Json(json!({ "error": self.message, "problems": self.problems })),
        )
            .into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
        }
        r
    }
}
