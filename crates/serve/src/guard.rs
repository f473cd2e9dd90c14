//! The dashboard's trust boundary, checked on every request before any route runs.
//!
//! Who may do what: the server answers only requests addressed to it by a name it knows (the
//! `Host` allow-list: the bound address, `localhost`, `127.0.0.1`, `[::1]`, and names given
//! with `--allow-host`), which defeats DNS rebinding: a page whose name resolves to this
//! machine still sends its own name. A state-changing request (anything but `GET`/`HEAD`) must
//! be `Content-Type: application/json` and, if the browser says where it comes from (`Origin`,
//! `Sec-Fetch-Site`), come from the dashboard itself: a cross-origin form or `no-cors` fetch
//! cannot send JSON without a preflight, which this server never grants. Where a token is set
//! (always when the address is not loopback), every request must carry it: in the URL printed
//! at start (`?token=`, which sets a same-site cookie named by the port for the page's later
//! requests: two dashboards on one machine keep theirs apart), that cookie,
//! or an `X-Mobilize-Token` header. Every answer carries security headers (a content security
//! policy, `nosniff`, no framing, no referrer).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::{ApiError, AppState};

/// The cookie that carries the token after the first page load, named by the server's port
/// (`mobilize_token_8080`): cookies are shared by every port of a host, and two dashboards on
/// one machine must each find their own.
const COOKIE: &str = "mobilize_token";

/// The policy for the dashboard's own pages: its scripts and styles only, no framing.
const APP_CSP: &str =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The policy for run folders' files (reports are self-contained, with inline scripts and
/// styles): they may run their own script but reach nothing, not even this server's API.
const FILES_CSP: &str =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
     img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// 32 random hexadecimal digits from the operating system's generator (128 bits).
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if getrandom::fill(&mut buf).is_err() {
        // No system generator: fall back on what differs between processes and instants.
        // Never expected on the systems we build for; ids stay unique, if less unguessable.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let seed = t ^ u128::from(std::process::id()) << 64;
        for (k, b) in buf.iter_mut().enumerate() {
            *b = (seed >> ((k % 16) * 8)) as u8 ^ (k as u8).wrapping_mul(151);
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// `host` without its port, lower-cased (`[::1]:8080` → `[::1]`, `Example:80` → `example`).
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if host.starts_with('[') {
        host.split_once(']')
            .map_or(host.to_string(), |(a, _)| format!("{a}]"))
    } else {
        host.rsplit_once(':').map_or(host, |(a, _)| a).to_string()
    };
    name.to_ascii_lowercase()
}

/// The port of an authority (`host:port`), or the scheme's default (`http`: 80, `https`: 443).
fn port_of(authority: &str, default: u16) -> u16 {
    let after = authority
        .trim()
        .rsplit_once(']')
        .map_or(authority.trim(), |(_, rest)| rest);
    after
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(default)
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

fn refuse(status: StatusCode, message: String) -> Response {
    ApiError::new(status, message).into_response()
}

/// The token a request carries: from its query (the link the server printed, which must work
/// whatever cookies the browser holds), its header, or this port's cookie; and whether it came
/// in the query (then the cookie is set).
fn carried(headers: &HeaderMap, query: Option<&str>, port: u16) -> (Option<String>, bool) {
    let from_query = query.and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("token=").map(str::to_string))
    });
    if from_query.is_some() {
        return (from_query, true);
    }
    if let Some(v) = headers
        .get("x-mobilize-token")
        .and_then(|v| v.to_str().ok())
    {
        return (Some(v.to_string()), false);
    }
    let name = format!("{COOKIE}_{port}=");
    for v in headers.get_all(header::COOKIE) {
        for part in v.to_str().unwrap_or("").split(';') {
            if let Some(t) = part.trim().strip_prefix(&name) {
                return (Some(t.to_string()), false);
            }
        }
    }
    (None, false)
}

/// Checks a request against the trust boundary, then adds the security headers.
pub async fn check(State(s): State<Arc<AppState>>, req: Request<Body>, next: Next) -> Response {
    let headers = req.headers();
    let authority = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let host = host_name(authority);
    let port = port_of(authority, 80);
    if !s.config.allowed_hosts.iter().any(|h| h == &host) {
        return refuse(
            StatusCode::FORBIDDEN,
            format!(
                "this server does not answer to the name `{host}` (a guard against DNS rebinding); \
                 it answers to {}; start it with --allow-host NAME to add one",
                s.config.allowed_hosts.join(", ")
            ),
        );
    }
    let mut set_cookie = false;
    if let Some(token) = &s.config.token {
        let (given, in_query) = carried(headers, req.uri().query(), port);
        if !given.as_deref().is_some_and(|g| same(g, token)) {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "a token is required: open the address the server printed when it started \
                 (…/?token=…)"
                    .into(),
            );
        }
        set_cookie = in_query;
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "a request that changes something must be `Content-Type: application/json`".into(),
            );
        }
        if headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "cross-site" || v == "same-site")
        {
            return refuse(
                StatusCode::FORBIDDEN,
                "a request from another site cannot change anything here".into(),
            );
        }
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            // The same name and the same port: another server on this machine (another
            // port) is another origin.
            let at = |scheme: &str, default: u16| {
                origin
                    .strip_prefix(scheme)
                    .map(|a| (host_name(a), port_of(a, default)))
            };
            let from = at("http://", 80).or_else(|| at("https://", 443));
            if !from.is_some_and(|(n, p)| s.config.allowed_hosts.contains(&n) && p == port) {
                return refuse(
                    StatusCode::FORBIDDEN,
                    format!("a request from `{origin}` cannot change anything here"),
                );
            }
        }
    }
    let files = req.uri().path().starts_with("/files/");
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    let csp = if files { FILES_CSP } else { APP_CSP };
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if set_cookie {
        if let Some(token) = &s.config.token {
            if let Ok(v) = HeaderValue::from_str(&format!(
                "{COOKIE}_{port}={token}; Path=/; HttpOnly; SameSite=Strict"
            )) {
                h.append(header::SET_COOKIE, v);
            }
        }
    }
    response
}

/// The names a server bound to `ip` answers to, with `extra` names given by the user.
pub fn allowed_hosts(ip: std::net::IpAddr, extra: &[String]) -> Vec<String> {
    let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()];
    let bound = match ip {
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        std::net::IpAddr::V4(v4) => v4.to_string(),
    };
    if !ip.is_unspecified() {
        names.push(bound);
    }
    names.extend(extra.iter().map(|e| host_name(e)));
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_lose_their_port_and_case() {
        assert_eq!(host_name("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_name("[::1]:80"), "[::1]");
        assert_eq!(host_name("Evil.Example"), "evil.example");
        assert_eq!(host_name("localhost"), "localhost");
    }

    #[test]
    fn tokens_are_random_and_compared_whole() {
        let (a, b) = (random_hex(16), random_hex(16));
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &b));
        assert!(!same(&a, &a[..31]));
    }
}
