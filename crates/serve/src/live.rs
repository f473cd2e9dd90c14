//! A run in progress as the dashboard sees it: its phase, a history of server-sent-event
//! messages (each serialized once, whoever watches), a watch channel that wakes the pages
//! at most every 20 ms, and a gate that pauses the simulation thread between steps.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use base64::Engine as _;
use mobilize_core::observe::{Flow, LogEntry, Observer, ObserverError, RunInfo, StepRecord, GO_ON};
use serde::Serialize;
use serde_json::json;

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Waiting for a free slot.
    Queued,
    /// Stepping.
    Running,
    /// Held between two steps.
    Paused,
    /// Ran to its end; its folder is complete.
    Finished,
    /// Stopped from the page; its folder is marked incomplete.
    Stopped,
    /// Failed (the message says why).
    Failed,
}

/// Pages are woken at most this often; messages in between go out together.
const WAKE_EVERY: Duration = Duration::from_millis(20);

/// Largest chunk of messages copied together for one client (bytes).
pub const CHUNK_BYTES: usize = 256 * 1024;

/// A run the server started.
pub struct LiveRun {
    /// Its id in URLs.
    pub id: String,
    /// Scenario name.
    pub scenario: String,
    /// Model.
    pub model: String,
    /// The run's seed (none for a replay of a folder).
    pub seed: Option<u64>,
    phase: Mutex<Phase>,
    paused: Mutex<bool>,
    resume: Condvar,
    /// Set to stop at the end of the current step.
    pub stop: AtomicBool,
    /// Most steps a second the page asked for (0: as fast as it runs). Only the pace of the
    /// messages changes; the run's results do not.
    pace: AtomicU32,
    messages: RwLock<Vec<Bytes>>,
    published: tokio::sync::watch::Sender<usize>,
    done: AtomicBool,
    /// Last step observed.
    pub step: std::sync::atomic::AtomicU32,
    /// The run folder (relative to the runs folder), once known.
    pub folder: Mutex<Option<String>>,
    started: Instant,
}

impl LiveRun {
    /// A queued run.
    pub fn new(id: String, scenario: String, model: String, seed: Option<u64>) -> Arc<LiveRun> {
        Arc::new(LiveRun {
            id,
            scenario,
            model,
            seed,
            phase: Mutex::new(Phase::Queued),
            paused: Mutex::new(false),
            resume: Condvar::new(),
            stop: AtomicBool::new(false),
            pace: AtomicU32::new(0),
            messages: RwLock::new(Vec::new()),
            published: tokio::sync::watch::channel(0).0,
            done: AtomicBool::new(false),
            step: Default::default(),
            folder: Mutex::new(None),
            started: Instant::now(),
        })
    }

    /// The phase.
    pub fn phase(&self) -> Phase {
        *self.phase.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the phase and tells the pages.
    pub fn set_phase(&self, p: Phase) {
        *self.phase.lock().unwrap_or_else(|e| e.into_inner()) = p;
        self.push("state", &json!({ "phase": p }));
        self.publish();
    }

    /// Holds (`true`) or releases the simulation between steps.
    pub fn pause(&self, hold: bool) {
        *self.paused.lock().unwrap_or_else(|e| e.into_inner()) = hold;
        self.resume.notify_all();
    }

    /// Whether the page has paused it.
    pub fn is_paused(&self) -> bool {
        *self.paused.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Blocks the simulation thread while paused (a stop releases it).
    fn wait_while_paused(&self) {
        let mut paused = self.paused.lock().unwrap_or_else(|e| e.into_inner());
        while *paused && !self.stop.load(Ordering::Relaxed) {
            paused = self
                .resume
                .wait_timeout(paused, Duration::from_millis(200))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Sets the most steps a second (0: full speed) and tells the pages.
    pub fn set_pace(&self, steps_per_second: u32) {
        self.pace.store(steps_per_second, Ordering::Relaxed);
        self.push("pace", &json!({ "steps_per_second": steps_per_second }));
        self.publish();
    }

    /// The most steps a second (0: full speed).
    pub fn pace(&self) -> u32 {
        self.pace.load(Ordering::Relaxed)
    }

    /// Holds the thread until the next step is due at the page's pace (`due`: when it is; a
    /// run that fell behind does not race to catch up). A stop, a pause or a change of pace
    /// ends the wait at once.
    pub fn keep_pace(&self, due: &mut Option<Instant>) {
        let pace = self.pace();
        if pace == 0 {
            *due = None;
            return;
        }
        let every = Duration::from_secs_f64(1.0 / f64::from(pace));
        let now = Instant::now();
        let at = match *due {
            Some(t) if t > now => t,
            _ => now,
        };
        while Instant::now() < at
            && !self.stop.load(Ordering::Relaxed)
            && !self.is_paused()
            && self.pace() == pace
        {
            std::thread::sleep((at - Instant::now()).min(Duration::from_millis(50)));
        }
        *due = Some(at + every);
    }

    /// Waits between steps: at the page's pace, and while paused.
    pub fn between_steps(&self, due: &mut Option<Instant>) {
        self.keep_pace(due);
        self.wait_while_paused();
    }

    /// Appends one message (`event: kind`, JSON data); returns its place in the history.
    pub fn push(&self, kind: &str, data: &serde_json::Value) -> usize {
        let text = format!("event: {kind}\ndata: {data}\n\n");
        let mut m = self.messages.write().unwrap_or_else(|e| e.into_inner());
        m.push(Bytes::from(text));
        m.len() - 1
    }

    /// Replaces message `at` (a lattice picture superseded by a newer one: pages that join
    /// later need the series, and only the latest picture).
    fn replace(&self, at: usize, kind: &str, data: &serde_json::Value) {
        let text = format!("event: {kind}\ndata: {data}\n\n");
        let mut m = self.messages.write().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = m.get_mut(at) {
            *slot = Bytes::from(text);
        }
    }

    /// Bytes held in the message history.
    pub fn history_bytes(&self) -> usize {
        let m = self.messages.read().unwrap_or_else(|e| e.into_inner());
        m.iter().map(Bytes::len).sum()
    }

    /// Wakes the pages.
    pub fn publish(&self) {
        let n = self
            .messages
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .len();
        self.published.send_replace(n);
    }

    /// Marks the history complete (after the `end` message).
    pub fn finish(&self) {
        self.done.store(true, Ordering::SeqCst);
        self.publish();
    }

    /// Whether no more messages will come.
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }

    /// Messages from `from` on as one chunk of at most [`CHUNK_BYTES`] (or one message, shared,
    /// not copied, if that alone is larger), and the new position. A client that reads slowly
    /// or not at all therefore holds at most one chunk: the history itself is shared.
    pub fn chunk(&self, from: usize) -> (Bytes, usize) {
        let m = self.messages.read().unwrap_or_else(|e| e.into_inner());
        let end = m.len();
        if from >= end {
            return (Bytes::new(), end);
        }
        let mut to = from + 1;
        let mut size = m[from].len();
        while to < end && size + m[to].len() <= CHUNK_BYTES {
            size += m[to].len();
            to += 1;
        }
        if to == from + 1 {
            return (m[from].clone(), to);
        }
        let mut v = Vec::with_capacity(size);
        for b in &m[from..to] {
            v.extend_from_slice(b);
        }
        (Bytes::from(v), to)
    }

    /// A receiver woken when messages are published.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<usize> {
        self.published.subscribe()
    }

    /// Seconds since the run was accepted.
    pub fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}

/// The observer that turns a run's aggregates into messages.
pub struct Streamer {
    run: Arc<LiveRun>,
    /// The last step message that carries a picture of the lattice: its place in the history
    /// and the same message without the picture, which replaces it when the next one comes.
    pictured: Option<(usize, serde_json::Value)>,
    logs: Vec<serde_json::Value>,
    regions: Vec<String>,
    last_wake: Instant,
    t0: Instant,
    due: Option<Instant>,
}

impl Streamer {
    /// Streams into `run`.
    pub fn new(run: Arc<LiveRun>) -> Streamer {
        Streamer {
            run,
            pictured: None,
            logs: Vec::new(),
            regions: Vec::new(),
            last_wake: Instant::now(),
            t0: Instant::now(),
            due: None,
        }
    }
}

impl Observer for Streamer {
    fn start(&mut self, info: &RunInfo<'_>) -> Result<(), ObserverError> {
        let s = info.scenario;
        self.regions = s.regions.iter().map(|r| r.name.clone()).collect();
        let message = start_message(
            &self.run,
            s,
            info.meta,
            info.columns,
            info.persons,
            info.max_step,
            s.map.as_deref(),
        );
        self.run.push("start", &message);
        self.run.publish();
        Ok(())
    }

    fn log(&mut self, e: &LogEntry) -> Result<(), ObserverError> {
        self.logs.push(json!({
            "kind": e.kind,
            "region": e.region.and_then(|r| self.regions.get(r as usize)),
            "count": e.count,
            "detail": e.detail,
        }));
        Ok(())
    }

    fn step(&mut self, record: &StepRecord<'_>) -> Flow {
        let lattice = record.lattice.map(|l| {
            json!({
                "width": l.width,
                "height": l.height,
                "cells": base64::engine::general_purpose::STANDARD.encode(&l.cells),
                "legend": l.legend.iter().map(|(c, n, rgb)| json!([c, n, rgb])).collect::<Vec<_>>(),
            })
        });
        let mut message = json!({
            "step": record.step,
            "date": record.date.map(|d| d.to_string()),
            "t": self.t0.elapsed().as_secs_f64(),
            "values": record.values,
            "logs": std::mem::take(&mut self.logs),
            "lattice": lattice,
        });
        let pictured = lattice.is_some();
        let at = self.run.push("step", &message);
        if pictured {
            // Only the newest picture stays in the history (a 500 × 500 lattice over 600
            // steps once kept 200 MB there).
            if let Some((old, lite)) = self.pictured.take() {
                self.run.replace(old, "step", &lite);
            }
            message["lattice"] = serde_json::Value::Null;
            self.pictured = Some((at, message));
        }
        self.run.step.store(record.step, Ordering::Relaxed);
        // A paused run shows the step it holds at once (not after the next wake).
        if self.last_wake.elapsed() >= WAKE_EVERY || self.run.is_paused() {
            self.run.publish();
            self.last_wake = Instant::now();
        }
        self.run.between_steps(&mut self.due);
        GO_ON
    }
}

/// The first message of a run (live or replayed): what it is, its columns and chart groups
/// with their units and labels, its regions and the map the page draws.
pub fn start_message(
    run: &LiveRun,
    s: &mobilize_core::scenario::Scenario,
    meta: &mobilize_core::model::ModelMeta,
    columns: &[String],
    persons: u32,
    max_step: u32,
    map: Option<&mobilize_core::scenario::map::MapSpec>,
) -> serde_json::Value {
    let lattice = meta
        .lattice
        .map(|l| json!({ "width": l.width, "height": l.height }));
    let regions = mobilize_output::RegionInfo::of(s);
    json!({
        "id": run.id,
        "scenario": s.name,
        "description": s.description,
        "model": run.model,
        "columns": columns,
        "groups": meta.groups,
        "maps": meta.maps,
        "labels": meta.labels,
        "headline_unit": meta.headline_unit,
        "steps": max_step,
        "start": s.time.start.map(|d| d.to_string()),
        "step_days": s.time.step_days,
        "persons": persons,
        "regions": regions.iter().map(|r| json!({
            "name": r.name,
            "label": r.shown(),
            "x": r.position.map(|p| p.0),
            "y": r.position.map(|p| p.1),
            "population": r.population,
            "abroad": r.abroad,
        })).collect::<Vec<_>>(),
        // The regions' shapes, drawn by the same code as the report's maps.
        "shapes": map.and_then(|m| mobilize_report::run::dashboard_map(&regions, m)),
        "lattice": lattice,
        "pace": run.pace(),
    })
}
