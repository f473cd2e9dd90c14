//! The HTTP routes. Every failure is a JSON object `{"error": "..."}` (with `problems` for an
//! invalid scenario) and the status that says what kind of failure it is; nothing panics on
//! a request.
//!
//! | route | what |
//! |---|---|
//! | `GET /api/scenarios` | the scenarios offered |
//! | `GET /api/scenarios/{name}` | a scenario's text and its main parameters |
//! | `POST /api/validate` | `{scenario, text?, sets?}` → `{ok, problems}` |
//! | `POST /api/runs` | start a run: 202 `{id}`, 400 invalid, 503 busy |
//! | `GET /api/runs` | live runs and the run folders on disk |
//! | `GET /api/runs/{id}` | one live run |
//! | `GET /api/runs/{id}/events` | its messages (server-sent events), from the start |
//! | `POST /api/runs/{id}/{pause,resume,stop}` | steer it |
//! | `POST /api/folders/resume` | `{folder}`: finish an interrupted run folder: 202 `{id}`, 409 not resumable |
//! | `POST /api/folders/replay` | `{folder}`: play a finished run folder again, as a live run: 202 `{id}`, 409 not complete |
//! | `POST /api/runs/{id}/speed` | `{steps_per_second}` (0: full speed): the pace of a live run or a replay |
//! | `GET /files/{path}` | a file of a run folder (reports, charts) |

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mobilize_core::scenario::Source;
use mobilize_experiment::{execute_run, ExperimentError, RunRequest};
use mobilize_output::RunFolder;
use serde::Deserialize;
use serde_json::json;

use crate::live::{LiveRun, Phase, Streamer};
use crate::scenarios;
pub use crate::state::{ApiError, AppState};
use crate::{assets, files};

/// Largest lattice drawn live (sites); larger ones stream counts only.
const LIVE_LATTICE_SITES: u64 = 250_000;

/// The routes.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.config.body_limit;
    Router::new()
        .route("/", get(assets::index))
        .route("/assets/{file}", get(assets::file))
        .route("/api/scenarios", get(list_scenarios))
        .route("/api/scenarios/{name}", get(get_scenario))
        .route("/api/validate", post(validate))
        .route("/api/runs", get(list_runs).post(start_run))
        .route("/api/runs/{id}", get(get_run))
        .route("/api/runs/{id}/events", get(events))
        .route("/api/runs/{id}/{action}", post(steer))
        .route("/api/folders/resume", post(resume_run))
        .route("/api/folders/replay", post(replay_folder))
        .route("/api/runs/{id}/speed", post(speed))
        .route("/files/{*path}", get(files::serve))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such page or route") })
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.config.request_timeout,
            time_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::guard::check,
        ))
        .with_state(state)
}

/// A request that takes longer than the configured time (a body trickled in, byte by byte)
/// is answered 408 and its connection closed.
async fn time_limit(
    State(limit): State<std::time::Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            let mut r = ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!("the request took longer than {} s", limit.as_secs_f64()),
            )
            .into_response();
            r.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            r
        }
    }
}

async fn list_scenarios(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    let folder = s.config.scenarios.clone();
    let list = tokio::task::spawn_blocking(move || scenarios::list(folder.as_deref()))
        .await
        .unwrap_or_default();
    Json(json!({ "scenarios": list }))
}

async fn get_scenario(
    State(s): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    if !scenarios::plain_name(&name) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("`{name}` is not a scenario name (letters, digits, `-`, `_`, `.`; no paths)"),
        ));
    }
    let folder = s.config.scenarios.clone();
    let wanted = name.clone();
    let found = blocking(move || {
        let source = scenarios::find(folder.as_deref(), &wanted)?;
        let loaded = scenarios::load(&source, &[]);
        Some((source, loaded))
    })
    .await?;
    let (source, loaded) = found
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no scenario `{name}`")))?;
    let scenario = loaded.map_err(|p| ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: format!("scenario `{name}` is invalid"),
        problems: p,
    })?;
    let model = scenario.model.name();
    let params: Vec<serde_json::Value> = scenario
        .model
        .key_parameters()
        .iter()
        .filter_map(|(path, label)| {
            Some(json!({ "path": path, "label": label, "value": scenario.value_at(path)? }))
        })
        .collect();
    Ok(Json(json!({
        "name": name,
        "model": model,
        "description": scenario.description,
        "text": source.text,
        "parameters": params,
    })))
}

/// What `validate` and `start` take.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioRequest {
    /// Name of an offered scenario.
    scenario: String,
    /// Edited text replacing the named scenario's, if any.
    #[serde(default)]
    text: Option<String>,
    /// Overrides `path=value`.
    #[serde(default)]
    sets: Vec<String>,
    /// The pace to start at, steps a second (0 or absent: full speed), so that a short run
    /// can be watched from its first step.
    #[serde(default)]
    steps_per_second: Option<u32>,
}

fn body<T: for<'de> Deserialize<'de>>(
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request is larger than {limit} bytes"),
            )
        } else {
            ApiError::new(e.status(), e.body_text())
        }
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("malformed request: {e}")))
}

/// Runs `f` (reading files, validating a scenario: a large edge list takes seconds) on the
/// blocking pool, so that the async workers go on answering meanwhile.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

/// The request's scenario, read and validated off the async workers.
async fn load_request(
    s: &Arc<AppState>,
    req: &ScenarioRequest,
) -> Result<
    (
        Source,
        Result<mobilize_core::scenario::Scenario, Vec<scenarios::ProblemView>>,
    ),
    ApiError,
> {
    let state = s.clone();
    let req = ScenarioRequest {
        scenario: req.scenario.clone(),
        text: req.text.clone(),
        sets: req.sets.clone(),
        steps_per_second: req.steps_per_second,
    };
    blocking(move || {
        let source = source_of(&state, &req)?;
        let loaded = scenarios::load(&source, &req.sets);
        Ok((source, loaded))
    })
    .await?
}

fn source_of(s: &AppState, req: &ScenarioRequest) -> Result<Source, ApiError> {
    if !scenarios::plain_name(&req.scenario) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("`{}` is not a scenario name (no paths)", req.scenario),
        ));
    }
    match &req.text {
        Some(text) => Ok(Source::text(&format!("{} (edited)", req.scenario), text)),
        None => scenarios::find(s.config.scenarios.as_deref(), &req.scenario).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                format!("no scenario `{}`", req.scenario),
            )
        }),
    }
}

async fn validate(
    State(s): State<Arc<AppState>>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let req: ScenarioRequest = body(raw, s.config.body_limit)?;
    let (_, loaded) = load_request(&s, &req).await?;
    Ok(Json(match loaded {
        Ok(sc) => json!({
            "ok": true,
            "problems": [],
            "persons": sc.population(),
            "steps": sc.time.steps,
        }),
        Err(p) => json!({ "ok": false, "problems": p }),
    }))
}

async fn start_run(
    State(s): State<Arc<AppState>>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let req: ScenarioRequest = body(raw, s.config.body_limit)?;
    let pace = req.steps_per_second.unwrap_or(0);
    if pace > MAX_PACE {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "steps_per_second {pace} is out of range (allowed: 0, full speed, to {MAX_PACE})"
            ),
        ));
    }
    let (source, loaded) = load_request(&s, &req).await?;
    let scenario = loaded.map_err(|p| ApiError {
        status: StatusCode::BAD_REQUEST,
        message: format!("scenario `{}` is invalid", req.scenario),
        problems: p,
    })?;
    launch(
        &s,
        Job::Fresh {
            scenario: Box::new(scenario),
            source: source.name,
            sets: req.sets,
        },
        pace,
    )
}

/// What `POST /api/folders/resume` and `/replay` take: a run folder relative to the runs
/// folder.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResumeRequest {
    folder: String,
}

/// Finishes an interrupted run folder (one stopped from the page, or by the server's shut
/// down, or a CLI run): on the same terms as `mobilize resume`.
async fn resume_run(
    State(s): State<Arc<AppState>>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let req: ResumeRequest = body(raw, s.config.body_limit)?;
    let dir = files::resolve_dir(&s.config.runs, &req.folder)?;
    let provenance = s.config.provenance.clone();
    let resumable = tokio::task::spawn_blocking(move || {
        mobilize_experiment::resume::open(&dir, &provenance, &Default::default())
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .map_err(|e| {
        ApiError::new(
            StatusCode::CONFLICT,
            files::hide_root(&s.config.runs, &e.to_string()),
        )
    })?;
    launch(&s, Job::Resume(Box::new(resumable)), 0)
}

/// `POST /api/folders/replay` `{folder}`: plays a finished run folder again as a live run,
/// at the page's pace: 202 `{id}`, 409 when the folder is not a complete run.
async fn replay_folder(
    State(s): State<Arc<AppState>>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let req: ResumeRequest = body(raw, s.config.body_limit)?;
    let dir = files::resolve_dir(&s.config.runs, &req.folder)?;
    let replay = tokio::task::spawn_blocking(move || crate::replay::Replay::open(&dir))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(|why| {
            ApiError::new(
                StatusCode::CONFLICT,
                format!("cannot replay `{}`: {why}", req.folder),
            )
        })?;
    launch(&s, Job::Replay(Box::new(replay)), 0)
}

/// `{steps_per_second}`: the pace asked for.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpeedRequest {
    steps_per_second: u32,
}

/// Most steps a second a page may ask for: beyond this a page cannot tell the difference
/// from full speed (0).
const MAX_PACE: u32 = 10_000;

/// `POST /api/runs/{id}/speed` `{steps_per_second}` (0: full speed): how fast a live run or a
/// replay goes. The results do not change; only the waits between steps do.
async fn speed(
    State(s): State<Arc<AppState>>,
    Path(id): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let run = s.run(&id)?;
    let req: SpeedRequest = body(raw, s.config.body_limit)?;
    if req.steps_per_second > MAX_PACE {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "steps_per_second {} is out of range (allowed: 0, full speed, to {MAX_PACE})",
                req.steps_per_second
            ),
        ));
    }
    // A run that has ended has no pace to set (setting one grew its history for good).
    if matches!(
        run.phase(),
        Phase::Finished | Phase::Stopped | Phase::Failed
    ) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("run `{id}` has ended"),
        ));
    }
    run.set_pace(req.steps_per_second);
    Ok(Json(describe(&run)))
}

/// A run the server is asked for.
enum Job {
    /// From the start, into a new folder.
    Fresh {
        scenario: Box<mobilize_core::scenario::Scenario>,
        source: String,
        sets: Vec<String>,
    },
    /// An interrupted run finished in its own folder.
    Resume(Box<mobilize_experiment::resume::Resumable>),
    /// A finished run folder played again (nothing simulated).
    Replay(Box<crate::replay::Replay>),
}

impl Job {
    /// The scenario to simulate (none for a replay).
    fn scenario(&self) -> Option<&mobilize_core::scenario::Scenario> {
        match self {
            Job::Fresh { scenario, .. } => Some(scenario),
            Job::Resume(r) => Some(&r.scenario),
            Job::Replay(_) => None,
        }
    }

    /// The scenario's and the model's names.
    fn names(&self) -> (String, String) {
        let of = |s: &mobilize_core::scenario::Scenario| {
            (s.name.clone(), s.value_at("model").unwrap_or_default())
        };
        match self {
            Job::Fresh { scenario, .. } => of(scenario),
            Job::Resume(r) => of(&r.scenario),
            Job::Replay(r) => (r.scenario_name().to_string(), r.model_name()),
        }
    }
}

/// The least a step's message takes in a run's live history (bytes): its step, date and a
/// handful of values (a 1,000,000-step threshold run kept 370 MB).
const MIN_STEP_BYTES: u64 = 300;

/// Checks that the job fits, takes a place in the queue and starts its thread: 202 `{id}`.
fn launch(
    s: &Arc<AppState>,
    job: Job,
    pace: u32,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    // A run that cannot fit would abort the whole server when its allocation fails; the
    // histories the server keeps take their share of the memory.
    let limit = s
        .config
        .max_memory
        .or_else(mobilize_core::scenario::memory::available)
        .map(|l| l.saturating_sub(s.history_bytes()));
    if let (Some(limit), Some(scenario)) = (limit, job.scenario()) {
        mobilize_core::scenario::memory::check(scenario, limit)
            .map_err(|why| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, why))?;
    }
    // Its live history grows by a message a step (a few hundred bytes at the least): a run
    // whose history alone would pass the budget is for `mobilize run`, not the dashboard.
    if let Some(scenario) = job.scenario() {
        let least = (u64::from(scenario.time.steps) + 1) * MIN_STEP_BYTES;
        if least > s.config.history_budget {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "{} steps would keep at least {} of live history, more than the {} the dashboard keeps: run it with `mobilize run` (its folder can be replayed here), or fewer steps",
                    scenario.time.steps,
                    mobilize_core::scenario::memory::human(least),
                    mobilize_core::scenario::memory::human(s.config.history_budget)
                ),
            ));
        }
    }
    {
        let mut slots = s.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.0 + slots.1 >= s.config.max_runs + s.config.queue {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "busy: {} runs are running and {} waiting (at most {} and {}); try again when one ends",
                    slots.0, slots.1, s.config.max_runs, s.config.queue
                ),
            ));
        }
        slots.1 += 1;
    }
    // In start order, and unguessable: a page that cannot read the list cannot steer a run.
    let id = format!(
        "r{:06}-{}",
        s.next.fetch_add(1, Ordering::Relaxed),
        crate::guard::random_hex(8)
    );
    let (name, model) = job.names();
    let run = LiveRun::new(id.clone(), name, model, job.scenario().map(|s| s.seed));
    run.set_pace(pace);
    s.runs
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.clone(), run.clone());
    let state = s.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("run-{id}"))
        .spawn(move || execute(state, run, job));
    if let Err(e) = spawned {
        s.slots.lock().unwrap_or_else(|e| e.into_inner()).1 -= 1;
        return Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            e.to_string(),
        ));
    }
    Ok((StatusCode::ACCEPTED, Json(json!({ "id": id }))))
}

/// The run thread: waits for a slot, runs into a run folder, reports the end.
fn execute(s: Arc<AppState>, run: Arc<LiveRun>, job: Job) {
    {
        let mut slots = s.slots.lock().unwrap_or_else(|e| e.into_inner());
        while slots.0 >= s.config.max_runs && !run.stop.load(Ordering::SeqCst) {
            slots = s
                .freed
                .wait_timeout(slots, std::time::Duration::from_millis(200))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        slots.1 -= 1;
        if run.stop.load(Ordering::SeqCst) {
            // Stopped while waiting: nothing was started, no folder is made.
            drop(slots);
            run.push(
                "end",
                &json!({ "phase": Phase::Stopped, "sentence": "stopped before it started" }),
            );
            run.set_phase(Phase::Stopped);
            run.finish();
            s.freed.notify_all();
            return;
        }
        slots.0 += 1;
    }
    // Whatever happens in the run, its slot is given back and its pages are told.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_into_folder(&s, &run, job)
    }));
    let (phase, end) = outcome.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown".into());
        (
            Phase::Failed,
            json!({ "phase": Phase::Failed, "sentence": format!("the run failed (a bug: {why}); the server goes on") }),
        )
    });
    run.push("end", &end);
    run.set_phase(phase);
    run.finish();
    s.evict_ended();
    let mut slots = s.slots.lock().unwrap_or_else(|e| e.into_inner());
    slots.0 -= 1;
    s.freed.notify_all();
}

/// Runs `scenario` into a new run folder, checkpointing as configured; returns the phase it
/// ended in and the page's closing message.
fn run_into_folder(s: &Arc<AppState>, run: &Arc<LiveRun>, job: Job) -> (Phase, serde_json::Value) {
    // Paused while it waited to start: it starts paused (the page must not say "running").
    run.set_phase(if run.is_paused() {
        Phase::Paused
    } else {
        Phase::Running
    });
    let live_lattice = job.scenario().is_some_and(|scenario| {
        scenario
            .model
            .meta(scenario)
            .lattice
            .is_some_and(|l| l.sites() <= LIVE_LATTICE_SITES)
    });
    let provenance = &s.config.provenance;
    let result = match job {
        Job::Fresh {
            scenario,
            source,
            sets,
        } => RunFolder::create(
            &s.config.runs,
            &scenario.name.clone(),
            &scenario.resolved_toml(),
            std::time::SystemTime::now(),
        )
        .map_err(ExperimentError::from)
        .map(|folder| {
            let req = RunRequest {
                checkpoint_every: s.config.checkpoint_every,
                keep_checkpoints: 1,
                ..RunRequest::fresh(*scenario, source, sets, 1, provenance)
            };
            (req, folder, None)
        }),
        Job::Resume(r) => r
            .into_request(1, provenance, None)
            .map(|(req, folder, lock)| (req, folder, Some(lock))),
        Job::Replay(r) => return r.play(&s.config.runs, run),
    }
    .and_then(|(req, folder, _lock)| {
        *run.folder.lock().unwrap_or_else(|e| e.into_inner()) =
            files::relative(&s.config.runs, folder.path());
        let req = RunRequest {
            stop: Some(&run.stop),
            report: true,
            live_lattice,
            ..req
        };
        let mut streamer = Streamer::new(run.clone());
        execute_run(req, folder, &mut [&mut streamer])
    });
    match result {
        Ok(f) => {
            let folder = files::relative(&s.config.runs, &f.dir);
            *run.folder.lock().unwrap_or_else(|e| e.into_inner()) = folder.clone();
            (
                Phase::Finished,
                json!({
                    "phase": Phase::Finished,
                    "sentence": f.outcome.sentence,
                    "figures": f.outcome.figures.iter().cloned().collect::<BTreeMap<_, _>>(),
                    "last_step": f.outcome.last_step,
                    "report": folder.as_ref().map(|p| format!("/files/{p}/report.html")),
                    "folder": folder,
                    "decisive": mobilize_report::run::decisive_steps(&f.dir),
                }),
            )
        }
        Err(ExperimentError::Interrupted {
            dir,
            step,
            resumable,
        }) => (
            Phase::Stopped,
            json!({
                "phase": Phase::Stopped,
                "sentence": if resumable {
                    format!("stopped after step {step}; the run folder is marked interrupted and can be resumed")
                } else {
                    format!("stopped after step {step}; the run folder is marked interrupted")
                },
                "folder": files::relative(&s.config.runs, &dir),
                "last_step": step,
                "resumable": resumable,
            }),
        ),
        Err(e) => (
            Phase::Failed,
            json!({ "phase": Phase::Failed, "sentence": format!("the run failed: {e}") }),
        ),
    }
}

fn describe(run: &LiveRun) -> serde_json::Value {
    json!({
        "id": run.id,
        "scenario": run.scenario,
        "seed": run.seed,
        "model": run.model,
        "phase": run.phase(),
        "step": run.step.load(Ordering::Relaxed),
        "folder": *run.folder.lock().unwrap_or_else(|e| e.into_inner()),
        "seconds": run.elapsed(),
        "history_bytes": run.history_bytes(),
    })
}

async fn list_runs(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    let live: Vec<serde_json::Value> = s
        .runs
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .values()
        .map(|r| describe(r))
        .collect();
    let dir = s.config.runs.clone();
    let disk = tokio::task::spawn_blocking(move || files::list(&dir))
        .await
        .unwrap_or_default();
    Json(json!({ "live": live, "folders": disk }))
}

async fn get_run(
    State(s): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let run = s.run(&id)?;
    Ok(Json(describe(&run)))
}

async fn steer(
    State(s): State<Arc<AppState>>,
    Path((id, action)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let run = s.run(&id)?;
    let phase = run.phase();
    let over = matches!(phase, Phase::Finished | Phase::Stopped | Phase::Failed);
    match action.as_str() {
        _ if over => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("run `{id}` has ended"),
            ))
        }
        "pause" => {
            run.pause(true);
            run.set_phase(Phase::Paused);
        }
        "resume" => {
            run.pause(false);
            run.set_phase(Phase::Running);
        }
        "stop" => {
            run.stop.store(true, Ordering::SeqCst);
            run.pause(false);
        }
        other => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                format!("no action `{other}` (pause, resume, stop)"),
            ))
        }
    }
    Ok(Json(describe(&run)))
}

async fn events(
    State(s): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let run = s.run(&id)?;
    let rx = run.subscribe();
    let stream =
        futures_util::stream::unfold((run, rx, 0usize), |(run, mut rx, from)| async move {
            loop {
                let done = run.is_done();
                let (chunk, to) = run.chunk(from);
                if !chunk.is_empty() {
                    return Some((Ok::<_, std::convert::Infallible>(chunk), (run, rx, to)));
                }
                if done {
                    return None;
                }
                if rx.changed().await.is_err() {
                    return None;
                }
            }
        });
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(stream))
        .expect("a valid response"))
}
