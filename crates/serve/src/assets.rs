//! The front end, built by `npm run build` into `web/dist/` and embedded here, so the binary
//! needs nothing else at run time.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::state::ApiError;

/// (name, content type, bytes) of every built file.
const FILES: [(&str, &str, &[u8]); 3] = [
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../web/dist/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../web/dist/app.css"),
    ),
    (
        "index.html",
        "text/html; charset=utf-8",
        include_bytes!("../web/dist/index.html"),
    ),
];

/// `GET /`.
pub async fn index() -> Response {
    file(Path("index.html".to_string())).await
}

/// `GET /assets/{file}`.
pub async fn file(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, bytes)) => (
            [
                (header::CONTENT_TYPE, *kind),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *bytes,
        )
            .into_response(),
        None => ApiError::new(StatusCode::NOT_FOUND, format!("no asset `{name}`")).into_response(),
    }
}
