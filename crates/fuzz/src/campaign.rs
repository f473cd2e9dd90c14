//! A fuzzing campaign: many mutated inputs, in parallel, deterministic in its seed.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::mutate::{mutate, Rng};
use crate::targets;

/// Most new inputs saved to `corpus/` per campaign.
const SAVED: usize = 150;

/// What a campaign found.
#[derive(Debug, Default)]
pub struct Report {
    /// Inputs tried.
    pub inputs: u64,
    /// Inputs kept in the corpus (new kinds of outcome).
    pub kept: usize,
    /// Distinct outcome signatures seen.
    pub signatures: usize,
    /// Files of inputs that panicked.
    pub crashes: Vec<PathBuf>,
    /// Slowest input and its time.
    pub slowest: Duration,
}

/// Runs `target` once on `bytes`, catching a panic; `Err` holds the panic's message.
pub fn try_run(target: &str, bytes: &[u8]) -> Result<String, String> {
    catch_unwind(AssertUnwindSafe(|| targets::run(target, bytes))).map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into())
    })
}

/// Reads every file of a folder (sorted by name), or nothing if it does not exist.
pub fn read_dir(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Fuzzes `target` with `inputs` mutated inputs grown from `seeds`, in rounds of parallel
/// batches. New-signature inputs join the corpus and, if `save` is given, `save/corpus/`;
/// panicking inputs go to `save/crashes/` (or are only counted).
pub fn run(
    target: &str,
    seeds: Vec<Vec<u8>>,
    inputs: u64,
    seed: u64,
    save: Option<&Path>,
    progress: &(dyn Fn(u64) + Sync),
) -> Report {
    // Panics are expected and caught: keep their messages off the terminal.
    std::panic::set_hook(Box::new(|_| {}));
    let mut corpus: Vec<Vec<u8>> = if seeds.is_empty() {
        vec![Vec::new()]
    } else {
        seeds
    };
    let mut seen: BTreeSet<String> = corpus
        .iter()
        .filter_map(|c| try_run(target, c).ok())
        .collect();
    let crashes = Mutex::new(Vec::new());
    let mut report = Report::default();
    let batch: u64 = 20_000;
    let mut done = 0u64;
    let mut round = 0u64;
    // Worker threads get the 2 MB stack of the server's and the engine's threads (not the
    // main thread's 8 MB), so an input that would overflow those overflows here too.
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(2 << 20)
        .build()
        .expect("a thread pool");
    while done < inputs {
        let n = batch.min(inputs - done);
        let snapshot = &corpus;
        let results: Vec<(Option<Vec<u8>>, String, Duration)> = pool.install(|| {
            (0..n)
                .into_par_iter()
                .map(|i| {
                    let mut rng = Rng(seed ^ (round << 32) ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D));
                    let a = &snapshot[rng.below(snapshot.len())];
                    let b = &snapshot[rng.below(snapshot.len())];
                    let input = mutate(&mut rng, a, b);
                    let t = Instant::now();
                    let outcome = try_run(target, &input);
                    let took = t.elapsed();
                    match outcome {
                        Ok(sig) => (Some(input), sig, took),
                        Err(msg) => {
                            let mut h = Sha256::new();
                            h.update(&input);
                            let name = format!("{target}-{:x}", h.finalize());
                            if let Some(dir) = save {
                                let path = dir.join("crashes").join(&name[..target.len() + 17]);
                                let _ =
                                    std::fs::create_dir_all(path.parent().expect("has a parent"));
                                let _ = std::fs::write(&path, &input);
                                crashes.lock().expect("not poisoned").push(path);
                            } else {
                                crashes
                                    .lock()
                                    .expect("not poisoned")
                                    .push(PathBuf::from(name));
                            }
                            (None, format!("PANIC {msg}"), took)
                        }
                    }
                })
                .collect()
        });
        for (input, sig, took) in results {
            report.slowest = report.slowest.max(took);
            if let Some(input) = input {
                if seen.insert(sig) && corpus.len() < 5_000 {
                    // A few hundred per target are kept on disk as regression inputs.
                    if let Some(dir) = save.filter(|_| report.kept < SAVED) {
                        let mut h = Sha256::new();
                        h.update(&input);
                        let name = format!("{:x}", h.finalize());
                        let path = dir.join("corpus").join(target).join(&name[..16]);
                        let _ = std::fs::create_dir_all(path.parent().expect("has a parent"));
                        let _ = std::fs::write(&path, &input);
                    }
                    corpus.push(input);
                    report.kept += 1;
                }
            }
        }
        done += n;
        round += 1;
        progress(done);
    }
    report.inputs = done;
    report.signatures = seen.len();
    report.crashes = crashes.into_inner().expect("not poisoned");
    let _ = std::panic::take_hook();
    report
}
