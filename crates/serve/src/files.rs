//! Run folders on disk: listed for the Runs page, and their files served, never outside the
//! runs folder.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use mobilize_output::layout;
use serde_json::json;

use crate::state::{ApiError, AppState};

/// `path` relative to `root`, with `/` separators, if it is inside.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    Some(
        rel.components()
            .filter_map(|c| c.as_os_str().to_str())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// Every run and experiment folder two levels down (`<scenario>/<folder>`), newest first.
pub fn list(root: &Path) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let Ok(scenarios) = std::fs::read_dir(root) else {
        return out;
    };
    for s in scenarios.filter_map(Result::ok) {
        let Ok(folders) = std::fs::read_dir(s.path()) else {
            continue;
        };
        for f in folders.filter_map(Result::ok) {
            let path = f.path();
            let rel = relative(root, &path);
            let report = path.join(layout::REPORT).exists();
            if path.join(layout::MANIFEST).exists() {
                let Ok(m) = mobilize_output::Manifest::read(&path) else {
                    continue;
                };
                // The scale, from the resolved scenario's top level (`scale = 0.1`), so that
                // runs of one scenario can be told apart.
                let scale =
                    mobilize_core::files::read_regular(&path.join(layout::SCENARIO), 16 << 20)
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                        .and_then(|t| {
                            t.lines().take_while(|l| !l.starts_with('[')).find_map(|l| {
                                l.strip_prefix("scale = ").map(|v| v.trim().to_string())
                            })
                        });
                // A folder being written (a run or a resume in progress, of this server or
                // another process) is running, not waiting to be resumed.
                let running = m.status == mobilize_output::Status::Incomplete
                    && mobilize_experiment::resume::writer(&path).is_some();
                out.push(json!({
                    "path": rel,
                    "kind": "run",
                    "scenario": m.scenario,
                    "status": if running { json!("running") } else { json!(m.status) },
                    "started_at": m.started_at,
                    "seed": m.seed,
                    "scale": scale,
                    "persons": m.persons,
                    "overrides": m.overrides,
                    "summary": m.summary,
                    "figures": m.figures,
                    "report": report,
                }));
            } else if let Ok(m) = mobilize_experiment::execute::read_manifest(&path) {
                let Some(m) = m else { continue };
                out.push(json!({
                    "path": rel,
                    "kind": m.kind,
                    "scenario": m.scenario,
                    "status": m.status,
                    "started_at": m.started_at,
                    "summary": format!("{} runs", m.runs),
                    "figures": {},
                    "report": report,
                }));
            }
        }
    }
    out.sort_by(|a, b| {
        b["started_at"]
            .as_str()
            .cmp(&a["started_at"].as_str())
            .then(a["path"].as_str().cmp(&b["path"].as_str()))
    });
    out
}

/// The file at `rel` inside `root`: only plain components (no `..`, no root, no drive), and
/// after resolving links still inside `root`.
pub fn resolve(root: &Path, rel: &str) -> Result<PathBuf, ApiError> {
    resolve_as(root, rel, Path::is_file, "file")
}

/// The run folder at `rel` inside `root`, on the same terms as [`resolve`].
pub fn resolve_dir(root: &Path, rel: &str) -> Result<PathBuf, ApiError> {
    resolve_as(root, rel, Path::is_dir, "run folder")
}

/// A path that leaves `root` through a link is answered exactly as one that does not exist
/// (404, the same words): otherwise the answer would tell whether a file outside exists.
fn resolve_as(
    root: &Path,
    rel: &str,
    kind: fn(&Path) -> bool,
    what: &str,
) -> Result<PathBuf, ApiError> {
    let p = Path::new(rel);
    if rel.is_empty() || !p.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("`{rel}` is not a path inside the runs folder (plain names joined by `/`)"),
        ));
    }
    let missing = || ApiError::new(StatusCode::NOT_FOUND, format!("no {what} `{rel}`"));
    let real = root.join(p).canonicalize().map_err(|_| missing())?;
    let base = root
        .canonicalize()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "the runs folder does not exist"))?;
    if !real.starts_with(&base) || !kind(&real) {
        return Err(missing());
    }
    Ok(real)
}

/// Bytes of a file sent at a time.
const CHUNK: usize = 64 * 1024;

/// `GET /files/{path}`.
pub async fn serve(
    State(s): State<Arc<AppState>>,
    UrlPath(rel): UrlPath<String>,
) -> Result<Response, ApiError> {
    let path = resolve(&s.config.runs, &rel)?;
    // Opened off the async workers (a regular file only), then streamed in pieces: a file is
    // never held whole in memory (twenty clients that never read a 50 MB checkpoint once
    // doubled the server's memory), and a client that stops reading is cut off by the
    // connection's write timeout (`Config::write_timeout`).
    let (file, len, path) = tokio::task::spawn_blocking(move || {
        mobilize_core::files::open_regular(&path).and_then(|f| {
            let len = f.metadata()?.len();
            Ok((f, len, path))
        })
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let file = tokio::fs::File::from_std(file);
    let body = Body::from_stream(futures_util::stream::unfold(
        (file, len),
        |(mut file, left)| async move {
            use tokio::io::AsyncReadExt;
            if left == 0 {
                return None;
            }
            let mut buf = vec![0u8; CHUNK.min(left as usize)];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(axum::body::Bytes::from(buf)), (file, left - n as u64)))
                }
                Err(e) => Some((Err(e), (file, 0))),
            }
        },
    ));
    let kind = match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("toml" | "txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, kind)
        .header(header::CONTENT_LENGTH, len)
        .body(body)
        .expect("a valid response"))
}

/// `message` with the runs folder's absolute path (as configured, and as the system resolves
/// it) put as `runs`: a client names folders relative to it, and where the server keeps them
/// on its disk is none of its business.
pub fn hide_root(runs: &Path, message: &str) -> String {
    let mut out = message.to_string();
    let mut roots: Vec<String> = vec![runs.display().to_string()];
    if let Ok(c) = runs.canonicalize() {
        roots.push(c.display().to_string());
    }
    // The longer first, so that one is never left half replaced by the other.
    roots.sort_by_key(|r| std::cmp::Reverse(r.len()));
    for r in roots.iter().filter(|r| !r.is_empty() && r.as_str() != ".") {
        out = out.replace(r.as_str(), "runs");
    }
    out
}

#[cfg(test)]
mod hide_tests {
    use super::*;

    /// A 409 names the folder as the client does, not where the server keeps it.
    #[test]
    fn messages_name_folders_under_runs_not_the_servers_disk() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs-here");
        std::fs::create_dir(&runs).unwrap();
        let msg = format!(
            "`{}/two-valleys/x.partial` is being written by process 7",
            runs.display()
        );
        let shown = hide_root(&runs, &msg);
        assert_eq!(
            shown,
            "`runs/two-valleys/x.partial` is being written by process 7"
        );
        assert!(!shown.contains(&dir.path().display().to_string()));
    }
}
