//! Observers that stream a run's series and event log to CSV and Parquet.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use mobilize_core::observe::{Flow, LogEntry, Observer, ObserverError, RunInfo, StepRecord, GO_ON};

use crate::table::{number, Column, ParquetTable};
use crate::OutputError;

/// Rows per Parquet row group: large enough for fast scans, small enough to bound memory.
const ROW_GROUP: usize = 65_536;

/// Streams rows to a CSV file and a Parquet file side by side. The files are created when the
/// run starts; the first error is returned to the engine, which stops the run.
struct TwinTable {
    csv_path: PathBuf,
    csv: Option<csv::Writer<BufWriter<File>>>,
    parquet: Option<ParquetTable>,
    buffer: Vec<Column>,
}

impl TwinTable {
    fn new(folder: &Path, stem: &str) -> TwinTable {
        TwinTable {
            csv_path: folder.join(crate::layout::table(stem, "csv")),
            csv: None,
            parquet: None,
            buffer: Vec::new(),
        }
    }

    fn csv_error(&self, e: csv::Error) -> OutputError {
        let io = std::io::Error::other(e.to_string());
        OutputError::io("cannot write", &self.csv_path, io)
    }

    fn start(
        &mut self,
        folder: &Path,
        stem: &str,
        schema: Vec<(String, Column)>,
    ) -> Result<(), OutputError> {
        let file = File::create(&self.csv_path)
            .map_err(|e| OutputError::io("cannot create", &self.csv_path, e))?;
        let mut csv = csv::Writer::from_writer(BufWriter::new(file));
        csv.write_record(schema.iter().map(|(n, _)| n.as_str()))
            .map_err(|e| self.csv_error(e))?;
        self.csv = Some(csv);
        self.buffer = schema.iter().map(|(_, c)| c.empty_like()).collect();
        let path = folder.join(crate::layout::table(stem, "parquet"));
        self.parquet = Some(ParquetTable::create(&path, &schema)?);
        Ok(())
    }

    /// Writes one CSV row (the Parquet row is already in `buffer`).
    fn row(&mut self, csv_fields: &[String]) -> Result<(), OutputError> {
        if let Some(csv) = &mut self.csv {
            if let Err(e) = csv.write_record(csv_fields) {
                return Err(self.csv_error(e));
            }
        }
        if self.buffer.first().is_some_and(|c| c.len() >= ROW_GROUP) {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), OutputError> {
        if self.buffer.first().is_none_or(|c| c.is_empty()) {
            return Ok(());
        }
        let group: Vec<Column> = self.buffer.iter().map(Column::empty_like).collect();
        let full = std::mem::replace(&mut self.buffer, group);
        match &mut self.parquet {
            Some(p) => p.write(&full),
            None => Ok(()),
        }
    }

    fn close(mut self) -> Result<(), OutputError> {
        self.flush()?;
        if let Some(csv) = self.csv {
            let path = self.csv_path.clone();
            csv.into_inner()
                .map_err(|e| OutputError::io("cannot write", &path, e.into_error()))?
                .into_inner()
                .map_err(|e| OutputError::io("cannot write", &path, e.into_error()))?
                .sync_all()
                .map_err(|e| OutputError::io("cannot write", &path, e))?;
        }
        match self.parquet {
            Some(p) => p.close(),
            None => Ok(()),
        }
    }
}

/// Writes `series.csv` and `series.parquet`: one row per step, with `step`, `date` (dated
/// scenarios) and the model's columns.
pub struct SeriesWriter {
    folder: PathBuf,
    table: TwinTable,
    dated: bool,
}

impl SeriesWriter {
    /// Prepares the writer in `folder`; files are created when the run starts.
    pub fn new(folder: &Path) -> SeriesWriter {
        SeriesWriter {
            folder: folder.to_path_buf(),
            table: TwinTable::new(folder, crate::layout::SERIES),
            dated: false,
        }
    }

    /// Finishes both files.
    pub fn close(self) -> Result<(), OutputError> {
        self.table.close()
    }
}

impl Observer for SeriesWriter {
    fn start(&mut self, info: &RunInfo<'_>) -> Result<(), ObserverError> {
        self.dated = info.scenario.time.start.is_some();
        let mut schema = vec![("step".to_string(), Column::Int32(vec![]))];
        if self.dated {
            schema.push(("date".to_string(), Column::Text(vec![])));
        }
        schema.extend(
            info.columns
                .iter()
                .map(|c| (c.clone(), Column::Double(vec![]))),
        );
        self.table
            .start(&self.folder, "series", schema)
            .map_err(ObserverError::new)
    }

    fn step(&mut self, record: &StepRecord<'_>) -> Flow {
        let mut fields = Vec::with_capacity(record.values.len() + 2);
        fields.push(record.step.to_string());
        let mut cols = self.table.buffer.iter_mut();
        if let Some(Column::Int32(v)) = cols.next() {
            v.push(record.step as i32);
        }
        if self.dated {
            let d = record.date.map(|d| d.to_string());
            fields.push(d.clone().unwrap_or_default());
            if let Some(Column::Text(v)) = cols.next() {
                v.push(d);
            }
        }
        for (&x, col) in record.values.iter().zip(cols) {
            fields.push(number(x));
            if let Column::Double(v) = col {
                v.push(x);
            }
        }
        self.table.row(&fields).map_err(ObserverError::new)?;
        GO_ON
    }
}

/// Writes `events.csv` and `events.parquet`: the event log, one row per entry.
pub struct LogWriter {
    folder: PathBuf,
    table: TwinTable,
    regions: Vec<String>,
    start: Option<mobilize_core::calendar::Date>,
    step_days: f64,
}

impl LogWriter {
    /// Prepares the writer in `folder`.
    pub fn new(folder: &Path) -> LogWriter {
        LogWriter {
            folder: folder.to_path_buf(),
            table: TwinTable::new(folder, crate::layout::EVENTS),
            regions: Vec::new(),
            start: None,
            step_days: 1.0,
        }
    }

    /// Finishes both files.
    pub fn close(self) -> Result<(), OutputError> {
        self.table.close()
    }
}

impl Observer for LogWriter {
    fn start(&mut self, info: &RunInfo<'_>) -> Result<(), ObserverError> {
        self.regions = info
            .scenario
            .regions
            .iter()
            .map(|r| r.name.clone())
            .collect();
        self.start = info.scenario.time.start;
        self.step_days = info.scenario.time.step_days;
        let schema = vec![
            ("step".to_string(), Column::Int32(vec![])),
            ("date".to_string(), Column::Text(vec![])),
            ("kind".to_string(), Column::Text(vec![])),
            ("region".to_string(), Column::Text(vec![])),
            ("count".to_string(), Column::Int64(vec![])),
            ("detail".to_string(), Column::Text(vec![])),
        ];
        self.table
            .start(&self.folder, "events", schema)
            .map_err(ObserverError::new)
    }

    fn log(&mut self, e: &LogEntry) -> Result<(), ObserverError> {
        let date = self.start.map(|d| {
            d.plus_days((f64::from(e.step) * self.step_days).floor() as i64)
                .to_string()
        });
        let region = e.region.map(|r| self.regions[r as usize].clone());
        let fields = [
            e.step.to_string(),
            date.clone().unwrap_or_default(),
            e.kind.clone(),
            region.clone().unwrap_or_default(),
            e.count.to_string(),
            e.detail.clone(),
        ];
        if let [Column::Int32(s), Column::Text(d), Column::Text(k), Column::Text(r), Column::Int64(c), Column::Text(t)] =
            &mut self.table.buffer[..]
        {
            s.push(e.step as i32);
            d.push(date);
            k.push(Some(e.kind.clone()));
            r.push(region);
            c.push(e.count as i64);
            t.push(Some(e.detail.clone()));
        }
        self.table.row(&fields).map_err(ObserverError::new)
    }
}
