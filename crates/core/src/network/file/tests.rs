use super::ids::integer;
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

/// Weights the exact sums cannot hold are refused with the real limits (issue: weights summed
/// as millionths wrapped, `1,2,5e12` + `1,3,5e12` + `1,4,1` made "4 of 4 acting" instead of
/// 1; two ties of weight 10⁻⁷ counted as nothing).
#[test]
fn weights_the_exact_sums_cannot_hold_are_refused_with_the_limits() {
    let d = dir("weight-limits");
    let regions = ["town".to_string()];
    let e = write(
        &d,
        "big.csv",
        "source,target,weight\n1,2,5e12\n1,3,5e12\n1,4,1\n5,6,1e-7\n5,7,1e-7\n8,9,1e6\n8,10,1e-6\n",
    );
    let err = read(&e, None, &cx(&regions, &[])).unwrap_err();
    let text: Vec<String> = err.iter().map(ToString::to_string).collect();
    let lines: Vec<&str> = text
        .iter()
        .map(|t| t.split(": weight").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "big.csv, line 2, column `weight`",
            "big.csv, line 3, column `weight`",
            "big.csv, line 5, column `weight`",
            "big.csv, line 6, column `weight`"
        ],
        "{text:#?}"
    );
    assert!(
        err.iter().all(|p| p
            .help
            .as_deref()
            .is_some_and(|h| h.contains("0.000001 to 1000000"))),
        "{err:?}"
    );
    // The bounds themselves are allowed.
    let ok = write(&d, "ok.csv", "source,target,weight\n8,9,1e6\n8,10,1e-6\n");
    assert!(read(&ok, None, &cx(&regions, &[])).is_ok());
    // A person whose ties weigh more in all than a sum can hold is named.
    let f = read(&ok, None, &cx(&regions, &[])).unwrap();
    let (who, w) = f.network.heaviest_above(1e5).unwrap();
    assert_eq!(Some(who), f.person_of().get("8"));
    assert!((w - 1_000_000.000001).abs() < 1e-3, "{w}");
    assert_eq!(
        f.network
            .heaviest_above(crate::network::Network::MAX_STRENGTH),
        None
    );
}

/// Sizes are bounded by what is decoded, not by bytes on disk (a 1 GB header line aborted the
/// reader; a small Parquet file of 10^8 rows of one tie aborted it in the search for
/// duplicates): a line is at most a mebibyte; a table's rows and decompressed bytes are checked
/// against the rows allowed and the memory available before a row is read; of many duplicate
/// ties the first twenty are named and the rest counted, in bounded memory.
#[test]
fn sizes_are_bounded_by_what_is_decoded() {
    let d = dir("decoded-sizes");
    let regions = ["town".to_string()];
    let long = format!(
        "source,target,{}\n1,2,3\n",
        "w".repeat(super::table::MAX_LINE + 10)
    );
    let e = write(&d, "long.csv", &long);
    let err = read(&e, None, &cx(&regions, &[])).unwrap_err();
    assert!(err[0].message.contains("a line longer than"), "{err:?}");
    assert!(err[0].message.len() < 200, "the line is not echoed");
    assert!(super::table::too_big(3 << 31, 0)
        .unwrap()
        .contains("more than the 2147483648"));
    assert!(super::table::too_big(1 << 30, 1 << 50)
        .unwrap()
        .contains("need about"));
    assert_eq!(super::table::too_big(10, 1000), None);
    // Many repeats of one tie: twenty named, the rest counted.
    let mut text = String::from("source,target\n");
    for _ in 0..100_000 {
        text.push_str("1,2\n");
    }
    let e = write(&d, "dups.csv", &text);
    let err = read(&e, None, &cx(&regions, &[])).unwrap_err();
    assert_eq!(err.len(), 21, "twenty, and a count of the rest");
    assert_eq!(
        err[0].to_string(),
        "dups.csv, line 3: duplicate tie: the same two people as line 2"
    );
    assert_eq!(err[20].message, "and 99979 more problems");
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
    // A real Parquet file with a damaged footer is said to be damaged, not to be no Parquet
    // file; a CSV file named `.parquet` is said to be none.
    write_parquet(&path, &[(1, "2", None), (2, "3", Some(2.5))]);
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    for b in &mut bytes[n - 40..n - 8] {
        *b = 0xff;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = read(&input, None, &cx(&regions, &[])).unwrap_err();
    assert!(
        err[0].message.starts_with("a damaged Parquet file"),
        "{err:?}"
    );
    std::fs::write(&path, "source,target\n1,2\n").unwrap();
    let err = read(&input, None, &cx(&regions, &[])).unwrap_err();
    assert!(err[0].message.starts_with("not a Parquet file"), "{err:?}");
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
