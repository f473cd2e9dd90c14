//! Reading a table, CSV or Parquet, row by row into cells, with each row's place (line or row)
//! for messages.

use super::{quote, Input, Report, MAX_COLUMNS};

/// One cell of a row, as the file holds it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Cell<'a> {
    Empty,
    Text(&'a str),
    Int(i64),
    Float(f64),
    /// A type no column here takes (dates, lists, …): its type's name.
    Other(&'static str),
}

impl Cell<'_> {
    /// The cell as an id (integers in decimal), written into `buf`.
    pub(super) fn id<'b>(&self, buf: &'b mut String) -> Result<&'b str, String> {
        buf.clear();
        match *self {
            Cell::Text(t) if !t.trim().is_empty() => buf.push_str(t.trim()),
            Cell::Int(i) => {
                use std::fmt::Write;
                let _ = write!(buf, "{i}");
            }
            Cell::Empty | Cell::Text(_) => return Err("empty id".into()),
            Cell::Float(f) => return Err(format!("`{f}` is not an id (a float)")),
            Cell::Other(t) => return Err(format!("a {t} is not an id")),
        }
        Ok(buf)
    }

    pub(super) fn number(&self) -> Result<Option<f64>, String> {
        match *self {
            Cell::Empty => Ok(None),
            Cell::Text(t) if t.trim().is_empty() => Ok(None),
            Cell::Text(t) => t
                .trim()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| format!("{} is not a number", quote(t))),
            Cell::Int(i) => Ok(Some(i as f64)),
            Cell::Float(f) => Ok(Some(f)),
            Cell::Other(t) => Err(format!("a {t} is not a number")),
        }
    }

    pub(super) fn text(&self) -> Option<String> {
        match *self {
            Cell::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
            Cell::Int(i) => Some(i.to_string()),
            _ => None,
        }
    }
}

/// Where a row is, for messages: `line N` in a CSV file, `row N` in a Parquet file.
pub(super) fn place(parquet: bool, at: u64, column: &str) -> String {
    if parquet {
        format!("row {at}, column `{column}`")
    } else {
        format!("line {at}, column `{column}`")
    }
}

/// Reads a table row by row: the header's columns (matched against `columns`, each either
/// required or not), then `each(at, cells)` for every row, cells in the order of `columns`.
pub(super) fn read_table(
    input: &Input,
    columns: &[(&str, bool)],
    r: &mut Report,
    mut each: impl FnMut(u64, &[Cell<'_>], &mut Report) -> bool,
) -> Option<bool> {
    let parquet = input
        .path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    let map = |header: &[String], r: &mut Report| -> Option<Vec<Option<usize>>> {
        let mut ok = true;
        for h in header {
            if !names.contains(&h.as_str()) {
                let help = crate::scenario::decode::allowed_help(h, &names);
                r.push(
                    Some(format!("column {}", quote(h))),
                    format!("unknown column {}", quote(h)),
                    Some(&help),
                );
                ok = false;
            }
        }
        let at: Vec<Option<usize>> = names
            .iter()
            .map(|n| header.iter().position(|h| h == n))
            .collect();
        for ((name, required), a) in columns.iter().zip(&at) {
            if *required && a.is_none() {
                r.push(
                    None,
                    format!("no `{name}` column"),
                    Some(&format!(
                        "the header names the columns: {}",
                        names.join(", ")
                    )),
                );
                ok = false;
            }
        }
        ok.then_some(at)
    };
    if parquet {
        // The Parquet decoder is not ours, and a file from elsewhere may be crafted to
        // make it fail in ways it does not report as errors: a panic inside it is this
        // file's problem, reported as such, never the program's end.
        let mut sub = Report::new(&r.file);
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_parquet(input, &mut sub, map, &mut each)
        }));
        match out {
            Ok(v) => {
                r.absorb(sub);
                v
            }
            Err(_) => {
                r.absorb(sub);
                r.push(
                    None,
                    "not a readable Parquet file (its decoder gave up)".into(),
                    None,
                );
                None
            }
        }
    } else {
        read_csv(input, r, map, &mut each)
    }
}

fn read_csv(
    input: &Input,
    r: &mut Report,
    map: impl Fn(&[String], &mut Report) -> Option<Vec<Option<usize>>>,
    each: &mut impl FnMut(u64, &[Cell<'_>], &mut Report) -> bool,
) -> Option<bool> {
    let file = match crate::files::open_regular(&input.path) {
        Ok(f) => f,
        Err(e) => {
            r.push(None, format!("cannot read: {e}"), None);
            return None;
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(LineLimit {
            inner: std::io::BufReader::with_capacity(1 << 20, file),
            run: 0,
        });
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            r.push(Some("line 1".into()), format!("not CSV: {e}"), None);
            return None;
        }
    };
    let at = map(&header, r)?;
    let width = header.len();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                r.push(Some(format!("line {line}")), format!("not CSV: {e}"), None);
                return Some(false);
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != width {
            r.push(
                Some(format!("line {line}")),
                format!("{} fields, the header has {width}", record.len()),
                None,
            );
            continue;
        }
        let mut cells = [Cell::Empty; MAX_COLUMNS];
        let mut utf8 = true;
        for (slot, a) in cells.iter_mut().zip(&at) {
            *slot = match a {
                None => Cell::Empty,
                Some(k) => match std::str::from_utf8(&record[*k]) {
                    Ok("") => Cell::Empty,
                    Ok(t) => Cell::Text(t),
                    Err(_) => {
                        utf8 = false;
                        Cell::Empty
                    }
                },
            };
        }
        if !utf8 {
            r.push(Some(format!("line {line}")), "not UTF-8 text".into(), None);
            continue;
        }
        if !each(line, &cells[..at.len()], r) {
            return Some(false);
        }
    }
    Some(true)
}

fn read_parquet(
    input: &Input,
    r: &mut Report,
    map: impl Fn(&[String], &mut Report) -> Option<Vec<Option<usize>>>,
    each: &mut impl FnMut(u64, &[Cell<'_>], &mut Report) -> bool,
) -> Option<bool> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let file = match crate::files::open_regular(&input.path) {
        Ok(f) => f,
        Err(e) => {
            r.push(None, format!("cannot read: {e}"), None);
            return None;
        }
    };
    let marked = has_parquet_marks(&file);
    let reader = match SerializedFileReader::new(file) {
        Ok(x) => x,
        Err(e) => {
            // A file with Parquet's marks at both ends is one, damaged; say which.
            let what = if marked {
                "a damaged Parquet file (its footer cannot be read)"
            } else {
                "not a Parquet file (it lacks the `PAR1` marks a Parquet file begins and ends with)"
            };
            r.push(None, format!("{what}: {e}"), None);
            return None;
        }
    };
    let schema = reader.metadata().file_metadata().schema_descr();
    let header: Vec<String> = schema
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let at = map(&header, r)?;
    // What the file says it holds, bounded before a row is decoded: its rows, and the bytes
    // its row groups decompress to (a small file can decompress to gigabytes).
    let meta = reader.metadata();
    let rows = u64::try_from(meta.file_metadata().num_rows()).unwrap_or(u64::MAX);
    let unpacked: u64 = meta
        .row_groups()
        .iter()
        .map(|g| u64::try_from(g.total_byte_size()).unwrap_or(u64::MAX))
        .fold(0, u64::saturating_add);
    if let Some(why) = too_big(rows, unpacked) {
        r.push(
            None,
            why,
            Some("split the table, or use a machine with more memory"),
        );
        return None;
    }
    let rows = match reader.get_row_iter(None) {
        Ok(x) => x,
        Err(e) => {
            r.push(None, format!("cannot read the rows: {e}"), None);
            return None;
        }
    };
    for (k, row) in rows.enumerate() {
        let at_row = k as u64 + 1;
        let row = match row {
            Ok(x) => x,
            Err(e) => {
                r.push(
                    Some(format!("row {at_row}")),
                    format!("cannot read: {e}"),
                    None,
                );
                return Some(false);
            }
        };
        let fields: Vec<&Field> = row.get_column_iter().map(|(_, f)| f).collect();
        let mut cells = [Cell::Empty; MAX_COLUMNS];
        for (slot, a) in cells.iter_mut().zip(&at) {
            *slot = match a.map(|k| fields[k]) {
                None | Some(Field::Null) => Cell::Empty,
                Some(Field::Str(s)) => Cell::Text(s),
                Some(Field::Byte(v)) => Cell::Int(i64::from(*v)),
                Some(Field::Short(v)) => Cell::Int(i64::from(*v)),
                Some(Field::Int(v)) => Cell::Int(i64::from(*v)),
                Some(Field::Long(v)) => Cell::Int(*v),
                Some(Field::UByte(v)) => Cell::Int(i64::from(*v)),
                Some(Field::UShort(v)) => Cell::Int(i64::from(*v)),
                Some(Field::UInt(v)) => Cell::Int(i64::from(*v)),
                Some(Field::ULong(v)) => match i64::try_from(*v) {
                    Ok(v) => Cell::Int(v),
                    Err(_) => Cell::Other("64-bit integer above 2^63"),
                },
                Some(Field::Float(v)) => Cell::Float(f64::from(*v)),
                Some(Field::Double(v)) => Cell::Float(*v),
                Some(Field::Bool(_)) => Cell::Other("boolean"),
                Some(_) => Cell::Other("value of another type (date, bytes, list, …)"),
            };
        }
        if !each(at_row, &cells[..at.len()], r) {
            return Some(false);
        }
    }
    Some(true)
}

/// Whether `file` begins and ends with Parquet's magic bytes `PAR1` (read with a handle of its
/// own, so the caller's position is left alone).
fn has_parquet_marks(file: &std::fs::File) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let mark = |f: &mut std::fs::File, from: SeekFrom| {
        let mut b = [0u8; 4];
        f.seek(from).is_ok() && f.read_exact(&mut b).is_ok() && &b == b"PAR1"
    };
    let Ok(mut f) = file.try_clone() else {
        return false;
    };
    let ok = f.metadata().is_ok_and(|m| m.len() >= 12)
        && mark(&mut f, SeekFrom::Start(0))
        && mark(&mut f, SeekFrom::End(-4));
    let _ = f.seek(SeekFrom::Start(0));
    ok
}

/// The most rows a table may have (ties or people).
pub(super) const MAX_ROWS: u64 = 1 << 31;

/// Bytes reading a row may take at most, all told: the row itself, its place in the lists the
/// reader builds (ties, their lines, their weights) and in the network made of them.
pub(super) const BYTES_PER_ROW: u64 = 48;

/// Why a table of `rows` rows decompressing to `bytes` cannot be read here, if it cannot: more
/// rows than allowed, or more memory than is available (checked before anything is decoded).
pub(super) fn too_big(rows: u64, bytes: u64) -> Option<String> {
    if rows > MAX_ROWS {
        return Some(format!(
            "{rows} rows, more than the {MAX_ROWS} a table may have"
        ));
    }
    let need = rows.saturating_mul(BYTES_PER_ROW).saturating_add(bytes);
    let free = crate::scenario::memory::available()?;
    (need > free).then(|| {
        format!(
            "{rows} rows ({} decompressed) need about {} of memory to read, more than the {} available",
            crate::scenario::memory::human(bytes),
            crate::scenario::memory::human(need),
            crate::scenario::memory::human(free)
        )
    })
}

/// The longest line a CSV table may have (bytes): a field, or a header, longer than this is not
/// a table of ids and numbers (a 1 GB header line once aborted the reader).
pub(super) const MAX_LINE: usize = 1 << 20;

/// A reader that fails once a line runs longer than [`MAX_LINE`], before the CSV reader
/// buffers it.
struct LineLimit<R> {
    inner: R,
    /// Bytes since the last newline.
    run: usize,
}

impl<R: std::io::Read> std::io::Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > MAX_LINE {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("a line longer than {MAX_LINE} bytes"),
                    ));
                }
            }
        }
        Ok(n)
    }
}
