//! # mobilize-output
//!
//! Everything a run leaves on disk, kept apart from the numeric core:
//! - [`RunFolder`]: `runs/<scenario>/<UTC time>_<short hash>/`, written under a temporary name
//!   and renamed only when complete, never overwriting an earlier run;
//! - [`Manifest`]: what ran, with which inputs, on which version, how long it took, how it ended;
//! - [`SeriesWriter`] and [`LogWriter`]: observers that stream the per-step series and the event
//!   log to CSV and Parquet as the run goes;
//! - [`ChartWriter`]: the headline series and its parts by region as `series.svg`.
//!
//! Writers implement [`mobilize_core::observe::Observer`], whose methods cannot fail; each writer
//! keeps its first I/O error and returns it from `close`, so a full disk is reported, never
//! hidden.

mod chart;
pub mod checkpoint;
pub mod experiment;
mod lattice;
pub mod layout;
mod manifest;
mod run_folder;
mod table;
mod writers;

pub use chart::ChartWriter;
pub use lattice::LatticeWriter;
pub use manifest::{Manifest, RegionInfo, Status, TimelineMark, Timings};
pub use run_folder::{hex, write_atomic, RunFolder};
pub use table::{number, read_double_columns, write_tables, Column, ParquetTable};
pub use writers::{LogWriter, SeriesWriter};

/// An output failure, naming the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder could not be created, written or renamed.
    #[error("{action} `{path}`: {source}")]
    Io {
        /// What was being done (`cannot write`, `cannot create folder`).
        action: &'static str,
        /// The path concerned.
        path: std::path::PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The Parquet encoder failed.
    #[error("cannot write Parquet file `{path}`: {source}")]
    Parquet {
        /// The file concerned.
        path: std::path::PathBuf,
        /// The encoder's reason.
        source: parquet::errors::ParquetError,
    },
}

impl OutputError {
    /// An operating-system error on `path` while doing `action` ("cannot write").
    pub fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        OutputError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}
