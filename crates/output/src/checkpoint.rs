//! `checkpoint-NNNNNN.bin`: a run's whole state on disk, versioned and checksummed.
//!
//! Layout: the magic line `MOBILIZE CHECKPOINT\n`; a little-endian `u32` format number; a
//! little-endian `u32` length and that many bytes of JSON header (who wrote it, the scenario,
//! the step, the payload's length and SHA-256); then the payload ([`Checkpoint::encode`]);
//! then the SHA-256 of everything before it (32 bytes), so that a damaged header is caught too.
//! A checkpoint is refused, with the reason, when its magic, format or build differ from this
//! program's, when it is shorter than its header says (truncated), or when its payload does not
//! match its checksum (corrupted). It is written through a temporary file and a rename, so the
//! last good checkpoint survives a kill during the next one.

use std::path::{Path, PathBuf};

use mobilize_core::engine::Checkpoint;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::run_folder::{hex, write_atomic};
use crate::OutputError;

/// First bytes of every checkpoint.
pub const MAGIC: &[u8] = b"MOBILIZE CHECKPOINT\n";
/// Layout version written and read by this build.
pub const FORMAT: u32 = 1;

/// What the header says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Version of mobilize that wrote it.
    pub mobilize_version: String,
    /// Git commit of that build.
    pub git_commit: String,
    /// Scenario name.
    pub scenario: String,
    /// Last step computed.
    pub step: u32,
    /// Payload bytes.
    pub payload_len: u64,
    /// SHA-256 of the payload, hexadecimal.
    pub payload_sha256: String,
}

/// Why a checkpoint was refused.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// It could not be read.
    #[error("cannot read checkpoint `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not a checkpoint, or its header is damaged.
    #[error("`{path}` is not a mobilize checkpoint or its header is corrupted ({reason})")]
    NotACheckpoint {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// It was written by another build.
    #[error("checkpoint `{path}` was written by mobilize {written} and this is mobilize {this}; a checkpoint resumes only with the build that wrote it (rerun the scenario from the start, or use that build)")]
    OtherVersion {
        /// The file.
        path: PathBuf,
        /// Version and commit that wrote it (or its format).
        written: String,
        /// This build's.
        this: String,
    },
    /// It ends before its header or its payload does.
    #[error("checkpoint `{path}` is truncated: it has {have} bytes, its header says {want}", want = want.map_or("more".to_string(), |w| w.to_string()))]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes present.
        have: u64,
        /// Bytes the header announces, if it could be read.
        want: Option<u64>,
    },
    /// Its payload does not match its checksum.
    #[error("checkpoint `{path}` is corrupted: its checksum does not match its contents")]
    Corrupted {
        /// The file.
        path: PathBuf,
    },
    /// The payload decodes to nothing sensible although its checksum matches (a bug).
    #[error("checkpoint `{path}` cannot be decoded: {reason}")]
    Undecodable {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Writes `checkpoint` as `folder/file` (atomically).
pub fn write(
    folder: &Path,
    checkpoint: &Checkpoint,
    scenario: &str,
    version: &str,
    git_commit: &str,
    file: &str,
) -> Result<(), OutputError> {
    let payload = checkpoint.encode();
    let header = Header {
        mobilize_version: version.to_string(),
        git_commit: git_commit.to_string(),
        scenario: scenario.to_string(),
        step: checkpoint.step,
        payload_len: payload.len() as u64,
        payload_sha256: hex(&Sha256::digest(&payload)),
    };
    let header = serde_json::to_vec(&header).expect("a header always serializes");
    let mut bytes = Vec::with_capacity(MAGIC.len() + 8 + header.len() + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT.to_le_bytes());
    bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&header);
    bytes.extend_from_slice(&payload);
    let sum = Sha256::digest(&bytes);
    bytes.extend_from_slice(&sum);
    write_atomic(&folder.join(file), &bytes)
}

/// Reads and checks a checkpoint written by this build.
pub fn read(
    path: &Path,
    version: &str,
    git_commit: &str,
) -> Result<(Header, Checkpoint), CheckpointError> {
    // A checkpoint is as large as the state it saves; the bound only keeps a device or a FIFO
    // named as one from being read forever.
    let bytes = mobilize_core::files::read_regular(path, 1 << 40).map_err(|source| {
        CheckpointError::Io {
            path: path.to_path_buf(),
            source,
        }
    })?;
    decode(path, &bytes, version, git_commit)
}

/// Checks and decodes checkpoint bytes (see [`read`]); `path` names them in messages.
pub fn decode(
    path: &Path,
    bytes: &[u8],
    version: &str,
    git_commit: &str,
) -> Result<(Header, Checkpoint), CheckpointError> {
    let not = |reason: &str| CheckpointError::NotACheckpoint {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| not("it does not start with `MOBILIZE CHECKPOINT`"))?;
    let truncated = |want: Option<u64>| CheckpointError::Truncated {
        path: path.to_path_buf(),
        have: bytes.len() as u64,
        want,
    };
    if rest.len() < 8 {
        return Err(truncated(None));
    }
    let format = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"));
    if format != FORMAT {
        return Err(CheckpointError::OtherVersion {
            path: path.to_path_buf(),
            written: format!("(checkpoint format {format})"),
            this: format!("{version} (checkpoint format {FORMAT})"),
        });
    }
    let header_len = u32::from_le_bytes(rest[4..8].try_into().expect("4 bytes")) as usize;
    let rest = &rest[8..];
    if rest.len() < header_len {
        return Err(truncated(None));
    }
    let header: Header =
        serde_json::from_slice(&rest[..header_len]).map_err(|e| not(&e.to_string()))?;
    let payload = &rest[header_len..];
    let want = header.payload_len.saturating_add(32);
    if (payload.len() as u64) < want {
        let whole = (bytes.len() - payload.len()) as u64 + want;
        return Err(truncated(Some(whole)));
    }
    let corrupted = || CheckpointError::Corrupted {
        path: path.to_path_buf(),
    };
    if payload.len() as u64 != want {
        return Err(corrupted());
    }
    let (payload, sum) = payload.split_at(payload.len() - 32);
    if Sha256::digest(&bytes[..bytes.len() - 32]).as_slice() != sum
        || hex(&Sha256::digest(payload)) != header.payload_sha256
    {
        return Err(corrupted());
    }
    if header.mobilize_version != version || header.git_commit != git_commit {
        return Err(CheckpointError::OtherVersion {
            path: path.to_path_buf(),
            written: format!("{} ({})", header.mobilize_version, header.git_commit),
            this: format!("{version} ({git_commit})"),
        });
    }
    let checkpoint = Checkpoint::decode(payload).map_err(|e| CheckpointError::Undecodable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    if checkpoint.step != header.step {
        return Err(CheckpointError::Corrupted {
            path: path.to_path_buf(),
        });
    }
    Ok((header, checkpoint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mobilize_core::engine::History;

    fn sample() -> Checkpoint {
        Checkpoint {
            world_scenario: "name = \"x\"".into(),
            scenario: "name = \"x\"".into(),
            step: 3,
            model: vec![1, 2, 3, 4, 5],
            history: History {
                rows: vec![vec![1.0]; 4],
                logs: vec![vec![]; 4],
                pictures: vec![],
            },
        }
    }

    #[test]
    fn round_trip_and_every_kind_of_damage_is_named() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &sample(), "x", "0.1.0", "abc", "c.bin").unwrap();
        let path = dir.path().join("c.bin");
        let (h, c) = read(&path, "0.1.0", "abc").unwrap();
        assert_eq!((h.step, c), (3, sample()));
        let bytes = std::fs::read(&path).unwrap();
        // Another build.
        let e = read(&path, "0.2.0", "abc").unwrap_err().to_string();
        assert!(
            e.contains("written by mobilize 0.1.0 (abc) and this is mobilize 0.2.0 (abc)"),
            "{e}"
        );
        // One flipped byte in the payload.
        let mut flipped = bytes.clone();
        let last = flipped.len() - 2;
        flipped[last] ^= 0x01;
        let e = decode(&path, &flipped, "0.1.0", "abc")
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("is corrupted: its checksum does not match its contents"),
            "{e}"
        );
        // Truncated.
        let e = decode(&path, &bytes[..bytes.len() - 3], "0.1.0", "abc")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is truncated: "), "{e}");
        let e = decode(&path, &bytes[..bytes.len() / 2], "0.1.0", "abc")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is truncated: "), "{e}");
        // Not a checkpoint at all; a header cut short.
        assert!(decode(&path, b"hello", "0.1.0", "abc")
            .unwrap_err()
            .to_string()
            .contains("not a mobilize checkpoint"));
        assert!(decode(&path, &bytes[..MAGIC.len() + 10], "0.1.0", "abc").is_err());
        // A flipped byte anywhere is refused, never accepted or a panic.
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x20;
            assert!(decode(&path, &b, "0.1.0", "abc").is_err(), "byte {i}");
        }
    }
}
