//! The timing wheel that holds prisoners released at the end of a step until their release
//! step: a step touches only those it frees.

use serde::{Deserialize, Serialize};

/// Items by the step they fall due, counted from the current one: a timing wheel of
/// [`Wheel::HORIZON`] slots for the near future, and an ordered map for the far (terms of a
/// billion steps stand for "for ever" in the paper's runs: a slot per step would not fit in
/// memory). Items due at the same step come out in the order they came in.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Wheel<T> {
    /// `slots[k]`: the items due k steps from now (0: at the end of the current step).
    pub(super) slots: std::collections::VecDeque<Vec<T>>,
    /// Items due [`Wheel::HORIZON`] or more steps ahead, by (due step, arrival number).
    pub(super) far: std::collections::BTreeMap<(u64, u64), T>,
    /// The current step, counted from the wheel's first.
    pub(super) now: u64,
    /// Items filed so far (orders the far ones due at the same step).
    pub(super) filed: u64,
}

impl<T> Default for Wheel<T> {
    fn default() -> Self {
        Wheel {
            slots: std::collections::VecDeque::new(),
            far: std::collections::BTreeMap::new(),
            now: 0,
            filed: 0,
        }
    }
}

impl<T> Wheel<T> {
    /// Slots of the near wheel (steps).
    const HORIZON: u32 = 1024;

    /// Whether a restored wheel keeps the invariants its methods rely on (at most
    /// `HORIZON` near slots, every far item at least `HORIZON` steps ahead) and every item
    /// passes `ok`.
    pub(super) fn well_formed(&self, ok: impl Fn(&T) -> bool) -> bool {
        let Some(horizon) = self.now.checked_add(u64::from(Self::HORIZON)) else {
            return false;
        };
        self.slots.len() <= Self::HORIZON as usize
            && self.far.keys().all(|&(due, _)| due >= horizon)
            && self.slots.iter().flatten().chain(self.far.values()).all(ok)
    }

    /// Files `item` as due `steps` steps from now.
    pub(super) fn push(&mut self, steps: u32, item: T) {
        self.filed += 1;
        if steps >= Self::HORIZON {
            let due = self.now + u64::from(steps);
            self.far.insert((due, self.filed), item);
            return;
        }
        let k = steps as usize;
        if self.slots.len() <= k {
            self.slots.resize_with(k + 1, Vec::new);
        }
        self.slots[k].push(item);
    }

    /// The items due now, in the order they came; the wheel turns one step, and far items
    /// that come within the horizon move into their slots (before anything the new step
    /// files there, which came later).
    pub(super) fn take_due(&mut self) -> Vec<T> {
        let due = self.slots.pop_front().unwrap_or_default();
        self.now += 1;
        let horizon = self.now + u64::from(Self::HORIZON);
        while let Some(entry) = self.far.first_entry() {
            if entry.key().0 >= horizon {
                break;
            }
            let ((step, _), item) = entry.remove_entry();
            let k = (step - self.now) as usize;
            if self.slots.len() <= k {
                self.slots.resize_with(k + 1, Vec::new);
            }
            self.slots[k].push(item);
        }
        due
    }

    /// Gives back the emptied list of [`Wheel::take_due`], to be reused at the far end.
    pub(super) fn recycle(&mut self, mut spent: Vec<T>) {
        if !self.slots.is_empty() && self.slots.len() < Self::HORIZON as usize {
            spent.clear();
            self.slots.push_back(spent);
        }
    }

    /// Every item, soonest due first.
    #[cfg(test)]
    pub(super) fn items(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().flatten().chain(self.far.values())
    }
}
