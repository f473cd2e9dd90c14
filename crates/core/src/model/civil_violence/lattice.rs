//! The torus lattice: who stands where, and per-site counters that make a neighbourhood
//! count a sum of bytes.

/// No agent / no site.
pub const NONE: u32 = u32::MAX;

/// Sites of a `width × height` torus, numbered row by row.
#[derive(Clone, Debug)]
pub struct Lattice {
    /// Sites per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// First agent on each site ([`NONE`] if none); the rest follow `next` in the agents.
    pub head: Vec<u32>,
    /// Cops on each site.
    pub cops: Vec<u8>,
    /// Active citizens on each site.
    pub actives: Vec<u8>,
    /// Agents on each site that are not in jail.
    pub free: Vec<u8>,
    /// All agents on each site, jailed ones included.
    pub occupied: Vec<u8>,
}

impl Lattice {
    /// An empty lattice.
    pub fn new(width: u32, height: u32) -> Lattice {
        let n = width as usize * height as usize;
        Lattice {
            width,
            height,
            head: vec![NONE; n],
            cops: vec![0; n],
            actives: vec![0; n],
            free: vec![0; n],
            occupied: vec![0; n],
        }
    }

    /// Number of sites.
    pub fn sites(&self) -> usize {
        self.head.len()
    }

    /// The site at offset (dx, dy) from `site`, wrapping around.
    #[inline]
    pub fn shift(&self, site: u32, dx: i32, dy: i32) -> u32 {
        let (w, h) = (self.width as i64, self.height as i64);
        let x = (i64::from(site) % w + i64::from(dx)).rem_euclid(w);
        let y = (i64::from(site) / w + i64::from(dy)).rem_euclid(h);
        (y * w + x) as u32
    }
}
