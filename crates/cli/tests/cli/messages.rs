//! What users are told when something is wrong or does not fit: plain messages that name the
//! real cause, and limits (memory, time) that hold.

use crate::common::{mobilize, ok, results};
use crate::reliability::{partial, same_outputs};
use crate::stderr;

/// The memory check counts the process's own limits: under `ulimit -v` (1.5 GB of address
/// space) a full-scale run (about 1.8 GB) is refused at once, where reading only the
/// machine's free memory once let a server accept a run its limit could not hold.
#[cfg(target_os = "linux")]
#[test]
fn a_process_limit_on_memory_is_respected_before_anything_is_allocated() {
    let dir = tempfile::tempdir().unwrap();
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 1500000 && exec '{}' run korea-1936-1945 --scale 1 -q",
            env!("CARGO_BIN_EXE_mobilize")
        ))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("needs about 1.8 GB") && err.contains("allowed"),
        "{err}"
    );
    assert!(!dir.path().join("runs").exists(), "nothing is created");
}

/// What a new user typed, and what they were told (issue: each message named the wrong thing
/// or buried the cause under follow-on errors).
#[test]
fn a_new_users_mistakes_are_told_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let err = |args: &[&str]| {
        let o = mobilize(args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        stderr(&o)
    };
    // A negative scale is a value, not a flag clap does not know.
    let e = err(&["run", "two-valleys", "--scale", "-1"]);
    assert!(
        e.contains("scale: -1 is out of range") && !e.contains("tip"),
        "{e}"
    );
    // A scale that rounds everyone away: one problem, naming `scale`, not ten about kinds.
    let e = err(&["validate", "korea-1936-1945", "--set", "scale=1e-9"]);
    assert!(
        e.contains("`scale` 1e-9 rounds every region to no one"),
        "{e}"
    );
    assert!(e.contains("1 problem"), "{e}");
    // A scale too large: said once, of the whole, naming `scale` and what would do.
    let e = err(&["validate", "korea-1936-1945", "--set", "scale=1000"]);
    assert!(
        e.contains("`scale` 1000 multiplies") && e.contains("at most 8.76"),
        "{e}"
    );
    assert!(e.contains("1 problem"), "{e}");
    // A model's parameter group written at the top level.
    let e = err(&[
        "validate",
        "korea-1936-1945",
        "--set",
        "repression.detection=0.1",
    ]);
    assert!(e.contains("did you mean `resistance.repression`"), "{e}");
    // A list addressed by an entry's name.
    let e = err(&[
        "validate",
        "korea-1936-1945",
        "--set",
        "regions.Kyonggi.police=3",
    ]);
    assert!(
        e.contains("the entry named `Kyonggi` is `regions[0]`"),
        "{e}"
    );
}

/// A wall-time limit (issue: no time cap anywhere; a valid scenario could run for weeks):
/// `--time-limit` stops a run as an interrupt would, with its checkpoint, exit 130, and
/// `mobilize resume` finishes it to the same outputs as a run never stopped. A limit that is
/// not a positive number is refused before anything runs; more threads than cores are warned of.
#[test]
fn a_time_limit_stops_a_run_that_resumes_to_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "korea-1936-1945",
        "--scale",
        "0.05",
        "-q",
        "--checkpoint-every",
        "100",
    ];
    let mut whole = args.to_vec();
    whole.extend(["--out", "whole"]);
    let whole = results(&ok(&mobilize(&whole, dir.path())), dir.path());
    let mut cut = args.to_vec();
    cut.extend(["--out", "cut", "--time-limit", "1"]);
    let o = mobilize(&cut, dir.path());
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("time limit of 1 s reached"), "{err}");
    let unfinished = partial(&dir.path().join("cut"));
    let resumed = results(
        &ok(&mobilize(
            &["resume", unfinished.to_str().unwrap(), "-q"],
            dir.path(),
        )),
        dir.path(),
    );
    same_outputs(&whole, &resumed);
    for bad in ["0", "-1", "nan"] {
        let o = mobilize(
            &[
                "run",
                "two-valleys",
                "-q",
                "--out",
                "bad",
                &format!("--time-limit={bad}"),
            ],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(2), "{bad}");
    }
    assert!(!dir.path().join("bad").exists());
    let o = mobilize(
        &[
            "run",
            "two-valleys",
            "-q",
            "--out",
            "many",
            "--threads",
            "1000",
        ],
        dir.path(),
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("threads beyond the cores only wait"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
