//! Faithful mode's turns: perception, the rules of citizens and cops (Epstein's rules A and C,
//! movement M), Model II's killing, ageing and cloning, releases from jail, and the turn that
//! runs them in the order the switches say.

use super::*;

impl Faithful {
    // ---- perception ----------------------------------------------------------------------

    /// (C, A) seen by citizen `i`: cops, and actives counting itself as the switches say.
    pub(super) fn perceive(&self, i: u32) -> (u32, u32) {
        let iu = i as usize;
        let here = self.site[iu];
        // Both modes count live: one bit-set word per row of the neighbourhood.
        let (cops, mut actives) = {
            let l = &self.lattice;
            let w = l.width as usize;
            let (mut c, mut a) = (0u32, 0u32);
            if l.crowded == 0 {
                // At most one cop and one active per site: count bits.
                let torus = (l.width, l.height, l.words_per_row * 64);
                let (x, y) = l.xy(here);
                (c, a) = l.count_near(x, y, &self.t.spans).unwrap_or_else(|| {
                    lattice::count_two((&l.cop_bits, &l.active_bits), torus, x, y, &self.t.spans)
                });
            } else {
                self.runs(here, &self.t.spans, |row, xl, xh| {
                    let b = row * w;
                    c += l.cops[b + xl..=b + xh]
                        .iter()
                        .map(|&v| u32::from(v))
                        .sum::<u32>();
                    a += l.actives[b + xl..=b + xh]
                        .iter()
                        .map(|&v| u32::from(v))
                        .sum::<u32>();
                });
            }
            if !self.sw.own_site {
                c -= u32::from(l.cops[here as usize]);
                a -= u32::from(l.actives[here as usize]);
            }
            (c, a)
        };
        // `actives` now counts the own site's actives if `own_site`; make A = 1 + others
        // (once) or 1 + all including oneself (double).
        let self_in = self.sw.own_site && self.active[iu];
        match self.sw.self_count {
            SelfCount::Once if self_in => actives -= 1,
            SelfCount::Double if !self_in && self.active[iu] => actives += 1,
            _ => {}
        }
        (cops, 1 + actives)
    }

    // ---- rules ---------------------------------------------------------------------------

    /// The legitimacy that enters grievance this step (set by the model before the step).
    pub(super) fn grievance_legitimacy(&self) -> f64 {
        self.legitimacy
    }

    /// Rule A (and, in Model II, the killing it means).
    pub(super) fn decide(&mut self, i: u32, s: &mut Stream) {
        // G − R·P > T needs G > T whatever P (P ≥ 0): the many who can never be active need
        // no look around (an exact shortcut).
        let iu = i as usize;
        if rules::never_active(
            self.hardship[iu],
            self.grievance_legitimacy(),
            self.p.threshold,
        ) {
            self.set_active(i, false);
            return;
        }
        let (c, a) = self.perceive(i);
        let p = self.t.arrest.p(c, a);
        let on = rules::is_active(
            self.hardship[iu],
            self.grievance_legitimacy(),
            self.risk[iu],
            p,
            self.p.threshold,
        );
        self.set_active(i, on);
        if on && self.p.groups == 2 {
            self.kill_near(i, s);
        }
    }

    /// Rule M: a uniformly drawn empty site within vision, if any.
    pub(super) fn move_agent(&mut self, i: u32, cop: bool, s: &mut Stream) {
        let here = self.site[i as usize];
        if here == NONE {
            return;
        }
        let offsets = if cop {
            &self.t.cop_vision
        } else {
            &self.t.vision
        };
        if offsets.is_empty() {
            return;
        }
        // Rejection: probe random sites in vision, up to 16, then enumerate; both draw
        // uniformly among the empty sites.
        let (w, h) = (self.lattice.width as i32, self.lattice.height as i32);
        let (x, y) = self.lattice.xy(here);
        let (x, y) = (x as i32, y as i32);
        let mut target = None;
        for _ in 0..PROBES {
            let (dx, dy) = offsets[s.below(offsets.len() as u32) as usize];
            let (mut nx, mut ny) = (x + dx, y + dy);
            if nx < 0 {
                nx += w;
            } else if nx >= w {
                nx -= w;
            }
            if ny < 0 {
                ny += h;
            } else if ny >= h {
                ny -= h;
            }
            let n = (ny * w + nx) as u32;
            if self.empty(n) {
                target = Some(n);
                break;
            }
        }
        let target = target.or_else(|| self.pick_empty(here, cop, s));
        if let Some(t) = target {
            self.take(i);
            self.put(i, t);
        }
    }

    /// A uniformly drawn empty site in vision: count the empty sites, draw k, find the k-th
    /// (two branch-free passes over byte runs instead of collecting candidates).
    pub(super) fn pick_empty(&mut self, here: u32, cop: bool, s: &mut Stream) -> Option<u32> {
        let spans = if cop {
            &self.t.cop_spans
        } else {
            &self.t.spans
        };
        let l = &self.lattice;
        let mut runs = std::mem::take(&mut self.run_scratch);
        runs.clear();
        let mut total = 0u32;
        self.runs(here, spans, |row, xl, xh| {
            let n = l.open_in(row, xl, xh);
            if n > 0 {
                runs.push((row, xl, xh, n));
                total += n;
            }
        });
        let found = if total == 0 {
            None
        } else {
            let mut k = s.below(total);
            let mut found = None;
            for &(row, xl, xh, n) in &runs {
                if k < n {
                    found = Some(l.open_nth(row, xl, xh, k) as u32);
                    break;
                }
                k -= n;
            }
            found
        };
        self.run_scratch = runs;
        found
    }

    /// Free citizens within vision (cop vision if `cop`) of `here` passing `want`, on sites
    /// where `signal` is non-zero, into the scratch list.
    pub(super) fn citizens_near(
        &mut self,
        here: u32,
        cop: bool,
        actives_only: bool,
        want: impl Fn(&Self, u32) -> bool,
    ) -> Vec<u32> {
        let mut sites = std::mem::take(&mut self.scratch);
        sites.clear();
        let spans = if cop {
            &self.t.cop_spans
        } else {
            &self.t.spans
        };
        let l = &self.lattice;
        let signal = if actives_only { &l.actives } else { &l.free };
        let own = self.sw.own_site;
        let w = l.width as usize;
        self.runs(here, spans, |row, xl, xh| {
            let lo = row * w + xl;
            for (k, &n) in signal[lo..=row * w + xh].iter().enumerate() {
                if n > 0 && (own || lo + k != here as usize) {
                    sites.push((lo + k) as u32);
                }
            }
        });
        let mut found = std::mem::take(&mut self.found_scratch);
        found.clear();
        for &n in &sites {
            let mut a = self.lattice.head[n as usize];
            while a != NONE {
                if self.kind[a as usize] == CITIZEN && !self.jailed[a as usize] && want(self, a) {
                    found.push(a);
                }
                a = self.next[a as usize];
            }
        }
        self.scratch = sites;
        found
    }

    /// A uniformly drawn site with an active citizen within cop vision of `here` (the own
    /// site included), counted and found run by run in [`Self::citizens_near`]'s order.
    pub(super) fn kth_active_near(&self, here: u32, s: &mut Stream) -> Option<u32> {
        let l = &self.lattice;
        let wpr = l.words_per_row;
        let mut total = 0;
        self.runs(here, &self.t.cop_spans, |row, xl, xh| {
            total += lattice::count_in(&l.active_bits, wpr, row, xl, xh);
        });
        if total == 0 {
            return None;
        }
        let mut k = s.below(total);
        let mut found = None;
        self.runs(here, &self.t.cop_spans, |row, xl, xh| {
            if found.is_some() {
                return;
            }
            let n = lattice::count_in(&l.active_bits, wpr, row, xl, xh);
            if k < n {
                let col = lattice::nth_in(&l.active_bits, wpr, row, xl, xh, k);
                found = Some((row * l.width as usize + col) as u32);
            } else {
                k -= n;
            }
        });
        found
    }

    /// The active citizen on `site` (there is one).
    pub(super) fn active_on(&self, site: u32) -> u32 {
        let mut a = self.lattice.head[site as usize];
        while a != NONE {
            let au = a as usize;
            if self.kind[au] == CITIZEN && !self.jailed[au] && self.active[au] {
                return a;
            }
            a = self.next[au];
        }
        unreachable!("the site's active bit is set")
    }

    /// Rule C: arrest a random active citizen within cop vision.
    pub(super) fn arrest(&mut self, cop: u32, s: &mut Stream) {
        let here = self.site[cop as usize];
        if here == NONE {
            return;
        }
        let l = &self.lattice;
        let (x, y) = l.xy(here);
        let own_active =
            l.active_bits[y as usize * l.words_per_row + x as usize / 64] >> (x % 64) & 1 == 1;
        let suspect = if l.crowded == 0 && (self.sw.own_site || !own_active) {
            // One active citizen per site at most, and the own site needs no exclusion: the
            // k-th set bit in the order of the list below is the k-th suspect (same draw).
            match self.kth_active_near(here, s) {
                Some(site) => self.active_on(site),
                None => return,
            }
        } else {
            let suspects = self.citizens_near(here, true, true, |m, a| m.active[a as usize]);
            if suspects.is_empty() {
                self.found_scratch = suspects;
                return;
            }
            let suspect = suspects[s.below(suspects.len() as u32) as usize];
            self.found_scratch = suspects;
            suspect
        };
        let term = rules::jail_term(self.p.max_jail_term, self.sw.jail_range, s);
        self.arrests += 1;
        self.set_active(suspect, false);
        let su = suspect as usize;
        let jailed = rules::held(term, self.sw.release);
        let at = self.site[su];
        if jailed {
            if self.sw.jailed == JailedAgents::OffLattice {
                self.take(suspect);
            } else {
                self.lattice.free[at as usize] -= 1;
                self.lattice.refresh(at as usize);
            }
            self.jailed[su] = true;
            self.jail[su] = term;
            self.prisoners.push((suspect, at));
        }
        if self.sw.cop_steps_onto_arrest && self.empty(at) {
            self.take(cop);
            self.put(cop, at);
        }
    }

    pub(super) fn release(&mut self, i: u32, left: u32, s: &mut Stream) -> bool {
        let iu = i as usize;
        if self.sw.jailed == JailedAgents::OffLattice {
            let to = if left != NONE && self.empty(left) {
                Some(left)
            } else {
                self.random_empty_site(s)
            };
            let Some(to) = to else { return false };
            self.jailed[iu] = false;
            self.put(i, to);
        } else {
            self.jailed[iu] = false;
            let at = self.site[iu] as usize;
            self.lattice.free[at] += 1;
            self.lattice.refresh(at);
        }
        true
    }

    /// Model II: an active citizen kills a random citizen of the other group within vision.
    pub(super) fn kill_near(&mut self, i: u32, s: &mut Stream) {
        let here = self.site[i as usize];
        let mine = self.group[i as usize];
        let victims = self.citizens_near(here, false, false, |m: &Self, a: u32| {
            m.group[a as usize] != mine && m.alive[a as usize]
        });
        if !victims.is_empty() {
            let v = victims[s.below(victims.len() as u32) as usize];
            self.die(v);
            self.killed += 1;
        }
        self.found_scratch = victims;
    }

    pub(super) fn die(&mut self, i: u32) {
        self.take(i);
        self.alive[i as usize] = false;
        self.active[i as usize] = false;
    }

    /// Model II: ageing, death, and cloning onto an empty neighbouring site.
    pub(super) fn life(&mut self, i: u32, s: &mut Stream) {
        let iu = i as usize;
        self.age[iu] += 1;
        if self.age[iu] >= self.death[iu] {
            self.die(i);
            return;
        }
        if s.bernoulli(self.p.clone_probability) {
            let here = self.site[iu];
            let mut empties = Vec::new();
            for &(dx, dy) in &self.t.near {
                let n = self.lattice.shift(here, dx, dy);
                if self.empty(n) {
                    empties.push(n);
                }
            }
            if !empties.is_empty() {
                let t = empties[s.below(empties.len() as u32) as usize];
                let mut d = Stream::new(
                    self.seed,
                    purpose::DISPOSITION,
                    self.step,
                    self.kind.len() as u32,
                );
                let (g, h) = (self.group[iu], self.hardship[iu]);
                self.spawn(CITIZEN, g, h, t, &mut d);
            }
        }
    }

    // ---- the step ------------------------------------------------------------------------

    pub(super) fn turn(&mut self, i: u32, s: &mut Stream) {
        let iu = i as usize;
        if !self.alive[iu] {
            return;
        }
        if self.kind[iu] == COP {
            let moves = self.p.movement || self.sw.cops_move_when_still;
            match self.sw.order {
                TurnOrder::MoveThenAct => {
                    if moves {
                        self.move_agent(i, true, s);
                    }
                    self.arrest(i, s);
                }
                TurnOrder::ActThenMove => {
                    self.arrest(i, s);
                    if moves {
                        self.move_agent(i, true, s);
                    }
                }
            }
            return;
        }
        if self.jailed[iu] {
            if self.sw.release != Release::OwnTurn {
                return;
            }
            if self.jail[iu] > 0 {
                self.jail[iu] -= 1;
                return;
            }
            // Off the lattice, the site it left is in the prisoners' list (the only place
            // that holds it); a blocking or transparent prisoner stands on it.
            let left = match self.site[iu] {
                NONE => self
                    .prisoners
                    .iter()
                    .find(|&&(p, _)| p == i)
                    .map_or(NONE, |&(_, left)| left),
                here => here,
            };
            if !self.release(i, left, s) {
                return;
            }
        }
        match self.sw.order {
            TurnOrder::MoveThenAct => {
                if self.p.movement {
                    self.move_agent(i, false, s);
                }
                self.decide(i, s);
            }
            TurnOrder::ActThenMove => {
                self.decide(i, s);
                if self.p.movement && self.alive[iu] {
                    self.move_agent(i, false, s);
                }
            }
        }
        if self.p.groups == 2 && self.alive[iu] {
            self.life(i, s);
        }
    }

    pub(super) fn end_of_step_releases(&mut self) {
        let mut s = Stream::new(self.seed, purpose::LATTICE_EVENTS, self.step, u32::MAX);
        let list = std::mem::take(&mut self.prisoners);
        let mut kept = Vec::with_capacity(list.len());
        for (i, left) in list {
            let iu = i as usize;
            if !self.jailed[iu] || !self.alive[iu] {
                continue;
            }
            if self.sw.release == Release::EndOfStep {
                if self.jail[iu] > 0 {
                    self.jail[iu] -= 1;
                }
                if self.jail[iu] == 0 && self.release(i, left, &mut s) {
                    continue;
                }
            }
            kept.push((i, left));
        }
        self.prisoners = kept;
    }
}
