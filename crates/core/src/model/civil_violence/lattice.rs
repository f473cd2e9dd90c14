//! The torus lattice: who stands where, and per-site counters that make a neighbourhood
//! count a sum of bytes.

/// Where coordinate `v` of a torus `n` long shows on the line unrolled by `r` on each side
/// (positions 0..n + 2r): at v + r, and once more if it lies within r of an end.
fn unrolled(v: u32, n: u32, r: u32) -> ([u32; 2], usize) {
    if v < r {
        ([v + r, v + n + r], 2)
    } else if v + r >= n {
        ([v + r, v + r - n], 2)
    } else {
        ([v + r, 0], 1)
    }
}

/// No agent / no site.
pub const NONE: u32 = u32::MAX;

/// Sites of a `width × height` torus, numbered row by row.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
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
    /// One bit per site, set where a mover may go (see [`Lattice::refresh`]), row by row,
    /// `words_per_row` words each.
    pub open: Vec<u64>,
    /// One bit per site with a cop, laid out like `open`.
    pub cop_bits: Vec<u64>,
    /// One bit per site with an active citizen, laid out like `open`.
    pub active_bits: Vec<u64>,
    /// Sites holding more than one cop or more than one active (possible only when jailed
    /// agents are transparent); while there are none, the bit sets count exactly.
    pub crowded: u32,
    crowded_at: Vec<bool>,
    /// 64-bit words per row of `open`.
    pub words_per_row: usize,
    /// Whether jailed agents leave their sites open to movers (NetLogo).
    pub transparent: bool,
    /// ⌈2^64 / width⌉: a site's row is `(site · this) >> 64` (exact for 32-bit sites;
    /// Lemire, Kaser & Kurz 2019), a multiply instead of a division on every change.
    by_width: u64,
    /// Reach R (sites) of the halo rows below; 0 when there are none.
    pub halo: u32,
    /// Cops on a torus at most 64 − 2R sites wide, one word per row, with the torus
    /// unrolled: bit c + R of word r + R is column c of row r for c in −R..W + R and r in
    /// −R..H + R (columns and rows taken mod the lattice). A neighbourhood of reach ≤ R is then
    /// one shift and one mask per row, never a wrap: on small lattices (Mesa's 40 × 40 with
    /// vision 7) most agents are near an edge.
    halo_cops: Vec<u64>,
    /// Actives, laid out like `halo_cops`.
    halo_actives: Vec<u64>,
}

impl Lattice {
    /// Whether `other` (a restored lattice) has this one's size, layout and table lengths:
    /// everything a checkpoint may not change.
    pub fn same_shape(&self, other: &Lattice) -> bool {
        self.width == other.width
            && self.height == other.height
            && self.words_per_row == other.words_per_row
            && self.transparent == other.transparent
            && self.by_width == other.by_width
            && self.halo == other.halo
            && self.head.len() == other.head.len()
            && self.cops.len() == other.cops.len()
            && self.actives.len() == other.actives.len()
            && self.free.len() == other.free.len()
            && self.occupied.len() == other.occupied.len()
            && self.open.len() == other.open.len()
            && self.cop_bits.len() == other.cop_bits.len()
            && self.active_bits.len() == other.active_bits.len()
            && self.crowded_at.len() == other.crowded_at.len()
            && self.halo_cops.len() == other.halo_cops.len()
            && self.halo_actives.len() == other.halo_actives.len()
    }

    /// Whether the counts and bit sets of `other` are those of this lattice (a restored
    /// lattice against one rebuilt from its agents).
    pub fn same_counts(&self, other: &Lattice) -> bool {
        self.cops == other.cops
            && self.actives == other.actives
            && self.free == other.free
            && self.occupied == other.occupied
            && self.open == other.open
            && self.cop_bits == other.cop_bits
            && self.active_bits == other.active_bits
            && self.crowded == other.crowded
            && self.crowded_at == other.crowded_at
            && self.halo_cops == other.halo_cops
            && self.halo_actives == other.halo_actives
    }

    /// An empty lattice.
    pub fn new(width: u32, height: u32, transparent: bool) -> Lattice {
        let n = width as usize * height as usize;
        let words_per_row = (width as usize).div_ceil(64);
        let mut l = Lattice {
            width,
            height,
            head: vec![NONE; n],
            cops: vec![0; n],
            actives: vec![0; n],
            free: vec![0; n],
            occupied: vec![0; n],
            open: vec![0; words_per_row * height as usize],
            cop_bits: vec![0; words_per_row * height as usize],
            active_bits: vec![0; words_per_row * height as usize],
            crowded: 0,
            crowded_at: if transparent {
                vec![false; n]
            } else {
                Vec::new()
            },
            words_per_row,
            transparent,
            by_width: u64::MAX / u64::from(width.max(2)) + 1,
            halo: 0,
            halo_cops: Vec::new(),
            halo_actives: Vec::new(),
        };
        for s in 0..n {
            l.refresh(s);
        }
        l
    }

    /// Keeps halo rows for neighbourhoods of reach up to `reach` (see
    /// [`Lattice::count_near`]) if the lattice is narrow enough — at most 64 − 2·reach
    /// columns — and at least 2·reach + 1 wide and high (a neighbourhood then never meets a
    /// site twice); otherwise none.
    pub fn keep_halo(&mut self, reach: u32) {
        let fits = reach > 0
            && self.width + 2 * reach <= 64
            && 2 * reach < self.width
            && 2 * reach < self.height;
        self.halo = if fits { reach } else { 0 };
        let rows = if fits {
            (self.height + 2 * reach) as usize
        } else {
            0
        };
        self.halo_cops = vec![0; rows];
        self.halo_actives = vec![0; rows];
        if fits {
            for y in 0..self.height {
                for x in 0..self.width {
                    let s = (y * self.width + x) as usize;
                    self.refresh_halo(x, y, self.cops[s] > 0, self.actives[s] > 0);
                }
            }
        }
    }

    /// Sets the bits of column `x`, row `y` in the halo rows, everywhere the unrolled torus
    /// shows that site (up to four places near a corner).
    fn refresh_halo(&mut self, x: u32, y: u32, cop: bool, active: bool) {
        let r = self.halo;
        let (columns, nc) = unrolled(x, self.width, r);
        let (rows, nr) = unrolled(y, self.height, r);
        for &row in &rows[..nr] {
            for &col in &columns[..nc] {
                let bit = 1u64 << col;
                let (c, a) = (
                    &mut self.halo_cops[row as usize],
                    &mut self.halo_actives[row as usize],
                );
                *c = if cop { *c | bit } else { *c & !bit };
                *a = if active { *a | bit } else { *a & !bit };
            }
        }
    }

    /// Cops and actives (counting sites with any) in the neighbourhood `spans` (row offset,
    /// half width) around column `x`, row `y`, own site included, from the halo rows; `None`
    /// when there are none or they do not reach that far. Equals [`count_two`].
    #[inline]
    pub fn count_near(&self, x: u32, y: u32, spans: &[(i32, i32)]) -> Option<(u32, u32)> {
        let r = self.halo as i32;
        if r == 0 || spans.len() > 2 * r as usize + 1 {
            return None;
        }
        let (mut c, mut a) = (0, 0);
        for &(dy, half) in spans {
            let row = (y as i32 + dy + r) as usize;
            let shift = x as i32 + r - half;
            let mask = u64::MAX >> (63 - 2 * half);
            c += (self.halo_cops[row] >> shift & mask).count_ones();
            a += (self.halo_actives[row] >> shift & mask).count_ones();
        }
        Some((c, a))
    }

    /// Brings the bits of site `s` (open, cop, active) and the crowded count up to date.
    #[inline]
    pub fn refresh(&mut self, s: usize) {
        let empty = if self.transparent {
            self.free[s] == 0
        } else {
            self.occupied[s] == 0
        };
        let (x, y) = self.xy(s as u32);
        let (x, y) = (x as usize, y as usize);
        let word = y * self.words_per_row + x / 64;
        let bit = 1u64 << (x % 64);
        let set = |v: &mut Vec<u64>, on: bool| {
            if on {
                v[word] |= bit;
            } else {
                v[word] &= !bit;
            }
        };
        let (cop, active) = (self.cops[s] > 0, self.actives[s] > 0);
        // Whether the cop or active bit changes (most changes are quiet citizens moving).
        let changed = ((self.cop_bits[word] & bit != 0) != cop)
            || ((self.active_bits[word] & bit != 0) != active);
        set(&mut self.open, empty);
        set(&mut self.cop_bits, cop);
        set(&mut self.active_bits, active);
        if self.halo > 0 && changed {
            self.refresh_halo(x as u32, y as u32, cop, active);
        }
        // Only a transparent jail lets agents share a site.
        if !self.transparent {
            return;
        }
        let crowded = self.cops[s] > 1 || self.actives[s] > 1;
        if crowded != self.crowded_at[s] {
            self.crowded_at[s] = crowded;
            if crowded {
                self.crowded += 1;
            } else {
                self.crowded -= 1;
            }
        }
    }

    /// Open sites among columns `xl..=xh` of `row`.
    #[inline]
    pub fn open_in(&self, row: usize, xl: usize, xh: usize) -> u32 {
        count_in(&self.open, self.words_per_row, row, xl, xh)
    }

    /// The `k`-th open site (from 0) among columns `xl..=xh` of `row`, as a site index; `k`
    /// must be below [`Lattice::open_in`].
    #[inline]
    pub fn open_nth(&self, row: usize, xl: usize, xh: usize, k: u32) -> usize {
        row * self.width as usize + nth_in(&self.open, self.words_per_row, row, xl, xh, k)
    }

    /// (column, row) of a site.
    #[inline]
    pub fn xy(&self, site: u32) -> (u32, u32) {
        let y = if self.width == 1 {
            site
        } else {
            ((u128::from(self.by_width) * u128::from(site)) >> 64) as u32
        };
        (site - y * self.width, y)
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

/// Set bits among columns `xl..=xh` of `row` in a bit set laid out row by row,
/// `words_per_row` 64-bit words each (column x of a row is bit x % 64 of word x / 64).
#[inline]
pub fn count_in(bits: &[u64], words_per_row: usize, row: usize, xl: usize, xh: usize) -> u32 {
    let base = row * words_per_row;
    if xl / 64 == xh / 64 {
        let k = xl / 64;
        return (bits[base + k] & span_mask(k, xl, xh)).count_ones();
    }
    let mut n = 0;
    for k in xl / 64..=xh / 64 {
        n += (bits[base + k] & span_mask(k, xl, xh)).count_ones();
    }
    n
}

/// The column of the `k`-th set bit (from 0) among columns `xl..=xh` of `row` (layout as in
/// [`count_in`]); `k` must be below [`count_in`]'s count.
#[inline]
pub fn nth_in(
    bits: &[u64],
    words_per_row: usize,
    row: usize,
    xl: usize,
    xh: usize,
    mut k: u32,
) -> usize {
    let base = row * words_per_row;
    for i in xl / 64..=xh / 64 {
        let mut word = bits[base + i] & span_mask(i, xl, xh);
        let c = word.count_ones();
        if k >= c {
            k -= c;
            continue;
        }
        for _ in 0..k {
            word &= word - 1;
        }
        return i * 64 + word.trailing_zeros() as usize;
    }
    unreachable!("k is below the number of set bits")
}

/// Calls `f(row, xl, xh)` for each run of sites (columns `xl..=xh` of `row`) that a
/// neighbourhood with row spans `spans` (row offset, half width) covers around column `x`,
/// row `y` of a `width × height` torus, own site included. Validation keeps the lattice at
/// least 2r + 1 wide and high, so no site comes twice.
#[inline(always)]
pub fn runs(
    width: u32,
    height: u32,
    x: u32,
    y: u32,
    spans: &[(i32, i32)],
    mut f: impl FnMut(usize, usize, usize),
) {
    let (w, h) = (width as i32, height as i32);
    let (x, y) = (x as i32, y as i32);
    for &(dy, half) in spans {
        let mut yy = y + dy;
        if yy < 0 {
            yy += h;
        } else if yy >= h {
            yy -= h;
        }
        let row = yy as usize;
        let (lo, hi) = (x - half, x + half);
        if hi - lo + 1 >= w {
            f(row, 0, w as usize - 1);
        } else if lo < 0 {
            f(row, (lo + w) as usize, w as usize - 1);
            f(row, 0, hi as usize);
        } else if hi >= w {
            f(row, lo as usize, w as usize - 1);
            f(row, 0, (hi - w) as usize);
        } else {
            f(row, lo as usize, hi as usize);
        }
    }
}

/// Set bits of two bit sets (`bits.0`, `bits.1`) in the neighbourhood `spans` (row offset,
/// half width) around column `x`, row `y`, own site included, on a `width × height` torus
/// whose rows start every `stride` bits (a multiple of 64): per row of the neighbourhood one
/// or two words of each set, masked and counted. Equals summing [`count_in`] over [`runs`],
/// without the calls.
#[inline]
pub fn count_two(
    bits: (&[u64], &[u64]),
    (width, height, stride): (u32, u32, usize),
    x: u32,
    y: u32,
    spans: &[(i32, i32)],
) -> (u32, u32) {
    // Columns lo..=hi of the row starting at bit `base`.
    #[inline(always)]
    fn add(bits: (&[u64], &[u64]), base: usize, lo: usize, hi: usize) -> (u32, u32) {
        count_run(bits, base + lo, base + hi)
    }
    // The wrapping below repeats [`runs`] on purpose: through `runs` and a closure this
    // count, the hottest loop of both modes, measured 5 % slower.
    let (x, y) = (x as i32, y as i32);
    let (w, h) = (width as i32, height as i32);
    let (mut c, mut a) = (0, 0);
    let mut add = |base: usize, lo: usize, hi: usize| {
        let (dc, da) = add(bits, base, lo, hi);
        c += dc;
        a += da;
    };
    for &(dy, half) in spans {
        let mut yy = y + dy;
        if yy < 0 {
            yy += h;
        } else if yy >= h {
            yy -= h;
        }
        let base = yy as usize * stride;
        let (lo, hi) = (x - half, x + half);
        if lo >= 0 && hi < w {
            add(base, lo as usize, hi as usize);
        } else if hi - lo + 1 >= w {
            add(base, 0, w as usize - 1);
        } else if lo < 0 {
            add(base, (lo + w) as usize, w as usize - 1);
            add(base, 0, hi as usize);
        } else {
            add(base, lo as usize, w as usize - 1);
            add(base, 0, (hi - w) as usize);
        }
    }
    (c, a)
}

/// Set bits of two bit sets among bits `lo..=hi` (positions counted from the sets' start):
/// one or two words each for a run of at most 64 bits, whole words between for longer ones.
#[inline(always)]
pub fn count_run(bits: (&[u64], &[u64]), lo: usize, hi: usize) -> (u32, u32) {
    let (p, q) = bits;
    let (wl, wh) = (lo / 64, hi / 64);
    let ml = u64::MAX << (lo % 64);
    let mh = u64::MAX >> (63 - hi % 64);
    if wl == wh {
        return (
            (p[wl] & ml & mh).count_ones(),
            (q[wl] & ml & mh).count_ones(),
        );
    }
    let mut c = (p[wl] & ml).count_ones() + (p[wh] & mh).count_ones();
    let mut a = (q[wl] & ml).count_ones() + (q[wh] & mh).count_ones();
    for k in wl + 1..wh {
        c += p[k].count_ones();
        a += q[k].count_ones();
    }
    (c, a)
}

/// Bits of word `k` that fall in columns `xl..=xh` (branch-free).
#[inline(always)]
fn span_mask(k: usize, xl: usize, xh: usize) -> u64 {
    let lo = xl.max(k * 64) - k * 64;
    let hi = xh.min(k * 64 + 63) - k * 64;
    (u64::MAX >> (63 - hi)) & (u64::MAX << lo)
}
