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
