//! `mobilize-bench`: benchmarks of the engine's hot paths, with peak memory.
//!
//! Each measurement runs in its own process so that the peak resident memory (`VmHWM`) belongs
//! to it alone. Figures go to standard output as `key: value` lines; `BENCHMARKS.md` records
//! them with the command that produced them.
//!
//! ```text
//! mobilize-bench network --persons 10000000            # generation speed and memory
//! mobilize-bench cascade --persons 10000000            # tie visits per second
//! mobilize-bench export  --persons 100000 --dir DIR    # a cascade's inputs, for ndlib
//! mobilize-bench resistance --scale 1                  # korea-1936-1945 end to end
//! mobilize-bench file-network --ties 10000000 --file F # an edge list read, checked, renumbered
//! ```

use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand};
use mobilize_core::engine::Sim;
use mobilize_core::model::threshold::{draw_thresholds, ThresholdParams};
use mobilize_core::network::Network;
use mobilize_core::observe::Recorder;
use mobilize_core::population::People;
use mobilize_core::scenario::{Override, Scenario, Source};

#[derive(Parser)]
#[command(about = "Benchmarks of mobilize")]
struct Args {
    #[command(subcommand)]
    what: What,
    /// Worker threads (the figures in BENCHMARKS.md use 1).
    #[arg(long, global = true, default_value_t = 1)]
    threads: usize,
}

#[derive(Subcommand)]
enum What {
    /// Generate the structured network (mean degree about 10).
    Network {
        /// Persons.
        #[arg(long, default_value_t = 10_000_000)]
        persons: u64,
    },
    /// Run a network threshold cascade that reaches everyone.
    Cascade {
        /// Persons.
        #[arg(long, default_value_t = 10_000_000)]
        persons: u64,
    },
    /// Write a cascade's network, thresholds and initial actors as text, and run it.
    Export {
        /// Persons.
        #[arg(long, default_value_t = 100_000)]
        persons: u64,
        /// Folder for `edges.txt`, `thresholds.txt`, `initial.txt`, `mobilize.txt`.
        #[arg(long)]
        dir: PathBuf,
    },
    /// Run an embedded civil violence scenario on a lattice of the given size.
    CivilViolence {
        /// Embedded scenario (e.g. `epstein-run2`, `mesa-civil-violence`).
        #[arg(long, default_value = "epstein-run2")]
        scenario: String,
        /// Lattice width and height.
        #[arg(long, default_value_t = 40)]
        size: u32,
        /// Steps.
        #[arg(long, default_value_t = 1000)]
        steps: u32,
        /// `faithful` or `fast`.
        #[arg(long, default_value = "faithful")]
        mode: String,
        /// Further overrides, `path.to.key=value` (repeatable): e.g. Mesa's Run 2 inputs.
        #[arg(long = "set")]
        sets: Vec<String>,
    },
    /// Read an edge list as `network.kind = "file"` does (hash, parse, check, build,
    /// renumber). If `file` does not exist it is written first (a random graph of mean
    /// degree 10 whose ids are scrambled integers) and the command exits: run it again to
    /// measure the read alone.
    FileNetwork {
        /// Ties of the edge list written.
        #[arg(long, default_value_t = 10_000_000)]
        ties: u64,
        /// The CSV or Parquet edge list.
        #[arg(long)]
        file: PathBuf,
    },
    /// Run `korea-1936-1945` end to end (population, network, nine years of days).
    Resistance {
        /// Multiplier on the population (1 = every person, about 22.8 million).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Seed.
        #[arg(long, default_value_t = 1936)]
        seed: u64,
    },
}

/// The benchmark scenario: one region, households of 5 (4 ties), 4 village ties, 1 district
/// tie and 1 long tie per person: mean degree about 10. Fraction thresholds uniform on
/// (0.01, 0.3], 100 initial actors: the cascade reaches (nearly) everyone.
fn scenario(persons: u64) -> Scenario {
    let text = format!(
        r#"
name = "bench"
model = "threshold"
seed = 2026
[time]
steps = 10000
[[regions]]
name = "all"
population = {persons}
[network]
kind = "structured"
household_size = 5
village_size = 200
village_ties = 4.0
district_size = 5000
district_ties = 1.0
long_ties = 1.0
[threshold]
form = "network"
unit = "fraction"
initial_random = 100
[threshold.distribution]
kind = "uniform"
min = 0.01
max = 0.3
sampling = "quantile"
"#
    );
    match Scenario::load(&Source::text("bench.toml", &text), &[] as &[Override]) {
        Ok(s) => s,
        Err(e) => panic!("the benchmark scenario is valid: {e}"),
    }
}

/// Peak resident memory of this process in bytes (Linux `VmHWM`), if known.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn main() {
    let args = Args::parse();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .expect("threads start");
    pool.install(|| match args.what {
        What::Network { persons } => network(persons),
        What::Cascade { persons } => cascade(persons),
        What::Export { persons, dir } => export(persons, &dir),
        What::Resistance { scale, seed } => resistance(scale, seed),
        What::FileNetwork { ties, file } => file_network(ties, &file),
        What::CivilViolence {
            scenario,
            size,
            steps,
            mode,
            sets,
        } => civil_violence(&scenario, size, steps, &mode, &sets),
    });
    println!("threads: {}", args.threads);
}

fn file_network(ties: u64, file: &std::path::Path) {
    use mobilize_core::network::file::{read, Context, Input};
    use std::io::Write;
    if !file.exists() {
        // Mean degree 10: a fifth as many people as ties.
        let persons = (ties / 5).max(2) as usize;
        let p = 10.0 / (persons - 1) as f64;
        let g = mobilize_core::network::erdos_renyi(persons, p, 7);
        // Ids scrambled (an odd multiplier is a bijection modulo 2^32), so that the file's
        // order says nothing of the ties and renumbering has work to do.
        let id = |i: u32| i.wrapping_mul(2_654_435_761);
        let mut w = std::io::BufWriter::new(std::fs::File::create(file).expect("file"));
        writeln!(w, "source,target").unwrap();
        for i in 0..persons as u32 {
            for &j in g.neighbours(i) {
                if j > i {
                    writeln!(w, "{},{}", id(i), id(j)).unwrap();
                }
            }
        }
        w.flush().unwrap();
        println!("written: {} ({} ties)", file.display(), g.ties());
        return;
    }
    let regions = ["all".to_string()];
    let input = Input {
        path: file.to_path_buf(),
        shown: file.display().to_string(),
        sha256: None,
    };
    let t = Instant::now();
    let f = match read(
        &input,
        None,
        &Context {
            regions: &regions,
            weights: &[],
        },
    ) {
        Ok(f) => f,
        Err(problems) => panic!("the benchmark file reads: {:?}", problems.first()),
    };
    let secs = t.elapsed().as_secs_f64();
    let (persons, ties) = (f.ids.len() as u64, f.network.ties());
    let near = (0..persons as u32)
        .flat_map(|i| f.network.neighbours(i).iter().map(move |&j| i.abs_diff(j)))
        .filter(|&d| d < 1000)
        .count();
    println!("bytes: {}", std::fs::metadata(file).map_or(0, |m| m.len()));
    println!("persons: {persons}");
    println!("ties: {ties}");
    println!("read_s: {secs:.3}");
    println!("ties_per_s: {:.0}", ties as f64 / secs);
    println!(
        "tie_ends_within_1000_numbers: {:.3}",
        near as f64 / f.network.targets.len() as f64
    );
    if let Some(peak) = peak_rss() {
        let budget = 24 * ties + 16 * persons;
        println!("peak_rss_bytes: {peak}");
        println!("budget_24_per_tie_16_per_person_bytes: {budget}");
        println!("peak_within_budget: {}", peak <= budget);
    }
}

fn network(persons: u64) {
    let s = scenario(persons);
    let people = People::synthesize(&s.regions, s.seed);
    let before = peak_rss();
    let t = Instant::now();
    let net = Network::generate(&s.network, &people, s.seed);
    let secs = t.elapsed().as_secs_f64();
    let ties = net.ties();
    println!("persons: {persons}");
    println!("ties: {ties}");
    println!("mean_degree: {:.3}", 2.0 * ties as f64 / persons as f64);
    println!("generation_s: {secs:.3}");
    println!("ties_per_s: {:.0}", ties as f64 / secs);
    if let (Some(peak), Some(base)) = (peak_rss(), before) {
        let budget = 24 * ties + 16 * persons;
        println!("peak_rss_bytes: {peak}");
        println!("peak_rss_before_network_bytes: {base}");
        println!("budget_24_per_tie_16_per_person_bytes: {budget}");
        println!("peak_within_budget: {}", peak <= budget);
    }
}

fn cascade(persons: u64) {
    let s = scenario(persons);
    let t = Instant::now();
    let mut sim = Sim::new(s);
    let setup = t.elapsed().as_secs_f64();
    let mut rec = Recorder::default();
    let t = Instant::now();
    let outcome = sim.run(&mut [&mut rec]).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let active = rec.column("active").unwrap_or_default();
    let final_active = active.last().copied().unwrap_or(0.0) as u64;
    // Every person who started acting pushed to each of their ties exactly once.
    let net = &sim.world().network;
    let visits = if final_active == persons {
        net.targets.len() as u64
    } else {
        (net.targets.len() as f64 * final_active as f64 / persons as f64) as u64
    };
    println!("persons: {persons}");
    println!("ties: {}", net.ties());
    println!("setup_s: {setup:.3}");
    println!("final_active: {final_active}");
    println!("steps: {}", outcome.last_step);
    println!("cascade_s: {secs:.3}");
    println!("tie_visits: {visits}");
    println!("tie_visits_per_s: {:.0}", visits as f64 / secs);
    if let Some(peak) = peak_rss() {
        println!("peak_rss_bytes: {peak}");
    }
}

fn civil_violence(name: &str, size: u32, steps: u32, mode: &str, extra: &[String]) {
    use mobilize_core::scenario::embedded;
    let source = embedded::source(name).expect("an embedded civil violence scenario");
    let sets = [
        format!("civil_violence.width={size}"),
        format!("civil_violence.height={size}"),
        format!("time.steps={steps}"),
        format!("civil_violence.mode={mode}"),
        "civil_violence.snapshots=[]".to_string(),
    ];
    let overrides: Vec<Override> = sets
        .iter()
        .chain(extra)
        .map(|a| Override::parse(a).expect("valid override"))
        .collect();
    let s = match Scenario::load(&source, &overrides) {
        Ok(s) => s,
        Err(e) => panic!("the scenario is valid: {e}"),
    };
    let mut sim = Sim::new(s);
    let mut rec = Recorder::default();
    let t = Instant::now();
    let outcome = sim.run(&mut [&mut rec]).unwrap();
    let secs = t.elapsed().as_secs_f64();
    // Agents acting per step: citizens (free or jailed) and cops, as Mesa counts them.
    let agents: f64 = ["active", "quiet", "jailed", "cops"]
        .iter()
        .map(|c| {
            rec.column(c)
                .unwrap_or_default()
                .iter()
                .skip(1)
                .sum::<f64>()
        })
        .sum();
    println!("scenario: {name}");
    println!("mode: {mode}");
    println!("lattice: {size}x{size}");
    println!("steps: {}", outcome.last_step);
    println!("run_s: {secs:.3}");
    println!("agent_steps: {agents}");
    println!("agent_steps_per_s: {:.0}", agents / secs);
    println!(
        "mean_active: {:.1}",
        outcome
            .figures
            .iter()
            .find(|f| f.0 == "mean_active")
            .map_or(0.0, |f| f.1)
    );
    if let Some(peak) = peak_rss() {
        println!("peak_rss_bytes: {peak}");
        println!(
            "bytes_per_site: {:.1}",
            peak as f64 / (f64::from(size) * f64::from(size))
        );
    }
}

fn resistance(scale: f64, seed: u64) {
    use mobilize_core::scenario::embedded;
    let source = embedded::source("korea-1936-1945").expect("embedded");
    let sets = [format!("scale={scale}"), format!("seed={seed}")];
    let overrides: Vec<Override> = sets
        .iter()
        .map(|a| Override::parse(a).expect("valid override"))
        .collect();
    let s = match Scenario::load(&source, &overrides) {
        Ok(s) => s,
        Err(e) => panic!("the scenario is valid: {e}"),
    };
    let t = Instant::now();
    let mut sim = Sim::new(s);
    let setup = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let outcome = sim.run(&mut []).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let persons = sim.world().people.len() as f64;
    println!("persons: {persons}");
    println!("ties: {}", sim.world().network.ties());
    println!("steps: {}", outcome.last_step);
    println!("setup_s: {setup:.3}");
    println!("run_s: {secs:.3}");
    println!("total_s: {:.3}", setup + secs);
    println!(
        "person_days_per_s: {:.0}",
        persons * f64::from(outcome.last_step) / (setup + secs)
    );
    for (name, value) in &outcome.figures {
        println!("{name}: {value}");
    }
    if let Some(peak) = peak_rss() {
        println!("peak_rss_bytes: {peak}");
    }
}

fn export(persons: u64, dir: &std::path::Path) {
    use std::fmt::Write as _;
    let s = scenario(persons);
    std::fs::create_dir_all(dir).expect("folder can be created");
    let params = s.params::<ThresholdParams>().clone();
    let thresholds = draw_thresholds(&params, persons as usize, s.seed);
    let mut sim = Sim::new(s);
    let net = &sim.world().network;
    let mut edges = String::new();
    for i in 0..persons as u32 {
        for &j in net.neighbours(i) {
            if j > i {
                let _ = writeln!(edges, "{i} {j}");
            }
        }
    }
    std::fs::write(dir.join("edges.txt"), edges).expect("write edges");
    let text: String = thresholds.iter().map(|t| format!("{t:?}\n")).collect();
    std::fs::write(dir.join("thresholds.txt"), text).expect("write thresholds");
    let mut rec = Recorder::default();
    let t = Instant::now();
    let outcome = sim.run(&mut [&mut rec]).unwrap();
    let secs = t.elapsed().as_secs_f64();
    // Initial actors: those counted at step 0 (the same random choice the model made).
    let initial = initial_actors(&sim, persons);
    std::fs::write(
        dir.join("initial.txt"),
        initial.iter().map(|i| format!("{i}\n")).collect::<String>(),
    )
    .expect("write initial");
    let active = rec.column("active").unwrap_or_default();
    let summary = format!(
        "persons: {persons}\nties: {}\nfinal_active: {}\nsteps: {}\ncascade_s: {secs:.6}\n",
        sim.world().network.ties(),
        active.last().copied().unwrap_or(0.0),
        outcome.last_step,
    );
    std::fs::write(dir.join("mobilize.txt"), &summary).expect("write summary");
    print!("{summary}");
}

/// The initial actors the model chose, recomputed with the same stream it used.
fn initial_actors(sim: &Sim, persons: u64) -> Vec<u32> {
    use mobilize_core::rng::{Purpose, Stream};
    let params = sim.scenario().params::<ThresholdParams>();
    let mut pool: Vec<u32> = (0..persons as u32).collect();
    let mut s = Stream::new(sim.scenario().seed, Purpose::INITIAL_ACTORS, 0, 0);
    let k = params.initial_random.min(persons) as usize;
    for i in 0..k {
        let j = i + s.below((pool.len() - i) as u32) as usize;
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool
}
