//! How much memory a scenario's run needs, estimated before anything is allocated, so that a
//! scenario that validates but cannot fit is refused with a reason instead of aborting the
//! process (or, from the dashboard, the server) when an allocation fails.
//!
//! Per-item costs are measured (BENCHMARKS.md): `korea-1936-1945` at scale 1, 22.8 million
//! persons and 117 million ties, peaks at 1.65 GB, and the estimate below gives 1.79 GB (with
//! the program's own 120 MB, measured on small runs, where it matters); the
//! civil violence lattice peaks at 47 bytes a site (faithful mode, 2,000 × 2,000).

use super::{NetworkSpec, Scenario};

/// Bytes per person for the population's columns (region, age, sex, occupation, offsets).
const PERSON_BYTES: f64 = 8.0;

/// What a run takes whatever its size: the program, its tables, thread stacks, output buffers
/// and the allocator's arenas. Measured as the intercept of peak resident memory against the
/// estimate without it (`korea-1936-1945`, one thread, scales 0.01, 0.1, 0.3: 137, 278 and
/// 591 MB against 17, 172 and 517 MB estimated, a line of slope 0.91 through 122 MB);
/// without it small runs were estimated at an eighth of what they use.
const PROCESS_BYTES: f64 = 120e6;

/// Mean ties per person the scenario's network asks for.
pub fn mean_degree(s: &Scenario) -> f64 {
    match &s.network {
        NetworkSpec::None => 0.0,
        NetworkSpec::ErdosRenyi { p } => p * (f64::from(s.population()) - 1.0).max(0.0),
        NetworkSpec::WattsStrogatz { mean_degree, .. } => f64::from(*mean_degree),
        // Already read (the scenario holds it): counted here once more, as a run's model
        // state is laid out beside it.
        NetworkSpec::File(f) => {
            let ends =
                f.network.targets.len() as f64 * if f.network.is_weighted() { 2.0 } else { 1.0 };
            ends / f64::from(s.population()).max(1.0)
        }
        NetworkSpec::Structured(p) => {
            let people = f64::from(s.population()).max(1.0);
            let links: f64 = p
                .links
                .iter()
                .map(|l| {
                    let from = s.regions.get(l.from as usize).map_or(0, |r| r.population);
                    // Each link tie has two ends.
                    2.0 * l.ties_per_person * f64::from(from) / people
                })
                .sum();
            f64::from(p.household_size.saturating_sub(1))
                + p.village_ties
                + p.district_ties
                + p.long_ties
                + links
        }
    }
}

/// Estimated peak bytes of one run of `s`: the population, the network in CSR (8 bytes an
/// offset, 4 a tie end) and the model's own state ([`crate::model::ModelDef::memory`]).
pub fn estimate(s: &Scenario) -> u64 {
    let persons = f64::from(s.population());
    let network = 8.0 * (persons + 1.0) + 4.0 * persons * mean_degree(s);
    let total = PROCESS_BYTES + PERSON_BYTES * persons + network + s.model.memory(s) as f64;
    total.min(u64::MAX as f64) as u64
}

/// `bytes` in words (`1.6 GB`).
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.0} MB", b / 1e6)
    } else {
        format!("{:.0} kB", b / 1e3)
    }
}

/// Refuses a run of `s` whose estimate exceeds `limit` bytes, with the reason.
pub fn check(s: &Scenario, limit: u64) -> Result<u64, String> {
    let need = estimate(s);
    // On a lattice, the lattice takes the memory and `scale` does not shrink it.
    if let (true, Some(l)) = (need > limit, s.model.meta(s).lattice) {
        return Err(format!(
            "this scenario needs about {} of memory (a {} × {} lattice; {}), more than the {} \
             allowed: make the lattice smaller, or allow more with --max-memory",
            human(need),
            l.width,
            l.height,
            s.model.name(),
            human(limit),
        ));
    }
    if need > limit {
        // What scales with the population is what is left after the program's own share.
        let room = limit as f64 - PROCESS_BYTES;
        let advice = if room > 0.0 {
            format!(
                "lower `scale` (e.g. --scale {:.3}), or allow more with --max-memory",
                (s.scale * room / (need as f64 - PROCESS_BYTES) * 0.9).max(0.0)
            )
        } else {
            format!(
                "that is less than the program itself takes (about {}): allow more with \
                 --max-memory",
                human(PROCESS_BYTES as u64)
            )
        };
        return Err(format!(
            "this scenario needs about {} of memory ({} persons, about {:.1} ties each; {}), \
             more than the {} allowed: {advice}",
            human(need),
            s.population(),
            mean_degree(s),
            s.model.name(),
            human(limit),
        ));
    }
    Ok(need)
}

/// The memory this process may still take now, if known: the least of what the machine has
/// available (`MemAvailable`), what its container allows (cgroup v2 `memory.max` less
/// `memory.current`, or v1's `memory.limit_in_bytes` less `memory.usage_in_bytes`), and what
/// its address-space limit leaves (`ulimit -v`: `RLIMIT_AS` less the process's `VmSize`).
/// Reading only the first once let a server under `ulimit -v 8000000` accept a 14 GB run.
pub fn available() -> Option<u64> {
    [
        machine_available(),
        container_available(),
        address_space_available(),
    ]
    .into_iter()
    .flatten()
    .min()
}

/// `MemAvailable` of `/proc/meminfo`.
fn machine_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    kb_field(&text, "MemAvailable:")
}

/// A `NAME: N kB` line of a `/proc` file, in bytes.
fn kb_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// What the process's memory cgroup still allows, if it sets a limit.
fn container_available() -> Option<u64> {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let number = |t: Option<String>| t.and_then(|t| t.trim().parse::<u64>().ok());
    // cgroup v2: this process's group, from `0::/path` in /proc/self/cgroup.
    let own = read("/proc/self/cgroup").and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("0::").map(str::to_string))
    });
    if let Some(path) = own {
        let dir = format!("/sys/fs/cgroup{}", path.trim_end_matches('/'));
        if let Some(max) = number(read(&format!("{dir}/memory.max"))) {
            let used = number(read(&format!("{dir}/memory.current"))).unwrap_or(0);
            return Some(max.saturating_sub(used));
        }
    }
    // cgroup v1 (a limit of nearly 2^63 means none).
    let max = number(read("/sys/fs/cgroup/memory/memory.limit_in_bytes"))?;
    (max < 1 << 60).then(|| {
        let used = number(read("/sys/fs/cgroup/memory/memory.usage_in_bytes")).unwrap_or(0);
        max.saturating_sub(used)
    })
}

/// What `RLIMIT_AS` leaves of the address space, if it is limited (read from
/// `/proc/self/limits`, "Max address space", less the process's `VmSize`).
fn address_space_available() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let soft = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max address space"))?
        .split_whitespace()
        .next()?
        .parse::<u64>()
        .ok()?; // "unlimited" does not parse: no limit
    let status = std::fs::read_to_string("/proc/self/status").ok();
    let used = status.and_then(|t| kb_field(&t, "VmSize:")).unwrap_or(0);
    Some(soft.saturating_sub(used))
}

/// Reads a size such as `8G`, `512MiB`, `2.5 GB` or `1000000` (bytes); units are powers of
/// 1,024.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.trim_end_matches('b').trim_end_matches('i');
    let scale = match unit {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024f64.powi(2),
        "g" => 1024f64.powi(3),
        "t" => 1024f64.powi(4),
        _ => return None,
    };
    let bytes = n * scale;
    (0.0..1.8e19).contains(&bytes).then_some(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_read_in_binary_units() {
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("8G"), Some(8 << 30));
        assert_eq!(parse_size("512MiB"), Some(512 << 20));
        assert_eq!(parse_size("1.5 GB"), Some(3 << 29));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("5X"), None);
    }

    #[test]
    fn the_estimate_of_korea_at_full_scale_matches_the_measured_peak() {
        let s = Scenario::load(
            &super::super::Source::text(
                "k.toml",
                super::super::embedded::ALL
                    .iter()
                    .find(|(n, _)| *n == "korea-1936-1945")
                    .unwrap()
                    .1,
            ),
            &[super::super::Override::parse("scale=1").unwrap()],
        )
        .unwrap();
        let e = estimate(&s) as f64;
        // Measured: 1.65 GB peak (BENCHMARKS.md); 117.1 million ties, 10.26 tie ends each.
        assert!((1.5e9..1.9e9).contains(&e), "{e}");
        assert!(
            (9.5..11.0).contains(&mean_degree(&s)),
            "{}",
            mean_degree(&s)
        );
        assert!(check(&s, 1 << 30).unwrap_err().contains("lower `scale`"));
        assert!(check(&s, 4 << 30).is_ok());
        // A limit below what the program itself takes says so, not a scale that cannot help.
        let e = check(&s, 50 << 20).unwrap_err();
        assert!(e.contains("less than the program itself takes"), "{e}");
        assert!(!e.contains("--scale"), "{e}");
    }

    /// Small runs are estimated with what the program itself takes (a run at scale 0.01
    /// peaked at 137 MB and was estimated at 17).
    #[test]
    fn small_runs_count_the_programs_own_memory() {
        let s = Scenario::load(
            &super::super::embedded::source("korea-1936-1945").unwrap(),
            &[super::super::Override::parse("scale=0.01").unwrap()],
        )
        .unwrap();
        let e = estimate(&s) as f64;
        assert!((130e6..150e6).contains(&e), "{e}");
    }

    /// The least of the limits that apply: the machine's, the container's, the address
    /// space's; each read as the system reports it.
    #[test]
    fn the_memory_available_is_the_least_of_the_limits_that_apply() {
        let all = [
            machine_available(),
            container_available(),
            address_space_available(),
        ];
        assert_eq!(available(), all.into_iter().flatten().min());
        assert_eq!(
            kb_field("MemAvailable:   1024 kB\n", "MemAvailable:"),
            Some(1 << 20)
        );
    }
}
