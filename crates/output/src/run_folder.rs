//! Run folders: complete or absent, never half-written under their final name.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::OutputError;

/// A run's folder. Files are written into a hidden temporary folder beside the final one;
/// [`RunFolder::commit`] renames it into place. An interrupted run leaves only the hidden
/// `.partial` folder, which no reader mistakes for a result.
#[derive(Debug)]
pub struct RunFolder {
    temp: PathBuf,
    target: PathBuf,
}

impl RunFolder {
    /// Prepares `<out>/<scenario>/<UTC time>_<hash8>/`, where `hash8` is the start of the SHA-256
    /// of `identity` (the resolved scenario). If that name exists (two runs in one second), a
    /// counter is appended: earlier runs are never overwritten.
    pub fn create(
        out: &Path,
        scenario: &str,
        identity: &str,
        now: SystemTime,
    ) -> Result<RunFolder, OutputError> {
        let parent = out.join(scenario);
        fs::create_dir_all(&parent)
            .map_err(|e| OutputError::io("cannot create folder", &parent, e))?;
        let stamp = humantime::format_rfc3339_seconds(now)
            .to_string()
            .replace(['-', ':'], "");
        let hash = hex(&Sha256::digest(identity.as_bytes()))[..8].to_string();
        let base = format!("{stamp}_{hash}");
        let mut n = 1;
        let (temp, target) = loop {
            let name = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let target = parent.join(&name);
            let temp = parent.join(format!(".{name}.partial"));
            if !target.exists() && fs::create_dir(&temp).is_ok() {
                break (temp, target);
            }
            n += 1;
            if n > 1000 {
                return Err(OutputError::io(
                    "cannot create folder",
                    &temp,
                    std::io::Error::other("too many runs with the same name"),
                ));
            }
        };
        Ok(RunFolder { temp, target })
    }

    /// Prepares `parent/name/` (a run of an experiment, named by its number), written in the
    /// hidden `parent/.name.partial/` until committed. A `.partial` folder left by an
    /// interrupted attempt is removed first: its run is redone from the start.
    pub fn create_named(parent: &Path, name: &str) -> Result<RunFolder, OutputError> {
        fs::create_dir_all(parent)
            .map_err(|e| OutputError::io("cannot create folder", parent, e))?;
        let target = parent.join(name);
        let temp = parent.join(format!(".{name}.partial"));
        if temp.exists() {
            fs::remove_dir_all(&temp)
                .map_err(|e| OutputError::io("cannot remove unfinished run", &temp, e))?;
        }
        fs::create_dir(&temp).map_err(|e| OutputError::io("cannot create folder", &temp, e))?;
        Ok(RunFolder { temp, target })
    }

    /// Reopens the hidden folder of an interrupted run (`.NAME.partial`), to finish it.
    pub fn reopen(partial: &Path) -> Result<RunFolder, OutputError> {
        let name = partial
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix('.'))
            .and_then(|n| n.strip_suffix(".partial"))
            .ok_or_else(|| {
                OutputError::io(
                    "not the folder of an unfinished run (`.NAME.partial`):",
                    partial,
                    std::io::Error::from(std::io::ErrorKind::InvalidInput),
                )
            })?;
        let target = partial.with_file_name(name);
        Ok(RunFolder {
            temp: partial.to_path_buf(),
            target,
        })
    }

    /// Where files go while the run is in progress.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Where the run will be once complete.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the finished run into place and returns its final path.
    pub fn commit(self) -> Result<PathBuf, OutputError> {
        if self.target.exists() {
            return Err(OutputError::io(
                "refusing to overwrite",
                &self.target,
                std::io::Error::from(std::io::ErrorKind::AlreadyExists),
            ));
        }
        fs::rename(&self.temp, &self.target)
            .map_err(|e| OutputError::io("cannot rename run folder to", &self.target, e))?;
        Ok(self.target)
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so `path` is either the old
/// content or the new, never half of it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    mobilize_core::files::write_atomic(path, bytes)
        .map_err(|e| OutputError::io("cannot write", path, e))
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_hidden_until_committed_and_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let a = RunFolder::create(dir.path(), "s", "x", now).unwrap();
        assert!(a
            .path()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with('.'));
        let name = a
            .target()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(name.starts_with("20270115T080000Z_"), "{name}");
        let a = a.commit().unwrap();
        let b = RunFolder::create(dir.path(), "s", "x", now)
            .unwrap()
            .commit()
            .unwrap();
        assert_ne!(a, b);
        assert!(a.exists() && b.exists());
    }
}
