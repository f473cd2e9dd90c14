//! Reading a file that crosses a trust boundary (a scenario, a file a scenario names, a
//! checkpoint, a design table): only a regular file, opened without waiting, and never more
//! than a stated number of bytes.
//!
//! Opening a FIFO for reading waits for a writer, forever if none comes (a dashboard froze for
//! good on one); `/dev/zero` and its kin never end (one read filled the machine's memory). So
//! the path is checked before it is opened, opened non-blocking (a path swapped for a FIFO in
//! between cannot block), checked again once open, and read with a bound.
//!
//! Writing a file is the mirror image ([`write_atomic`]): only over a regular file or nothing,
//! through a temporary of a name no other file has, renamed into place.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

fn not_regular() -> io::Error {
    io::Error::other("not a regular file")
}

/// Opens `path` for reading if it is a regular file (a link to one is followed); anything else
/// (a FIFO, a device, a folder, a socket) is refused without waiting.
pub fn open_regular(path: &Path) -> io::Result<File> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Reads of a regular file never block anyway; this only keeps `open` itself from
        // waiting if the path became a FIFO after the check above.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    Ok(file)
}

/// Reads the whole of `path`, a regular file of at most `max` bytes (larger is an error that
/// says the limit, without reading past it).
pub fn read_regular(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::other(format!(
            "larger than {} (allowed: at most that)",
            size(max)
        )));
    }
    Ok(bytes)
}

/// A size in words (`16 MiB`).
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read_and_never_past_their_bound() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.toml");
        std::fs::write(&f, b"0123456789").unwrap();
        assert_eq!(read_regular(&f, 10).unwrap(), b"0123456789");
        let e = read_regular(&f, 9).unwrap_err();
        assert!(e.to_string().contains("larger than 9 bytes"), "{e}");
        let e = read_regular(dir.path(), 100).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        #[cfg(unix)]
        {
            let e = read_regular(Path::new("/dev/zero"), 1 << 20).unwrap_err();
            assert!(e.to_string().contains("not a regular file"), "{e}");
            // A FIFO is refused at once: nothing ever writes to it.
            let fifo = dir.path().join("fifo.toml");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                let e = read_regular(&fifo, 100).unwrap_err();
                assert!(e.to_string().contains("not a regular file"), "{e}");
                assert!(open_regular(&fifo).is_err());
            }
            // A link to a regular file is followed.
            let link = dir.path().join("link.toml");
            std::os::unix::fs::symlink(&f, &link).unwrap();
            assert_eq!(read_regular(&link, 10).unwrap(), b"0123456789");
        }
    }
}

/// Writes `bytes` to `path` whole or not at all: into a new temporary file beside it (a name
/// no file has: `.NAME.PID.N.tmp`, created exclusively), then renamed over it. Refused where
/// `path` is anything but a regular file or nothing (a device such as `/dev/full`, a FIFO, a
/// folder, a link): a rename would replace it. A temporary that cannot be finished is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.file_type().is_file() => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file: only a regular file is written over",
            ));
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let tmp = path.with_file_name(format!(
        ".{}.{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.flush()));
    let done = written.and_then(|()| std::fs::rename(&tmp, path));
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

#[cfg(test)]
mod write_tests {
    use super::*;

    #[test]
    fn only_regular_files_are_written_over_and_no_other_file_is_touched() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("results.bin");
        let other = d.path().join("results.tmp");
        std::fs::write(&other, b"keep me").unwrap();
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(
            std::fs::read(&other).unwrap(),
            b"keep me",
            "an unrelated .tmp is left"
        );
        // Nothing but the two files is left behind.
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 2);
        // A folder, a link and a device are not written over.
        let e = write_atomic(d.path(), b"x").unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        #[cfg(unix)]
        {
            let link = d.path().join("link");
            std::os::unix::fs::symlink(&path, &link).unwrap();
            assert!(write_atomic(&link, b"x").is_err());
            assert!(write_atomic(Path::new("/dev/null"), b"x").is_err());
            assert_eq!(std::fs::read(&path).unwrap(), b"two");
        }
    }
}
