//! `lattice-NNNNNN.png`: pictures of a lattice model at the steps its scenario names, one pixel
//! block per site, in the legend's colours (`lattice-legend.txt` names them).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use mobilize_core::observe::{Flow, LatticeImage, Observer, ObserverError, StepRecord, GO_ON};

use crate::OutputError;

/// Writes each lattice picture the engine passes as a PNG file.
pub struct LatticeWriter {
    folder: PathBuf,
    written: Vec<String>,
    /// Steps whose pictures are files (the scenario's `snapshots`).
    snapshots: Vec<u32>,
}

impl LatticeWriter {
    /// A writer into `folder`.
    pub fn new(folder: &Path) -> LatticeWriter {
        LatticeWriter {
            folder: folder.to_path_buf(),
            written: Vec::new(),
            snapshots: Vec::new(),
        }
    }

    /// The file names written so far.
    pub fn files(&self) -> &[String] {
        &self.written
    }

    /// The file names written (errors were returned to the engine as they happened).
    pub fn into_files(self) -> Vec<String> {
        self.written
    }

    fn write(&mut self, step: u32, image: &LatticeImage) -> Result<(), OutputError> {
        // Small lattices are scaled up so that a 40 × 40 world is a readable picture.
        let scale = (800 / image.width.max(image.height).max(1)).clamp(1, 16);
        let (w, h) = (image.width * scale, image.height * scale);
        let mut colours = [[255u8; 3]; 256];
        for &(code, _, rgb) in image.legend {
            colours[code as usize] = rgb;
        }
        let mut pixels = Vec::with_capacity(w as usize * h as usize * 3);
        for y in 0..h {
            let row = (y / scale) as usize * image.width as usize;
            for x in 0..w {
                let code = image.cells[row + (x / scale) as usize];
                pixels.extend_from_slice(&colours[code as usize]);
            }
        }
        let name = crate::layout::lattice_picture(step);
        let path = self.folder.join(&name);
        let io = |source| OutputError::Io {
            action: "cannot write",
            path: path.clone(),
            source,
        };
        let file = File::create(&path).map_err(io)?;
        let mut encoder = png::Encoder::new(BufWriter::new(file), w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let png_err = |e: png::EncodingError| io(std::io::Error::other(e.to_string()));
        let mut writer = encoder.write_header().map_err(png_err)?;
        writer.write_image_data(&pixels).map_err(png_err)?;
        writer.finish().map_err(png_err)?;
        if self.written.is_empty() {
            let legend: String = image
                .legend
                .iter()
                .map(|(_, name, [r, g, b])| format!("#{r:02x}{g:02x}{b:02x} {name}\n"))
                .collect();
            let lp = self.folder.join(crate::layout::LATTICE_LEGEND);
            std::fs::write(&lp, legend).map_err(|source| OutputError::Io {
                action: "cannot write",
                path: lp.clone(),
                source,
            })?;
        }
        self.written.push(name);
        Ok(())
    }
}

impl Observer for LatticeWriter {
    fn start(&mut self, info: &mobilize_core::observe::RunInfo<'_>) -> Result<(), ObserverError> {
        self.snapshots = info.meta.snapshots.clone();
        Ok(())
    }

    fn step(&mut self, record: &StepRecord<'_>) -> Flow {
        // Pictures drawn for a live display at other steps are not files.
        if !self.snapshots.contains(&record.step) {
            return GO_ON;
        }
        if let Some(image) = record.lattice {
            self.write(record.step, image).map_err(ObserverError::new)?;
        }
        GO_ON
    }
}
