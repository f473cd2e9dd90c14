//! `mobilize.Table`: a run's series or event log as Arrow columns, handed to Python through
//! the Arrow PyCapsule interface (`__arrow_c_stream__`), so `polars.DataFrame(t)`,
//! `pyarrow.table(t)` and pandas (via either) take the columns without a copy; mobilize
//! itself depends on none of them.

use std::ffi::CString;
use std::sync::Arc;

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{
    Array, ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, RecordBatchIterator,
    StringArray,
};
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::{DataType, Field, Schema};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// A column as collected in Rust, before it becomes Arrow (moved, not copied).
pub enum Col {
    /// 32-bit integers (steps).
    Int32(Vec<i32>),
    /// 64-bit integers (counts).
    Int64(Vec<i64>),
    /// Numbers.
    Float64(Vec<f64>),
    /// Numbers, some missing (a figure a run did not produce).
    OptFloat64(Vec<Option<f64>>),
    /// Texts, some missing (dates of an undated scenario, an event without a region).
    Text(Vec<Option<String>>),
}

/// Columns with names, as one Arrow record batch.
#[pyclass(frozen, module = "mobilize")]
pub struct Table {
    batch: RecordBatch,
}

impl Table {
    /// The table of `columns` (each moved into Arrow without a copy).
    pub fn new(columns: Vec<(String, Col)>) -> Table {
        let mut fields = Vec::with_capacity(columns.len());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
        for (name, col) in columns {
            let (dt, nullable, array): (DataType, bool, ArrayRef) = match col {
                Col::Int32(v) => (DataType::Int32, false, Arc::new(Int32Array::from(v))),
                Col::Int64(v) => (DataType::Int64, false, Arc::new(Int64Array::from(v))),
                Col::Float64(v) => (DataType::Float64, false, Arc::new(Float64Array::from(v))),
                Col::OptFloat64(v) => (DataType::Float64, true, Arc::new(Float64Array::from(v))),
                Col::Text(v) => (DataType::Utf8, true, Arc::new(StringArray::from(v))),
            };
            fields.push(Field::new(name, dt, nullable));
            arrays.push(array);
        }
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema, arrays).expect("columns of one length");
        Table { batch }
    }
}

#[pymethods]
impl Table {
    /// The Arrow PyCapsule stream: the table's columns, shared with the consumer.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        // The columns are offered as they are; a consumer that asked for another schema
        // casts them itself (the protocol allows ignoring the request).
        let _ = requested_schema;
        let batch = self.batch.clone();
        let reader = RecordBatchIterator::new([Ok(batch)], self.batch.schema());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        let name = CString::new("arrow_array_stream").expect("no NUL");
        PyCapsule::new(py, stream, Some(name))
    }

    /// The Arrow PyCapsule schema.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let schema = FFI_ArrowSchema::try_from(self.batch.schema().as_ref())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let name = CString::new("arrow_schema").expect("no NUL");
        PyCapsule::new(py, schema, Some(name))
    }

    /// The columns' names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// Rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    /// One column as a Python list (for use without an Arrow library; copies).
    fn column<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let Some(array) = self.batch.column_by_name(name) else {
            return Err(PyKeyError::new_err(format!(
                "no column `{name}` (columns: {})",
                self.column_names().join(", ")
            )));
        };
        let any = array.as_any();
        if let Some(a) = any.downcast_ref::<Float64Array>() {
            if a.null_count() > 0 {
                let v: Vec<Option<f64>> = a.iter().collect();
                return v.into_pyobject(py).map(|l| l.into_any());
            }
            return a.values().to_vec().into_pyobject(py).map(|l| l.into_any());
        }
        if let Some(a) = any.downcast_ref::<Int32Array>() {
            return a.values().to_vec().into_pyobject(py).map(|l| l.into_any());
        }
        if let Some(a) = any.downcast_ref::<Int64Array>() {
            return a.values().to_vec().into_pyobject(py).map(|l| l.into_any());
        }
        let a = any
            .downcast_ref::<StringArray>()
            .expect("the four kinds of column");
        let v: Vec<Option<&str>> = (0..a.len())
            .map(|i| a.is_valid(i).then(|| a.value(i)))
            .collect();
        v.into_pyobject(py).map(|l| l.into_any())
    }

    fn __repr__(&self) -> String {
        format!(
            "Table({} rows: {})",
            self.batch.num_rows(),
            self.column_names().join(", ")
        )
    }
}

/// Reads a table mobilize wrote as CSV (an experiment's `summary.csv`, `design.csv`, …):
/// a column of whole numbers becomes integers, of numbers (some empty) floats, else text.
#[pyfunction]
pub fn read_table(path: std::path::PathBuf) -> PyResult<Table> {
    let file = mobilize_core::files::open_regular(&path)
        .map_err(|e| PyValueError::new_err(format!("cannot read `{}`: {e}", path.display())))?;
    let mut reader = csv::Reader::from_reader(file);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| PyValueError::new_err(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for record in reader.records() {
        let record = record.map_err(|e| PyValueError::new_err(e.to_string()))?;
        for (col, v) in cells.iter_mut().zip(record.iter()) {
            col.push(v.to_string());
        }
    }
    let columns = header
        .into_iter()
        .zip(cells)
        .map(|(name, v)| {
            let col = if !v.is_empty() && v.iter().all(|x| x.parse::<i64>().is_ok()) {
                Col::Int64(v.iter().map(|x| x.parse().expect("checked")).collect())
            } else if v.iter().all(|x| x.is_empty() || x.parse::<f64>().is_ok())
                && v.iter().any(|x| !x.is_empty())
            {
                Col::OptFloat64(v.iter().map(|x| x.parse().ok()).collect())
            } else {
                Col::Text(
                    v.into_iter()
                        .map(|x| (!x.is_empty()).then_some(x))
                        .collect(),
                )
            };
            (name, col)
        })
        .collect();
    Ok(Table::new(columns))
}
