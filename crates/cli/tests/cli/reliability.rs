//! Checkpoints, resume, branches, interruption and unwritable outputs, through the command line.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// The one unfinished run folder under `out`.
pub(crate) fn partial(out: &Path) -> PathBuf {
    fs::read_dir(out)
        .unwrap()
        .flat_map(|s| fs::read_dir(s.unwrap().path()).unwrap())
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".partial"))
        .expect("an unfinished run folder")
}

/// The outputs that must not depend on interruptions (the manifest and report record timings).
const OUTPUTS: [&str; 6] = [
    "scenario.toml",
    "series.csv",
    "series.parquet",
    "events.csv",
    "events.parquet",
    "series.svg",
];

pub(crate) fn same_outputs(a: &Path, b: &Path) {
    let mut files: Vec<String> = OUTPUTS.iter().map(|s| s.to_string()).collect();
    files.extend(
        fs::read_dir(a)
            .unwrap()
            .filter_map(|e| e.unwrap().file_name().into_string().ok())
            .filter(|n| n.starts_with("lattice-")),
    );
    for f in files {
        assert!(
            fs::read(a.join(&f)).unwrap() == fs::read(b.join(&f)).unwrap(),
            "{f} differs between the uninterrupted run and the resumed one"
        );
    }
}

/// Runs `args` to the end; runs them again but killed (abort, nothing flushed) after step
/// `kill`; resumes; the outputs must be byte-identical.
fn resume_equals_uninterrupted(args: &[&str], every: &str, kill: u32) {
    let dir = tempfile::tempdir().unwrap();
    let mut whole = args.to_vec();
    whole.extend(["-q", "--out", "whole", "--checkpoint-every", every]);
    let whole = results(&ok(&mobilize(&whole, dir.path())), dir.path());

    let mut cut = args.to_vec();
    cut.extend(["-q", "--out", "cut", "--checkpoint-every", every]);
    let kill = kill.to_string();
    let o = mobilize_env(&cut, dir.path(), &[("MOBILIZE_TEST_ABORT_AT_STEP", &kill)]);
    assert!(!o.status.success(), "the run was killed");
    let unfinished = partial(&dir.path().join("cut"));
    let stdout = ok(&mobilize(
        &["resume", unfinished.to_str().unwrap(), "-q"],
        dir.path(),
    ));
    let resumed = results(&stdout, dir.path());
    assert!(
        !unfinished.exists(),
        "the resumed run was committed under its final name"
    );
    same_outputs(&whole, &resumed);
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(resumed.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["status"], "complete");
    assert_eq!(m["resumed_after"].as_array().unwrap().len(), 1);
}

// Kill steps drawn once at random within each run's length (fixed so the tests repeat).
#[test]
fn resumed_resistance_run_equals_the_uninterrupted_one() {
    resume_equals_uninterrupted(&["run", "two-valleys", "--set", "scale=0.25"], "50", 377);
}

#[test]
fn resumed_threshold_run_equals_the_uninterrupted_one() {
    resume_equals_uninterrupted(&["run", "village-cascade", "--scale", "0.05"], "4", 13);
}

#[test]
fn resumed_civil_violence_run_equals_the_uninterrupted_one() {
    resume_equals_uninterrupted(
        &[
            "run",
            "epstein-run1",
            "--set",
            "time.steps=120",
            "--set",
            "civil_violence.snapshots=[0, 50, 100]",
        ],
        "25",
        61,
    );
}

#[test]
fn resumed_fast_mode_run_equals_the_uninterrupted_one() {
    // Run 2 in fast mode: agents stored by site, prisoners off the lattice, per-tile streams.
    resume_equals_uninterrupted(
        &[
            "run",
            "epstein-run2",
            "--set",
            "time.steps=90",
            "--set",
            "civil_violence.mode=fast",
            "--set",
            "civil_violence.snapshots=[0, 80]",
        ],
        "20",
        47,
    );
}

/// `two-valleys` at scale 1/4, checkpointed every 100 steps (with `more` options) and killed at
/// step 250: the temporary folder and the unfinished run's folder in it.
fn interrupted(more: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "run",
        "two-valleys",
        "--set",
        "scale=0.25",
        "-q",
        "--out",
        "cut",
        "--checkpoint-every",
        "100",
    ];
    args.extend_from_slice(more);
    let o = mobilize_env(&args, dir.path(), &[("MOBILIZE_TEST_ABORT_AT_STEP", "250")]);
    assert!(!o.status.success());
    let unfinished = partial(&dir.path().join("cut"));
    (dir, unfinished)
}

#[test]
fn damaged_checkpoints_are_refused_with_their_reason() {
    let (dir, unfinished) = interrupted(&["--keep-checkpoints", "1"]);
    let checkpoint = unfinished.join("checkpoint-000200.bin");
    let good = fs::read(&checkpoint).unwrap();
    assert!(
        !unfinished.join("checkpoint-000100.bin").exists(),
        "only the newest is kept"
    );

    let resume = |dir: &Path| mobilize(&["resume", unfinished.to_str().unwrap(), "-q"], dir);
    // One flipped byte in the middle.
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x04;
    fs::write(&checkpoint, &flipped).unwrap();
    let o = resume(dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("is corrupted: its checksum does not match its contents"),
        "{err}"
    );

    // Truncated.
    fs::write(&checkpoint, &good[..good.len() - 1000]).unwrap();
    let o = resume(dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is truncated"), "{err}");

    // Branching from a damaged checkpoint is refused too.
    let o = mobilize(
        &["run", "--from", checkpoint.to_str().unwrap(), "-q"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));

    // Restored, it resumes.
    fs::write(&checkpoint, &good).unwrap();
    ok(&resume(dir.path()));
}

/// A checkpoint edited by someone who also recomputed its checksums: a changed seed, or a
/// changed scenario, is not the run's own, and resume refuses it with the reason (the finished
/// manifest would otherwise state a seed that did not produce its results).
#[test]
fn a_checkpoint_with_another_seed_or_scenario_is_refused() {
    use mobilize_output::checkpoint;
    let (dir, unfinished) = interrupted(&["--keep-checkpoints", "1"]);
    let file = "checkpoint-000200.bin";
    let good = fs::read(unfinished.join(file)).unwrap();
    // The header names the build that wrote it.
    let start = checkpoint::MAGIC.len() + 4;
    let len = u32::from_le_bytes(good[start..start + 4].try_into().unwrap()) as usize;
    let header: serde_json::Value =
        serde_json::from_slice(&good[start + 4..start + 4 + len]).unwrap();
    let (version, commit) = (
        header["mobilize_version"].as_str().unwrap().to_string(),
        header["git_commit"].as_str().unwrap().to_string(),
    );
    let (h, original) =
        checkpoint::decode(&unfinished.join(file), &good, &version, &commit).unwrap();
    let forge = |edit: &dyn Fn(&str) -> String| {
        let mut c = original.clone();
        c.scenario = edit(&c.scenario);
        checkpoint::write(&unfinished, &c, &h.scenario, &version, &commit, file).unwrap();
        let o = mobilize(&["resume", unfinished.to_str().unwrap(), "-q"], dir.path());
        assert_eq!(o.status.code(), Some(2));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let seed_line = original
        .scenario
        .lines()
        .find(|l| l.starts_with("seed = "))
        .unwrap()
        .to_string();
    let err = forge(&|t| t.replacen(&seed_line, "seed = 424242", 1));
    assert!(
        err.contains("the checkpoint's seed (424242) is not the run's"),
        "{err}"
    );
    let err = forge(&|t| t.replacen("threshold_base = 0.75", "threshold_base = 0.5", 1));
    assert!(
        err.contains("the checkpoint's scenario is not the run's"),
        "{err}"
    );
    fs::write(unfinished.join(file), &good).unwrap();
    ok(&mobilize(
        &["resume", unfinished.to_str().unwrap(), "-q"],
        dir.path(),
    ));
}

#[test]
fn an_older_good_checkpoint_is_used_when_the_newest_is_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "two-valleys",
        "--set",
        "scale=0.25",
        "-q",
        "--checkpoint-every",
        "100",
    ];
    let whole = results(&ok(&mobilize(&args, dir.path())), dir.path());
    let mut cut = args.to_vec();
    cut.extend(["--out", "cut"]);
    let o = mobilize_env(&cut, dir.path(), &[("MOBILIZE_TEST_ABORT_AT_STEP", "350")]);
    assert!(!o.status.success());
    let unfinished = partial(&dir.path().join("cut"));
    fs::write(
        unfinished.join("checkpoint-000300.bin"),
        b"MOBILIZE CHECKPOINT\n",
    )
    .unwrap();
    let o = mobilize(&["resume", unfinished.to_str().unwrap(), "-q"], dir.path());
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        err.contains("truncated") && err.contains("trying the previous checkpoint"),
        "{err}"
    );
    same_outputs(&whole, &results(&ok(&o), dir.path()));
}

#[test]
fn a_branch_shares_the_past_and_follows_its_own_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let base = ok(&mobilize(
        &[
            "run",
            "two-valleys",
            "-q",
            "--checkpoint-every",
            "600",
            "--out",
            "base",
        ],
        dir.path(),
    ));
    let base = results(&base, dir.path());
    let checkpoint = base.join("checkpoint-000600.bin");
    let branch = ok(&mobilize(
        &[
            "run",
            "--from",
            checkpoint.to_str().unwrap(),
            "--set",
            "resistance.organizations=false",
            "-q",
            "--out",
            "branch",
        ],
        dir.path(),
    ));
    let branch = results(&branch, dir.path());
    let lines = |p: &Path| -> Vec<String> {
        fs::read_to_string(p.join("series.csv"))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let (a, b) = (lines(&base), lines(&branch));
    // Header and steps 0..=600 are the same; what follows is not.
    assert_eq!(a[..602], b[..602]);
    assert_ne!(a[602..], b[602..]);
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(branch.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["branched_from"][1], 600);
    assert!(m["overrides"][0]
        .as_str()
        .unwrap()
        .contains("organizations=false"));

    // A different world is refused.
    let o = mobilize(
        &[
            "run",
            "--from",
            checkpoint.to_str().unwrap(),
            "--set",
            "scale=0.5",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("(scale differs)"));
}

#[test]
fn a_civil_violence_branch_may_not_change_how_the_state_is_held() {
    // Jails, releases and the engine fix the shape of the saved lattice (changing the first
    // once panicked): a branch that changes them is refused, naming the field; one that
    // changes legitimacy runs.
    let dir = tempfile::tempdir().unwrap();
    let base = ok(&mobilize(
        &[
            "run",
            "epstein-run2",
            "-q",
            "--set",
            "time.steps=60",
            "--set",
            "civil_violence.snapshots=[]",
            "--checkpoint-every",
            "50",
        ],
        dir.path(),
    ));
    let checkpoint = results(&base, dir.path()).join("checkpoint-000050.bin");
    let from = checkpoint.to_str().unwrap();
    for (set, named) in [
        (
            "civil_violence.jailed=blocking",
            "(civil_violence.jailed differs)",
        ),
        ("civil_violence.mode=fast", "(civil_violence.mode differs)"),
        (
            "civil_violence.release=own_turn",
            "(civil_violence.release differs)",
        ),
    ] {
        let o = mobilize(&["run", "--from", from, "--set", set, "-q"], dir.path());
        assert_eq!(o.status.code(), Some(2), "{set}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(named), "{set}: {err}");
    }
    let set = "civil_violence.legitimacy=0.7";
    ok(&mobilize(
        &["run", "--from", from, "--set", set, "-q"],
        dir.path(),
    ));
}

#[test]
fn sigint_flushes_marks_incomplete_and_touches_no_finished_run() {
    let dir = tempfile::tempdir().unwrap();
    // A finished run beside, whose files must not change.
    let done = results(
        &ok(&mobilize(&["run", "two-valleys", "-q"], dir.path())),
        dir.path(),
    );
    let before: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(&done)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.clone(), fs::read(&p).unwrap()))
        .collect();

    let mut child = Command::new(env!("CARGO_BIN_EXE_mobilize"))
        .args([
            "run",
            "korea-1936-1945",
            "--scale",
            "0.01",
            "--checkpoint-every",
            "100",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first checkpoint, then interrupt.
    let started = Instant::now();
    let out = dir.path().join("runs/korea-1936-1945");
    loop {
        let ready = fs::read_dir(&out).ok().is_some_and(|d| {
            d.filter_map(|e| e.ok())
                .any(|e| e.path().join("checkpoint-000100.bin").exists())
        });
        if ready {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before the interrupt"
        );
        assert!(started.elapsed() < Duration::from_secs(120));
        std::thread::sleep(Duration::from_millis(5));
    }
    signal(&child, "INT");
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("mobilize resume"), "{err}");
    let unfinished = partial(&dir.path().join("runs"));
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(unfinished.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m["status"], "incomplete");
    assert_eq!(m["stop_reason"], "interrupted");
    assert_eq!(m["exit_code"], 130);
    let last = m["last_step"].as_u64().unwrap() as usize;
    // Every row up to the last step is there, whole.
    let csv = fs::read_to_string(unfinished.join("series.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), last + 2);
    let width = rows[0].split(',').count();
    assert!(rows.iter().all(|r| r.split(',').count() == width));
    // The Parquet file is closed properly (its footer is there).
    let pq = fs::read(unfinished.join("series.parquet")).unwrap();
    assert_eq!(&pq[pq.len() - 4..], b"PAR1");
    // The finished run is untouched.
    for (p, bytes) in before {
        assert!(fs::read(&p).unwrap() == bytes, "{} changed", p.display());
    }
    // And the interrupted run resumes to the end.
    ok(&mobilize(
        &["resume", unfinished.to_str().unwrap(), "-q"],
        dir.path(),
    ));
}

#[test]
fn an_unwritable_output_folder_is_reported_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a-file"), "not a folder").unwrap();
    let o = mobilize(
        &["run", "two-valleys", "-q", "--out", "a-file/runs"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot create folder `a-file/runs"), "{err}");
    assert!(!err.contains("panicked"));
    let o = mobilize(
        &[
            "ensemble",
            "two-valleys",
            "-n",
            "2",
            "-q",
            "--out",
            "a-file/runs",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}

/// Two resumes of one folder at once: the second is refused with the first one's process id;
/// a lock left by a process that is gone is taken over.
#[test]
fn a_run_folder_being_resumed_is_locked() {
    let (dir, unfinished) = interrupted(&[]);
    let name = unfinished
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let lock = unfinished.with_file_name(format!("{name}.lock"));
    // Held by a live process (this test's own).
    fs::write(&lock, std::process::id().to_string()).unwrap();
    let o = mobilize(&["resume", unfinished.to_str().unwrap(), "-q"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(err.contains("is being written by process"), "{err}");
    // Stale: no such process.
    fs::write(&lock, "4194304999").unwrap();
    ok(&mobilize(
        &["resume", unfinished.to_str().unwrap(), "-q"],
        dir.path(),
    ));
    assert!(!lock.exists(), "the lock is removed when the resume ends");
}

/// Sends signal `name` (`INT`, `TERM`) to `child`, as a user's Ctrl-C or a supervisor would.
fn signal(child: &std::process::Child, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{name}");
}

/// One HTTP/1.1 request to the server at `addr`; returns the answer's body.
fn http(addr: &str, method: &str, path: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default()
}

/// `mobilize serve` on a free port in `dir`, and its address.
fn serve(dir: &Path) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut server = Command::new(env!("CARGO_BIN_EXE_mobilize"))
        .args(["serve", "--port", "0", "--runs", "runs"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("the address is printed")
        .to_string();
    (server, addr)
}

/// The run id in a 202 answer.
fn run_id(answer: &str) -> String {
    answer
        .split("\"id\":\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("a run id in {answer}"))
        .to_string()
}

#[test]
fn sigterm_to_the_server_leaves_a_dashboard_run_resumable_to_the_uninterrupted_results() {
    let dir = tempfile::tempdir().unwrap();
    let whole = results(
        &ok(&mobilize(
            &[
                "run",
                "korea-1936-1945",
                "--set",
                "scale=0.01",
                "-q",
                "--out",
                "whole",
            ],
            dir.path(),
        )),
        dir.path(),
    );
    let (server, addr) = serve(dir.path());
    let started = http(
        &addr,
        "POST",
        "/api/runs",
        r#"{"scenario":"korea-1936-1945","sets":["scale=0.01"]}"#,
    );
    let id = run_id(&started);
    // Once it has its folder, held between two steps, so that the run is surely under way
    // when the signal comes (a run stopped before it starts makes no folder).
    let t = Instant::now();
    while http(&addr, "GET", &format!("/api/runs/{id}"), "").contains("\"folder\":null") {
        assert!(t.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(5));
    }
    http(&addr, "POST", &format!("/api/runs/{id}/pause"), "");
    std::thread::sleep(Duration::from_millis(300));
    signal(&server, "TERM");
    let o = server.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "the server shut down cleanly: {err}");
    assert!(err.contains("shutting down"), "{err}");

    let unfinished = partial(&dir.path().join("runs"));
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(unfinished.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m["status"], "incomplete");
    assert_eq!(m["stop_reason"], "interrupted");
    let last = m["last_step"].as_u64().unwrap();
    assert!(last < 3000, "stopped while paused, not at the end: {last}");
    let csv = fs::read_to_string(unfinished.join("series.csv")).unwrap();
    assert_eq!(csv.lines().count() as u64, last + 2, "every row whole");
    let pq = fs::read(unfinished.join("series.parquet")).unwrap();
    assert_eq!(&pq[pq.len() - 4..], b"PAR1", "the Parquet file is closed");
    assert!(
        unfinished
            .join(format!("checkpoint-{last:06}.bin"))
            .exists(),
        "a checkpoint at the step it stopped"
    );
    // A new server finishes it from the dashboard.
    let (mut server, addr) = serve(dir.path());
    let rel = unfinished
        .strip_prefix(dir.path().join("runs"))
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let started = http(
        &addr,
        "POST",
        "/api/folders/resume",
        &format!(r#"{{"folder":"{rel}"}}"#),
    );
    let id = run_id(&started);
    let t = Instant::now();
    while !http(&addr, "GET", &format!("/api/runs/{id}"), "").contains("\"finished\"") {
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "the resumed run ends"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A finished folder is not resumed again.
    let again = http(
        &addr,
        "POST",
        "/api/folders/resume",
        &format!(r#"{{"folder":"{rel}"}}"#),
    );
    assert!(again.contains("no run folder"), "{again}");
    let _ = server.kill();
    let _ = server.wait();
    let name = rel.split('/').nth(1).unwrap();
    let done = dir
        .path()
        .join("runs/korea-1936-1945")
        .join(&name[1..name.len() - ".partial".len()]);
    same_outputs(&whole, &done);
}

#[test]
fn sigterm_while_the_world_is_built_is_honoured_when_it_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_mobilize"))
        .args(["run", "korea-1936-1945", "--scale", "0.2", "-q"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Building a fifth of Korea takes about a second; the signal comes early in it.
    std::thread::sleep(Duration::from_millis(250));
    let t = Instant::now();
    signal(&child, "TERM");
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "honoured within the build, not after the run"
    );
    let unfinished = partial(&dir.path().join("runs"));
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(unfinished.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m["stop_reason"], "interrupted");
    assert!(
        m["last_step"].as_u64().unwrap_or(0) == 0,
        "no step after the signal: {m}"
    );
}

/// Runs `mobilize args` in `dir`, killing it after 30 s (a read that blocks never returns).
fn mobilize_or_hang(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    use std::time::{Duration, Instant};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mobilize"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let started = Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("`mobilize {}` hung on a read", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_refused_at_once_wherever_a_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("no mkfifo here: skipped");
        return;
    }
    std::os::unix::fs::symlink(&fifo, dir.path().join("fifo.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.bin")).unwrap();
    // A threshold list that is a FIFO, named by a scenario.
    std::fs::write(
        dir.path().join("s.toml"),
        "name = \"s\"\nmodel = \"threshold\"\n[time]\nsteps = 5\n[[regions]]\nname = \"a\"\npopulation = 10\n[threshold.distribution]\nkind = \"file\"\npath = \"fifo\"\n",
    )
    .unwrap();
    let cases: [&[&str]; 6] = [
        &["validate", "fifo.toml"],
        &["run", "fifo.toml", "-q"],
        &["validate", "s.toml"],
        &["sweep", "two-valleys", "--design", "fifo", "-n", "1", "-q"],
        &["run", "two-valleys", "--from", "zero.bin", "-q"],
        &["score", "fifo", "-q"],
    ];
    for args in cases {
        let o = mobilize_or_hang(args, dir.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(2),
            "`mobilize {}`: {err}",
            args.join(" ")
        );
        assert!(
            err.contains("not a regular file"),
            "`mobilize {}`: {err}",
            args.join(" ")
        );
    }
}

#[test]
fn a_run_in_progress_is_not_resumed_beside_itself_and_a_dead_ones_lock_is_taken_over() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mobilize"))
        .args([
            "run",
            "--checkpoint-every",
            "100",
            "-q",
            "--threads",
            "1",
            "--out",
            "out",
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for its first checkpoint: the folder is then resumable, were it not in use.
    let started = Instant::now();
    let partial = loop {
        let found = std::fs::read_dir(dir.path().join("out/korea-1936-1945"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.extension().is_some_and(|x| x == "partial")
                    && std::fs::read_dir(p)
                        .into_iter()
                        .flatten()
                        .flatten()
                        .any(|e| {
                            let name = e.file_name().to_string_lossy().into_owned();
                            name.starts_with("checkpoint-") && name.ends_with(".bin")
                        })
            });
        if let Some(p) = found {
            break p;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no checkpoint written"
        );
        if child.try_wait().unwrap().is_some() {
            eprintln!("the run ended before it could be caught in progress: skipped");
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let o = mobilize(&["resume", &partial.to_string_lossy(), "-q"], dir.path());
    let still_running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    if still_running {
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("is being written by process"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        // Killed, its lock is stale: the resume takes it over and finishes the run.
        let o = mobilize(&["resume", &partial.to_string_lossy(), "-q"], dir.path());
        ok(&o);
    }
}
