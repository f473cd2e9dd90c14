//! A small columnar table written to Parquet, row group by row group.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::OutputError;

/// One column of a row group.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// 32-bit integers.
    Int32(Vec<i32>),
    /// 64-bit integers.
    Int64(Vec<i64>),
    /// 64-bit floats.
    Double(Vec<f64>),
    /// Text, possibly missing.
    Text(Vec<Option<String>>),
    /// 64-bit floats, possibly missing (a figure a run did not reach, e.g. no collapse).
    OptDouble(Vec<Option<f64>>),
}

impl Column {
    fn physical(&self) -> (Physical, Option<LogicalType>, Repetition) {
        match self {
            Column::Int32(_) => (Physical::INT32, None, Repetition::REQUIRED),
            Column::Int64(_) => (Physical::INT64, None, Repetition::REQUIRED),
            Column::Double(_) => (Physical::DOUBLE, None, Repetition::REQUIRED),
            Column::Text(_) => (
                Physical::BYTE_ARRAY,
                Some(LogicalType::String),
                Repetition::OPTIONAL,
            ),
            Column::OptDouble(_) => (Physical::DOUBLE, None, Repetition::OPTIONAL),
        }
    }

    /// An empty column of the same type.
    pub fn empty_like(&self) -> Column {
        match self {
            Column::Int32(_) => Column::Int32(Vec::new()),
            Column::Int64(_) => Column::Int64(Vec::new()),
            Column::Double(_) => Column::Double(Vec::new()),
            Column::Text(_) => Column::Text(Vec::new()),
            Column::OptDouble(_) => Column::OptDouble(Vec::new()),
        }
    }

    /// Rows held.
    pub fn len(&self) -> usize {
        match self {
            Column::Int32(v) => v.len(),
            Column::Int64(v) => v.len(),
            Column::Double(v) => v.len(),
            Column::Text(v) => v.len(),
            Column::OptDouble(v) => v.len(),
        }
    }

    /// Whether it holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A Parquet file being written; the schema is fixed by the first row group's columns.
pub struct ParquetTable {
    path: PathBuf,
    writer: SerializedFileWriter<BufWriter<File>>,
}

impl ParquetTable {
    /// Creates `path` with one column per `(name, example)`: the example fixes the type.
    pub fn create(path: &Path, schema: &[(String, Column)]) -> Result<ParquetTable, OutputError> {
        let pq = |source| OutputError::Parquet {
            path: path.to_path_buf(),
            source,
        };
        let mut fields = Vec::with_capacity(schema.len());
        for (name, example) in schema {
            let (physical, logical, repetition) = example.physical();
            let t = Type::primitive_type_builder(name, physical)
                .with_repetition(repetition)
                .with_logical_type(logical)
                .build()
                .map_err(pq)?;
            fields.push(Arc::new(t));
        }
        let root = Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .map_err(pq)?;
        let file = File::create(path).map_err(|e| OutputError::io("cannot create", path, e))?;
        let props = WriterProperties::builder()
            .set_created_by(format!("mobilize {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer =
            SerializedFileWriter::new(BufWriter::new(file), Arc::new(root), Arc::new(props))
                .map_err(pq)?;
        Ok(ParquetTable {
            path: path.to_path_buf(),
            writer,
        })
    }

    /// Appends one row group (all columns the same length, in schema order).
    pub fn write(&mut self, columns: &[Column]) -> Result<(), OutputError> {
        let path = self.path.clone();
        let pq = |source| OutputError::Parquet {
            path: path.clone(),
            source,
        };
        let mut group = self.writer.next_row_group().map_err(pq)?;
        let mut i = 0;
        while let Some(mut col) = group.next_column().map_err(pq)? {
            match &columns[i] {
                Column::Int32(v) => col.typed::<Int32Type>().write_batch(v, None, None),
                Column::Int64(v) => col.typed::<Int64Type>().write_batch(v, None, None),
                Column::Double(v) => col.typed::<DoubleType>().write_batch(v, None, None),
                Column::Text(v) => {
                    let def: Vec<i16> = v.iter().map(|s| i16::from(s.is_some())).collect();
                    let vals: Vec<ByteArray> = v
                        .iter()
                        .flatten()
                        .map(|s| ByteArray::from(s.as_str()))
                        .collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&vals, Some(&def), None)
                }
                Column::OptDouble(v) => {
                    let def: Vec<i16> = v.iter().map(|x| i16::from(x.is_some())).collect();
                    let vals: Vec<f64> = v.iter().flatten().copied().collect();
                    col.typed::<DoubleType>()
                        .write_batch(&vals, Some(&def), None)
                }
            }
            .map_err(pq)?;
            col.close().map_err(pq)?;
            i += 1;
        }
        group.close().map_err(pq)?;
        Ok(())
    }

    /// Writes the footer and flushes.
    pub fn close(self) -> Result<(), OutputError> {
        let path = self.path;
        let inner = self
            .writer
            .into_inner()
            .map_err(|source| OutputError::Parquet {
                path: path.clone(),
                source,
            })?;
        inner
            .into_inner()
            .map_err(|e| OutputError::io("cannot write", &path, e.into_error()))?
            .sync_all()
            .map_err(|e| OutputError::io("cannot write", &path, e))
    }
}

/// Reads the named `DOUBLE` columns of a Parquet file written by [`ParquetTable`], whole.
///
/// Only the named columns are decoded (Parquet is columnar), so reading a few series of many
/// runs costs what those series weigh, not the whole files. A name the file lacks is an error.
pub fn read_double_columns(path: &Path, names: &[&str]) -> Result<Vec<Vec<f64>>, OutputError> {
    use parquet::column::reader::ColumnReader;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    let pq = |source| OutputError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let file = mobilize_core::files::open_regular(path)
        .map_err(|e| OutputError::io("cannot read", path, e))?;
    let reader = SerializedFileReader::new(file).map_err(pq)?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let mut index = Vec::with_capacity(names.len());
    for name in names {
        let i = (0..schema.num_columns())
            .find(|&i| schema.column(i).name() == *name)
            .ok_or_else(|| {
                OutputError::io(
                    "cannot read",
                    path,
                    std::io::Error::other(format!("no column `{name}`")),
                )
            })?;
        index.push(i);
    }
    let rows = reader.metadata().file_metadata().num_rows().max(0) as usize;
    let mut out: Vec<Vec<f64>> = names.iter().map(|_| Vec::with_capacity(rows)).collect();
    for g in 0..reader.num_row_groups() {
        let group = reader.get_row_group(g).map_err(pq)?;
        let n = group.metadata().num_rows().max(0) as usize;
        for (&c, values) in index.iter().zip(out.iter_mut()) {
            let ColumnReader::DoubleColumnReader(mut col) =
                group.get_column_reader(c).map_err(pq)?
            else {
                return Err(OutputError::io(
                    "cannot read",
                    path,
                    std::io::Error::other(format!(
                        "column `{}` is not numeric",
                        schema.column(c).name()
                    )),
                ));
            };
            let start = values.len();
            while values.len() - start < n {
                let before = values.len();
                col.read_records(n - (values.len() - start), None, None, values)
                    .map_err(pq)?;
                if values.len() == before {
                    break;
                }
            }
        }
    }
    Ok(out)
}

/// Writes a whole small table as `folder/stem.csv` and `folder/stem.parquet`, each through a
/// temporary file and a rename, so a reader (or a resumed experiment) never sees half a table.
pub fn write_tables(
    folder: &Path,
    stem: &str,
    names: &[String],
    columns: Vec<Column>,
) -> Result<(), OutputError> {
    let rows = columns.first().map_or(0, Column::len);
    debug_assert!(columns.iter().all(|c| c.len() == rows));
    let csv_path = folder.join(format!("{stem}.csv"));
    let mut csv = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| OutputError::io("cannot write", &csv_path, std::io::Error::other(e));
    csv.write_record(names).map_err(io)?;
    let mut record = Vec::with_capacity(names.len());
    for r in 0..rows {
        record.clear();
        for c in &columns {
            record.push(match c {
                Column::Int32(v) => v[r].to_string(),
                Column::Int64(v) => v[r].to_string(),
                Column::Double(v) if v[r].is_nan() => String::new(),
                Column::Double(v) => number(v[r]),
                Column::Text(v) => v[r].clone().unwrap_or_default(),
                Column::OptDouble(v) => v[r].map(number).unwrap_or_default(),
            });
        }
        csv.write_record(&record).map_err(io)?;
    }
    let bytes = csv
        .into_inner()
        .map_err(|e| OutputError::io("cannot write", &csv_path, e.into_error()))?;
    crate::run_folder::write_atomic(&csv_path, &bytes)?;

    let path = folder.join(format!("{stem}.parquet"));
    let tmp = folder.join(format!(".{stem}.parquet.tmp"));
    let schema: Vec<(String, Column)> = names
        .iter()
        .cloned()
        .zip(columns.iter().map(Column::empty_like))
        .collect();
    let mut table = ParquetTable::create(&tmp, &schema)?;
    if rows > 0 {
        table.write(&columns)?;
    }
    table.close()?;
    std::fs::rename(&tmp, &path).map_err(|e| OutputError::io("cannot rename to", &path, e))
}

/// Formats a number for CSV: integers without a decimal point, others in shortest round-trip
/// form, so that the text reads back to the same bits.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
