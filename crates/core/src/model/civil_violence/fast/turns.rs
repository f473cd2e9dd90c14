//! Fast mode's turns: perception, the rules of citizens and cops, movement, arrest, life and
//! release, and the step that runs them tile by tile over the lattice.

use super::*;

impl Sites {
    // ---- perception and the rules -------------------------------------------------------

    /// (C, A) seen by the citizen on `site`, counting itself as the switches say.
    pub(super) fn perceive(&self, site: u32, r: &Rules) -> (u32, u32) {
        let (c, mut a) = self.cops_and_actives(site, r.spans);
        let me_active = self.flags[site as usize] & ACTIVE != 0;
        if !r.sw.own_site {
            // Nobody shares the site: the citizen itself is all that stands there.
            a -= u32::from(me_active);
        }
        let self_in = r.sw.own_site && me_active;
        match r.sw.self_count {
            SelfCount::Once if self_in => a -= 1,
            SelfCount::Double if !self_in && me_active => a += 1,
            _ => {}
        }
        (c, 1 + a)
    }

    /// Cops and actives in the neighbourhood `spans` around `site`, own site included: per row
    /// of the neighbourhood a window of [`Sites::seen`] (or, for wide visions and near the
    /// edges, the words of each bit set), masked and counted.
    #[inline]
    pub(super) fn cops_and_actives(&self, site: u32, spans: &[(i32, i32)]) -> (u32, u32) {
        let (x, y) = self.xy(site);
        // Rows span -r..=r and no half width exceeds r: away from the edges (almost every
        // site of a large lattice) nothing wraps, and a row's run starts at a fixed distance
        // from the site's own bit.
        let r = (spans.len() / 2) as u32;
        let interior = self.deep || x >= r && y >= r && x + r < self.width && y + r < self.height;
        if interior && self.seen_windows.len() == spans.len() {
            // One 64-bit window of both bit sets per row, masked: no branch on where words
            // end.
            const COPS: u64 = 0x5555_5555_5555_5555;
            let (mut c, mut a) = (0, 0);
            for &(start, mask) in &self.seen_windows {
                let w = window(&self.seen, 2 * (site as isize + start) as usize) & mask;
                c += (w & COPS).count_ones();
                a += (w & !COPS).count_ones();
            }
            return (c, a);
        }
        if interior {
            let bits = (&self.cops[..], &self.actives[..]);
            let stride = self.stride as isize;
            let (mut c, mut a) = (0, 0);
            for &(dy, half) in spans {
                let lo = (site as isize + dy as isize * stride - half as isize) as usize;
                let (dc, da) = count_run(bits, lo, lo + 2 * half as usize);
                c += dc;
                a += da;
            }
            return (c, a);
        }
        let torus = (self.width, self.height, self.stride as usize);
        count_two((&self.cops, &self.actives), torus, x, y, spans)
    }

    /// Rule A (and, in Model II, the killing it means) for the citizen on `site`.
    #[inline(always)]
    pub(super) fn decide(&mut self, site: u32, r: &Rules, s: &mut impl Draw, tally: &mut Tally) {
        let su = site as usize;
        let d = self.disposition[su];
        let h = d.hardship();
        if rules::never_active(h, r.legitimacy, r.p.threshold) {
            self.set_active(site, false);
            return;
        }
        let (c, a) = self.perceive(site, r);
        let p = r.arrest.p(c, a);
        let on = rules::is_active(h, r.legitimacy, d.risk(), p, r.p.threshold);
        self.set_active(site, on);
        if on && r.p.groups == 2 {
            let other = 1 - group(self.flags[su]) as usize;
            let v = self.pick(&self.groups[other], site, r.spans, s);
            if let Some(v) = v {
                self.remove(v);
                tally.killed += 1;
            }
        }
    }

    /// Rule M: to a uniformly drawn empty site within vision, if any. Returns where the agent
    /// stands afterwards.
    pub(super) fn move_agent(&mut self, site: u32, cop: bool, r: &Rules, s: &mut impl Draw) -> u32 {
        let offsets = if cop { r.cop_vision } else { r.vision };
        if offsets.is_empty() {
            return site;
        }
        if self.deep {
            let steps = if cop { &self.cop_steps } else { &self.steps };
            let target = self.probe(site, steps, s).or_else(|| {
                let spans = if cop { r.cop_spans } else { r.spans };
                self.pick(&self.open, site, spans, s)
            });
            return match target {
                Some(t) => {
                    self.relocate(site, t);
                    t
                }
                None => site,
            };
        }
        let (w, h) = (self.width as i32, self.height as i32);
        let (x, y) = self.xy(site);
        let (x, y) = (x as i32, y as i32);
        let mut target = None;
        // Rejection: probe random sites in vision, up to 16, then enumerate; both draw
        // uniformly among the empty sites. Probes go four at a time and the first open one
        // is taken (the same site as probing one by one would find), so that the branch is
        // on "any of four", which is predictable, not on each probe.
        let n = offsets.len() as u32;
        // Away from the edges an offset is a fixed step in site numbers (no wrapping).
        let reach = if cop {
            r.cop_spans.len() / 2
        } else {
            r.spans.len() / 2
        } as i32;
        let steps = if cop { &self.cop_steps } else { &self.steps };
        let interior = x >= reach
            && y >= reach
            && x + reach < w
            && y + reach < h
            && steps.len() == offsets.len();
        for _ in 0..PROBES / 4 {
            let mut probe = [0u32; 4];
            let mut open = 0u32;
            for (j, p) in probe.iter_mut().enumerate() {
                let k = s.below(n) as usize;
                *p = if interior {
                    (site as i32 + steps[k]) as u32
                } else {
                    let (dx, dy) = offsets[k];
                    let (mut nx, mut ny) = (x + dx, y + dy);
                    nx += if nx < 0 { w } else { 0 };
                    nx -= if nx >= w { w } else { 0 };
                    ny += if ny < 0 { h } else { 0 };
                    ny -= if ny >= h { h } else { 0 };
                    self.at(nx as u32, ny as u32)
                };
                open |= u32::from(self.is_open(*p)) << j;
            }
            if open != 0 {
                target = Some(probe[open.trailing_zeros() as usize]);
                break;
            }
        }
        let spans = if cop { r.cop_spans } else { r.spans };
        let target = target.or_else(|| self.pick(&self.open, site, spans, s));
        match target {
            Some(t) => {
                self.relocate(site, t);
                t
            }
            None => site,
        }
    }

    /// Rule M's probes away from the edges: up to [`PROBES`] random sites in vision, four at
    /// a time, each a fixed step in site numbers; the first open one, if any.
    #[inline]
    pub(super) fn probe(&self, site: u32, steps: &[i32], s: &mut impl Draw) -> Option<u32> {
        let n = steps.len() as u32;
        for _ in 0..PROBES / 4 {
            let mut probe = [0u32; 4];
            let mut open = 0u32;
            for (j, p) in probe.iter_mut().enumerate() {
                *p = (site as i32 + steps[s.below(n) as usize]) as u32;
                open |= u32::from(self.is_open(*p)) << j;
            }
            if open != 0 {
                return Some(probe[open.trailing_zeros() as usize]);
            }
        }
        None
    }

    /// Rule C for the cop on `site`: arrest a random active citizen within cop vision.
    /// Returns where the cop stands afterwards.
    pub(super) fn arrest(
        &mut self,
        site: u32,
        r: &Rules,
        s: &mut impl Draw,
        tally: &mut Tally,
    ) -> u32 {
        let Some(at) = self.pick(&self.actives, site, r.cop_spans, s) else {
            return site;
        };
        let term = rules::jail_term(r.p.max_jail_term, r.sw.jail_range, s);
        tally.arrests += 1;
        self.set_active(at, false);
        let jailed = rules::held(term, r.sw.release);
        if jailed {
            let au = at as usize;
            if r.sw.jailed == JailedAgents::Blocking {
                self.mark(at, false);
                self.flags[au] |= JAILED;
                self.mark(at, true);
                self.jail[au] = term;
                if r.sw.release == Release::EndOfStep {
                    // Counted down at the end of this step and the term − 1 that follow.
                    self.blocked.push(term - 1, at);
                }
            } else {
                let f = self.flags[au];
                let pr = Prisoner {
                    left: at,
                    jail: term,
                    disposition: self.disposition[au],
                    flags: f,
                };
                let life = [
                    self.age.get(au).copied().unwrap_or(0),
                    self.death.get(au).copied().unwrap_or(0),
                ];
                let lives = !self.age.is_empty();
                if r.sw.release == Release::EndOfStep {
                    self.due.push(term - 1, pr);
                    if lives {
                        self.due_lives.push(term - 1, life);
                    }
                } else {
                    self.prisoners.push(pr);
                    if lives {
                        self.prisoner_lives.push(life);
                    }
                }
                self.held[group(f) as usize] += 1;
                self.remove(at);
            }
        }
        if r.sw.cop_steps_onto_arrest && self.is_open(at) {
            self.relocate(site, at);
            return at;
        }
        site
    }

    /// Model II: ageing, death, and cloning onto an empty neighbouring site.
    pub(super) fn life(&mut self, site: u32, r: &Rules, step: u32, s: &mut impl Draw) {
        let su = site as usize;
        self.age[su] += 1;
        if self.age[su] >= self.death[su] {
            self.remove(site);
            return;
        }
        if s.bernoulli(r.p.clone_probability) {
            let (x, y) = self.xy(site);
            let (w, h) = (self.width as i32, self.height as i32);
            let mut empties = [0u32; 8];
            let mut n = 0;
            for &(dx, dy) in r.near {
                let nx = (x as i32 + dx).rem_euclid(w) as u32;
                let ny = (y as i32 + dy).rem_euclid(h) as u32;
                let t = self.at(nx, ny);
                if self.is_open(t) && n < empties.len() {
                    empties[n] = t;
                    n += 1;
                }
            }
            if n > 0 {
                let t = empties[s.below(n as u32) as usize];
                let mut d = Stream::new(r.seed, purpose::DISPOSITION, step, self.born);
                let flags = OCCUPIED | (self.flags[su] & GREEN);
                let h = self.disposition[su].hardship();
                self.spawn(flags, h, t, r.p, &mut d);
                // Born during the step: its first turn is the next step's.
                self.set_acted(t, true);
            }
        }
    }

    /// The turn of the agent on `site`.
    pub(super) fn turn(
        &mut self,
        site: u32,
        r: &Rules,
        step: u32,
        s: &mut impl Draw,
        tally: &mut Tally,
    ) {
        self.set_acted(site, true);
        let f = self.flags[site as usize];
        if f & COP != 0 {
            let moves = r.p.movement || r.sw.cops_move_when_still;
            match r.sw.order {
                TurnOrder::MoveThenAct => {
                    let at = if moves {
                        self.move_agent(site, true, r, s)
                    } else {
                        site
                    };
                    self.arrest(at, r, s, tally);
                }
                TurnOrder::ActThenMove => {
                    let at = self.arrest(site, r, s, tally);
                    if moves {
                        self.move_agent(at, true, r, s);
                    }
                }
            }
            return;
        }
        if f & JAILED != 0 {
            if r.sw.release != Release::OwnTurn {
                return;
            }
            let su = site as usize;
            if self.jail[su] > 0 {
                self.jail[su] -= 1;
                return;
            }
            self.mark(site, false);
            self.flags[su] &= !JAILED;
            self.mark(site, true);
        }
        self.citizen_turn(site, r, step, s, tally);
    }

    /// Rules M and A (and life, in Model II) for the free citizen on `site`.
    pub(super) fn citizen_turn(
        &mut self,
        site: u32,
        r: &Rules,
        step: u32,
        s: &mut impl Draw,
        tally: &mut Tally,
    ) {
        let mut at = site;
        match r.sw.order {
            TurnOrder::MoveThenAct => {
                if r.p.movement {
                    at = self.move_agent(at, false, r, s);
                }
                self.decide(at, r, s, tally);
            }
            TurnOrder::ActThenMove => {
                self.decide(at, r, s, tally);
                if r.p.movement {
                    at = self.move_agent(at, false, r, s);
                }
            }
        }
        if r.p.groups == 2 {
            self.life(at, r, step, s);
        }
    }

    /// Brings the vision offsets in site numbers up to date with the rules.
    pub(super) fn prepare(&mut self, r: &Rules) {
        let stride = self.stride as i32;
        let step_of = |&(dx, dy): &(i32, i32)| dy * stride + dx;
        self.steps.clear();
        self.steps.extend(r.vision.iter().map(step_of));
        self.cop_steps.clear();
        self.cop_steps.extend(r.cop_vision.iter().map(step_of));
        let stride = stride as isize;
        self.seen_windows.clear();
        if r.spans.iter().all(|&(_, half)| half < 16) {
            self.seen_windows.extend(r.spans.iter().map(|&(dy, half)| {
                let start = dy as isize * stride - half as isize;
                (start, u64::MAX >> (62 - 4 * half))
            }));
        }
        for (windows, spans) in [
            (&mut self.windows, r.spans),
            (&mut self.cop_windows, r.cop_spans),
        ] {
            windows.clear();
            if spans.iter().all(|&(_, half)| half < 32) {
                windows.extend(spans.iter().map(|&(dy, half)| {
                    let start = dy as isize * stride - half as isize;
                    (start, u64::MAX >> (63 - 2 * half))
                }));
            }
        }
    }

    /// A step: everyone's turn, then the end-of-step jail releases.
    pub fn step(&mut self, r: &Rules, step: u32) -> Tally {
        let mut tally = Tally::default();
        self.prepare(r);
        let (tx, ty) = (self.width.div_ceil(TILE), self.height.div_ceil(TILE));
        let mut tiles: Vec<u32> = (0..tx * ty).collect();
        let mut order = Stream::new(r.seed, purpose::ORDER, step, 0);
        for k in (1..tiles.len()).rev() {
            let j = order.below(k as u32 + 1) as usize;
            tiles.swap(k, j);
        }
        let mut here = std::mem::take(&mut self.scratch);
        here.resize((TILE * TILE) as usize + 1, 0);
        // Occupied by someone whose turn is still to come.
        let waiting = OCCUPIED | (self.parity ^ ACTED);
        // The vision's reach in sites (the wider of citizens' and cops').
        let reach = (r.spans.len().max(r.cop_spans.len()) / 2) as u32;
        for (n, &t) in tiles.iter().enumerate() {
            if let Some(&next) = tiles.get(n + 1) {
                self.prefetch_tile(next, tx);
            }
            if let Some(&later) = tiles.get(n + 3) {
                self.prefetch_surroundings(later, tx, r);
            }
            let mut s = Quick::new(r.seed, purpose::TURN, step, t);
            let (x0, y0) = ((t % tx) * TILE, (t / tx) * TILE);
            let x1 = (x0 + TILE).min(self.width);
            let y1 = (y0 + TILE).min(self.height);
            self.deep = x0 >= 2 * reach
                && y0 >= 2 * reach
                && x1 + 2 * reach <= self.width
                && y1 + 2 * reach <= self.height;
            // Every site is written and only the occupied are kept (no branch on each site).
            let mut kept = 0;
            for y in y0..y1 {
                let row = self.at(x0, y) as usize..self.at(x1, y) as usize;
                for (k, &f) in self.flags[row.clone()].iter().enumerate() {
                    here[kept] = (row.start + k) as u32;
                    kept += usize::from(f & OCCUPIED);
                }
            }
            let order = &mut here[..kept];
            for k in (1..order.len()).rev() {
                let j = s.below(k as u32 + 1) as usize;
                order.swap(k, j);
            }
            for &site in order.iter() {
                if self.flags[site as usize] & (OCCUPIED | ACTED) == waiting {
                    self.turn(site, r, step, &mut s, &mut tally);
                }
            }
        }
        self.deep = false;
        self.scratch = here;
        if r.sw.release == Release::OwnTurn && !self.prisoners.is_empty() {
            self.prisoner_turns(r, step, &mut tally);
        }
        self.end_of_step_releases(r, step);
        self.parity ^= ACTED;
        tally
    }

    /// Asks the caches for the site columns of tile `t` (those its agents read first), so
    /// that they arrive while the current tile's turns run: tiles come in a random order,
    /// which no hardware prefetcher follows.
    pub(super) fn prefetch_tile(&self, t: u32, tx: u32) {
        let (x0, y0) = ((t % tx) * TILE, (t / tx) * TILE);
        let x1 = (x0 + TILE).min(self.width);
        for y in y0..(y0 + TILE).min(self.height) {
            let (a, b) = (self.at(x0, y) as usize, self.at(x1 - 1, y) as usize);
            // One request per 64-byte line.
            for i in (a..=b).step_by(16).chain([b]) {
                prefetch(&self.disposition, i);
            }
            prefetch(&self.flags, a);
        }
    }

    /// Asks the second-level cache for everything the turns of tile `t` may touch: the
    /// columns and bit sets of its rows and of a vision's margin around it (moves land and
    /// perception reads up to a vision away). Issued a few tiles ahead, so the lines arrive
    /// in time and the first level is left to the tile at hand.
    pub(super) fn prefetch_surroundings(&self, t: u32, tx: u32, r: &Rules) {
        let reach = (r.spans.len().max(r.cop_spans.len()) / 2) as u32;
        let (x0, y0) = ((t % tx) * TILE, (t / tx) * TILE);
        let (w, h) = (self.width, self.height);
        let (xl, xh) = (x0.saturating_sub(reach), (x0 + TILE + reach).min(w) - 1);
        for dy in 0..(TILE + 2 * reach).min(h) {
            let y = (y0 + h + dy - reach.min(h)) % h;
            let (a, b) = (self.at(xl, y) as usize, self.at(xh, y) as usize);
            prefetch_lines_later(&self.disposition, a, b);
            prefetch_lines_later(&self.flags, a, b);
            for bits in [&self.open, &self.cops, &self.actives] {
                prefetch_lines_later(bits, a / 64, b / 64);
            }
        }
    }

    /// Turns of the prisoners off the lattice (`release = "own_turn"`), after the tiles', in
    /// the order of their arrests: a term counts down in its turn; a spent one is released
    /// (to its own site if empty) and takes its turn there. The released leave the list, the
    /// others keep their order, in place: the list can hold a fifth of the citizens.
    pub(super) fn prisoner_turns(&mut self, r: &Rules, step: u32, tally: &mut Tally) {
        let mut s = Quick::new(r.seed, purpose::TURN, step, u32::MAX);
        let n = self.prisoners.len();
        let lives = !self.prisoner_lives.is_empty();
        let mut kept = 0;
        for i in 0..n {
            let parity = self.parity;
            let pr = &mut self.prisoners[i];
            // Arrested this step after its turn: the next turn is the next step's.
            let to = if pr.flags & ACTED == parity {
                None
            } else {
                pr.flags = (pr.flags & !ACTED) | parity;
                if pr.jail > 0 {
                    pr.jail -= 1;
                    None
                } else {
                    let left = pr.left;
                    self.free_site(left, &mut s)
                }
            };
            match to {
                Some(to) => {
                    let pr = self.prisoners[i];
                    let life = if lives {
                        self.prisoner_lives[i]
                    } else {
                        [0, 0]
                    };
                    self.put_back(&pr, life, to);
                    self.citizen_turn(to, r, step, &mut s, tally);
                }
                None => {
                    self.prisoners[kept] = self.prisoners[i];
                    if lives {
                        self.prisoner_lives[kept] = self.prisoner_lives[i];
                    }
                    kept += 1;
                }
            }
        }
        self.prisoners.drain(kept..n);
        if lives {
            self.prisoner_lives.drain(kept..n);
        }
    }

    /// `release = "end_of_step"`: terms count down and spent ones are released.
    pub(super) fn end_of_step_releases(&mut self, r: &Rules, step: u32) {
        if r.sw.release != Release::EndOfStep {
            return;
        }
        let mut s = Stream::new(r.seed, purpose::LATTICE_EVENTS, step, u32::MAX);
        // Released in the order of their arrests. One with no empty site to go to (a full
        // lattice) waits for the next step's releases, after those already due then.
        let (due, lives) = (self.due.take_due(), self.due_lives.take_due());
        for (i, pr) in due.iter().enumerate() {
            let life = lives.get(i).copied().unwrap_or([0, 0]);
            match self.free_site(pr.left, &mut s) {
                Some(to) => {
                    self.put_back(pr, life, to);
                }
                None => {
                    self.due.push(0, *pr);
                    if !lives.is_empty() {
                        self.due_lives.push(0, life);
                    }
                }
            }
        }
        self.due.recycle(due);
        self.due_lives.recycle(lives);
        let blocked = self.blocked.take_due();
        for &site in &blocked {
            let su = site as usize;
            self.jail[su] = 0;
            self.mark(site, false);
            self.flags[su] &= !JAILED;
            self.mark(site, true);
        }
        self.blocked.recycle(blocked);
    }

    /// The site a released prisoner returns to: its own if empty, else a random empty one.
    pub(super) fn free_site(&self, left: u32, s: &mut impl Draw) -> Option<u32> {
        if self.is_open(left) {
            Some(left)
        } else {
            self.random_empty_site(s)
        }
    }

    /// A released prisoner onto `to`, counted as having had this step's turn.
    pub(super) fn put_back(&mut self, pr: &Prisoner, [age, death]: [u32; 2], to: u32) {
        let t = to as usize;
        self.held[group(pr.flags) as usize] -= 1;
        self.flags[t] = (pr.flags & !(JAILED | ACTIVE | ACTED)) | self.parity;
        self.disposition[t] = pr.disposition;
        if !self.age.is_empty() {
            self.age[t] = age;
            self.death[t] = death;
        }
        self.mark(to, true);
    }

    /// A uniformly drawn empty site of the whole lattice, if any.
    pub fn random_empty_site(&self, s: &mut impl Draw) -> Option<u32> {
        let n = self.width * self.height;
        for _ in 0..1000 {
            let c = s.below(n);
            let site = self.at(c % self.width, c / self.width);
            if self.is_open(site) {
                return Some(site);
            }
        }
        (0..n)
            .map(|c| self.at(c % self.width, c / self.width))
            .find(|&site| self.is_open(site))
    }
}
