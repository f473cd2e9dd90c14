//! What the command-line tests share: running the binary and reading what it printed.

#![allow(dead_code)] // Each test binary uses its own subset.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `mobilize args` in `dir` with extra environment variables.
pub fn mobilize_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mobilize"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

/// Runs `mobilize args` in `dir`.
pub fn mobilize(args: &[&str], dir: &Path) -> Output {
    mobilize_env(args, dir, &[])
}

/// Standard output, after checking the command succeeded (or showing why not).
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The folder named on the `results:` line.
pub fn results(stdout: &str, cwd: &Path) -> PathBuf {
    cwd.join(
        stdout
            .lines()
            .find_map(|l| l.strip_prefix("results: "))
            .expect("a results line"),
    )
}

/// A CSV file as rows of fields (no quoting in our tables' numbers and names).
pub fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}
