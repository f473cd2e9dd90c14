//! Fast mode's population: each agent is stored *on its site* (at most one per site), not in
//! columns indexed by agent number. A turn reads and writes its own site, the site it moves to
//! and the bit sets of its neighbourhood, all near each other: on a lattice of millions of
//! sites nothing is looked up through an agent number, and there is no list per site to walk.
//!
//! Agents are activated tile by tile (tiles of 32 × 32 sites in a random order, the agents of a
//! tile in a random order within it, off-lattice prisoners last); a flag marks who has had a
//! turn this step, so an agent that moves into a tile not yet visited does not act twice. The
//! rules, their switches and the neighbourhood counts (live, one bit-set word per row) are the
//! faithful mode's; only the order and the storage differ.

use serde::{Deserialize, Serialize};

use super::lattice::{count_in, count_run, count_two, nth_in, runs};
use super::params::*;
use super::{placements, purpose, rules, Counts, CITIZEN, PROBES};
use crate::prefetch::{prefetch, prefetch_lines_later};
use crate::rng::{Draw, Quick, Stream};

/// Someone stands here.
const OCCUPIED: u8 = 1;
/// A cop (otherwise a citizen).
const COP: u8 = 2;
/// An active citizen.
const ACTIVE: u8 = 4;
/// A citizen in jail, kept on its site (`jailed = "blocking"`).
const JAILED: u8 = 8;
/// Model II: of the second ("green") group.
const GREEN: u8 = 16;
/// Had its turn in a step of this parity (see [`Sites::acted`]).
const ACTED: u8 = 32;

/// Side of a tile of the activation order, in sites: 32 × 32 tiles keep a turn's reads (the
/// tile and a vision's margin, a few kilobytes of bit sets and site columns) in cache.
const TILE: u32 = 32;

/// What the rules need from the model for one step.
pub struct Rules<'a> {
    /// The paper's parameters.
    pub p: &'a EpsteinParams,
    /// The implementation switches.
    pub sw: &'a Switches,
    /// The legitimacy that enters grievance this step (fraction).
    pub legitimacy: f64,
    /// The run's seed.
    pub seed: u64,
    /// Citizens' vision as (dx, dy) offsets, own site excluded (movement).
    pub vision: &'a [(i32, i32)],
    /// Cops' vision as (dx, dy) offsets.
    pub cop_vision: &'a [(i32, i32)],
    /// Citizens' vision as row spans (row offset, half width).
    pub spans: &'a [(i32, i32)],
    /// Cops' vision as row spans.
    pub cop_spans: &'a [(i32, i32)],
    /// The eight Moore neighbours (cloning, Model II).
    pub near: &'a [(i32, i32)],
    /// The arrest probability P by C and A.
    pub arrest: &'a rules::ArrestTable,
}

/// What a step did besides moving agents.
#[derive(Default)]
pub struct Tally {
    /// Arrests made (persons).
    pub arrests: u64,
    /// Citizens killed (Model II; persons).
    pub killed: u64,
}

/// A citizen in jail off the lattice, with everything it takes back to a site (16 bytes:
/// hundreds of thousands of them sit in jail on a large lattice).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct Prisoner {
    /// The site it was arrested on.
    left: u32,
    /// Steps left to serve.
    jail: u32,
    disposition: Disposition,
    flags: u8,
}

/// Hardship H and risk aversion R of one agent in 16 bits each, in one word: a move copies
/// one word and a turn brings a quarter of the bytes into cache that two doubles would.
///
/// Each is faithful mode's draw rounded to the middle of its 1/65,536th of [0, 1): at most
/// 2^−17 (7.6 × 10⁻⁶) from it, and still uniformly distributed (each level is equally likely).
/// A decision changes only if G − R·P lay that close to T, rarer than one turn in 10⁴; fast
/// mode's agreement with faithful mode is shown statistically, over seeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Disposition(u32);

impl Disposition {
    /// Levels per unit.
    const LEVELS: f64 = 65_536.0;

    fn new(hardship: f64, risk: f64) -> Disposition {
        let level = |x: f64| ((x * Self::LEVELS) as u32).min(u16::MAX as u32);
        Disposition(level(hardship) | level(risk) << 16)
    }

    /// H (fraction).
    #[inline]
    fn hardship(self) -> f64 {
        (f64::from(self.0 & 0xffff) + 0.5) * (1.0 / Self::LEVELS)
    }

    /// R (fraction).
    #[inline]
    fn risk(self) -> f64 {
        (f64::from(self.0 >> 16) + 0.5) * (1.0 / Self::LEVELS)
    }
}

/// The lattice with its agents stored by site.
///
/// Site `y * stride + x` is column x of row y; `stride` is the row length rounded up to an odd
/// multiple of 64, so that a site's bit in a bit set is bit `site % 64` of word `site / 64`
/// (no division) and rows do not alias in the caches, at a cost of fewer than 128 unused sites
/// per row.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sites {
    width: u32,
    height: u32,
    stride: u32,
    /// `stride / 64`.
    words_per_row: usize,
    /// ⌈2^64 / stride⌉: `site / stride` is `(site · this) >> 64`, exact for 32-bit sites
    /// (Lemire, Kaser & Kurz 2019), a multiply instead of a division in every turn.
    by_stride: u64,
    /// [`OCCUPIED`], [`COP`], … of whoever stands on each site.
    flags: Vec<u8>,
    /// Hardship and risk aversion of the citizen on each site.
    disposition: Vec<Disposition>,
    /// Steps left to serve by a citizen jailed on its site (`blocking`); empty otherwise.
    jail: Vec<u32>,
    /// Age in steps (Model II only; empty otherwise).
    age: Vec<u32>,
    /// Age at death in steps (Model II only; empty otherwise).
    death: Vec<u32>,
    /// Sites a mover may enter.
    open: Vec<u64>,
    /// Sites with a cop.
    cops: Vec<u64>,
    /// Sites with an active citizen.
    actives: Vec<u64>,
    /// [`Sites::cops`] and [`Sites::actives`] interleaved, two bits per site (bit 2s: a cop on
    /// site s, bit 2s + 1: an active citizen): perception reads one word pair per row of its
    /// vision instead of two (15 sites of a row fit one 64-bit window).
    seen: Vec<u64>,
    /// Sites with a free (not jailed) citizen of each group (Model II only; empty otherwise).
    groups: [Vec<u64>; 2],
    /// Sites of citizens jailed on their site, by the step that ends their term
    /// (`release = "end_of_step"`).
    blocked: Wheel<u32>,
    /// Citizens jailed off the lattice who count their terms down in their own turns
    /// (`release = "own_turn"`), in the order of their arrests.
    prisoners: Vec<Prisoner>,
    /// Model II: (age, age at death) of each of `prisoners`, in the same order; empty otherwise.
    prisoner_lives: Vec<[u32; 2]>,
    /// Citizens jailed off the lattice, by the step that ends their term
    /// (`release = "end_of_step"`): a step touches only those it releases.
    due: Wheel<Prisoner>,
    /// Model II: (age, age at death) of each of `due`, in the same places; empty otherwise.
    due_lives: Wheel<[u32; 2]>,
    /// Citizens in jail off the lattice, by group (persons).
    held: [u64; 2],
    /// Agents ever created (numbers the dispositions' random streams, as in faithful mode).
    born: u32,
    /// The value of the [`ACTED`] bit that means "has had its turn" in the current (between
    /// steps: the coming) step; flips at the end of every step, so no pass clears the flags.
    parity: u8,
    #[serde(skip)]
    scratch: Vec<u32>,
    /// Citizens' vision offsets as steps in site numbers (`dy · stride + dx`), for sites
    /// whose neighbourhood does not wrap; refreshed at the start of every step.
    #[serde(skip)]
    steps: Vec<i32>,
    /// Cops' vision offsets as steps in site numbers.
    #[serde(skip)]
    cop_steps: Vec<i32>,
    /// Citizens' vision as one [`window`] per row for sites whose neighbourhood does not
    /// wrap: (the row's first site minus the agent's, mask of the row's width); empty when a
    /// row is wider than 64 sites. Refreshed at the start of every step.
    #[serde(skip)]
    windows: Vec<(isize, u64)>,
    /// Cops' vision as [`Sites::windows`].
    #[serde(skip)]
    cop_windows: Vec<(isize, u64)>,
    /// Citizens' vision as windows of [`Sites::seen`]: (the row's first site minus the
    /// agent's, mask of the row's two bits per site); empty when a row is wider than 31 sites.
    #[serde(skip)]
    seen_windows: Vec<(isize, u64)>,
    /// Whether every site within two visions of the tile at hand lies on the lattice without
    /// wrapping: its agents' moves and, after a move, their perception take the interior
    /// paths with no per-agent test. Set per tile; false outside the tile pass.
    #[serde(skip)]
    deep: bool,
}

impl Sites {
    /// Whether this (restored) state fits `fresh`, the sites as the scenario builds them: the
    /// same size and layout, every table of the same length, every site number in range. A
    /// checkpoint edited and re-checksummed is refused here, never indexed out of bounds.
    pub(super) fn fits(&self, fresh: &Sites) -> Result<(), String> {
        let same = self.width == fresh.width
            && self.height == fresh.height
            && self.stride == fresh.stride
            && self.words_per_row == fresh.words_per_row
            && self.by_stride == fresh.by_stride
            && self.flags.len() == fresh.flags.len()
            && self.disposition.len() == fresh.disposition.len()
            && self.jail.len() == fresh.jail.len()
            && self.age.len() == fresh.age.len()
            && self.death.len() == fresh.death.len()
            && self.open.len() == fresh.open.len()
            && self.cops.len() == fresh.cops.len()
            && self.actives.len() == fresh.actives.len()
            && self.seen.len() == fresh.seen.len()
            && self.groups[0].len() == fresh.groups[0].len()
            && self.groups[1].len() == fresh.groups[1].len();
        if !same {
            return Err("the lattice is not the scenario's".into());
        }
        let sites = self.flags.len() as u64;
        let site = |s: u32| u64::from(s) < sites;
        let due_ok = self.blocked.well_formed(|&s| site(s))
            && self.due.well_formed(|p| site(p.left))
            && self.due_lives.well_formed(|_| true);
        let lives_ok =
            self.prisoner_lives.is_empty() || self.prisoner_lives.len() == self.prisoners.len();
        // Every flag byte a combination the rules can meet, padding sites left as built, and
        // the bit sets those the flags make.
        let mut rebuilt = fresh.clone();
        for site in 0..self.flags.len() as u32 {
            if rebuilt.flags[site as usize] & OCCUPIED != 0 {
                rebuilt.mark(site, false);
            }
            rebuilt.flags[site as usize] = 0;
        }
        for (site, &f) in self.flags.iter().enumerate() {
            let bare = f & !ACTED;
            let valid = bare < 2 * GREEN
                && (f & OCCUPIED != 0 || bare == 0)
                && (f & COP == 0 || f & (ACTIVE | JAILED | GREEN) == 0)
                && (f & JAILED == 0 || f & ACTIVE == 0);
            let padding = self.xy(site as u32).0 >= self.width;
            if !valid || (padding && f != fresh.flags[site]) {
                return Err(format!("site {site} holds an impossible agent"));
            }
            rebuilt.flags[site] = f;
            if f & OCCUPIED != 0 && !padding {
                rebuilt.mark(site as u32, true);
            }
        }
        if rebuilt.open != self.open
            || rebuilt.cops != self.cops
            || rebuilt.actives != self.actives
            || rebuilt.seen != self.seen
            || rebuilt.groups != self.groups
        {
            return Err("the bit sets are not those of the agents on the sites".into());
        }
        if !due_ok
            || !lives_ok
            || !self.prisoners.iter().all(|p| site(p.left))
            || self.held.iter().sum::<u64>() > sites
            || (self.parity != 0 && self.parity != ACTED)
        {
            return Err("a site or a prisoner is out of range".into());
        }
        Ok(())
    }

    /// The lattice with the same agents, dispositions and sites as faithful mode places.
    pub fn new(p: &EpsteinParams, sw: &Switches, seed: u64) -> Sites {
        // An odd number of words per row: with a power of two, every row of a column would
        // fall in the same few cache sets (rows 256 bytes apart in a bit set, 8 kB in the
        // dispositions), and a tile's rows would evict each other from the first- and
        // second-level caches.
        let words_per_row = (p.width as usize).div_ceil(64) | 1;
        let stride = words_per_row as u32 * 64;
        let n = stride as usize * p.height as usize;
        // One word of padding past the last row, for [`window`]'s second word.
        let words = words_per_row * p.height as usize + 1;
        let model2 = p.groups == 2;
        let mut sites = Sites {
            width: p.width,
            height: p.height,
            stride,
            words_per_row,
            by_stride: u64::MAX / u64::from(stride) + 1,
            flags: vec![0; n],
            disposition: vec![Disposition::default(); n],
            jail: if sw.jailed == JailedAgents::Blocking {
                vec![0; n]
            } else {
                Vec::new()
            },
            age: if model2 { vec![0; n] } else { Vec::new() },
            death: if model2 { vec![0; n] } else { Vec::new() },
            open: vec![0; words],
            cops: vec![0; words],
            actives: vec![0; words],
            seen: vec![0; 2 * words],
            groups: if model2 {
                [vec![0; words], vec![0; words]]
            } else {
                [Vec::new(), Vec::new()]
            },
            blocked: Wheel::default(),
            prisoners: Vec::new(),
            prisoner_lives: Vec::new(),
            due: Wheel::default(),
            due_lives: Wheel::default(),
            held: [0, 0],
            born: 0,
            parity: ACTED,
            scratch: Vec::new(),
            steps: Vec::new(),
            cop_steps: Vec::new(),
            windows: Vec::new(),
            cop_windows: Vec::new(),
            seen_windows: Vec::new(),
            deep: false,
        };
        for y in 0..p.height {
            for x in 0..p.width {
                sites.set(&Bits::Open, sites.at(x, y), true);
            }
        }
        let w = p.width;
        placements(seed, p, sw.placement, p.width * p.height, |kind, site| {
            let at = sites.at(site % w, site / w);
            sites.born_at(kind, at, seed, p);
        });
        sites
    }

    /// The site of column `x`, row `y`.
    #[inline]
    fn at(&self, x: u32, y: u32) -> u32 {
        y * self.stride + x
    }

    /// (column, row) of a site.
    #[inline]
    fn xy(&self, site: u32) -> (u32, u32) {
        let y = ((u128::from(self.by_stride) * u128::from(site)) >> 64) as u32;
        (site - y * self.stride, y)
    }

    /// The bit set `which`.
    #[inline]
    fn bits(&mut self, which: &Bits) -> &mut Vec<u64> {
        match which {
            Bits::Open => &mut self.open,
            Bits::Cops => &mut self.cops,
            Bits::Actives => &mut self.actives,
            Bits::Group(g) => &mut self.groups[*g as usize],
        }
    }

    /// Sets or clears the bit of `site` in the bit set `which`.
    #[inline]
    fn set(&mut self, which: &Bits, site: u32, on: bool) {
        let (word, bit) = ((site / 64) as usize, 1u64 << (site % 64));
        let v = self.bits(which);
        if on {
            v[word] |= bit;
        } else {
            v[word] &= !bit;
        }
        let seen = match which {
            Bits::Cops => 2 * site as usize,
            Bits::Actives => 2 * site as usize + 1,
            _ => return,
        };
        let (word, bit) = (seen / 64, 1u64 << (seen % 64));
        if on {
            self.seen[word] |= bit;
        } else {
            self.seen[word] &= !bit;
        }
    }

    /// Whether a mover may enter `site`.
    #[inline]
    fn is_open(&self, site: u32) -> bool {
        self.open[(site / 64) as usize] >> (site % 64) & 1 == 1
    }

    /// Sets or clears the bits that say who stands on `site` (from its flags).
    #[inline]
    fn mark(&mut self, site: u32, on: bool) {
        let f = self.flags[site as usize];
        self.set(&Bits::Open, site, !on);
        if f & COP != 0 {
            self.set(&Bits::Cops, site, on);
            return;
        }
        if f & ACTIVE != 0 {
            self.set(&Bits::Actives, site, on);
        }
        if !self.groups[0].is_empty() && f & JAILED == 0 {
            self.set(&Bits::Group(group(f)), site, on);
        }
    }

    /// An agent placed at the start: its dispositions from its own stream, keyed by its number.
    fn born_at(&mut self, kind: u8, site: u32, seed: u64, p: &EpsteinParams) {
        let mut s = Stream::new(seed, purpose::DISPOSITION, 0, self.born);
        let hardship = s.uniform();
        let green = p.groups == 2 && s.below(2) == 1;
        let mut flags = if kind == CITIZEN {
            OCCUPIED
        } else {
            OCCUPIED | COP
        };
        if green {
            flags |= GREEN;
        }
        self.spawn(flags, hardship, site, p, &mut s);
    }

    /// A new agent on an empty site, drawing risk aversion and age at death from `s` as
    /// faithful mode does.
    fn spawn(&mut self, flags: u8, hardship: f64, site: u32, p: &EpsteinParams, s: &mut impl Draw) {
        let su = site as usize;
        self.born += 1;
        self.flags[su] = flags;
        self.disposition[su] = Disposition::new(hardship, s.uniform());
        let death = rules::death_age(p.max_age, s);
        if !self.age.is_empty() {
            self.age[su] = 0;
            self.death[su] = death;
        }
        self.mark(site, true);
        self.set_acted(site, false);
    }

    #[inline]
    fn set_acted(&mut self, site: u32, done: bool) {
        let f = &mut self.flags[site as usize];
        let bit = if done {
            self.parity
        } else {
            self.parity ^ ACTED
        };
        *f = (*f & !ACTED) | bit;
    }

    /// Moves the agent on `from` to the empty site `to`.
    #[inline(always)]
    fn relocate(&mut self, from: u32, to: u32) {
        let (f, t) = (from as usize, to as usize);
        let flags = self.flags[f];
        let (wf, bf) = (f / 64, 1u64 << (f % 64));
        let (wt, bt) = (t / 64, 1u64 << (t % 64));
        self.open[wf] |= bf;
        self.open[wt] &= !bt;
        let moved = if flags & COP != 0 {
            Some(&mut self.cops)
        } else if flags & ACTIVE != 0 {
            Some(&mut self.actives)
        } else {
            None
        };
        if let Some(v) = moved {
            v[wf] &= !bf;
            v[wt] |= bt;
            let bit = usize::from(flags & COP == 0);
            let (sf, st) = (2 * f + bit, 2 * t + bit);
            self.seen[sf / 64] &= !(1 << (sf % 64));
            self.seen[st / 64] |= 1 << (st % 64);
        }
        if !self.groups[0].is_empty() && flags & (COP | JAILED) == 0 {
            let v = &mut self.groups[group(flags) as usize];
            v[wf] &= !bf;
            v[wt] |= bt;
        }
        self.flags[t] = flags;
        self.flags[f] = 0;
        self.disposition[t] = self.disposition[f];
        if !self.age.is_empty() {
            self.age[t] = self.age[f];
            self.death[t] = self.death[f];
        }
    }

    /// Removes the agent on `site` (death, or a cop withdrawn).
    fn remove(&mut self, site: u32) {
        self.mark(site, false);
        self.flags[site as usize] = 0;
    }

    fn set_active(&mut self, site: u32, on: bool) {
        let f = self.flags[site as usize];
        if (f & ACTIVE != 0) == on {
            return;
        }
        self.flags[site as usize] = f ^ ACTIVE;
        self.set(&Bits::Actives, site, on);
    }

    /// Sets bits of `bits` in the neighbourhood `spans` around `site`.
    #[inline]
    fn count(&self, bits: &[u64], site: u32, spans: &[(i32, i32)]) -> u32 {
        let (x, y) = self.xy(site);
        let wpr = self.words_per_row;
        let mut n = 0;
        runs(self.width, self.height, x, y, spans, |row, xl, xh| {
            n += count_in(bits, wpr, row, xl, xh);
        });
        n
    }

    /// A uniformly drawn site among those set in `bits` in the neighbourhood `spans` around
    /// `site`, if any: count them, draw k, find the k-th.
    fn pick(
        &self,
        bits: &[u64],
        site: u32,
        spans: &[(i32, i32)],
        s: &mut impl Draw,
    ) -> Option<u32> {
        if self.deep {
            for windows in [&self.windows, &self.cop_windows] {
                if windows.len() == spans.len() && windows_match(windows, spans) {
                    return pick_in_windows(bits, site, windows, s);
                }
            }
        }
        let total = self.count(bits, site, spans);
        if total == 0 {
            return None;
        }
        let mut k = s.below(total);
        let (x, y) = self.xy(site);
        let wpr = self.words_per_row;
        let stride = self.stride as usize;
        let mut found = None;
        runs(self.width, self.height, x, y, spans, |row, xl, xh| {
            if found.is_some() {
                return;
            }
            let n = count_in(bits, wpr, row, xl, xh);
            if k >= n {
                k -= n;
                return;
            }
            found = Some((row * stride + nth_in(bits, wpr, row, xl, xh, k)) as u32);
        });
        found
    }

    // ---- events -------------------------------------------------------------------------

    /// Cops (peacekeepers) at random empty sites; returns how many found a site. They act in
    /// the step they arrive.
    pub fn add_cops(&mut self, k: u64, p: &EpsteinParams, s: &mut impl Draw) -> u64 {
        let mut added = 0;
        for _ in 0..k {
            let Some(site) = self.random_empty_site(s) else {
                break;
            };
            self.spawn(OCCUPIED | COP, 0.0, site, p, s);
            added += 1;
        }
        added
    }

    /// Withdraws random cops or adds cops on random empty sites until there are `target`.
    pub fn set_cop_count(&mut self, target: u64, p: &EpsteinParams, s: &mut impl Draw) {
        let mut cops: Vec<u32> = Vec::new();
        for (w, &word) in self.cops.iter().enumerate() {
            let mut b = word;
            while b != 0 {
                cops.push(w as u32 * 64 + b.trailing_zeros());
                b &= b - 1;
            }
        }
        let have = cops.len() as u64;
        if have > target {
            for k in 0..(have - target) as usize {
                let j = k + s.below((cops.len() - k) as u32) as usize;
                cops.swap(k, j);
                self.remove(cops[k]);
            }
        } else {
            self.add_cops(target - have, p, s);
        }
    }

    // ---- what is observed ---------------------------------------------------------------

    /// Counts of the moment, per group.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        // One pass over the flags, tallied by flag value (branch-free) into four tables in
        // turn: neighbouring sites often share a value, and one table would make each count
        // wait for the previous one's store.
        let mut tables = [[0u32; 64]; 4];
        let mut by_flags = [0u64; 64];
        for chunk in self.flags.chunks(1 << 20) {
            let mut quads = chunk.chunks_exact(4);
            for q in &mut quads {
                for (t, &f) in tables.iter_mut().zip(q) {
                    t[(f & !ACTED) as usize] += 1;
                }
            }
            for &f in quads.remainder() {
                tables[0][(f & !ACTED) as usize] += 1;
            }
            // Each table has counted at most 2^20 sites: no overflow.
            for t in &mut tables {
                for (total, n) in by_flags.iter_mut().zip(t.iter_mut()) {
                    *total += u64::from(std::mem::take(n));
                }
            }
        }
        for (f, &n) in by_flags.iter().enumerate() {
            let f = f as u8;
            if f & OCCUPIED == 0 || n == 0 {
                continue;
            }
            if f & COP != 0 {
                c.cops += n;
                continue;
            }
            let g = group(f) as usize;
            c.population[g] += n;
            if f & JAILED != 0 {
                c.jailed[g] += n;
            } else if f & ACTIVE != 0 {
                c.active[g] += n;
            } else {
                c.quiet[g] += n;
            }
        }
        for g in 0..2 {
            c.population[g] += self.held[g];
            c.jailed[g] += self.held[g];
        }
        c
    }

    /// Agents ever created.
    pub fn agents(&self) -> usize {
        self.born as usize
    }

    /// One code per site, row by row, in the legend of [`super::CivilViolence`]'s lattice.
    pub fn image(&self) -> Vec<u8> {
        let mut cells = Vec::with_capacity(self.width as usize * self.height as usize);
        for y in 0..self.height {
            let row = self.at(0, y) as usize;
            for &f in &self.flags[row..row + self.width as usize] {
                cells.push(if f & OCCUPIED == 0 {
                    0
                } else if f & COP != 0 {
                    4
                } else if f & JAILED != 0 {
                    3
                } else if f & ACTIVE != 0 {
                    2
                } else if f & GREEN != 0 {
                    5
                } else {
                    1
                });
            }
        }
        cells
    }
}

/// Whether `windows` are the row `spans` (citizens' and cops' visions may have as many rows
/// and differ in width).
fn windows_match(windows: &[(isize, u64)], spans: &[(i32, i32)]) -> bool {
    windows
        .iter()
        .zip(spans)
        .all(|(&(_, mask), &(_, half))| mask.count_ones() == 2 * half as u32 + 1)
}

/// A uniformly drawn site among those set in `bits` within `windows` of `site` (which must be
/// away from the edges), if any: count them, draw k, find the k-th in row order, as
/// [`Sites::pick`] does.
fn pick_in_windows(
    bits: &[u64],
    site: u32,
    windows: &[(isize, u64)],
    s: &mut impl Draw,
) -> Option<u32> {
    let total: u32 = windows
        .iter()
        .map(|&(start, mask)| (window(bits, (site as isize + start) as usize) & mask).count_ones())
        .sum();
    if total == 0 {
        return None;
    }
    let mut k = s.below(total);
    for &(start, mask) in windows {
        let lo = (site as isize + start) as usize;
        let mut w = window(bits, lo) & mask;
        let n = w.count_ones();
        if k >= n {
            k -= n;
            continue;
        }
        for _ in 0..k {
            w &= w - 1;
        }
        return Some((lo + w.trailing_zeros() as usize) as u32);
    }
    None
}

/// The 64 bits of `bits` from bit `lo` on, bit `lo` lowest; `bits` ends in a padding word,
/// so any `lo` of a site has a word after its own.
#[inline(always)]
fn window(bits: &[u64], lo: usize) -> u64 {
    let w = lo / 64;
    let pair = u128::from(bits[w]) | u128::from(bits[w + 1]) << 64;
    (pair >> (lo % 64)) as u64
}

#[inline]
fn group(flags: u8) -> u8 {
    u8::from(flags & GREEN != 0)
}

mod turns;
mod wheel;

/// The bit sets of [`Sites`].
enum Bits {
    Open,
    Cops,
    Actives,
    Group(u8),
}

use wheel::Wheel;

#[cfg(test)]
impl Sites {
    /// Spoils the state the way an edited checkpoint could (tests of [`Sites::fits`]).
    pub(super) fn spoil(&mut self, how: &str) {
        match how {
            "width" => self.width += 1,
            "flags" => self.flags.push(0),
            "jailed site" => self.blocked.push(3, u32::MAX - 1),
            "wheel" => {
                let now = self.blocked.now;
                self.blocked.far.insert((now, 0), 0);
            }
            _ => unreachable!("no such spoiling"),
        }
    }
}

#[cfg(test)]
mod tests;
