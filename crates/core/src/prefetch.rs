//! A memory prefetch hint, the crate's only `unsafe`.
//!
//! Cascades visit the ties of many people, a tenth of which lead anywhere in memory. Without a
//! hint, the processor waits for each such read in turn once its reorder window is full; asking
//! for the line some visits ahead overlaps those waits. A prefetch never faults and never
//! changes a value, so results are identical with or without it.

/// Hints that `slice[index]` will be read soon. Does nothing if `index` is out of bounds or the
/// target has no prefetch instruction.
#[inline(always)]
pub fn prefetch<T>(slice: &[T], index: usize) {
    hint::<T, 3>(slice, index);
}

/// Hints that `slice[index]` will be read later than [`prefetch`]'s: the line is brought into
/// the second-level cache only, where work still under way in the first level cannot evict it.
#[inline(always)]
pub fn prefetch_later<T>(slice: &[T], index: usize) {
    hint::<T, 2>(slice, index);
}

/// [`prefetch_later`] for every 64-byte line that holds part of `slice[first..=last]`, one
/// request per line: a request for a line already asked for still takes a slot in the
/// processor's queue of pending loads.
#[inline]
pub fn prefetch_lines_later<T>(slice: &[T], first: usize, last: usize) {
    let size = std::mem::size_of::<T>().max(1);
    let base = slice.as_ptr() as usize;
    let (lo, hi) = ((base + first * size) / 64, (base + last * size) / 64);
    for line in lo..=hi {
        let index = (line * 64).saturating_sub(base) / size;
        prefetch_later(slice, index.max(first));
    }
}

/// `_mm_prefetch` with the hint `H` (3: all levels, 2: second level and beyond).
#[inline(always)]
fn hint<T, const H: i32>(slice: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(item) = slice.get(index) {
        let ptr = (item as *const T).cast::<i8>();
        // SAFETY: `_mm_prefetch` only hints the cache; it reads nothing architecturally and
        // cannot fault, and `ptr` points into a live slice. SSE is part of the x86_64 baseline.
        #[allow(unsafe_code)]
        unsafe {
            core::arch::x86_64::_mm_prefetch::<H>(ptr);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, index);
}
