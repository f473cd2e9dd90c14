//! `mobilize compare`: two arms with common random numbers, and their paired differences.

use clap::{Args, Parser};
use mobilize_experiment::compare::compare;
use mobilize_experiment::tables::read_rows;
use mobilize_experiment::Experiment;

use super::experiment::{execute, results, CommonArgs};
use crate::{source, Failure};

/// Arguments of `mobilize compare` (arm a; arm b follows `--vs`).
#[derive(Args, Debug)]
#[command(
    after_help = "Arm b follows --vs: an optional scenario (default: arm a's) and its own --set overrides, e.g.\n  mobilize compare korea-1936-1945 -n 20 --vs --set resistance.organizations=false\n  mobilize compare a.toml --vs b.toml"
)]
pub struct CompareArgs {
    /// Scenario of arm a: a file or an embedded name (default: the embedded default).
    pub scenario: Option<String>,
    /// Override a field of arm a: `path.to.key=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Arm b, as given after `--vs`.
#[derive(Parser, Debug)]
#[command(name = "--vs", no_binary_name = true)]
struct ArmB {
    /// Scenario of arm b (default: arm a's).
    scenario: Option<String>,
    /// Override a field of arm b.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

/// Splits `mobilize compare ... --vs ...` at `--vs`: clap parses the first part, [`ArmB`] the
/// rest. Returns the rest, or `None` when the command is not `compare` or has no `--vs`.
pub fn split_vs(args: &mut Vec<std::ffi::OsString>) -> Option<Vec<String>> {
    if args.get(1).and_then(|a| a.to_str()) != Some("compare") {
        return None;
    }
    let at = args.iter().position(|a| a == "--vs")?;
    let rest = args.split_off(at);
    Some(
        rest[1..]
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
    )
}

/// Runs both arms and prints the paired differences.
pub fn run(args: CompareArgs, vs: Option<Vec<String>>) -> Result<(), Failure> {
    let Some(vs) = vs else {
        eprintln!("error: `mobilize compare` needs `--vs` and arm b after it, e.g. `mobilize compare two-valleys --vs --set resistance.organizations=false`");
        return Err(Failure::Input);
    };
    let b = ArmB::try_parse_from(vs).map_err(|e| {
        let _ = e.print();
        Failure::Input
    })?;
    let src_a = source::find(args.scenario.as_deref())?;
    let src_b = match &b.scenario {
        Some(s) => source::find(Some(s))?,
        None => src_a.clone(),
    };
    let sets_a = args.common.sets(&args.set);
    let sets_b = args.common.sets(&b.set);
    let seed = args.common.base_seed(&src_a, &sets_a)?;
    let exp = Experiment::compare(
        (src_a, sets_a),
        (src_b, sets_b),
        args.common.replicates,
        seed,
    );
    let done = execute(&exp, &args.common)?;
    let specs: Vec<_> = exp.runs().collect();
    let rows = read_rows(&done.dir, &specs).map_err(|e| Failure::Other(e.to_string()))?;
    let scenarios = exp.validate().map_err(|e| Failure::Other(e.to_string()))?;
    let why = mobilize_experiment::compare::why_unpaired(&scenarios[0], &scenarios[1]);
    let paired = why.is_none();
    match &why {
        None => println!(
            "paired differences, b − a, over {} replicate pairs (common random numbers: the arms \
             share their world and every event's place on the timeline, so replicate r draws \
             the same numbers in both; 95 % interval):",
            exp.replicates
        ),
        Some(why) => println!(
            "differences of the means, b − a, over {} runs per arm (95 % Welch interval): {why}, \
             so the same seed does not draw the same things in both and their runs cannot be paired",
            exp.replicates
        ),
    }
    let f = |v: f64| {
        if v.is_finite() {
            // Four decimals at most, none for whole numbers (a step, a count); `+ 0.0` turns
            // a negative zero into zero.
            let s = format!("{:.4}", v + 0.0);
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".into()
            } else {
                s.to_string()
            }
        } else {
            "–".into()
        }
    };
    for p in compare(&rows, paired) {
        let n = if p.paired {
            format!("pairs {}", p.pairs)
        } else {
            format!("runs {} / {}", p.n_a, p.n_b)
        };
        println!(
            "  {:<30} a {:>12}  b {:>12}  b − a {:>12}  [{}, {}]  {n}{}",
            p.figure,
            f(p.mean_a),
            f(p.mean_b),
            f(p.difference),
            f(p.ci_low),
            f(p.ci_high),
            if p.only_a + p.only_b > 0 {
                format!(" (only in a: {}, only in b: {})", p.only_a, p.only_b)
            } else {
                String::new()
            }
        );
    }
    results(&done);
    Ok(())
}
