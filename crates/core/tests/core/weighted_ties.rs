//! Validation: ties of unequal weight, on networks read from files.
//!
//! Granovetter (1978, p. 1429): threshold 50 %, a crowd of 100 of whom 48 riot; a man knows
//! 20 of them, 15 of whom riot; friends count twice, strangers once. He sees
//! (2·15 + 33)/(2·20 + 80) = 63/120 = 0.525 and joins; with the same 15 friends and no
//! stranger rioting he sees 30/120 = 0.25 and stays out (counting ties alone, he would see
//! 15/20 = 0.75 and join).

use std::path::Path;

use mobilize_core::engine::Sim;
use mobilize_core::observe::Recorder;
use mobilize_core::scenario::{Scenario, Source};

/// A folder of its own for each test's files.
fn folder(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("mobilize-weighted-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The man (`man`), his 20 friends (`f1`…`f20`, weight 2) and 80 strangers (`s1`…`s80`,
/// weight 1), each tied to him only. Returns the edge list's text.
fn crowd_edges() -> String {
    let mut t = String::from("source,target,kind\n");
    for i in 1..=20 {
        t.push_str(&format!("man,f{i},friend\n"));
    }
    for i in 1..=80 {
        t.push_str(&format!("s{i},man,stranger\n"));
    }
    t
}

/// Runs the crowd with the man's threshold `theta` (unit `unit`) and the given rioters; the
/// count acting per step.
fn run(dir: &Path, unit: &str, theta: f64, rioters: &[String]) -> Vec<f64> {
    std::fs::write(dir.join("crowd.csv"), crowd_edges()).unwrap();
    // Thresholds in the files' order: the man first, then everyone else (who needs the man).
    let others = if unit == "fraction" { 1.0 } else { 2.0 };
    let mut values = vec![theta];
    values.extend(std::iter::repeat_n(others, 100));
    let list: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    let actors: Vec<String> = rioters.iter().map(|r| format!("\"{r}\"")).collect();
    let text = format!(
        "name = \"crowd\"\nmodel = \"threshold\"\n[time]\nsteps = 10\n\
         [[regions]]\nname = \"square\"\npopulation = 101\n\
         [network]\nkind = \"file\"\nedges = \"crowd.csv\"\n\
         [network.weights]\nfriend = 2\nstranger = 1\n\
         [threshold]\nform = \"network\"\nunit = \"{unit}\"\ninitial_actors = [{}]\n\
         [threshold.distribution]\nkind = \"list\"\nvalues = [{}]\n",
        actors.join(", "),
        list.join(", ")
    );
    let source = Source {
        name: "crowd.toml".into(),
        text,
        base_dir: Some(dir.to_path_buf()),
    };
    let scenario = Scenario::load(&source, &[]).unwrap();
    let mut rec = Recorder::default();
    Sim::new(scenario).run(&mut [&mut rec]).unwrap();
    rec.column("active").unwrap()
}

fn names(prefix: &str, n: u32) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}{i}")).collect()
}

#[test]
fn granovetter_p1429_friends_count_twice_strangers_once() {
    let dir = folder("p1429");
    let mixed: Vec<String> = [names("f", 15), names("s", 33)].concat();
    // 63/120 = 0.525 ≥ 0.5: he joins at step 1, and everyone who needs him at step 2.
    let a = run(&dir, "fraction", 0.5, &mixed);
    assert_eq!(a[..3], [48.0, 49.0, 101.0]);
    // Exactly: 0.525 is met, the next representable share above it is not.
    assert_eq!(run(&dir, "fraction", 0.525, &mixed)[1], 49.0);
    assert_eq!(run(&dir, "fraction", 0.5251, &mixed)[1], 48.0);
    // 15 friends and no stranger: 30/120 = 0.25 < 0.5, and nobody else can move.
    let friends = names("f", 15);
    let b = run(&dir, "fraction", 0.5, &friends);
    assert_eq!(*b.last().unwrap(), 15.0);
    // Thresholds as counts are weighted counts: 2·15 + 33 = 63.
    assert_eq!(run(&dir, "count", 63.0, &mixed)[1], 49.0);
    assert_eq!(run(&dir, "count", 63.5, &mixed)[1], 48.0);
}

#[test]
fn the_same_weights_on_every_tie_change_nothing_in_shares() {
    // Weight 3 on every tie is weight 1 on every tie: shares are ratios of weights.
    let dir = folder("uniform");
    let mut t = String::from("source,target,weight\n");
    let mut plain = String::from("source,target\n");
    // A ring of 60 with a chord every 7 people.
    for i in 0..60 {
        for j in [(i + 1) % 60, (i + 7) % 60] {
            t.push_str(&format!("{i},{j},3\n"));
            plain.push_str(&format!("{i},{j}\n"));
        }
    }
    std::fs::write(dir.join("heavy.csv"), t).unwrap();
    std::fs::write(dir.join("plain.csv"), plain).unwrap();
    let go = |file: &str| {
        let text = format!(
            "name = \"ring\"\nmodel = \"threshold\"\nseed = 4\n[time]\nsteps = 60\n\
             [[regions]]\nname = \"ring\"\npopulation = 60\n\
             [network]\nkind = \"file\"\nedges = \"{file}\"\n\
             [threshold]\nform = \"network\"\nunit = \"fraction\"\ninitial_random = 3\n\
             [threshold.distribution]\nkind = \"uniform\"\nmin = 0.1\nmax = 0.6\n"
        );
        let source = Source {
            name: "ring.toml".into(),
            text,
            base_dir: Some(dir.clone()),
        };
        let scenario = Scenario::load(&source, &[]).unwrap();
        let mut rec = Recorder::default();
        Sim::new(scenario).run(&mut [&mut rec]).unwrap();
        rec.column("active").unwrap()
    };
    let heavy = go("heavy.csv");
    assert_eq!(heavy, go("plain.csv"));
    assert!(*heavy.last().unwrap() > 3.0, "{heavy:?}");
}

#[test]
fn weighted_cascades_are_the_same_on_any_thread_count() {
    // A structured network whose kinds weigh differently, large enough for the parallel pass.
    let text = "name = \"w\"\nmodel = \"threshold\"\nseed = 9\n[time]\nsteps = 200\n\
        [[regions]]\nname = \"a\"\npopulation = 400000\n\
        [network]\nkind = \"structured\"\nvillage_ties = 6\ndistrict_ties = 3\nlong_ties = 1\n\
        [network.weights]\nhousehold = 3\nvillage = 1.5\nlong = 0.5\n\
        [threshold]\nform = \"network\"\nunit = \"fraction\"\ninitial_random = 400\n\
        [threshold.distribution]\nkind = \"uniform\"\nmin = 0.0\nmax = 0.45\nsampling = \"random\"\n";
    let go = |threads: usize| {
        let scenario = Scenario::load(&Source::text("w.toml", text), &[]).unwrap();
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let mut rec = Recorder::default();
                Sim::new(scenario).run(&mut [&mut rec]).unwrap();
                rec.column("active").unwrap()
            })
    };
    let one = go(1);
    assert!(
        one.windows(2).any(|w| w[1] - w[0] >= 32_768.0),
        "some frontier must be large enough for the parallel pass: {one:?}"
    );
    assert_eq!(one, go(4));
}
