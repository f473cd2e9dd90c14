//! Connections as a browser and a careless client make them: two dashboards on one machine,
//! a client that stops reading.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::{raw, start, start_with};

/// Two dashboards with tokens on one machine: cookies are shared by every port of a host, so
/// each server's cookie is named by its port; B's own printed link works whatever cookie A
/// set (the query is read first); A's token opens nothing on B; and a request from A's page
/// (A's origin, another port) cannot change anything on B.
#[test]
fn two_servers_on_one_machine_keep_their_tokens_apart() {
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ta = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let tb = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    let a = start_with(da.path(), 1, 1, Some(ta));
    let b = start_with(db.path(), 1, 1, Some(tb));
    let pa = a.rsplit_once(':').unwrap().1;
    let get = |addr: &str, extra: &str, path: &str| {
        raw(
            addr,
            &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n"),
        )
    };
    // The browser holds A's cookie and sends it to B's port too.
    let cookie_a = format!("Cookie: mobilize_token_{pa}={ta}\r\n");
    let (code, _, _) = get(&b, &cookie_a, &format!("/?token={tb}"));
    assert_eq!(code, 200, "B's own link works beside A's cookie");
    let (code, _, _) = get(&b, &cookie_a, "/api/runs");
    assert_eq!(code, 401, "A's cookie opens nothing on B");
    let (code, _, _) = get(&a, &cookie_a, "/api/runs");
    assert_eq!(code, 200, "and still opens A");
    // A page of A's origin may not change B, even with B's token.
    let (code, _, body) = raw(
        &b,
        &format!(
            "POST /api/validate HTTP/1.1\r\nHost: {b}\r\nOrigin: http://{a}\r\nX-Mobilize-Token: {tb}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
        ),
    );
    assert_eq!(code, 403, "{body}");
}

/// Files are streamed, and a client that stops reading is cut off: twenty clients that never
/// read a 50 MB checkpoint once doubled the server's memory (each file was read whole), and
/// five held their connections for 45 s. A client that reads gets the whole file, with its
/// length.
#[test]
fn a_file_is_streamed_and_a_client_that_stops_reading_is_cut_off() {
    let runs = tempfile::tempdir().unwrap();
    std::fs::create_dir(runs.path().join("r")).unwrap();
    let size = 40 << 20;
    let data: Vec<u8> = (0..size).map(|k| (k % 251) as u8).collect();
    std::fs::write(runs.path().join("r/big.bin"), &data).unwrap();
    let addr = start(runs.path(), 1, 1);
    let ask = format!("GET /files/r/big.bin HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    // A client that never reads: after the write timeout (1 s here) the server gives up.
    let mut idle = TcpStream::connect(&addr).unwrap();
    idle.write_all(ask.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_secs(4));
    idle.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut got = Vec::new();
    let _ = idle.read_to_end(&mut got);
    assert!(
        got.len() < size,
        "the connection was closed before the file was sent: {} of {size} bytes",
        got.len()
    );
    // A client that reads gets it all.
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(ask.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let at = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&out[..at]).to_ascii_lowercase();
    assert!(head.contains(&format!("content-length: {size}")), "{head}");
    assert!(out[at..] == data[..], "the whole file, byte for byte");
}

/// A run can start at a pace, so that a short run is watched from its first step (runs
/// always started at full speed and a short one ended before it could be slowed); the run
/// page's heading can name it by its scenario and seed.
#[test]
fn a_run_starts_at_the_pace_asked_for_and_says_its_seed() {
    let runs = tempfile::tempdir().unwrap();
    let addr = start(runs.path(), 1, 1);
    let (status, body) = super::request(
        &addr,
        "POST",
        "/api/runs",
        br#"{"scenario":"two-valleys","steps_per_second":5}"#,
    );
    assert_eq!(status, 202, "{body}");
    let id = super::json(&body)["id"].as_str().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(1500));
    let (_, body) = super::request(&addr, "GET", &format!("/api/runs/{id}"), b"");
    let run = super::json(&body);
    assert_eq!(run["seed"], 1937, "{run}");
    let step = run["step"].as_u64().unwrap();
    assert!(
        step <= 20,
        "at 5 steps a second, step {step} after 1.5 s (760 at full speed)"
    );
    let (status, _) = super::request(&addr, "POST", &format!("/api/runs/{id}/stop"), b"");
    assert_eq!(status, 200);
    let (status, body) = super::request(
        &addr,
        "POST",
        "/api/runs",
        br#"{"scenario":"two-valleys","steps_per_second":99999}"#,
    );
    assert_eq!(status, 400, "{body}");
}

/// The live histories of runs that have ended are bounded: beyond the budget the oldest ended
/// run is let go (its folder stays, and replays), and a run whose history alone could not fit
/// (ten million steps) is refused before it starts (a 1,000,000-step run left 370 MB for good,
/// and each replay added as much).
#[test]
fn the_histories_kept_are_bounded_and_a_run_too_long_for_them_is_refused() {
    let runs = tempfile::tempdir().unwrap();
    // Measured first: the history of one run of the teaching scenario.
    let addr = start(runs.path(), 1, 1);
    let first = super::post_run(&addr, r#"{"scenario":"two-valleys"}"#);
    super::wait_until_over(&addr, &first);
    let (_, body) = super::request(&addr, "GET", &format!("/api/runs/{first}"), b"");
    let one = super::json(&body)["history_bytes"].as_u64().unwrap();
    assert!(one > 100_000, "{one}");
    // A server that keeps one and a half such histories.
    let runs = tempfile::tempdir().unwrap();
    let addr = super::start_config(runs.path(), 1, 1, None, one * 3 / 2);
    let a = super::post_run(&addr, r#"{"scenario":"two-valleys"}"#);
    super::wait_until_over(&addr, &a);
    let b = super::post_run(&addr, r#"{"scenario":"two-valleys","sets":["seed=2"]}"#);
    super::wait_until_over(&addr, &b);
    let (status, _) = super::request(&addr, "GET", &format!("/api/runs/{a}"), b"");
    assert_eq!(status, 404, "the older run was let go");
    let (status, _) = super::request(&addr, "GET", &format!("/api/runs/{b}"), b"");
    assert_eq!(status, 200, "the newer one is kept");
    let (_, body) = super::request(&addr, "GET", "/api/runs", b"");
    assert_eq!(
        super::json(&body)["folders"].as_array().unwrap().len(),
        2,
        "both folders stay on disk: {body}"
    );
    // Too long for any history the server keeps.
    let (status, body) = super::request(
        &addr,
        "POST",
        "/api/runs",
        br#"{"scenario":"two-valleys","sets":["time.steps=10000000"]}"#,
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("mobilize run"), "{body}");
}
