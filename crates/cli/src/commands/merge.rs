//! `mobilize merge`: the tables and report of an experiment run in shards.
//!
//! Shards (`--shard I/N`) write their runs into the experiment's folder (one folder if they
//! share a file system, one each if not). `merge` brings the runs of every folder given into
//! the first, rebuilds the experiment from its manifest (checked against its identity, so the
//! scenario files must be the ones it ran with), and writes the tables a single-machine run
//! writes, byte for byte. A run missing from every folder is named, and nothing is written.

use std::path::{Path, PathBuf};

use clap::Args;
use mobilize_core::scenario::{embedded, Source};
use mobilize_experiment::execute::{finish, prepare, read_manifest, RUNS};
use mobilize_experiment::Experiment;
use mobilize_output::{Manifest, Status};

use super::experiment::results;
use crate::{source, Failure};

/// Arguments of `mobilize merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The experiment folders of the shards; the first receives the others' runs and the
    /// tables.
    #[arg(required = true, num_args = 1..)]
    pub folders: Vec<PathBuf>,
}

fn fail(message: String) -> Failure {
    eprintln!("error: {message}");
    Failure::Input
}

/// The experiment a folder holds, rebuilt from its manifest and checked against its identity.
fn experiment_of(dir: &Path) -> Result<(Experiment, String), Failure> {
    let m = read_manifest(dir)?.ok_or_else(|| {
        fail(format!(
            "`{}` is not an experiment folder (no experiment.json)",
            dir.display()
        ))
    })?;
    let mut sources = Vec::new();
    for name in &m.sources {
        let built_in = name
            .strip_prefix("<embedded:")
            .and_then(|n| n.strip_suffix('>'))
            .and_then(embedded::source);
        let s: Source = match built_in {
            Some(s) => s,
            None => source::find(Some(name))?,
        };
        sources.push(s);
    }
    let exp = Experiment::new(
        m.kind,
        sources,
        m.points.clone(),
        m.varied.clone(),
        m.replicates,
        m.base_seed,
    );
    if exp.identity() != m.identity {
        return Err(fail(format!(
            "cannot rebuild the experiment of `{}`: its scenario ({}) is not the one it ran with \
             (changed since, or found elsewhere from here); run merge where the experiment was run",
            dir.display(),
            m.sources.join(", ")
        )));
    }
    Ok((exp, m.identity))
}

/// Copies a finished run folder into `runs/` of the target, through a hidden name so that a
/// half-copied run never looks finished.
fn copy_run(from: &Path, into: &Path, name: &str) -> Result<(), Failure> {
    let temp = into.join(format!(".{name}.merging"));
    let _ = std::fs::remove_dir_all(&temp);
    let copy = || -> std::io::Result<()> {
        std::fs::create_dir_all(&temp)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::copy(entry.path(), temp.join(entry.file_name()))?;
            } else if entry.file_type()?.is_dir() {
                let sub = temp.join(entry.file_name());
                std::fs::create_dir_all(&sub)?;
                for f in std::fs::read_dir(entry.path())? {
                    let f = f?;
                    if f.file_type()?.is_file() {
                        std::fs::copy(f.path(), sub.join(f.file_name()))?;
                    }
                }
            }
        }
        let target = into.join(name);
        let _ = std::fs::remove_dir_all(&target);
        std::fs::rename(&temp, &target)
    };
    copy().map_err(|e| fail(format!("cannot copy run `{}`: {e}", from.display())))
}

fn finished(dir: &Path) -> bool {
    Manifest::read(dir).is_ok_and(|m| m.status == Status::Complete)
}

/// Merges the shards and writes the tables.
pub fn run(args: MergeArgs) -> Result<(), Failure> {
    let first = &args.folders[0];
    let (exp, identity) = experiment_of(first)?;
    let runs = first.join(RUNS);
    for other in &args.folders[1..] {
        let m = read_manifest(other)?.ok_or_else(|| {
            fail(format!(
                "`{}` is not an experiment folder (no experiment.json)",
                other.display()
            ))
        })?;
        if m.identity != identity {
            return Err(fail(format!(
                "`{}` holds another experiment than `{}` (their identities differ)",
                other.display(),
                first.display()
            )));
        }
        let Ok(entries) = std::fs::read_dir(other.join(RUNS)) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        for name in names {
            let from = other.join(RUNS).join(&name);
            if finished(&from) && !finished(&runs.join(&name)) {
                copy_run(&from, &runs, &name)?;
            }
        }
    }
    // The folder lies at <out>/<scenario>/<kind>-<identity>.
    let out = first
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| fail(format!("`{}` is not an experiment folder", first.display())))?;
    let provenance = crate::provenance();
    let prepared = prepare(&exp, out, &provenance, std::env::args().collect())?;
    if std::fs::canonicalize(&prepared.dir).ok() != std::fs::canonicalize(first).ok() {
        return Err(fail(format!(
            "`{}` is not where this experiment's folder belongs (`{}`)",
            first.display(),
            prepared.dir.display()
        )));
    }
    let done = finish(&exp, prepared)?;
    println!(
        "merged {} of {}: {} runs",
        done.manifest.kind.as_str(),
        done.manifest.scenario,
        done.total
    );
    results(&done);
    Ok(())
}
