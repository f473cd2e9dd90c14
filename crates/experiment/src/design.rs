//! Where design points come from: full-factorial grids given on the command line, and design
//! files written by other tools (SALib, Optuna, R), read as they are.

use std::path::{Path, PathBuf};

use mobilize_core::scenario::Override;

/// A malformed `--grid` argument or design file, located as precisely as possible.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum DesignError {
    /// A `--grid` argument is not `key=v1,v2,...`.
    #[error("--grid {arg}: {reason} (expected path.to.key=v1,v2,..., e.g. resistance.outreach.contacts=2,4,8)")]
    Grid {
        /// The argument as typed.
        arg: String,
        /// What is wrong.
        reason: String,
    },
    /// An experiment too small or too large to run, whatever its grid.
    #[error("{what}: {reason}")]
    Size {
        /// What was asked (`0 replicates`).
        what: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// The design file cannot be read at all.
    #[error("cannot read design file `{path}`: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's or the CSV reader's reason.
        reason: String,
    },
    /// A place in the design file is wrong.
    #[error("{path}:{line}: {field}: {reason}")]
    Cell {
        /// The file.
        path: PathBuf,
        /// Line number, from 1 (the header is line 1).
        line: u64,
        /// The column name, or `header`.
        field: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
}

/// Parameter rows: `keys[i]` takes `rows[r][i]` in point `r`; `lines[r]` is the row's line in
/// its file (for messages), or 0 for grids.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Design {
    /// Parameter paths, as `--set` spells them.
    pub keys: Vec<String>,
    /// One row of value texts per point.
    pub rows: Vec<Vec<String>>,
    /// Line of each row in the design file (0 for grids).
    pub lines: Vec<u64>,
    /// The design file, if the rows came from one.
    pub file: Option<PathBuf>,
}

/// Most design points of one experiment: beyond this, the user meant something else.
pub const MAX_POINTS: usize = 1_000_000;

/// Parses one `--grid key=v1,v2,...`. Commas inside brackets or quotes belong to the value
/// (`regions[0].neighbours=["a","b"]` is one value).
pub fn parse_grid(arg: &str) -> Result<(String, Vec<String>), DesignError> {
    let err = |reason: &str| DesignError::Grid {
        arg: arg.to_string(),
        reason: reason.to_string(),
    };
    let (key, values) = arg.split_once('=').ok_or_else(|| err("no `=`"))?;
    let key = key.trim();
    // The key must be one that `--set` accepts.
    Override::parse(&format!("{key}=0")).map_err(|e| err(&e.reason))?;
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0usize);
    for (i, c) in values.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(values[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(values[start..].trim().to_string());
    if out.iter().any(String::is_empty) {
        return Err(err("an empty value"));
    }
    let mut seen = out.clone();
    seen.sort();
    seen.dedup();
    if seen.len() != out.len() {
        return Err(err("a value given twice"));
    }
    Ok((key.to_string(), out))
}

/// The full factorial of `grids`: every combination, the first grid varying slowest.
pub fn full_factorial(grids: &[(String, Vec<String>)]) -> Result<Design, DesignError> {
    let mut keys: Vec<String> = Vec::new();
    for (k, _) in grids {
        if keys.contains(k) {
            return Err(DesignError::Grid {
                arg: k.clone(),
                reason: "the same key in two --grid arguments".into(),
            });
        }
        keys.push(k.clone());
    }
    let total = grids
        .iter()
        .try_fold(1usize, |n, (_, v)| n.checked_mul(v.len()))
        .filter(|&n| n <= MAX_POINTS)
        .ok_or_else(|| DesignError::Grid {
            arg: keys.join(" × "),
            reason: format!("more than {MAX_POINTS} combinations"),
        })?;
    let mut rows = Vec::with_capacity(total);
    for mut i in 0..total {
        let mut row = vec![String::new(); grids.len()];
        for (g, (_, values)) in grids.iter().enumerate().rev() {
            row[g] = values[i % values.len()].clone();
            i /= values.len();
        }
        rows.push(row);
    }
    let lines = vec![0; rows.len()];
    Ok(Design {
        keys,
        rows,
        lines,
        file: None,
    })
}

/// The design of `--design FILE` if given, else the full factorial of the `--grid KEY=V1,V2`
/// arguments (what `sweep` and `score` take alike).
pub fn from_args(design: Option<&Path>, grids: &[String]) -> Result<Design, DesignError> {
    match design {
        Some(path) => read_design(path),
        None => grids
            .iter()
            .map(|g| parse_grid(g))
            .collect::<Result<Vec<_>, _>>()
            .and_then(|grids| full_factorial(&grids)),
    }
}

/// Largest design file read: a million points of a few parameters fit many times over.
pub const MAX_DESIGN_BYTES: u64 = 256 << 20;

/// Reads a design file: a CSV header of parameter paths, then one row of values per point.
pub fn read_design(path: &Path) -> Result<Design, DesignError> {
    let bytes = mobilize_core::files::read_regular(path, MAX_DESIGN_BYTES).map_err(|e| {
        DesignError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })?;
    parse_design(path, &bytes)
}

/// Parses design-file bytes (see [`read_design`]); `path` names the file in messages.
pub fn parse_design(path: &Path, bytes: &[u8]) -> Result<Design, DesignError> {
    let cell = |line: u64, field: &str, reason: String| DesignError::Cell {
        path: path.to_path_buf(),
        line,
        field: field.to_string(),
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| cell(1, "header", e.to_string()))?
        .clone();
    if header.iter().all(str::is_empty) {
        return Err(cell(1, "header", "no columns: the first line names the parameters, e.g. `resistance.outreach.contacts,seed`".into()));
    }
    let mut keys: Vec<String> = Vec::new();
    for name in header.iter() {
        if name.is_empty() {
            return Err(cell(
                1,
                "header",
                format!("column {} has no name", keys.len() + 1),
            ));
        }
        if keys.iter().any(|k| k == name) {
            return Err(cell(1, name, "named twice".into()));
        }
        if let Err(e) = Override::parse(&format!("{name}=0")) {
            return Err(cell(1, name, format!("not a parameter path: {}", e.reason)));
        }
        keys.push(name.to_string());
    }
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| line_of(bytes, p.byte()));
            cell(line, "row", e.to_string())
        })?;
        // The reader's own line count skips blank lines; count them from the byte offset.
        let line = record.position().map_or(0, |p| line_of(bytes, p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != keys.len() {
            return Err(cell(
                line,
                "row",
                format!("{} values for {} columns", record.len(), keys.len()),
            ));
        }
        for (k, v) in keys.iter().zip(record.iter()) {
            if v.is_empty() {
                return Err(cell(line, k, "empty value (every cell needs one)".into()));
            }
        }
        if rows.len() == MAX_POINTS {
            return Err(cell(line, "row", format!("more than {MAX_POINTS} rows")));
        }
        rows.push(record.iter().map(str::to_string).collect());
        lines.push(line);
    }
    if rows.is_empty() {
        return Err(cell(1, "row", "no rows after the header".into()));
    }
    Ok(Design {
        keys,
        rows,
        lines,
        file: Some(path.to_path_buf()),
    })
}

/// The line (from 1) holding byte `offset`.
fn line_of(bytes: &[u8], offset: u64) -> u64 {
    let mut end = (offset as usize).min(bytes.len());
    // A record's offset may point at the blank lines the reader skipped before it.
    while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
        end += 1;
    }
    1 + bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_split_on_top_level_commas_only() {
        let (k, v) = parse_grid("a.b=1, 2,[3,4],\"x,y\"").unwrap();
        assert_eq!(k, "a.b");
        assert_eq!(v, ["1", "2", "[3,4]", "\"x,y\""]);
        assert!(parse_grid("a.b").is_err());
        assert!(parse_grid("a.b=1,,2").is_err());
        assert!(parse_grid("a.b=1,1").is_err());
        assert!(parse_grid("a b=1").is_err());
    }

    #[test]
    fn full_factorial_varies_the_first_grid_slowest() {
        let d = full_factorial(&[
            ("a".into(), vec!["1".into(), "2".into()]),
            ("b".into(), vec!["x".into(), "y".into(), "z".into()]),
        ])
        .unwrap();
        assert_eq!(d.rows.len(), 6);
        assert_eq!(d.rows[0], ["1", "x"]);
        assert_eq!(d.rows[2], ["1", "z"]);
        assert_eq!(d.rows[3], ["2", "x"]);
        assert!(full_factorial(&[
            ("a".into(), vec!["1".into()]),
            ("a".into(), vec!["2".into()])
        ])
        .is_err());
    }

    #[test]
    fn design_files_are_read_with_located_errors() {
        let p = Path::new("d.csv");
        let d = parse_design(p, b"seed,resistance.outreach.contacts\n1,2.5\n\n2,3\n").unwrap();
        assert_eq!(d.keys, ["seed", "resistance.outreach.contacts"]);
        assert_eq!(d.rows, [["1", "2.5"], ["2", "3"]]);
        assert_eq!(d.lines, [2, 4]);
        let e = parse_design(p, b"a,b\n1,2\n3\n").unwrap_err();
        assert_eq!(e.to_string(), "d.csv:3: row: 1 values for 2 columns");
        let e = parse_design(p, b"a,b\n1,\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.csv:2: b: empty value (every cell needs one)"
        );
        let e = parse_design(p, b"a,a\n1,2\n").unwrap_err();
        assert_eq!(e.to_string(), "d.csv:1: a: named twice");
        let e = parse_design(p, b"a,b c\n1,2\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("d.csv:1: b c: not a parameter path"),
            "{e}"
        );
        assert!(parse_design(p, b"a\n").is_err());
        assert!(parse_design(p, b"").is_err());
        assert!(parse_design(p, &[0xff, 0xfe, b'\n', 1]).is_err());
    }
}
