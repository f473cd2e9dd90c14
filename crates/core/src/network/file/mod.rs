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

use crate::network::Network;
use crate::scenario::{AGE_BANDS, OCCUPATIONS, SEXES};

mod ids;
mod order;
mod table;
#[cfg(test)]
mod tests;

pub use ids::{IdIndex, Ids};
use order::{breadth_first, renumber};
use table::{place, read_table, Cell};

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

/// Hashes a file, refusing anything but a regular file of at most [`MAX_FILE_BYTES`].
fn hash(path: &Path) -> Result<String, String> {
    let file = crate::files::open_regular(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
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
    // Weighted thresholds sum a person's tie weights exactly; say so where they cannot be.
    if let Some((i, w)) = built.heaviest_above(Network::MAX_STRENGTH) {
        r.push(
            None,
            format!(
                "the ties of `{}` weigh {w:e} in all, more than the {:e} a person's ties may weigh",
                ids.text(i),
                Network::MAX_STRENGTH
            ),
            Some("rescale the weights: they are summed exactly as whole millionths"),
        );
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
        // A CSV file's rows are known only as they come: every million, the memory they will
        // take is checked against what is available (a Parquet file's, before any is read).
        if list.len() % (1 << 20) == (1 << 20) - 1 {
            if let Some(why) = table::too_big(list.len() as u64 + 1, 0) {
                r.push(
                    Some(format!("{} {at}", if parquet { "row" } else { "line" })),
                    why,
                    Some("split the edge list, or use a machine with more memory"),
                );
                return false;
            }
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
            Ok(Some(w)) if Network::TIE_WEIGHT.contains(&w) => w as f32,
            Ok(Some(w)) => {
                r.push(
                    Some(place(parquet, at, "weight")),
                    format!("weight {w} is not allowed"),
                    Some(if w == 0.0 {
                        "leave a tie of weight 0 out"
                    } else {
                        Network::WEIGHT_HELP
                    }),
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
    // Ties are fewer than 2^31 (`MAX_TIES`), so their places fit in 32 bits; of the repeats
    // only the first `MAX_PROBLEMS` in file order are kept (a file of 10^8 copies of one tie
    // once took every repeat into memory, and the process was aborted).
    let mut order: Vec<u32> = (0..list.len() as u32).collect();
    order.sort_unstable_by_key(|&k| (key(k as usize), k));
    let mut kept: std::collections::BinaryHeap<(u32, u32)> = std::collections::BinaryHeap::new();
    let mut count = 0usize;
    let mut first = 0;
    for w in 0..order.len() {
        if w > 0 && key(order[w] as usize) == key(order[w - 1] as usize) {
            count += 1;
            kept.push((order[w], order[first]));
            if kept.len() > MAX_PROBLEMS {
                kept.pop();
            }
        } else {
            first = w;
        }
    }
    let repeats = kept.into_sorted_vec();
    for &(k, first) in &repeats {
        let (k, first) = (k as usize, first as usize);
        r.push(
            Some(format!("{unit} {}", lines[k])),
            format!(
                "duplicate tie: the same two people as {unit} {}",
                lines[first]
            ),
            Some("each tie once, in either direction (give a weight to make a tie count more)"),
        );
    }
    r.more += count.saturating_sub(repeats.len()) as u64;
}
