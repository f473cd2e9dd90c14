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
        }
    }

    /// An empty column of the same type.
    pub fn empty_like(&self) -> Column {
        match self {
            Column::Int32(_) => Column::Int32(Vec::new()),
            Column::Int64(_) => Column::Int64(Vec::new()),
            Column::Double(_) => Column::Double(Vec::new()),
            Column::Text(_) => Column::Text(Vec::new()),
        }
    }

    /// Rows held.
    pub fn len(&self) -> usize {
        match self {
            Column::Int32(v) => v.len(),
            Column::Int64(v) => v.len(),
            Column::Double(v) => v.len(),
            Column::Text(v) => v.len(),
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
