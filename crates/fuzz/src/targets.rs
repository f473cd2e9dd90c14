//! The readers under test. Each takes arbitrary bytes and returns a short description of the
//! outcome (its first error's kind), which the campaign uses as a cheap novelty signal. None
//! may panic; none may allocate in proportion to a number written in the input.

use std::path::Path;

use mobilize_core::scenario::{embedded, Override, Scenario, Source};
use mobilize_experiment::design::parse_design;
use mobilize_experiment::Experiment;

/// The readers, by name.
pub const TARGETS: [&str; 7] = [
    "scenario",
    "set",
    "design",
    "checkpoint",
    "state",
    "http",
    "edges",
];

/// Runs target `name` on `bytes`; returns the outcome's signature.
pub fn run(name: &str, bytes: &[u8]) -> String {
    match name {
        "scenario" => scenario(bytes),
        "set" => set(bytes),
        "design" => design(bytes),
        "checkpoint" => checkpoint(bytes),
        "state" => state(bytes),
        "http" => http(bytes),
        "edges" => edges(bytes),
        _ => panic!("unknown target `{name}`"),
    }
}

/// The kind of an error message: its first words, letters only (names, numbers and quoted
/// parts dropped), so that "a value out of range" is one kind whatever the field.
fn signature(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '`' | '"' => quoted = !quoted,
            _ if quoted => {}
            c if c.is_ascii_lowercase() || c == ' ' => out.push(c),
            _ => {}
        }
        if out.len() >= 48 {
            break;
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A scenario file's text: parsed and validated (never run).
pub fn scenario(bytes: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return "not utf-8".into();
    };
    match Scenario::load(&Source::text("fuzz.toml", text), &[]) {
        Ok(s) => {
            // A valid scenario also resolves and re-reads to itself.
            let again = Scenario::load(&Source::text("resolved.toml", &s.resolved_toml()), &[])
                .expect("a resolved scenario is valid");
            assert_eq!(
                again.resolved_toml(),
                s.resolved_toml(),
                "resolution is a fixed point"
            );
            format!("ok {:?}", s.model)
        }
        Err(e) => e.problems.first().map_or("error".into(), |p| {
            // The field's section and the message's kind.
            let section = p.path.split(['.', '[']).next().unwrap_or("");
            format!("{section}: {}", signature(&p.message))
        }),
    }
}

/// A `--set` argument: parsed, then applied to a small scenario and validated.
pub fn set(bytes: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return "not utf-8".into();
    };
    // Several arguments, one per line, as a user would repeat --set.
    let mut overrides = Vec::new();
    for line in text.lines().take(8) {
        match Override::parse(line) {
            Ok(o) => overrides.push(o),
            Err(e) => return signature(&e.reason),
        }
    }
    let base = embedded::source("two-valleys").expect("embedded");
    match Scenario::load(&base, &overrides) {
        Ok(_) => "ok".into(),
        Err(e) => e
            .problems
            .first()
            .map_or("error".into(), |p| signature(&p.message)),
    }
}

/// A design file: parsed; its first rows validated as sweep points of a small scenario.
pub fn design(bytes: &[u8]) -> String {
    match parse_design(Path::new("design.csv"), bytes) {
        Ok(mut d) => {
            d.rows.truncate(4);
            d.lines.truncate(4);
            let base = embedded::source("two-valleys").expect("embedded");
            let exp = Experiment::sweep(base, vec![], &d, 1, 1);
            match exp.validate() {
                Ok(_) => "ok".into(),
                Err(e) => signature(&e.to_string()),
            }
        }
        Err(e) => signature(&e.to_string()),
    }
}

/// A checkpoint file.
pub fn checkpoint(bytes: &[u8]) -> String {
    match mobilize_output::checkpoint::decode(Path::new("c.bin"), bytes, "0.1.0", "fuzz") {
        Ok(_) => "ok".into(),
        Err(e) => signature(&e.to_string()),
    }
}

/// An edge list (`network.kind = "file"`): the first byte says CSV (even) or Parquet (odd),
/// the rest is the file, read, checked and renumbered as validation does.
pub fn edges(bytes: &[u8]) -> String {
    use mobilize_core::network::file::{read, Context, Input};
    let Some((&kind, body)) = bytes.split_first() else {
        return "empty".into();
    };
    let ext = if kind % 2 == 0 { "csv" } else { "parquet" };
    // One file per worker thread, reused.
    thread_local! {
        static DIR: std::path::PathBuf = {
            let d = std::env::temp_dir().join(format!(
                "mobilize-fuzz-edges-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = std::fs::create_dir_all(&d);
            d
        };
    }
    let path = DIR.with(|d| d.join(format!("e.{ext}")));
    if std::fs::write(&path, body).is_err() {
        return "cannot write".into();
    }
    let regions = ["a".to_string(), "b".to_string()];
    let weights = [("friend".to_string(), 2.0)];
    let input = Input {
        path,
        shown: format!("e.{ext}"),
        sha256: None,
    };
    // One region (people from the edge list) or two (they need a people table: an error).
    let cx = Context {
        regions: &regions[..1 + usize::from(kind % 4 >= 2)],
        weights: &weights,
    };
    match read(&input, None, &cx) {
        Ok(f) => {
            // What was read is a well-formed network.
            let n = f.persons();
            let g = &f.network;
            assert_eq!(g.offsets.len(), n + 1);
            for i in 0..n as u32 {
                let row = g.neighbours(i);
                assert!(
                    row.windows(2).all(|w| w[0] < w[1]),
                    "rows sorted, no repeats"
                );
                assert!(row.iter().all(|&j| (j as usize) < n && j != i));
            }
            format!("ok {ext}")
        }
        Err(p) => format!("{ext} {}", signature(&p[0].message)),
    }
}

/// A small edge list as a Parquet file, written by the output crate's writer.
fn parquet_edges() -> Vec<u8> {
    use mobilize_output::{write_tables, Column};
    let dir = std::env::temp_dir().join(format!("mobilize-fuzz-pq-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    write_tables(
        &dir,
        "e",
        &[
            "source".into(),
            "target".into(),
            "weight".into(),
            "kind".into(),
        ],
        vec![
            Column::Int64(vec![1, 2, 3, 4]),
            Column::Text(vec![
                Some("2".into()),
                Some("3".into()),
                Some("4".into()),
                Some("1".into()),
            ]),
            Column::OptDouble(vec![Some(1.5), None, Some(2.0), None]),
            Column::Text(vec![
                Some("friend".into()),
                None,
                Some("x".into()),
                Some("friend".into()),
            ]),
        ],
    )
    .expect("written");
    let bytes = std::fs::read(dir.join("e.parquet")).expect("read");
    let _ = std::fs::remove_dir_all(&dir);
    let mut out = vec![1u8];
    out.extend(bytes);
    out
}

/// The built-in seeds of `target` (what a campaign starts from besides its kept corpus).
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    match target {
        "scenario" => mobilize_core::scenario::embedded::ALL
            .iter()
            .map(|(_, text)| text.as_bytes().to_vec())
            .collect(),
        "set" => [
            "seed=7",
            "scale=0.5",
            "regions[0].population=500",
            "resistance.outreach.member_contacts=0.3",
            "resistance.kinds[1].cell_size=4",
            "time.steps=20",
            "events[2].step=100",
            "resistance.organizations=false",
            "regions.1.neighbours=[\"north\"]",
            "network.kind=\"none\"",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
        "design" => [
            "resistance.outreach.member_contacts,resistance.repression.detection\n0.1,0.001\n0.2,0.002\n",
            "scale\n0.5\n1\n",
            "resistance.organizations,time.steps\ntrue,100\nfalse,\"200\"\n",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
        "checkpoint" => {
            // A real checkpoint of a small run, written by this build's code path.
            let dir = std::env::temp_dir().join(format!("mobilize-fuzz-{}", std::process::id()));
            let _ = std::fs::create_dir_all(&dir);
            let source = mobilize_core::scenario::embedded::source("granovetter-uniform").expect("embedded");
            let scenario = mobilize_core::scenario::Scenario::load(&source, &[]).expect("valid");
            let mut sim = mobilize_core::engine::Sim::new(scenario);
            let mut saved = Vec::new();
            let mut keep = |c: &mobilize_core::engine::Checkpoint| saved.push(c.clone());
            sim.run_with(&mut [], mobilize_core::engine::RunControl {
                checkpoint_every: 5,
                on_checkpoint: Some(&mut keep),
                ..Default::default()
            }).unwrap();
            let c = saved.first().expect("a checkpoint").clone();
            mobilize_output::checkpoint::write(&dir, &c, "granovetter-uniform", "0.1.0", "fuzz", "c.bin").expect("written");
            let bytes = std::fs::read(dir.join("c.bin")).expect("read");
            let _ = std::fs::remove_dir_all(&dir);
            vec![bytes]
        }
        "state" => state_seeds(),
        "http" => http_seeds(),
        "edges" => {
            let csv = [
                "source,target\n1,2\n2,3\n3,1\n",
                "source,target,weight,kind\na,b,2,friend\nb,c,,friend\nc,d,0.5,\n# a comment\nd,a,1,x\n",
                "target,source\n\"x,y\",z\n7,8\n",
            ];
            let mut seeds: Vec<Vec<u8>> = csv
                .iter()
                .map(|t| [&[0u8][..], t.as_bytes()].concat())
                .collect();
            seeds.push(parquet_edges());
            seeds
        }
        _ => vec![],
    }
}

/// A small run of each model, checkpointed a few steps before its end: the structure-aware checkpoint
/// target swaps in a mutated state and resumes it, past the frame and the checksums (which a
/// crafted file would simply recompute), into the model's decoder and its steps.
struct Saved {
    world: Scenario,
    scenario: Scenario,
    checkpoint: mobilize_core::engine::Checkpoint,
}

fn saved_runs() -> &'static [Saved] {
    static RUNS: std::sync::OnceLock<Vec<Saved>> = std::sync::OnceLock::new();
    RUNS.get_or_init(|| {
        // (scenario, overrides, step of the checkpoint, steps in all): for the resistance
        // model, the day before the final offensive, so the resumed steps fight and rise.
        let runs: [(&str, &[&str], u32, u32); 5] = [
            ("granovetter-uniform", &[], 2, 8),
            ("village-cascade", &["scale=0.002"], 5, 12),
            ("two-valleys", &["scale=0.1"], 725, 732),
            (
                "epstein-run1",
                &[
                    "civil_violence.width=12",
                    "civil_violence.height=12",
                    "civil_violence.snapshots=[0]",
                ],
                5,
                8,
            ),
            (
                "epstein-run1",
                &[
                    "civil_violence.width=12",
                    "civil_violence.height=12",
                    "civil_violence.mode=fast",
                    "civil_violence.snapshots=[0]",
                ],
                5,
                8,
            ),
        ];
        runs.iter()
            .map(|&(name, sets, at, steps)| {
                let mut sets: Vec<Override> = sets
                    .iter()
                    .map(|s| Override::parse(s).expect("valid"))
                    .collect();
                sets.push(Override::parse(&format!("time.steps={steps}")).expect("valid"));
                let src = embedded::source(name).expect("embedded");
                let scenario = Scenario::load(&src, &sets).expect("valid");
                let mut sim = mobilize_core::engine::Sim::new(scenario.clone());
                let mut kept = None;
                let mut keep = |c: &mobilize_core::engine::Checkpoint| {
                    if c.step <= at {
                        kept = Some(c.clone());
                    }
                };
                sim.run_with(
                    &mut [],
                    mobilize_core::engine::RunControl {
                        checkpoint_every: 1,
                        on_checkpoint: Some(&mut keep),
                        ..Default::default()
                    },
                )
                .unwrap();
                Saved {
                    world: scenario.clone(),
                    scenario,
                    checkpoint: kept.expect("a checkpoint"),
                }
            })
            .collect()
    })
}

fn state_seeds() -> Vec<Vec<u8>> {
    saved_runs()
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let mut v = vec![k as u8];
            v.extend_from_slice(&s.checkpoint.model);
            v
        })
        .collect()
}

/// A model's saved state: the first byte picks the run (see [`saved_runs`]), the rest is
/// the state, restored and, when accepted, run to the end (a few more steps).
pub fn state(bytes: &[u8]) -> String {
    let Some((&k, payload)) = bytes.split_first() else {
        return "empty".into();
    };
    let runs = saved_runs();
    let run = &runs[usize::from(k) % runs.len()];
    let mut c = run.checkpoint.clone();
    c.model = payload.to_vec();
    match mobilize_core::engine::Sim::resume(&run.world, run.scenario.clone(), c) {
        Ok(mut sim) => {
            sim.run(&mut []).unwrap();
            format!("ok {k}")
        }
        Err(e) => format!("{k} {}", signature(&e.0)),
    }
}

fn http_seeds() -> Vec<Vec<u8>> {
    [
        "GET /api/scenarios HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "GET /api/scenarios/two-valleys HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{\"scenario\":\"two-valleys\",\"sets\":[\"seed=7\"]}   ",
        "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 26\r\n\r\n{\"scenario\":\"two-valleys\"}",
        "POST /api/folders/resume HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"folder\":\"a/.b.pa\"}",
        "GET /api/runs HTTP/1.1\r\nHost: [::1]\r\n\r\n",
        "POST /api/runs/r000001-0011223344556677/pause HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n",
        "GET /files/x/..%2F..%2Fetc%2Fpasswd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// The dashboard's server, once per process, on an in-memory connection per input; its runs
/// folder is an empty temporary folder and no run fits its memory limit, so nothing runs.
fn server() -> &'static (tokio::runtime::Runtime, axum::Router) {
    static SERVER: std::sync::OnceLock<(tokio::runtime::Runtime, axum::Router)> =
        std::sync::OnceLock::new();
    SERVER.get_or_init(|| {
        let runs = std::env::temp_dir().join(format!("mobilize-fuzz-runs-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&runs);
        let config = mobilize_serve::Config {
            runs,
            scenarios: None,
            max_runs: 1,
            queue: 0,
            body_limit: 64 * 1024,
            provenance: mobilize_experiment::Provenance {
                version: "fuzz".into(),
                git_commit: "fuzz".into(),
            },
            allowed_hosts: mobilize_serve::guard::allowed_hosts(
                std::net::IpAddr::from([127, 0, 0, 1]),
                &[],
            ),
            token: None,
            max_memory: Some(0),
            checkpoint_every: 0,
            header_timeout: std::time::Duration::from_secs(1),
            request_timeout: std::time::Duration::from_secs(2),
            write_timeout: std::time::Duration::from_secs(2),
            history_budget: 64 << 20,
        };
        let state = std::sync::Arc::new(mobilize_serve::api::AppState::new(config));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        (rt, mobilize_serve::api::router(state))
    })
}

/// Raw bytes sent to the dashboard over one connection (HTTP/1.1 parsing, the guard, every
/// handler); the outcome is the answer's status line.
pub fn http(bytes: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (rt, router) = server();
    rt.block_on(async {
        let (mut client, io) = tokio::io::duplex(1 << 20);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(std::time::Duration::from_millis(50))
            .keep_alive(false)
            .serve_connection(hyper_util::rt::TokioIo::new(io), service);
        let talk = async {
            let _ = client.write_all(bytes).await;
            let _ = client.shutdown().await;
            let mut out = Vec::new();
            let _ = client.read_to_end(&mut out).await;
            out
        };
        let (_, out) = tokio::join!(conn, talk);
        let text = String::from_utf8_lossy(&out);
        let status = text.lines().next().unwrap_or("no answer");
        let body = text.split_once("\r\n\r\n").map_or("", |x| x.1);
        let body: String = body.chars().take(200).collect();
        format!("{status} {}", signature(&body))
    })
}
