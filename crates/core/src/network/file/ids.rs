//! The files' ids, interned: integers kept as integers, texts end to end in one string.

/// Person numbers by id (see [`FileNetwork::person_of`]).
pub struct IdIndex<'a> {
    pub(super) ids: &'a Ids,
    /// Person number by place in the files' order.
    pub(super) person: Vec<u32>,
}

impl IdIndex<'_> {
    /// The person with id `id`.
    pub fn get(&self, id: &str) -> Option<u32> {
        self.ids.get(id).map(|p| self.person[p as usize])
    }
}

/// Interned ids: each distinct id gets the next number, in order of first appearance. While
/// every id is a decimal integer (the common case) the integers themselves are kept; once one
/// is not, the texts are kept end to end in one string. An open-addressing table of numbers
/// finds them, so two million ids cost about 30 MB, not an allocation each, and a lookup
/// costs two memory accesses; the table is only looked up, never iterated, so nothing
/// depends on its order.
#[derive(Clone, Default)]
pub struct Ids {
    /// Whether some id is not a decimal integer (then `text` and `starts` hold them all).
    texts: bool,
    /// The ids, while all are integers.
    ints: Vec<u64>,
    text: String,
    /// Where each id starts in `text`, and its end (`len + 1` entries, once `texts`).
    starts: Vec<u64>,
    /// Id numbers, or `EMPTY`; a power of two long.
    slots: Vec<u32>,
}

const EMPTY: u32 = u32::MAX;

/// SplitMix64's finalizer: every input bit reaches the low bits the table uses.
#[inline]
fn mix(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A fast hash of a short text (FxHash's mixing, eight bytes at a time, then [`mix`]).
#[inline]
fn hash_text(t: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = t.len() as u64;
    let mut chunks = t.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("eight bytes"));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix((h.rotate_left(5) ^ u64::from_le_bytes(last)).wrapping_mul(K))
}

/// `t` as an integer if it is one written the one way (`0`, or digits without a leading 0,
/// below 10^19), so that the integer and the text name the same id.
#[inline]
pub(super) fn integer(t: &str) -> Option<u64> {
    let b = t.as_bytes();
    if b.is_empty() || b.len() > 19 || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    Some(v)
}

impl Ids {
    /// Ids held.
    pub fn len(&self) -> usize {
        if self.texts {
            self.starts.len().saturating_sub(1)
        } else {
            self.ints.len()
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text of id number `k`.
    pub fn text(&self, k: u32) -> std::borrow::Cow<'_, str> {
        let k = k as usize;
        if self.texts {
            self.text[self.starts[k] as usize..self.starts[k + 1] as usize].into()
        } else {
            self.ints[k].to_string().into()
        }
    }

    fn text_of(&self, k: u32) -> &str {
        let k = k as usize;
        &self.text[self.starts[k] as usize..self.starts[k + 1] as usize]
    }

    /// The slot where `id` is, or the empty one where it would go.
    fn slot(&self, id: &str, int: Option<u64>) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = match int {
            Some(v) if !self.texts => mix(v),
            _ => hash_text(id.as_bytes()),
        } as usize
            & mask;
        loop {
            let k = self.slots[at];
            if k == EMPTY {
                return at;
            }
            let same = match int {
                _ if self.texts => self.text_of(k) == id,
                Some(v) => self.ints[k as usize] == v,
                None => false,
            };
            if same {
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    /// The number of `id`, if held.
    pub fn get(&self, id: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let int = integer(id);
        if int.is_none() && !self.texts {
            return None;
        }
        let k = self.slots[self.slot(id, int)];
        (k != EMPTY).then_some(k)
    }

    /// Puts every id back into a table of `size` slots.
    fn rebuild(&mut self, size: usize) {
        self.slots = vec![EMPTY; size];
        for k in 0..self.len() as u32 {
            let at = if self.texts {
                self.slot(self.text_of(k), None)
            } else {
                let v = self.ints[k as usize];
                self.slot("", Some(v))
            };
            self.slots[at] = k;
        }
    }

    /// The number of `id`, and whether it is new.
    pub(super) fn insert(&mut self, id: &str) -> (u32, bool) {
        let int = integer(id);
        if int.is_none() && !self.texts {
            // The first id that is not an integer: from now on, texts.
            self.texts = true;
            self.starts = vec![0];
            for v in std::mem::take(&mut self.ints) {
                use std::fmt::Write;
                let _ = write!(self.text, "{v}");
                self.starts.push(self.text.len() as u64);
            }
            let size = self.slots.len();
            self.rebuild(size);
        }
        // At most half full, so probes stay short.
        if (self.len() + 1) * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(1024);
            self.rebuild(size);
        }
        let at = self.slot(id, int);
        if self.slots[at] != EMPTY {
            return (self.slots[at], false);
        }
        let k = self.len() as u32;
        if self.texts {
            self.text.push_str(id);
            self.starts.push(self.text.len() as u64);
        } else {
            self.ints.push(int.expect("an integer"));
        }
        self.slots[at] = k;
        (k, true)
    }
}
