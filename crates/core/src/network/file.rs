//! Networks people bring: an edge list and, optionally, a people table, read from CSV or
//! Parquet files when the scenario is validated.
//!
//! - **Edge list**: columns `source` and `target` (the people's own ids, integers or text),
//!   optional `weight` (positive; empty = the kind's weight) and `kind` (a name of the
//!   author's choosing, weighted by `[network.weights]`). Each tie once, in either direction.
//! - **People table**: column `id`, and optionally `region` (a region of the scenario; needed
//!   when it has more than one), `age`, `sex`, `occupation` (the codes' names). Without it,
//!   the people are the ids of the edge list, in order of first appearance.
//!
//! Every problem is located (file, line or row, column, value) and the first
//! [`MAX_PROBLEMS`] are reported. Ids are mapped once; people are then renumbered region by
//! region and, within a region, in breadth-first order of the ties, so that tied people sit
//! near each other in memory as they do with the generators (a cascade then reads ties front
//! to back). Both files are hashed (SHA-256); the resolved scenario names them by absolute
//! path with their hashes, so a run can be resumed or branched only on the same files.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::Network;
use crate::scenario::{AGE_BANDS, OCCUPATIONS, SEXES};

/// Most problems listed per file; the rest are counted.
pub const MAX_PROBLEMS: usize = 20;
/// Largest file read (bytes): 4 GiB holds a few hundred million ties.
pub const MAX_FILE_BYTES: u64 = 4 << 30;
/// Most columns a table here has.
const MAX_COLUMNS: usize = 5;
/// Most ties an edge list may hold (tie ends are counted in `u64`, people in `u32`).
pub const MAX_TIES: u64 = 1 << 31;

/// One problem in a file, with where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct FileProblem {
    /// Which file (as the scenario names it).
    pub file: String,
    /// `line N` (CSV) or `row N` (Parquet), and the column, when the problem has a place.
    pub place: Option<String>,
    /// What is wrong, with the value quoted when there is one.
    pub message: String,
    /// What is allowed.
    pub help: Option<String>,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(p) = &self.place {
            write!(f, ", {p}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A file the scenario names: where it is, how to name it in messages, and the hash it must
/// have (when the scenario gives one).
#[derive(Clone, Debug)]
pub struct Input {
    /// The file.
    pub path: PathBuf,
    /// Its name in messages (as the scenario wrote it).
    pub shown: String,
    /// The SHA-256 (lower-case hex) the file must have, if given.
    pub sha256: Option<String>,
}

/// The people's attribute columns the people table gave, in the model's numbering.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attributes {
    /// Age band codes, if the table has an `age` column.
    pub age: Option<Vec<u8>>,
    /// Sex codes, if the table has a `sex` column.
    pub sex: Option<Vec<u8>>,
    /// Occupation codes, if the table has an `occupation` column.
    pub occupation: Option<Vec<u8>>,
}

/// A network read from files, in the model's numbering.
pub struct FileNetwork {
    /// The edge list, absolute.
    pub edges: PathBuf,
    /// Its SHA-256.
    pub edges_sha256: String,
    /// The people table, absolute, and its SHA-256.
    pub people: Option<(PathBuf, String)>,
    /// The ties.
    pub network: Arc<Network>,
    /// The files' ids, in the files' order (see [`FileNetwork::id`]).
    pub ids: Ids,
    /// Each person's place in the files' order (people table rows, or first appearance in
    /// the edge list), by person number.
    pub file_order: Vec<u32>,
    /// People per region of the scenario.
    pub region_counts: Vec<u32>,
    /// Attributes the people table gave.
    pub attributes: Attributes,
    /// Tie kinds named in the edge list's `kind` column, in order of first appearance.
    pub kinds: Vec<String>,
}

impl FileNetwork {
    /// The ties, shared (the scenario keeps them; a run reads them without a copy).
    pub fn network(&self) -> Arc<Network> {
        Arc::clone(&self.network)
    }

    /// Persons.
    pub fn persons(&self) -> usize {
        self.file_order.len()
    }

    /// Person `i`'s id in the files.
    pub fn id(&self, i: u32) -> std::borrow::Cow<'_, str> {
        self.ids.text(self.file_order[i as usize])
    }

    /// Person numbers by id, for a scenario that names people (`initial_actors`).
    pub fn person_of(&self) -> IdIndex<'_> {
        let mut person = vec![0u32; self.file_order.len()];
        for (i, &p) in self.file_order.iter().enumerate() {
            person[p as usize] = i as u32;
        }
        IdIndex {
            ids: &self.ids,
            person,
        }
    }
}

impl fmt::Debug for FileNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileNetwork")
            .field("edges", &self.edges)
            .field("edges_sha256", &self.edges_sha256)
            .field("people", &self.people)
            .field("persons", &self.persons())
            .field("ties", &self.network.ties())
            .finish()
    }
}

impl PartialEq for FileNetwork {
    /// Same files (by path and content), same network.
    fn eq(&self, other: &FileNetwork) -> bool {
        self.edges == other.edges
            && self.edges_sha256 == other.edges_sha256
            && self.people == other.people
    }
}

/// What reading needs to know of the scenario.
pub struct Context<'a> {
    /// Region names, in order.
    pub regions: &'a [String],
    /// The weight of each tie kind (`[network.weights]`).
    pub weights: &'a [(String, f64)],
}

/// Collects the problems of one file, keeping the first [`MAX_PROBLEMS`].
struct Report {
    file: String,
    list: Vec<FileProblem>,
    more: u64,
}

impl Report {
    fn new(file: &str) -> Report {
        Report {
            file: file.to_string(),
            list: Vec::new(),
            more: 0,
        }
    }

    fn push(&mut self, place: Option<String>, message: String, help: Option<&str>) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(FileProblem {
                file: self.file.clone(),
                place,
                message,
                help: help.map(str::to_string),
            });
        } else {
            self.more += 1;
        }
    }

    /// Takes the problems of `other` (of the same file).
    fn absorb(&mut self, other: Report) {
        for p in other.list {
            self.push(p.place, p.message, p.help.as_deref());
        }
        self.more += other.more;
    }

    fn finish(mut self, out: &mut Vec<FileProblem>) {
        if self.more > 0 {
            self.list.push(FileProblem {
                file: self.file.clone(),
                place: None,
                message: format!("and {} more problems", self.more),
                help: None,
            });
        }
        out.append(&mut self.list);
    }
}

/// A value quoted in a message: escaped, and cut if long (the file is the user's own, but a
/// message should stay a line).
fn quote(v: &str) -> String {
    let mut s: String = v.chars().take(40).flat_map(char::escape_debug).collect();
    if v.chars().count() > 40 {
        s.push('…');
    }
    format!("`{s}`")
}

/// One cell of a row, as the file holds it.
#[derive(Clone, Copy, Debug)]
enum Cell<'a> {
    Empty,
    Text(&'a str),
    Int(i64),
    Float(f64),
    /// A type no column here takes (dates, lists, …): its type's name.
    Other(&'static str),
}

impl Cell<'_> {
    /// The cell as an id (integers in decimal), written into `buf`.
    fn id<'b>(&self, buf: &'b mut String) -> Result<&'b str, String> {
        buf.clear();
        match *self {
            Cell::Text(t) if !t.trim().is_empty() => buf.push_str(t.trim()),
            Cell::Int(i) => {
                use fmt::Write;
                let _ = write!(buf, "{i}");
            }
            Cell::Empty | Cell::Text(_) => return Err("empty id".into()),
            Cell::Float(f) => return Err(format!("`{f}` is not an id (a float)")),
            Cell::Other(t) => return Err(format!("a {t} is not an id")),
        }
        Ok(buf)
    }

    fn number(&self) -> Result<Option<f64>, String> {
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

    fn text(&self) -> Option<String> {
        match *self {
            Cell::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
            Cell::Int(i) => Some(i.to_string()),
            _ => None,
        }
    }
}

/// Where a row is, for messages: `line N` in a CSV file, `row N` in a Parquet file.
fn place(parquet: bool, at: u64, column: &str) -> String {
    if parquet {
        format!("row {at}, column `{column}`")
    } else {
        format!("line {at}, column `{column}`")
    }
}

/// Hashes a file, refusing anything but a regular file of at most [`MAX_FILE_BYTES`].
fn hash(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!("larger than {} GiB", MAX_FILE_BYTES >> 30));
    }
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut reader = file.take(MAX_FILE_BYTES + 1);
    loop {
        let k = reader.read(&mut buf).map_err(|e| e.to_string())?;
        if k == 0 {
            break;
        }
        hasher.update(&buf[..k]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Checks a file's hash against the one the scenario gives. A file whose hash is not the
/// one given is never parsed, and the message is the same whether it is missing, unreadable
/// or different: a scenario from elsewhere learns nothing of files it does not know.
fn checked_hash(input: &Input, r: &mut Report) -> Option<String> {
    match (hash(&input.path), &input.sha256) {
        (Ok(h), Some(want)) if h == want.to_ascii_lowercase() => Some(h),
        (Ok(h), None) => Some(h),
        (Err(why), None) => {
            r.push(
                None,
                format!("cannot read `{}`: {why}", input.path.display()),
                Some("the path is relative to the scenario file"),
            );
            None
        }
        (_, Some(_)) => {
            r.push(
                None,
                format!(
                    "`{}` is not the file this scenario was made with (it is missing, \
                     unreadable or changed since: its SHA-256 is not the one given)",
                    input.path.display()
                ),
                Some("run the original scenario again, or remove `*_sha256` to accept the file as it is now"),
            );
            None
        }
    }
}

/// Reads a table row by row: the header's columns (matched against `columns`, each either
/// required or not), then `each(at, cells)` for every row, cells in the order of `columns`.
fn read_table(
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
    let file = match std::fs::File::open(&input.path) {
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
        .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
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
    let file = match std::fs::File::open(&input.path) {
        Ok(f) => f,
        Err(e) => {
            r.push(None, format!("cannot read: {e}"), None);
            return None;
        }
    };
    let reader = match SerializedFileReader::new(file) {
        Ok(x) => x,
        Err(e) => {
            r.push(None, format!("not a Parquet file: {e}"), None);
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

/// Person numbers by id (see [`FileNetwork::person_of`]).
pub struct IdIndex<'a> {
    ids: &'a Ids,
    /// Person number by place in the files' order.
    person: Vec<u32>,
}

impl IdIndex<'_> {
    /// The person with id `id`.
    pub fn get(&self, id: &str) -> Option<u32> {
        self.ids.get(id).map(|p| self.person[p as usize])
    }
}

/// Interned ids: each distinct id gets the next number, in order of first appearance. While
/// every id is a decimal integer (the common case) the integers themselves are kept; once one
/// is not, the texts are kept end to end in one string. An open-addressing table of numbers
/// finds them, so two million ids cost about 30 MB, not an allocation each, and a lookup
/// costs two memory accesses; the table is only looked up, never iterated, so nothing
/// depends on its order.
#[derive(Clone, Default)]
pub struct Ids {
    /// Whether some id is not a decimal integer (then `text` and `starts` hold them all).
    texts: bool,
    /// The ids, while all are integers.
    ints: Vec<u64>,
    text: String,
    /// Where each id starts in `text`, and its end (`len + 1` entries, once `texts`).
    starts: Vec<u64>,
    /// Id numbers, or `EMPTY`; a power of two long.
    slots: Vec<u32>,
}

const EMPTY: u32 = u32::MAX;

/// SplitMix64's finalizer: every input bit reaches the low bits the table uses.
#[inline]
fn mix(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A fast hash of a short text (FxHash's mixing, eight bytes at a time, then [`mix`]).
#[inline]
fn hash_text(t: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = t.len() as u64;
    let mut chunks = t.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("eight bytes"));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix((h.rotate_left(5) ^ u64::from_le_bytes(last)).wrapping_mul(K))
}

/// `t` as an integer if it is one written the one way (`0`, or digits without a leading 0,
/// below 10^19), so that the integer and the text name the same id.
#[inline]
fn integer(t: &str) -> Option<u64> {
    let b = t.as_bytes();
    if b.is_empty() || b.len() > 19 || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    Some(v)
}

impl Ids {
    /// Ids held.
    pub fn len(&self) -> usize {
        if self.texts {
            self.starts.len().saturating_sub(1)
        } else {
            self.ints.len()
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text of id number `k`.
    pub fn text(&self, k: u32) -> std::borrow::Cow<'_, str> {
        let k = k as usize;
        if self.texts {
            self.text[self.starts[k] as usize..self.starts[k + 1] as usize].into()
        } else {
            self.ints[k].to_string().into()
        }
    }

    fn text_of(&self, k: u32) -> &str {
        let k = k as usize;
        &self.text[self.starts[k] as usize..self.starts[k + 1] as usize]
    }

    /// The slot where `id` is, or the empty one where it would go.
    fn slot(&self, id: &str, int: Option<u64>) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = match int {
            Some(v) if !self.texts => mix(v),
            _ => hash_text(id.as_bytes()),
        } as usize
            & mask;
        loop {
            let k = self.slots[at];
            if k == EMPTY {
                return at;
            }
            let same = match int {
                _ if self.texts => self.text_of(k) == id,
                Some(v) => self.ints[k as usize] == v,
                None => false,
            };
            if same {
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    /// The number of `id`, if held.
    pub fn get(&self, id: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let int = integer(id);
        if int.is_none() && !self.texts {
            return None;
        }
        let k = self.slots[self.slot(id, int)];
        (k != EMPTY).then_some(k)
    }

    /// Puts every id back into a table of `size` slots.
    fn rebuild(&mut self, size: usize) {
        self.slots = vec![EMPTY; size];
        for k in 0..self.len() as u32 {
            let at = if self.texts {
                self.slot(self.text_of(k), None)
            } else {
                let v = self.ints[k as usize];
                self.slot("", Some(v))
            };
            self.slots[at] = k;
        }
    }

    /// The number of `id`, and whether it is new.
    fn insert(&mut self, id: &str) -> (u32, bool) {
        let int = integer(id);
        if int.is_none() && !self.texts {
            // The first id that is not an integer: from now on, texts.
            self.texts = true;
            self.starts = vec![0];
            for v in std::mem::take(&mut self.ints) {
                use std::fmt::Write;
                let _ = write!(self.text, "{v}");
                self.starts.push(self.text.len() as u64);
            }
            let size = self.slots.len();
            self.rebuild(size);
        }
        // At most half full, so probes stay short.
        if (self.len() + 1) * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(1024);
            self.rebuild(size);
        }
        let at = self.slot(id, int);
        if self.slots[at] != EMPTY {
            return (self.slots[at], false);
        }
        let k = self.len() as u32;
        if self.texts {
            self.text.push_str(id);
            self.starts.push(self.text.len() as u64);
        } else {
            self.ints.push(int.expect("an integer"));
        }
        self.slots[at] = k;
        (k, true)
    }
}

/// Reads, checks and renumbers a file network. Problems are returned all together, each
/// located; `regions` must be the scenario's, in order.
pub fn read(
    edges: &Input,
    people: Option<&Input>,
    cx: &Context<'_>,
) -> Result<FileNetwork, Vec<FileProblem>> {
    let mut problems = Vec::new();
    // The people table, if any.
    let mut ids = Ids::default();
    let mut region: Vec<u16> = Vec::new();
    let mut attrs: [Option<Vec<u8>>; 3] = [None, None, None];
    let mut people_hash = None;
    if let Some(p) = people {
        let mut r = Report::new(&p.shown);
        if let Some(h) = checked_hash(p, &mut r) {
            people_hash = Some(h);
            read_people(p, cx, &mut r, &mut ids, &mut region, &mut attrs);
        }
        r.finish(&mut problems);
    }
    let mut r = Report::new(&edges.shown);
    let edges_hash = checked_hash(edges, &mut r);
    let mut list: Vec<(u32, u32)> = Vec::new();
    let mut weights: Vec<f32> = Vec::new();
    let mut kinds: Vec<String> = Vec::new();
    if edges_hash.is_some() {
        let mut out = EdgesOut {
            list: &mut list,
            lines: None,
            weights: &mut weights,
            kinds: &mut kinds,
        };
        read_edges(edges, people.is_some(), cx, &mut r, &mut ids, &mut out);
    }
    let n = ids.len();
    if people.is_none() && cx.regions.len() != 1 && n > 0 {
        r.push(
            None,
            format!(
                "the scenario has {} regions and no people table says who lives where",
                cx.regions.len()
            ),
            Some("give `network.people`, a table with columns `id` and `region`"),
        );
    }
    let accepted = list.len() as u64;
    let built = if weights.is_empty() {
        Network::from_edges(n, vec![list])
    } else {
        let triples = list
            .into_iter()
            .zip(weights)
            .map(|((a, b), w)| (a, b, w))
            .collect();
        Network::from_weighted_edges(n, vec![triples])
    };
    // Duplicates, which the builder merged: read the file again to name their lines (only
    // then, so that a good file is read once and its lines are never kept).
    if built.ties() < accepted {
        // With a people table, reading only looks ids up; without, it numbers them afresh in
        // the same order. Problems were reported by the first reading.
        let mut fresh = Ids::default();
        let again = if people.is_some() {
            &mut ids
        } else {
            &mut fresh
        };
        let (mut list, mut lines) = (Vec::new(), Vec::new());
        let mut out = EdgesOut {
            list: &mut list,
            lines: Some(&mut lines),
            weights: &mut Vec::new(),
            kinds: &mut Vec::new(),
        };
        let mut quiet = Report::new(&edges.shown);
        read_edges(edges, people.is_some(), cx, &mut quiet, again, &mut out);
        locate_duplicates(edges, &list, &lines, &mut r);
    }
    r.finish(&mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    if people.is_none() {
        region = vec![0; n];
    }
    // Renumber: region by region, breadth first within a region.
    let order = breadth_first(&built, &region, cx.regions.len());
    let network = renumber(built, &order);
    let mut region_counts = vec![0u32; cx.regions.len()];
    for &g in &region {
        region_counts[g as usize] += 1;
    }
    let file_order = order;
    let [age, sex, occupation] =
        attrs.map(|a| a.map(|col| file_order.iter().map(|&p| col[p as usize]).collect()));
    Ok(FileNetwork {
        edges: edges.path.clone(),
        edges_sha256: edges_hash.expect("no problems, so hashed"),
        people: people.map(|p| (p.path.clone(), people_hash.expect("hashed"))),
        network: Arc::new(network),
        ids,
        file_order,
        region_counts,
        attributes: Attributes {
            age,
            sex,
            occupation,
        },
        kinds,
    })
}

fn read_people(
    p: &Input,
    cx: &Context<'_>,
    r: &mut Report,
    ids: &mut Ids,
    region: &mut Vec<u16>,
    attrs: &mut [Option<Vec<u8>>; 3],
) {
    let parquet = p.path.extension().is_some_and(|e| e == "parquet");
    let cols = [
        ("id", true),
        ("region", cx.regions.len() != 1),
        ("age", false),
        ("sex", false),
        ("occupation", false),
    ];
    let codes: [(&str, &[&str]); 3] = [
        ("age", &AGE_BANDS),
        ("sex", &SEXES),
        ("occupation", &OCCUPATIONS),
    ];
    let mut buf = String::new();
    read_table(p, &cols, r, |at, cells, r| {
        let id = match cells[0].id(&mut buf) {
            Ok(id) => id,
            Err(why) => {
                r.push(Some(place(parquet, at, "id")), why, None);
                return true;
            }
        };
        let (_, new) = ids.insert(id);
        if !new {
            r.push(
                Some(place(parquet, at, "id")),
                format!("duplicate id {}", quote(id)),
                Some("each person once"),
            );
            return true;
        }
        let g = match cells[1].text() {
            None if cx.regions.len() == 1 => 0,
            None => {
                r.push(
                    Some(place(parquet, at, "region")),
                    "no region".into(),
                    Some("each person lives in one of the scenario's regions"),
                );
                0
            }
            Some(name) => match cx.regions.iter().position(|g| *g == name) {
                Some(g) => g as u16,
                None => {
                    let names: Vec<&str> = cx.regions.iter().map(String::as_str).collect();
                    let help = crate::scenario::decode::allowed_help(&name, &names);
                    r.push(
                        Some(place(parquet, at, "region")),
                        format!("{} is not a region of the scenario", quote(&name)),
                        Some(&help),
                    );
                    0
                }
            },
        };
        region.push(g);
        for (k, (col, names)) in codes.iter().enumerate() {
            let cell = cells[2 + k];
            let value = cell.text();
            let code = match &value {
                None => None,
                Some(v) => match names.iter().position(|n| n == v) {
                    Some(c) => Some(c as u8),
                    None => {
                        let help = crate::scenario::decode::allowed_help(v, names);
                        r.push(
                            Some(place(parquet, at, col)),
                            format!("{} is not a value of `{col}`", quote(v)),
                            Some(&help),
                        );
                        Some(0)
                    }
                },
            };
            match (code, &mut attrs[k]) {
                (Some(c), Some(v)) => v.push(c),
                (Some(c), slot @ None) => {
                    // The column starts here; earlier rows left it empty.
                    if region.len() > 1 {
                        r.push(
                            Some(place(parquet, at, col)),
                            format!("`{col}` is given here but empty on an earlier row"),
                            Some("give the column for everyone or for no one"),
                        );
                    }
                    *slot = Some(vec![c]);
                }
                (None, Some(_)) => r.push(
                    Some(place(parquet, at, col)),
                    format!("empty `{col}`"),
                    Some("give the column for everyone or for no one"),
                ),
                (None, None) => {}
            }
        }
        true
    });
}

/// What reading an edge list fills: the ties (in the files' numbering), optionally the line
/// of each, their weights (empty when every tie weighs 1) and the kinds seen.
struct EdgesOut<'a> {
    list: &'a mut Vec<(u32, u32)>,
    lines: Option<&'a mut Vec<u32>>,
    weights: &'a mut Vec<f32>,
    kinds: &'a mut Vec<String>,
}

fn read_edges(
    e: &Input,
    fixed_people: bool,
    cx: &Context<'_>,
    r: &mut Report,
    ids: &mut Ids,
    out: &mut EdgesOut<'_>,
) {
    let EdgesOut {
        list,
        lines,
        weights,
        kinds,
    } = out;
    let parquet = e.path.extension().is_some_and(|x| x == "parquet");
    let cols = [
        ("source", true),
        ("target", true),
        ("weight", false),
        ("kind", false),
    ];
    let (mut a_buf, mut b_buf) = (String::new(), String::new());
    // The weight of the kinds seen, by their place in `kinds`.
    let mut kind_weight: Vec<f32> = Vec::new();
    let mut last_kind = String::new();
    let mut last_weight = 1.0f32;
    let mut weighted = false;
    read_table(e, &cols, r, |at, cells, r| {
        if list.len() as u64 >= MAX_TIES {
            r.push(
                Some(format!("{} {at}", if parquet { "row" } else { "line" })),
                format!("more than {MAX_TIES} ties"),
                None,
            );
            return false;
        }
        let mut end = |cell: &Cell<'_>, buf: &mut String, col: &str, r: &mut Report| {
            let id = match cell.id(buf) {
                Ok(id) => id,
                Err(why) => {
                    r.push(Some(place(parquet, at, col)), why, None);
                    return None;
                }
            };
            if fixed_people {
                let k = ids.get(id);
                if k.is_none() {
                    r.push(
                        Some(place(parquet, at, col)),
                        format!("unknown id {}", quote(id)),
                        Some("every id of the edge list must be in the people table"),
                    );
                }
                k
            } else if ids.len() as u64 >= u64::from(u32::MAX - 1) {
                r.push(
                    Some(place(parquet, at, col)),
                    "too many people".into(),
                    None,
                );
                None
            } else {
                Some(ids.insert(id).0)
            }
        };
        let a = end(&cells[0], &mut a_buf, "source", r);
        let b = end(&cells[1], &mut b_buf, "target", r);
        let (Some(a), Some(b)) = (a, b) else {
            return true;
        };
        if a == b {
            r.push(
                Some(place(parquet, at, "target")),
                format!("a tie from {} to itself", quote(&a_buf)),
                Some("leave self-ties out"),
            );
            return true;
        }
        // The kind's weight, remembered for runs of the same kind.
        let kind_w = match cells[3].text() {
            None => 1.0,
            Some(k) if k == last_kind => last_weight,
            Some(k) => {
                let w = match kinds.iter().position(|x| *x == k) {
                    Some(i) => kind_weight[i],
                    None => {
                        let w = cx
                            .weights
                            .iter()
                            .find(|(name, _)| *name == k)
                            .map_or(1.0, |&(_, w)| w as f32);
                        kinds.push(k.clone());
                        kind_weight.push(w);
                        w
                    }
                };
                last_kind = k;
                last_weight = w;
                w
            }
        };
        let w = match cells[2].number() {
            Ok(None) => kind_w,
            Ok(Some(w)) if w.is_finite() && w > 0.0 && w <= f64::from(f32::MAX) => w as f32,
            Ok(Some(w)) => {
                r.push(
                    Some(place(parquet, at, "weight")),
                    format!("weight {w} is not allowed"),
                    Some("allowed: a positive number (leave a tie of weight 0 out)"),
                );
                return true;
            }
            Err(why) => {
                r.push(Some(place(parquet, at, "weight")), why, None);
                return true;
            }
        };
        if w != 1.0 && !weighted {
            // The first tie that weighs other than 1: every earlier one weighed 1.
            weighted = true;
            weights.resize(list.len(), 1.0);
        }
        if weighted {
            weights.push(w);
        }
        list.push((a, b));
        if let Some(lines) = lines.as_mut() {
            lines.push(at as u32);
        }
        true
    });
    if weighted {
        weights.resize(list.len(), 1.0);
    }
}

/// Names the first repeated ties (in either direction) with their rows. Only runs when the
/// builder found some, so its cost does not matter.
fn locate_duplicates(e: &Input, list: &[(u32, u32)], lines: &[u32], r: &mut Report) {
    let parquet = e.path.extension().is_some_and(|x| x == "parquet");
    let unit = if parquet { "row" } else { "line" };
    // Ties in order of their two people, then of their place in the file: a repeat follows
    // its first.
    let key = |k: usize| {
        let (a, b) = list[k];
        (a.min(b), a.max(b))
    };
    let mut order: Vec<usize> = (0..list.len()).collect();
    order.sort_unstable_by_key(|&k| (key(k), k));
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    let mut first = 0;
    for w in 0..order.len() {
        if w > 0 && key(order[w]) == key(order[w - 1]) {
            repeats.push((order[w], order[first]));
        } else {
            first = w;
        }
    }
    repeats.sort_unstable();
    for &(k, first) in repeats.iter().take(MAX_PROBLEMS) {
        r.push(
            Some(format!("{unit} {}", lines[k])),
            format!(
                "duplicate tie: the same two people as {unit} {}",
                lines[first]
            ),
            Some("each tie once, in either direction (give a weight to make a tie count more)"),
        );
    }
    r.more += repeats.len().saturating_sub(MAX_PROBLEMS) as u64;
}

/// The order people get their numbers in: region by region, and within a region breadth
/// first along ties within it, starting from the first person (in file order) not yet
/// numbered. `order[new] = old`.
fn breadth_first(g: &Network, region: &[u16], regions: usize) -> Vec<u32> {
    let n = region.len();
    let mut by_region: Vec<Vec<u32>> = vec![Vec::new(); regions];
    for (i, &r) in region.iter().enumerate() {
        by_region[r as usize].push(i as u32);
    }
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for (r, members) in by_region.iter().enumerate() {
        for &start in members {
            if seen[start as usize] {
                continue;
            }
            seen[start as usize] = true;
            let mut head = order.len();
            order.push(start);
            while head < order.len() {
                let u = order[head];
                head += 1;
                for &v in g.neighbours(u) {
                    if !seen[v as usize] && region[v as usize] as usize == r {
                        seen[v as usize] = true;
                        order.push(v);
                    }
                }
            }
        }
    }
    order
}

/// The network under new numbers (`order[new] = old`), rows sorted. Tie ends are renumbered
/// in place, then rows are copied in their new order: the old and new rows coexist once.
fn renumber(mut g: Network, order: &[u32]) -> Network {
    let n = order.len();
    let mut new_of = vec![0u32; n];
    for (new, &old) in order.iter().enumerate() {
        new_of[old as usize] = new as u32;
    }
    for t in &mut g.targets {
        *t = new_of[*t as usize];
    }
    drop(new_of);
    let mut offsets = Vec::with_capacity(n + 1);
    let mut targets = Vec::with_capacity(g.targets.len());
    let mut weights = g.weights.as_ref().map(|w| Vec::with_capacity(w.len()));
    let mut row: Vec<(u32, f32)> = Vec::new();
    offsets.push(0u64);
    for &old in order {
        let from = targets.len();
        match (g.weights_of(old), weights.as_mut()) {
            (Some(ws), Some(out)) => {
                row.clear();
                row.extend(g.neighbours(old).iter().copied().zip(ws.iter().copied()));
                row.sort_unstable_by_key(|&(t, _)| t);
                targets.extend(row.iter().map(|&(t, _)| t));
                out.extend(row.iter().map(|&(_, w)| w));
            }
            _ => {
                targets.extend_from_slice(g.neighbours(old));
                targets[from..].sort_unstable();
            }
        }
        offsets.push(targets.len() as u64);
    }
    Network {
        offsets,
        targets,
        weights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> Input {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        Input {
            path,
            shown: name.into(),
            sha256: None,
        }
    }

    fn cx<'a>(regions: &'a [String], weights: &'a [(String, f64)]) -> Context<'a> {
        Context { regions, weights }
    }

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("mobilize-file-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn an_edge_list_maps_ids_and_keeps_tied_people_near() {
        let d = dir("near");
        // Two chains interleaved in the file: a0-a1-a2-a3 and b0-b1-b2-b3.
        let e = write(
            &d,
            "e.csv",
            "source,target\na0,a1\nb0,b1\na1,a2\nb1,b2\na2,a3\nb2,b3\n",
        );
        let regions = ["town".to_string()];
        let f = read(&e, None, &cx(&regions, &[])).unwrap();
        assert_eq!(f.persons(), 8);
        assert_eq!(f.network.ties(), 6);
        // Breadth first: each chain gets consecutive numbers.
        let ids: Vec<String> = (0..8).map(|i| f.id(i).into_owned()).collect();
        assert_eq!(ids, ["a0", "a1", "a2", "a3", "b0", "b1", "b2", "b3"]);
        for i in 0..8u32 {
            assert!(f.network.neighbours(i).iter().all(|&j| i.abs_diff(j) == 1));
        }
        assert_eq!(f.file_order, [0, 1, 4, 6, 2, 3, 5, 7]);
        assert!(!f.network.is_weighted());
    }

    #[test]
    fn ids_are_integers_until_one_is_not_and_stay_the_same_ids() {
        let mut ids = Ids::default();
        for k in 0..3000u32 {
            assert_eq!(ids.insert(&(k * 7).to_string()), (k, true));
        }
        assert_eq!(ids.insert("14"), (2, false));
        // Not written the one way: another id.
        assert_eq!(ids.insert("014"), (3000, true));
        assert_eq!(ids.insert("x"), (3001, true));
        assert_eq!(ids.get("21"), Some(3));
        assert_eq!(ids.get("014"), Some(3000));
        assert_eq!(ids.get("22"), None);
        assert_eq!(ids.text(5), "35");
        assert_eq!(ids.len(), 3002);
        assert_eq!(integer("18446744073709551615"), None);
        assert_eq!(integer("0"), Some(0));
    }

    #[test]
    fn weights_come_from_the_column_or_the_kind() {
        let d = dir("weights");
        let e = write(
            &d,
            "e.csv",
            "source,target,weight,kind\n1,2,,friend\n2,3,0.5,friend\n3,4,,stranger\n",
        );
        let regions = ["town".to_string()];
        let weights = [("friend".to_string(), 2.0)];
        let f = read(&e, None, &cx(&regions, &weights)).unwrap();
        let of = f.person_of();
        let w = |a: &str, b: &str| {
            let (a, b) = (of.get(a).unwrap(), of.get(b).unwrap());
            let k = f.network.neighbours(a).binary_search(&b).unwrap();
            f.network.weights_of(a).unwrap()[k]
        };
        assert_eq!(w("1", "2"), 2.0);
        assert_eq!(w("3", "2"), 0.5);
        assert_eq!(w("4", "3"), 1.0);
        assert_eq!(f.kinds, ["friend", "stranger"]);
    }

    #[test]
    fn every_problem_is_located() {
        let d = dir("bad");
        let people = write(
            &d,
            "p.csv",
            "id,region,age\n1,north,adult\n2,south,adult\n2,north,adult\n3,west,adult\n4,north,elder\n",
        );
        let e = write(
            &d,
            "e.csv",
            "source,target,weight\n1,2,1\n1,9,1\n4,4,1\n2,1,2\n1,4,-1\n1,4,abc\n",
        );
        let regions = ["north".to_string(), "south".to_string()];
        let err = read(&e, Some(&people), &cx(&regions, &[])).unwrap_err();
        let text: Vec<String> = err.iter().map(ToString::to_string).collect();
        let want = [
            "p.csv, line 4, column `id`: duplicate id `2`",
            "p.csv, line 5, column `region`: `west` is not a region of the scenario",
            "p.csv, line 6, column `age`: `elder` is not a value of `age`",
            "e.csv, line 3, column `target`: unknown id `9`",
            "e.csv, line 4, column `target`: a tie from `4` to itself",
            "e.csv, line 6, column `weight`: weight -1 is not allowed",
            "e.csv, line 7, column `weight`: `abc` is not a number",
            "e.csv, line 5: duplicate tie: the same two people as line 2",
        ];
        assert_eq!(text, want, "{text:#?}");
        let e = write(&d, "e2.csv", "source,tagret\n1,2\n");
        let err = read(&e, None, &cx(&regions[..1], &[])).unwrap_err();
        assert!(
            err[0].message.contains("unknown column `tagret`"),
            "{err:?}"
        );
        assert!(err[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("did you mean `target`?"));
        assert!(err[1].message.contains("no `target` column"), "{err:?}");
    }

    /// A Parquet edge list as pandas or polars would write one: integer sources, text
    /// targets, an optional weight, snappy-compressed.
    fn write_parquet(path: &Path, rows: &[(i64, &str, Option<f64>)]) {
        use parquet::basic::Compression;
        use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
        use parquet::file::properties::WriterProperties;
        use parquet::file::writer::SerializedFileWriter;
        use parquet::schema::parser::parse_message_type;
        let schema = parse_message_type(
            "message e { required int64 source; required binary target (UTF8); optional double weight; }",
        )
        .unwrap();
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let file = std::fs::File::create(path).unwrap();
        let mut w = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(props)).unwrap();
        let mut g = w.next_row_group().unwrap();
        let mut c = g.next_column().unwrap().unwrap();
        let src: Vec<i64> = rows.iter().map(|r| r.0).collect();
        c.typed::<Int64Type>()
            .write_batch(&src, None, None)
            .unwrap();
        c.close().unwrap();
        let mut c = g.next_column().unwrap().unwrap();
        let tgt: Vec<ByteArray> = rows.iter().map(|r| ByteArray::from(r.1)).collect();
        c.typed::<ByteArrayType>()
            .write_batch(&tgt, None, None)
            .unwrap();
        c.close().unwrap();
        let mut c = g.next_column().unwrap().unwrap();
        let def: Vec<i16> = rows.iter().map(|r| i16::from(r.2.is_some())).collect();
        let vals: Vec<f64> = rows.iter().filter_map(|r| r.2).collect();
        c.typed::<DoubleType>()
            .write_batch(&vals, Some(&def), None)
            .unwrap();
        c.close().unwrap();
        g.close().unwrap();
        w.close().unwrap();
    }

    #[test]
    fn a_parquet_edge_list_reads_like_a_csv_one_and_its_rows_are_named() {
        let d = dir("parquet");
        let path = d.join("e.parquet");
        write_parquet(
            &path,
            &[(1, "2", None), (2, "3", Some(2.5)), (3, "1", None)],
        );
        let input = Input {
            path: path.clone(),
            shown: "e.parquet".into(),
            sha256: None,
        };
        let regions = ["town".to_string()];
        let f = read(&input, None, &cx(&regions, &[])).unwrap();
        let csv = write(&d, "e.csv", "source,target,weight\n1,2,\n2,3,2.5\n3,1,\n");
        let g = read(&csv, None, &cx(&regions, &[])).unwrap();
        assert_eq!(*f.network, *g.network);
        assert_eq!(f.network.strength(f.person_of().get("3").unwrap()), 3.5);
        write_parquet(&path, &[(1, "2", None), (2, "2", Some(-1.0))]);
        let err = read(&input, None, &cx(&regions, &[])).unwrap_err();
        let text: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            ["e.parquet, row 2, column `target`: a tie from `2` to itself"],
            "{text:?}"
        );
    }

    #[test]
    fn a_file_that_is_not_the_one_named_is_never_read() {
        let d = dir("hash");
        let mut e = write(&d, "e.csv", "source,target\n1,2\n");
        let regions = ["town".to_string()];
        let f = read(&e, None, &cx(&regions, &[])).unwrap();
        e.sha256 = Some(f.edges_sha256.clone());
        assert!(read(&e, None, &cx(&regions, &[])).is_ok());
        std::fs::write(&e.path, "source,target\n1,3\n").unwrap();
        let err = read(&e, None, &cx(&regions, &[])).unwrap_err();
        assert!(err[0].message.contains("not the file"), "{err:?}");
        e.path = d.join("gone.csv");
        let gone = read(&e, None, &cx(&regions, &[])).unwrap_err();
        // Missing and changed read the same.
        assert_eq!(gone[0].message.replace("gone.csv", "e.csv"), err[0].message);
    }
}
