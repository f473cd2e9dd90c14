//! Renumbering people so that tied people sit near each other in memory.

use crate::network::Network;

/// The order people get their numbers in: region by region, and within a region breadth
/// first along ties within it, starting from the first person (in file order) not yet
/// numbered. `order[new] = old`.
pub(super) fn breadth_first(g: &Network, region: &[u16], regions: usize) -> Vec<u32> {
    let n = region.len();
    let mut by_region: Vec<Vec<u32>> = vec![Vec::new(); regions];
    for (i, &r) in region.iter().enumerate() {
        by_region[r as usize].push(i as u32);
    }
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for (r, members) in by_region.iter().enumerate() {
        for &start in members {
            if seen[start as usize] {
                continue;
            }
            seen[start as usize] = true;
            let mut head = order.len();
            order.push(start);
            while head < order.len() {
                let u = order[head];
                head += 1;
                for &v in g.neighbours(u) {
                    if !seen[v as usize] && region[v as usize] as usize == r {
                        seen[v as usize] = true;
                        order.push(v);
                    }
                }
            }
        }
    }
    order
}

/// The network under new numbers (`order[new] = old`), rows sorted. Tie ends are renumbered
/// in place, then rows are copied in their new order: the old and new rows coexist once.
pub(super) fn renumber(mut g: Network, order: &[u32]) -> Network {
    let n = order.len();
    let mut new_of = vec![0u32; n];
    for (new, &old) in order.iter().enumerate() {
        new_of[old as usize] = new as u32;
    }
    for t in &mut g.targets {
        *t = new_of[*t as usize];
    }
    drop(new_of);
    let mut offsets = Vec::with_capacity(n + 1);
    let mut targets = Vec::with_capacity(g.targets.len());
    let mut weights = g.weights.as_ref().map(|w| Vec::with_capacity(w.len()));
    let mut row: Vec<(u32, f32)> = Vec::new();
    offsets.push(0u64);
    for &old in order {
        let from = targets.len();
        match (g.weights_of(old), weights.as_mut()) {
            (Some(ws), Some(out)) => {
                row.clear();
                row.extend(g.neighbours(old).iter().copied().zip(ws.iter().copied()));
                row.sort_unstable_by_key(|&(t, _)| t);
                targets.extend(row.iter().map(|&(t, _)| t));
                out.extend(row.iter().map(|&(_, w)| w));
            }
            _ => {
                targets.extend_from_slice(g.neighbours(old));
                targets[from..].sort_unstable();
            }
        }
        offsets.push(targets.len() as u64);
    }
    Network {
        offsets,
        targets,
        weights,
    }
}
